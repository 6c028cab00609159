/* The subcommand table. */
#include "cli/cli.h"

#include <stddef.h>

const cli_command cli_commands[] = {
    {"run", cli_run, "run a scenario into a SQLite database and print a summary"},
    {"verify-determinism", cli_verify_determinism, "run a scenario twice and compare digests"},
    {"epoch", cli_epoch, "run one Yuma Consensus epoch on a subnet's state (JSON)"},
    {"check", cli_check, "validate a scenario file (exit 0, or 2 with one error line)"},
    {"schema", cli_schema, "print the scenario JSON Schema (--markdown: the field reference)"},
    {"tables", cli_tables, "describe the tables and views of a run database (Markdown)"},
    {"report", cli_report, "render a run's charts, index.html, summary.md, thresholds.xml"},
    {"compare", cli_compare, "put runs side by side: key measures, confidence intervals"},
    {NULL, NULL, NULL},
};
