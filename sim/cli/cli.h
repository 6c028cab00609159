/* cli: one function per subcommand, each `int cli_NAME(int argc, char **argv)`
 * taking the arguments after the subcommand's name and returning the process
 * exit status (0 ok, 1 thresholds failed, 2 bad input, 3 external tool failed,
 * 4 internal or i/o error). */
#ifndef SUBNETSIM_CLI_H
#define SUBNETSIM_CLI_H

#include "scenario/scenario.h"
#include <stddef.h>

typedef struct cli_command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} cli_command;

/* The table main() dispatches on; a subcommand adds itself here. */
extern const cli_command cli_commands[];

int cli_epoch(int argc, char **argv);
int cli_check(int argc, char **argv);
int cli_schema(int argc, char **argv);

/* The scenario families linked into this binary (beside the core), for every
 * command that loads a scenario or prints its schema. */
extern const scenario_family *const cli_families[];
extern const size_t cli_nfamilies;

/* A scenario command's own options, given each option that is not FILE,
 * --set or --seed: 0 taken (a value consumed by advancing *i), or an error
 * (the command's "unknown option" among them). */
typedef int cli_option_fn(void *ctx, int argc, char **argv, int *i, err *e);

/* The arguments of a command that loads a scenario (check, run,
 * verify-determinism): FILE [--set PATH=VALUE]... [--seed N], -h/--help, and
 * the command's own options through `own`; then scenario_load with
 * cli_families. 0 with *out loaded (the caller frees it), CLI_HELP after
 * printing `usage` on stdout, or an error in e. */
#define CLI_HELP 1
int cli_scenario_parse(int argc, char **argv, const char *usage, cli_option_fn *own, void *ctx,
                       scenario **out, err *e);
int cli_tables(int argc, char **argv);

int cli_run(int argc, char **argv);
int cli_verify_determinism(int argc, char **argv);

struct runner_result;
/* After a run: evaluate the scenario's thresholds against the database, print
 * each, and return the exit status (0 all pass, 1 any fails). */
int cli_thresholds_after_run(const struct runner_result *res, const scenario *s, bool quiet,
                             FILE *out);
int cli_report(int argc, char **argv);
int cli_compare(int argc, char **argv);

/* The report families built in (sim/cli/families.c), for report, compare and
 * run's thresholds. */
struct report_family;
const struct report_family *const *cli_report_families(size_t *n);
/* Where `report` reads a run's thresholds: its stored scenario, parsed with
 * cli_families (sim/cli/thresholds.c). */
struct report_threshold_source;
typedef struct cli_threshold_source cli_threshold_source;
cli_threshold_source *cli_threshold_source_new(struct report_threshold_source *out);
void cli_threshold_source_free(cli_threshold_source *src);
/* "svg", "png", "both" -> REPORT_SVG | REPORT_PNG; ERR_INPUT otherwise. */
int cli_parse_formats(const char *s, unsigned *out);

#endif
