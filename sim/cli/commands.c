/* The subcommand table. */
#include "cli/cli.h"

#include <stddef.h>

const cli_command cli_commands[] = {
    {"epoch", cli_epoch, "run one Yuma Consensus epoch on a subnet's state (JSON)"},
    {"report", cli_report, "render a run's charts, index.html, summary.md, thresholds.xml"},
    {"compare", cli_compare, "put runs side by side: key measures, confidence intervals"},
    {NULL, NULL, NULL},
};
