/* One pass over each large record table of the family (coverage, evaluation,
 * api_sample, miner_score): per-actor totals and the time grids the charts,
 * tables, findings and compare all read. On a mainnet-sized run these tables
 * hold a million rows together, and a pass each instead of one per chart is
 * most of the report's speed.
 *
 * A run's rows are read by rowid range: a run's rows are written in one
 * stretch, so the range from its first to its last rowid (found on the
 * run_id index) is read in order instead of looking each row up through the
 * index, several times faster. The run_id test stays, so a file where two
 * runs' rows interleave is still read right, only slower. */
#include "report/resi_data.h"

#include <math.h>
#include <string.h>

const char *const resi_reasons[RESI_NREASONS] = {"no_index",   "no_scorable_buckets",
                                                 "bucket_failed", "basic_time",
                                                 "basic_size", "duplicates"};

int resi_reason_index(const char *reason)
{
    for (int k = 0; reason && k < RESI_NREASONS; k++)
        if (!strcmp(resi_reasons[k], reason))
            return k;
    return RESI_NREASONS;   /* a reason this report does not know: "other" */
}

int resi_prepare_rows(const resi_run *r, const char *table, const char *sql, sqlite3_stmt **st,
                      err *e)
{
    int64_t lo, hi;
    if (report_rowid_range(r->db, table, r->run_id, &lo, &hi))
        return report_db_error(r->db, table, e);
    int rc = resi_prepare(r, sql, st, e);
    if (!rc) {
        sqlite3_bind_int64(*st, 2, lo);
        sqlite3_bind_int64(*st, 3, hi);
    }
    return rc;
}

static resi_tot *tot_of(resi_run *r, int64_t actor)
{
    return actor >= 0 && actor <= r->max_actor ? &r->tot[actor] : NULL;
}

static int scan_evaluations(resi_run *r, err *e)
{
    sqlite3_stmt *st;
    int rc = resi_prepare_rows(r, "evaluation",
                               "SELECT time_us, miner, validator, outcome = 'ok', reason, "
                               "duplicates, credibility FROM evaluation WHERE rowid BETWEEN ?2 "
                               "AND ?3 AND +run_id = ?1",
                               &st, e);
    if (rc)
        return rc;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t t = sqlite3_column_int64(st, 0);
        bool ok = sqlite3_column_int(st, 3) != 0;
        const char *why = (const char *)sqlite3_column_text(st, 4);
        resi_tot *m = tot_of(r, sqlite3_column_int64(st, 1));
        resi_tot *v = tot_of(r, sqlite3_column_int64(st, 2));
        if (v && sqlite3_column_type(st, 2) != SQLITE_NULL) {
            v->v.evals++;
            v->v.eval_ok += ok;
        }
        if (m && sqlite3_column_type(st, 1) != SQLITE_NULL) {
            m->m.evals++;
            m->m.eval_ok += ok;
            if (!ok)
                m->reason[resi_reason_index(why)]++;
            m->dup_seen += sqlite3_column_double(st, 5);
            m->last_eval = t > m->last_eval ? t : m->last_eval;
            resi_grid_add(r, &r->miners, &r->cred, t, sqlite3_column_int64(st, 1),
                          sqlite3_column_double(st, 6), 1);
        }
    }
    sqlite3_finalize(st);
    return step == SQLITE_DONE ? 0 : report_db_error(r->db, "cannot read evaluations", e);
}

