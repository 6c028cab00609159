/* subnetsim: subcommand dispatch only. */
#include "cli/cli.h"
#include "core/core.h"

#include <string.h>

static void usage(FILE *out)
{
    fprintf(out, "usage: subnetsim COMMAND [ARGS...]\n\ncommands:\n");
    for (const cli_command *c = cli_commands; c->name; c++)
        fprintf(out, "  %-20s %s\n", c->name, c->summary);
    fprintf(out, "  %-20s %s\n", "version", "print the version");
    fprintf(out, "\n`subnetsim COMMAND --help` describes one command.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *name = argv[1];
    if (!strcmp(name, "-h") || !strcmp(name, "--help") || !strcmp(name, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(name, "version") || !strcmp(name, "--version")) {
        printf("subnetsim %s\n", SUBNETSIM_VERSION);
        return 0;
    }
    for (const cli_command *c = cli_commands; c->name; c++)
        if (!strcmp(c->name, name))
            return c->fn(argc - 2, argv + 2);
    fprintf(stderr, "subnetsim: unknown command '%s'\n", name);
    usage(stderr);
    return 2;
}
