/* The scenario arguments every command that loads a scenario takes (check,
 * run, verify-determinism): FILE, --set PATH=VALUE (repeatable), --seed N; and
 * the family list of this binary, declared once here. */
#include "cli/cli.h"

#include "runner/runner.h"

#include <errno.h>
#include <string.h>

/* Families beside the core, as they are linked in: a family adds itself here. */
const scenario_family *const cli_families[] = {&runner_resi_scenario};
const size_t cli_nfamilies = sizeof cli_families / sizeof *cli_families;

typedef struct scenario_args {
    const char *path;
    const char **sets;   /* the --set values, in order (points into argv) */
    size_t nsets;
    bool has_seed;
    int64_t seed;
} scenario_args;

static int parse_seed(const char *s, int64_t *out, err *e)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || errno || v < 0 || (double)v > SCENARIO_INT_LIMIT)
        return err_set(e, ERR_INPUT, "--seed: expected an integer between 0 and %.0f, got '%s'",
                       SCENARIO_INT_LIMIT, s);
    *out = v;
    return 0;
}

/* "--opt VALUE" or "--opt=VALUE": the value, advancing *i; NULL if argv[*i] is
 * not this option. */
static const char *option(int argc, char **argv, int *i, const char *opt, err *e, int *r)
{
    size_t n = strlen(opt);
    if (strncmp(argv[*i], opt, n) != 0)
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] != 0)
        return NULL;
    if (*i + 1 >= argc) {
        *r = err_set(e, ERR_INPUT, "%s needs a value", opt);
        return NULL;
    }
    return argv[++*i];
}

/* Take argv[*i] (and its value, advancing *i) if it is FILE, --set or --seed:
 * 1 taken, 0 another option (the command's own), or ERR_INPUT. */
static int scenario_arg(int argc, char **argv, int *i, scenario_args *a, err *e)
{
    int r = 0;
    const char *v = option(argc, argv, i, "--set", e, &r);
    if (r)
        return r;
    if (v) {
        const char **sets = realloc(a->sets, (a->nsets + 1) * sizeof *sets);
        if (!sets)
            return err_set(e, ERR_NOMEM, "out of memory");
        a->sets = sets;
        a->sets[a->nsets++] = v;
        return 1;
    }
    if ((v = option(argc, argv, i, "--seed", e, &r))) {
        a->has_seed = true;
        return parse_seed(v, &a->seed, e) ? ERR_INPUT : 1;
    }
    if (r)
        return r;
    if (argv[*i][0] == '-' && argv[*i][1])
        return 0;   /* the command's own option */
    if (a->path)
        return err_set(e, ERR_INPUT, "one scenario file at a time ('%s' and '%s')", a->path,
                       argv[*i]);
    a->path = argv[*i];
    return 1;
}

static int scenario_args_load(const scenario_args *a, scenario **out, err *e)
{
    if (!a->path)
        return err_set(e, ERR_INPUT, "which scenario? give a FILE");
    scenario_opts o = {
        .sets = a->sets,
        .nsets = a->nsets,
        .has_seed = a->has_seed,
        .seed = a->seed,
        .families = cli_families,
        .nfamilies = cli_nfamilies,
    };
    return scenario_load(a->path, &o, out, e);
}

int cli_scenario_parse(int argc, char **argv, const char *usage, cli_option_fn *own, void *ctx,
                       scenario **out, err *e)
{
    scenario_args a = {0};
    int r = 0;
    for (int i = 0; i < argc && r >= 0; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(usage, stdout);
            free(a.sets);
            return CLI_HELP;
        }
        if ((r = scenario_arg(argc, argv, &i, &a, e)) == 0)
            r = own(ctx, argc, argv, &i, e);
    }
    if (r >= 0)
        r = scenario_args_load(&a, out, e);
    free(a.sets);
    return r;
}
