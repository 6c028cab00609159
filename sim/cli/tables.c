/* subnetsim tables DB: the table reference of a database, in Markdown (the
 * README's "Database" section is this output for a typical run). */
#include "cli/cli.h"
#include "core/core.h"
#include "store/store.h"

#include <string.h>

static void usage(FILE *out)
{
    fprintf(out, "usage: subnetsim tables DB\n\n"
                 "Print the tables and views of a run database with their columns and what\n"
                 "they mean, in Markdown.\n");
}

int cli_tables(int argc, char **argv)
{
    if (argc == 1 && (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help"))) {
        usage(stdout);
        return 0;
    }
    if (argc != 1) {
        usage(stderr);
        return 2;
    }
    store *s;
    err e = {0};
    int rc = store_open(argv[0], STORE_READ, NULL, &s, &e);
    sbuf md;
    sbuf_init(&md);
    if (!rc)
        rc = store_describe_markdown(s, &md, &e);
    if (!rc)
        fputs(md.s, stdout);
    else
        fprintf(stderr, "subnetsim tables: %s\n", e.msg);
    sbuf_free(&md);
    store_close(s);
    return err_exit_status(rc);
}