static int scan_checks(resi_run *r, err *e)
{
    sqlite3_stmt *st;
    int rc = resi_prepare_rows(r, "api_sample",
                               "SELECT time_us, miner, validator, result = 'valid', result NOT "
                               "IN ('rate_limited', 'error', 'timeout') FROM api_sample "
                               "WHERE rowid BETWEEN ?2 AND ?3 AND +run_id = ?1",
                               &st, e);
    if (rc)
        return rc;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t t = sqlite3_column_int64(st, 0), ma = sqlite3_column_int64(st, 1),
                va = sqlite3_column_int64(st, 2);
        double valid = sqlite3_column_int(st, 3), answered = sqlite3_column_int(st, 4);
        for (int k = 0; k < 2; k++) {
            resi_tot *x = tot_of(r, k ? va : ma);
            if (!x || sqlite3_column_type(st, 1 + k) == SQLITE_NULL)
                continue;
            resi_side *sd = k ? &x->v : &x->m;
            sd->checks++;
            sd->answered += answered;
            sd->valid += valid;
        }
        resi_grid_add(r, &r->miners, &r->api_m, t, ma, valid, answered);
        resi_grid_add(r, &r->validators, &r->api_v, t, va, valid, answered);
        resi_grid_add(r, &r->validators, &r->api_made, t, va, answered, 1);
    }
    sqlite3_finalize(st);
    return step == SQLITE_DONE ? 0 : report_db_error(r->db, "cannot read api_sample", e);
}

static int scan_scores(resi_run *r, err *e)
{
    sqlite3_stmt *st;
    int rc = resi_prepare_rows(r, "miner_score",
                               "SELECT time_us, miner, score FROM miner_score WHERE rowid "
                               "BETWEEN ?2 AND ?3 AND +run_id = ?1",
                               &st, e);
    if (rc)
        return rc;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        if (sqlite3_column_type(st, 1) != SQLITE_NULL)
            resi_grid_add(r, &r->miners, &r->score, sqlite3_column_int64(st, 0),
                          sqlite3_column_int64(st, 1), sqlite3_column_double(st, 2), 1);
    sqlite3_finalize(st);
    return step == SQLITE_DONE ? 0 : report_db_error(r->db, "cannot read miner_score", e);
}

/* ------------------------------------------------------------ coverage */

double resi_cov_pct(const resi_run *r, size_t i, int k)
{
    int64_t held = 0, of = k < 0 ? r->zips : r->class_zips[k];
    for (int j = 0; j < RESI_NCLASS; j++)
        held += k < 0 || j == k ? r->cov.held.v[i].n[j] : 0;
    return of > 0 ? 100.0 * (double)held / (double)of : NAN;
}

int resi_zip_holders(const resi_run *r, size_t i)
{
    const resi_zip *z = &r->uni.v[i];
    return r->cov.t.len && z->last_t == r->cov.t.v[r->cov.t.len - 1] ? z->last_holders : 0;
}

int64_t resi_pfirst(const resi_run *r, int p, int64_t actor)
{
    if (!r->pfirst || p < 0 || p >= r->npremium || actor < 0 || actor > r->max_actor)
        return -1;
    return r->pfirst[(size_t)p * (size_t)(r->max_actor + 1) + (size_t)actor];
}

/* The snapshot at time t: rows come in time order, so it is nearly always
 * the last one; a new one gets its bitset. */
static int snapshot(resi_run *r, int64_t t, size_t *out)
{
    resi_cov *c = &r->cov;
    for (size_t i = c->t.len; i-- > 0;)
        if (c->t.v[i] == t) {
            *out = i;
            return 0;
        }
    uint8_t *bits = calloc((size_t)r->uni.len / 8 + 1, 1);
    resi_cov_point p = {{0}};
    if (!bits || VEC_PUSH(&c->seen, bits)) {
        free(bits);
        return ERR_NOMEM;
    }
    if (VEC_PUSH(&c->t, t) || VEC_PUSH(&c->held, p))
        return ERR_NOMEM;
    /* keep times ascending: a late snapshot moves into place */
    for (size_t i = c->t.len - 1; i > 0 && c->t.v[i - 1] > c->t.v[i]; i--) {
        int64_t tt = c->t.v[i];
        c->t.v[i] = c->t.v[i - 1];
        c->t.v[i - 1] = tt;
        resi_cov_point pp = c->held.v[i];
        c->held.v[i] = c->held.v[i - 1];
        c->held.v[i - 1] = pp;
        uint8_t *bb = c->seen.v[i];
        c->seen.v[i] = c->seen.v[i - 1];
        c->seen.v[i - 1] = bb;
    }
    return snapshot(r, t, out);
}

