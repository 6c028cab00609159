/* The subcommand table. */
#include "cli/cli.h"

#include <stddef.h>

const cli_command cli_commands[] = {
    {"epoch", cli_epoch, "run one Yuma Consensus epoch on a subnet's state (JSON)"},
    {"tables", cli_tables, "describe the tables and views of a run database (Markdown)"},
    {NULL, NULL, NULL},
};
