/* subnetsim schema [--markdown]: the JSON Schema of scenario files (committed
 * as scenarios/scenario.schema.json), or the Markdown field reference
 * (scenarios/README.md), both generated from the loader's own tables. */
#include "cli/cli.h"

#include <string.h>

int cli_schema(int argc, char **argv)
{
    bool md = false;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--markdown")) {
            md = true;
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            puts("usage: subnetsim schema [--markdown]");
            return 0;
        } else {
            fprintf(stderr, "schema: unknown option '%s' (see --help)\n", argv[i]);
            return 2;
        }
    }
    char *out = NULL;
    err e = {0};
    int r = md ? scenario_reference_md(cli_families, cli_nfamilies, &out, &e)
               : scenario_schema_json(cli_families, cli_nfamilies, &out, &e);
    if (r) {
        fprintf(stderr, "schema: %s\n", e.msg);
        return err_exit_status(r);
    }
    fputs(out, stdout);
    free(out);
    return 0;
}