static void coverage_row(resi_run *r, int64_t t, int64_t actor, size_t s, int32_t zi)
{
    resi_zip *z = &r->uni.v[zi];
    uint8_t *bits = r->cov.seen.v[s];
    if (!(bits[zi / 8] & (1u << (zi % 8)))) {
        bits[zi / 8] |= (uint8_t)(1u << (zi % 8));
        r->cov.held.v[s].n[z->klass]++;
    }
    if (t > z->last_t) {   /* each (miner, zip) has one row a snapshot */
        z->last_t = t;
        z->last_holders = 0;
    }
    z->last_holders += t == z->last_t;
    if (z->premium && actor >= 0 && actor <= r->max_actor) {
        int64_t *f = &r->pfirst[(size_t)(z->premium - 1) * (size_t)(r->max_actor + 1) +
                                (size_t)actor];
        *f = *f < 0 || t < *f ? t : *f;
    }
}

static int scan_coverage(resi_run *r, err *e)
{
    size_t na = (size_t)r->max_actor + 1, np = (size_t)r->npremium;
    r->pfirst = malloc((np ? np : 1) * na * sizeof *r->pfirst);
    if (!r->pfirst)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < np * na; i++)
        r->pfirst[i] = -1;
    sqlite3_stmt *st;
    int rc = resi_prepare_rows(r, "coverage",
                               "SELECT time_us, miner, zip FROM coverage WHERE rowid BETWEEN ?2 "
                               "AND ?3 AND +run_id = ?1 AND listings > 0",
                               &st, e);
    if (rc)
        return rc;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *zip = (const char *)sqlite3_column_text(st, 2);
        int num = zip ? atoi(zip) : -1;
        int32_t zi = num >= 0 && num < 100000 ? r->zip_at[num] : -1;
        int64_t t = sqlite3_column_int64(st, 0);
        size_t s;
        if (zi < 0)
            continue;   /* a zip outside the universe: the miner's own */
        if (snapshot(r, t, &s)) {
            sqlite3_finalize(st);
            return err_set(e, ERR_NOMEM, "out of memory");
        }
        coverage_row(r, t, sqlite3_column_int64(st, 1), s, zi);
    }
    sqlite3_finalize(st);
    return step == SQLITE_DONE ? 0 : report_db_error(r->db, "cannot read coverage", e);
}

int resi_scan(resi_run *r, err *e)
{
    size_t na = (size_t)r->max_actor + 1;
    r->tot = calloc(na ? na : 1, sizeof *r->tot);
    if (!r->tot)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (size_t a = 0; a < na; a++)
        r->tot[a].last_eval = -1;
    int rc = resi_grid_init(r, &r->miners, &r->cred, e);
    if (!rc)
        rc = resi_grid_init(r, &r->miners, &r->score, e);
    if (!rc)
        rc = resi_grid_init(r, &r->miners, &r->api_m, e);
    if (!rc)
        rc = resi_grid_init(r, &r->validators, &r->api_v, e);
    if (!rc)
        rc = resi_grid_init(r, &r->validators, &r->api_made, e);
    if (!rc && report_has_table(r->db, "coverage"))
        rc = scan_coverage(r, e);
    if (!rc && report_has_table(r->db, "evaluation"))
        rc = scan_evaluations(r, e);
    if (!rc && report_has_table(r->db, "api_sample"))
        rc = scan_checks(r, e);
    if (!rc && report_has_table(r->db, "miner_score"))
        rc = scan_scores(r, e);
    if (!rc && report_has_table(r->db, "epoch_neuron"))
        rc = resi_strategies_load(r->db, r->run_id, r->netuid, &r->strat, e);
    return rc;
}
