/* Thresholds: the scenario states them (sim/scenario), the report module
 * measures them on the database (sim/report). `run` checks them after a run;
 * `report` reads them back from the scenario stored with the run. */
#include "cli/cli.h"
#include "report/report.h"
#include "runner/runner.h"

#include <string.h>

/* A scenario's thresholds as the report module takes them; points into s. */
typedef struct cli_thresholds {
    report_threshold *v;
    char (*origins)[112];
    size_t n;
} cli_thresholds;

static void thresholds_free(cli_thresholds *t)
{
    free(t->v);
    free(t->origins);
    *t = (cli_thresholds){0};
}

/* The scenario's enums are in the report's order: checked once, here. */
_Static_assert(SCENARIO_AGG_SUM == (int)REPORT_N_SUM && SCENARIO_AGG_MAX == (int)REPORT_N_MAX,
               "scenario and report aggregations across neurons line up");
_Static_assert(SCENARIO_OVER_LAST == (int)REPORT_E_LAST && SCENARIO_OVER_MAX == (int)REPORT_E_MAX,
               "scenario and report aggregations across epochs line up");
_Static_assert(SCENARIO_OP_GE == (int)REPORT_GE && SCENARIO_OP_NE == (int)REPORT_NE,
               "scenario and report comparisons line up");

static int thresholds_of(const scenario *s, const char *where, cli_thresholds *out, err *e)
{
    size_t n = s->thresholds.n;
    *out = (cli_thresholds){.n = n};
    out->v = calloc(n ? n : 1, sizeof *out->v);
    out->origins = calloc(n ? n : 1, sizeof *out->origins);
    if (!out->v || !out->origins) {
        thresholds_free(out);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        const scenario_threshold *t = &s->thresholds.v[i];
        snprintf(out->origins[i], sizeof out->origins[i], "%.64s: thresholds[%zu]", where, i);
        out->v[i] = (report_threshold){
            .name = t->name,
            .metric = t->metric ? t->metric->name : NULL,
            .group = t->where.group,
            .hotkey = t->where.hotkey,
            .netuid = t->where.netuid,
            .strategy = t->where.strategy,
            .tier = t->where.tier,
            .neurons = (report_neurons)t->neurons,
            .epochs = (report_epochs)t->epochs,
            .from_epoch = t->from_epoch,
            .op = (report_op)t->op,
            .value = t->value,
            .origin = out->origins[i],
        };
    }
    return 0;
}

int cli_thresholds_after_run(const struct runner_result *res, const scenario *s, bool quiet,
                             FILE *out)
{
    if (s->thresholds.n == 0)
        return 0;
    cli_thresholds t = {0};
    err e = {0};
    size_t nfam, failed = 0;
    const report_family *const *fams = cli_report_families(&nfam);
    report_threshold_result *r = calloc(s->thresholds.n, sizeof *r);
    sqlite3 *db = NULL;
    int rc = r ? thresholds_of(s, s->path ? s->path : "scenario", &t, &e)
               : err_set(&e, ERR_NOMEM, "out of memory");
    if (!rc && !(rc = report_db_open(res->db_path, &db, &e)))
        rc = report_thresholds_evaluate(db, res->run_id, fams, nfam, t.v, t.n, r, &failed, &e);
    /* Failures are always named; with --quiet the passes are not. */
    if (!rc)
        report_threshold_results_print(out, t.v, r, t.n, !quiet);
    else
        fprintf(stderr, "subnetsim: %s\n", e.msg);
    sqlite3_close(db);
    thresholds_free(&t);
    free(r);
    if (rc)
        return err_exit_status(rc);
    return failed ? 1 : 0;
}

/* ----------------------------------------------------- for `report` */

struct cli_threshold_source {
    scenario *s;
    cli_thresholds t;
};

/* The effective scenario stored with the run (overrides applied) when there
 * is one, else the file as written. */
static int load_from_run(void *ctx, const report_run *run, const report_threshold **out,
                         size_t *n, err *e)
{
    cli_threshold_source *src = ctx;
    const char *text = *run->scenario_json ? run->scenario_json : run->scenario_text;
    *out = NULL;
    *n = 0;
    if (!*text)
        return 0;
    char name[64];
    snprintf(name, sizeof name, "run %lld scenario", (long long)run->id);
    scenario_opts so = {.families = cli_families, .nfamilies = cli_nfamilies};
    int rc = scenario_parse(name, text, strlen(text), &so, &src->s, e);
    if (!rc)
        rc = thresholds_of(src->s, "the run's scenario", &src->t, e);
    *out = src->t.v;
    *n = src->t.n;
    return rc;
}

cli_threshold_source *cli_threshold_source_new(report_threshold_source *out)
{
    cli_threshold_source *src = calloc(1, sizeof *src);
    *out = (report_threshold_source){src, src ? load_from_run : NULL};
    return src;
}

void cli_threshold_source_free(cli_threshold_source *src)
{
    if (!src)
        return;
    thresholds_free(&src->t);
    scenario_free(src->s);
    free(src);
}
