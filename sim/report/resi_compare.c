/* What the real-estate family gives `compare`: coverage at the end by zip
 * class, evaluation and API-check success per miner group, and the miners'
 * emission share by strategy; series of coverage over time and of emission
 * share by strategy over epochs. Groups and strategies, not hotkeys, so that
 * the arms of an as-deployed / as-designed comparison line up. */
#include "report/resi_data.h"

#include <math.h>
#include <string.h>

static int push_measure(report_measures *out, const char *name, const char *unit, double v,
                        err *e)
{
    report_measure m = {.value = v};
    snprintf(m.name, sizeof m.name, "%s", name);
    snprintf(m.unit, sizeof m.unit, "%s", unit);
    return VEC_PUSH(out, m) ? err_set(e, ERR_NOMEM, "out of memory") : 0;
}

static int push_series(report_series_list *out, report_series *s, bool oom, err *e)
{
    if (oom || s->x.len != s->y.len || VEC_PUSH(out, *s)) {
        VEC_FREE(&s->x);
        VEC_FREE(&s->y);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    return 0;
}

/* A group's name without its member count. */
static void bare(const char *name, char *out, size_t n)
{
    snprintf(out, n, "%s", name);
    char *paren = strrchr(out, '(');
    if (paren && paren > out)
        paren[-1] = 0;
}

static const char *const class_title[RESI_NCLASS + 1] = {"premium", "tier 1", "tier 2",
                                                         "tier 3",  "tier 4", "all zips"};

static int coverage(const resi_run *r, report_measures *m, report_series_list *s, err *e)
{
    const resi_cov *cov = &r->cov;
    int rc = 0;
    for (int k = 0; !rc && cov->t.len && k <= RESI_NCLASS; k++) {
        int cls = k < RESI_NCLASS ? k : -1;
        char name[96];
        snprintf(name, sizeof name, "coverage at the end: %s", class_title[k]);
        rc = push_measure(m, name, "%", resi_cov_pct(r, cov->t.len - 1, cls), e);
        if (rc || (k != 0 && k != 1 && k != RESI_NCLASS))
            continue;   /* series: premium, tier 1 and all zips */
        report_series se = {0};
        snprintf(se.name, sizeof se.name, "coverage: %s", class_title[k]);
        snprintf(se.ylabel, sizeof se.ylabel, "zips held by a miner (%% of the class)");
        snprintf(se.xlabel, sizeof se.xlabel, "%s", r->x_label);
        bool oom = false;
        for (size_t i = 0; i < cov->t.len && !oom; i++)
            oom = VEC_PUSH(&se.x, (double)cov->t.v[i] / r->x_div) ||
                  VEC_PUSH(&se.y, resi_cov_pct(r, i, cls));
        rc = push_series(s, &se, oom, e);
    }
    return rc;
}

/* A pooled rate per miner group from the scan's totals. */
static int rates(const resi_run *r, bool checks, const char *what, report_measures *m, err *e)
{
    double ok[RESI_MAX_LINES] = {0}, n[RESI_MAX_LINES] = {0};
    for (size_t i = 0; i < r->neurons.len; i++) {
        int l = r->miners.of[i];
        const resi_tot *t = &r->tot[r->neurons.v[i].actor];
        if (l < 0)
            continue;
        ok[l] += checks ? t->m.valid : t->m.eval_ok;
        n[l] += checks ? t->m.answered : t->m.evals;
    }
    int rc = 0;
    for (int l = 0; l < r->miners.n && !rc; l++) {
        char group[96], name[96];
        bare(r->miners.name[l], group, sizeof group);
        snprintf(name, sizeof name, "%s: %.60s", what, group);
        if (n[l] > 0)
            rc = push_measure(m, name, "%", 100.0 * ok[l] / n[l], e);
    }
    return rc;
}

static int strategies(const resi_strategies *st, report_measures *m, report_series_list *s,
                      err *e)
{
    int rc = 0, drawn = 0;
    for (int k = 0; !rc && k < st->n; k++) {
        if (st->validators[k] || st->miner_total <= 0)
            continue;
        char name[96];
        snprintf(name, sizeof name, "miners' emission share: %.60s", st->name[k]);
        rc = push_measure(m, name, "%", 100.0 * st->run_em[k] / st->miner_total, e);
        if (rc || drawn++ >= 6)
            continue;
        report_series se = {0};
        snprintf(se.name, sizeof se.name, "miners' emission share: %.60s", st->name[k]);
        snprintf(se.ylabel, sizeof se.ylabel, "share of the miners' emission (%%)");
        snprintf(se.xlabel, sizeof se.xlabel, "epoch");
        bool oom = false;
        for (int b = 0; b < st->nb && !oom; b++) {
            double miners = 0;
            for (int j = 0; j < st->n; j++)
                miners += st->validators[j] ? 0 : st->em[b * RESI_MAX_LINES + j];
            if (miners > 0)
                oom = VEC_PUSH(&se.x, (double)st->lo + ((double)b + 0.5) * (double)st->bw - 0.5) ||
                      VEC_PUSH(&se.y, 100.0 * st->em[b * RESI_MAX_LINES + k] / miners);
        }
        rc = push_series(s, &se, oom, e);
    }
    return rc;
}

static double sim_seconds(sqlite3 *db, int64_t run_id)
{
    sqlite3_stmt *st;
    double v = 0;
    if (sqlite3_prepare_v2(db, "SELECT simulated_seconds FROM run WHERE run_id = ?1", -1, &st,
                           NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_int64(st, 1, run_id);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    return v;
}

int resi_compare(sqlite3 *db, int64_t run_id, report_measures *measures,
                 report_series_list *series, err *e)
{
    resi_run r;
    int rc = resi_run_load(db, run_id, sim_seconds(db, run_id), NULL, true, &r, e);
    if (!rc)
        rc = resi_scan(&r, e);
    if (!rc && report_has_table(db, "coverage"))
        rc = coverage(&r, measures, series, e);
    if (!rc && report_has_table(db, "evaluation"))
        rc = rates(&r, false, "evaluation success", measures, e);
    if (!rc && report_has_table(db, "api_sample"))
        rc = rates(&r, true, "API-check success", measures, e);
    if (!rc && report_has_table(db, "epoch_neuron"))
        rc = strategies(&r.strat, measures, series, e);
    resi_run_free(&r);
    return rc;
}
