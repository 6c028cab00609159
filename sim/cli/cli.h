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

/* FILE [--set PATH=VALUE]... [--seed N], shared by check, run and sweep. */
typedef struct cli_scenario_args {
    const char *path;
    const char **sets;   /* the --set values, in order (points into argv) */
    size_t nsets;
    bool has_seed;
    int64_t seed;
} cli_scenario_args;

/* Take argv[*i] (and its value, advancing *i) if it is FILE, --set or --seed:
 * 1 taken, 0 another option (the command's own), or ERR_INPUT. */
int cli_scenario_arg(int argc, char **argv, int *i, cli_scenario_args *a, err *e);
void cli_scenario_args_free(cli_scenario_args *a);
/* scenario_load with these arguments and cli_families. */
int cli_scenario_load(const cli_scenario_args *a, scenario **out, err *e);
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
