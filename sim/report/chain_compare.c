/* What the chain family gives `compare`: key measures of a run (emission share
 * per group, validator trust, consensus, the top earner's share) and a few
 * time series to overlay. */
#include "report/chain_data.h"

#include <math.h>
#include <string.h>

void report_series_list_free(report_series_list *l)
{
    for (size_t i = 0; i < l->len; i++) {
        VEC_FREE(&l->v[i].x);
        VEC_FREE(&l->v[i].y);
    }
    VEC_FREE(l);
}

static int push_measure(report_measures *out, const char *name, const char *unit, double v, err *e)
{
    report_measure m = {.value = v};
    snprintf(m.name, sizeof m.name, "%s", name);
    snprintf(m.unit, sizeof m.unit, "%s", unit);
    return VEC_PUSH(out, m) ? err_set(e, ERR_NOMEM, "out of memory") : 0;
}

/* Mean of a u16 metric over every row of validators (or miners), 0-1. */
static double mean_u16(const chain_data *d, bool validators, int metric)
{
    double sum = 0, rows = 0;
    size_t nn = d->nrec.len;
    for (int b = 0; b < d->nb; b++)
        for (size_t i = 0; i < nn; i++)
            if (d->nrec.v[i].validator == validators) {
                sum += d->acc[((size_t)b * nn + i) * CM_COUNT + (size_t)metric];
                rows += d->cnt[(size_t)b * nn + i];
            }
    return rows > 0 ? sum / rows / 65535.0 : NAN;
}

/* Key measures of one subnet; names start with `prefix`. */
static int subnet_measures(const chain_data *d, const char *prefix, report_measures *out, err *e)
{
    double total = 0, top = 0;
    for (int b = 0; b < d->nb; b++)
        total += d->em_total[b];
    chain_groups g;
    int rc = chain_groups_make(d, CHAIN_POP_ALL, true, &g, e);
    for (int s = 0; s < g.n && !rc; s++) {
        double em = 0;
        for (size_t i = 0; i < d->nrec.len; i++)
            if (g.series[i] == s)
                em += (double)d->nrec.v[i].emission;
        char name[96], label[96];
        snprintf(label, sizeof label, "%s", g.name[s]);
        char *paren = strrchr(label, '(');   /* the member count: arms may differ in it */
        if (paren && paren > label)
            paren[-1] = 0;
        snprintf(name, sizeof name, "%semission share: %.60s", prefix, label);
        rc = push_measure(out, name, "%", total > 0 ? em * 100.0 / total : NAN, e);
    }
    chain_groups_free(&g);
    for (size_t i = 0; i < d->nrec.len; i++)
        top = (double)d->nrec.v[i].emission > top ? (double)d->nrec.v[i].emission : top;
    char name[96];
    snprintf(name, sizeof name, "%stop earner's share", prefix);
    if (!rc && total > 0)
        rc = push_measure(out, name, "%", top * 100.0 / total, e);
    snprintf(name, sizeof name, "%svalidator trust (mean)", prefix);
    if (!rc && !isnan(mean_u16(d, true, CM_VTRUST)))
        rc = push_measure(out, name, "", mean_u16(d, true, CM_VTRUST), e);
    snprintf(name, sizeof name, "%sminer consensus (mean)", prefix);
    if (!rc && !isnan(mean_u16(d, false, CM_CONSENSUS)))
        rc = push_measure(out, name, "", mean_u16(d, false, CM_CONSENSUS), e);
    return rc;
}

/* One series of a grouping's line s. */
static int add_series(const chain_data *d, const chain_groups *g, int s, const char *name,
                      const char *ylabel, int metric, chain_agg agg, report_series_list *out,
                      err *e)
{
    report_series r = {0};
    snprintf(r.name, sizeof r.name, "%s", name);
    snprintf(r.ylabel, sizeof r.ylabel, "%s", ylabel);
    snprintf(r.xlabel, sizeof r.xlabel, "epoch");
    for (int b = 0; b < d->nb; b++)
        if (VEC_PUSH(&r.x, chain_data_x(d, b)) ||
            VEC_PUSH(&r.y, chain_value(d, g, s, b, metric, agg))) {
            VEC_FREE(&r.x);
            VEC_FREE(&r.y);
            return err_set(e, ERR_NOMEM, "out of memory");
        }
    if (VEC_PUSH(out, r)) {
        VEC_FREE(&r.x);
        VEC_FREE(&r.y);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    return 0;
}

/* Everyone of a population as one line. */
static int one_line(const chain_data *d, bool validators, chain_groups *g, err *e)
{
    *g = (chain_groups){.n = 1};
    g->series = malloc((d->nrec.len ? d->nrec.len : 1) * sizeof *g->series);
    if (!g->series)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < d->nrec.len; i++)
        g->series[i] = d->nrec.v[i].validator == validators ? 0 : -1;
    return 0;
}

static int subnet_series(const chain_data *d, report_series_list *out, err *e)
{
    chain_groups g = {0};
    int rc = chain_groups_make(d, CHAIN_POP_ALL, true, &g, e);
    for (int s = 0; s < g.n && s < 6 && !rc; s++) {
        char name[96];
        snprintf(name, sizeof name, "emission share: %.70s", g.name[s]);
        char *paren = strrchr(name, '(');
        if (paren && paren > name)
            paren[-1] = 0;
        rc = add_series(d, &g, s, name, "share of emission (%)", CM_EMISSION, CHAIN_EMISSION_PCT,
                        out, e);
    }
    chain_groups_free(&g);
    bool val[2] = {true, false};
    for (int k = 0; k < 2 && !rc; k++) {
        if (!(rc = one_line(d, val[k], &g, e)))
            rc = add_series(d, &g, 0, val[k] ? "validator trust (mean)" : "miner consensus (mean)",
                            val[k] ? "validator trust (0–1)" : "consensus (0–1)",
                            val[k] ? CM_VTRUST : CM_CONSENSUS, CHAIN_MEAN_U16, out, e);
        chain_groups_free(&g);
    }
    return rc;
}

/* Measures of every subnet (named by netuid when there are several) and the
 * first subnet's series: one read of each subnet's records. */
int chain_compare(sqlite3 *db, int64_t run_id, report_measures *measures,
                  report_series_list *series, err *e)
{
    int64_t *netuids;
    size_t n;
    int rc = chain_netuids(db, run_id, &netuids, &n, e);
    for (size_t k = 0; k < n && !rc; k++) {
        chain_data d;
        if ((rc = chain_data_load(db, run_id, netuids[k], &d, NULL, e)))
            break;
        char prefix[32] = "";
        if (n > 1)
            snprintf(prefix, sizeof prefix, "netuid %lld: ", (long long)netuids[k]);
        if (d.nb > 0)
            rc = subnet_measures(&d, prefix, measures, e);
        if (!rc && d.nb > 0 && k == 0)
            rc = subnet_series(&d, series, e);
        chain_data_free(&d);
    }
    free(netuids);
    return rc;
}
