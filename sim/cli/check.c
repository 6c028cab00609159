/* subnetsim check FILE [--set PATH=VALUE]... [--seed N] [--print]
 * Validates a scenario: a one-line summary and exit 0, or exactly one error
 * line on stderr and exit 2. --print writes the effective scenario instead
 * (defaults and overrides applied), as canonical JSON. */
#include "cli/cli.h"

#include <string.h>

static const char usage[] =
    "usage: subnetsim check FILE [--set PATH=VALUE]... [--seed N] [--print]\n"
    "  --set PATH=VALUE  override a field, e.g. validators[1].stake=500 or duration=2d\n"
    "                    (VALUE is JSON if it parses as JSON, else a string; null removes)\n"
    "  --seed N          the seed of every random stream\n"
    "  --print           print the effective scenario as canonical JSON\n";

static const char *plural(size_t n) { return n == 1 ? "" : "s"; }

static void summary(const scenario *s)
{
    int64_t nv = 0, nm = 0;
    for (size_t i = 0; i < s->validators.n; i++)
        nv += s->validators.v[i].count;
    for (size_t i = 0; i < s->miners.n; i++)
        nm += s->miners.v[i].count;
    char length[48];
    if (s->epochs)
        snprintf(length, sizeof length, "%lld epochs", (long long)s->epochs);
    else
        duration_format(s->duration_us, length, sizeof length);
    printf("%s: ok: \"%s\": %zu subnet%s, %lld validator%s in %zu group%s, %lld miner%s in %zu "
           "group%s, %zu threshold%s, %s, seed %lld\n",
           s->path, s->name, s->subnets.n, plural(s->subnets.n), (long long)nv, plural((size_t)nv),
           s->validators.n, plural(s->validators.n), (long long)nm, plural((size_t)nm), s->miners.n,
           plural(s->miners.n),
           s->thresholds.n, plural(s->thresholds.n), length, (long long)s->seed);
}

static int check_option(void *print, int argc, char **argv, int *i, err *e)
{
    (void)argc;
    if (strcmp(argv[*i], "--print"))
        return err_set(e, ERR_INPUT, "check: unknown option '%s' (see --help)", argv[*i]);
    *(bool *)print = true;
    return 0;
}

int cli_check(int argc, char **argv)
{
    bool print = false;
    err e = {0};
    scenario *s = NULL;
    int r = cli_scenario_parse(argc, argv, usage, check_option, &print, &s, &e);
    if (r == CLI_HELP)
        return 0;
    if (r < 0) {
        fprintf(stderr, "%s\n", e.msg);
        return err_exit_status(r);
    }
    char *json = NULL;
    if (print && (r = scenario_to_json(s, &json, &e)) == 0)
        fputs(json, stdout);
    else if (!print)
        summary(s);
    free(json);
    scenario_free(s);
    if (r < 0)
        fprintf(stderr, "%s\n", e.msg);
    return err_exit_status(r);
}
