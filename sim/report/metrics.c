/* Threshold metrics over a family's record tables (report_metric kinds
 * REPORT_M_RATE and REPORT_M_ZIPS): rows that name neurons by actor and carry
 * a time, put into epochs so that `epochs` and `from_epoch` mean what they
 * mean for the chain's metrics.
 *
 * A row belongs to the last epoch at or before its time: the epoch whose
 * period (up to the next epoch) it falls in; rows before the first epoch count
 * with the first. The epochs' times come from chain_epoch (block x block
 * time) and are looked up by report_epoch(time_us), an SQL function over a
 * sorted array: an as-of join in SQL alone costs seconds on a large run. */
#include "report/report_internal.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------- the clock */

int64_t report_block_time_us(sqlite3 *db, int64_t run_id)
{
    int64_t bt = 0;
    sqlite3_stmt *st;
    const char *q =
        "SELECT (SELECT CAST(value AS INTEGER) FROM run_param WHERE run_id = ?1 "
        "AND key = 'block_time_us'), (SELECT CAST(value AS INTEGER) FROM run_param WHERE "
        "run_id = ?1 AND key = 'end_block'), (SELECT simulated_seconds FROM run WHERE "
        "run_id = ?1)";
    if (report_has_table(db, "run_param") && sqlite3_prepare_v2(db, q, -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, run_id);
        if (sqlite3_step(st) == SQLITE_ROW) {
            int64_t end = sqlite3_column_int64(st, 1);
            double sim = sqlite3_column_double(st, 2);
            bt = sqlite3_column_int64(st, 0);
            if (bt <= 0 && end > 0 && sim > 0)
                bt = (int64_t)(sim * 1e6 / (double)end + 0.5);
        }
        sqlite3_finalize(st);
    }
    return bt > 0 ? bt : 12000000;   /* SPEC 1.1: 12 s blocks */
}

void report_clock_free(report_clock *c)
{
    free(c->t);
    free(c->epoch);
    *c = (report_clock){0};
}

int report_clock_load(sqlite3 *db, int64_t run_id, int64_t netuid, report_clock *c, err *e)
{
    *c = (report_clock){0};
    if (!report_has_table(db, "chain_epoch"))
        return 0;
    int64_t bt = report_block_time_us(db, run_id);
    sqlite3_stmt *st;
    const char *q = "SELECT epoch, block FROM chain_epoch WHERE run_id = ?1 AND netuid = "
                    "COALESCE(?2, (SELECT min(netuid) FROM chain_epoch WHERE run_id = ?1)) "
                    "ORDER BY epoch";
    if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK)
        return report_db_error(db, "cannot read chain_epoch", e);
    sqlite3_bind_int64(st, 1, run_id);
    if (netuid)
        sqlite3_bind_int64(st, 2, netuid);
    VEC(int64_t) t = {0}, ep = {0};
    int rc;
    bool oom = false;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && !oom)
        oom = VEC_PUSH(&ep, sqlite3_column_int64(st, 0)) ||
              VEC_PUSH(&t, sqlite3_column_int64(st, 1) * bt);
    sqlite3_finalize(st);
    if (oom || (rc != SQLITE_DONE && rc != SQLITE_ROW)) {
        VEC_FREE(&t);
        VEC_FREE(&ep);
        return oom ? err_set(e, ERR_NOMEM, "out of memory")
                   : report_db_error(db, "cannot read chain_epoch", e);
    }
    *c = (report_clock){t.v, ep.v, t.len};
    return 0;
}

int64_t report_clock_epoch(const report_clock *c, int64_t t_us)
{
    if (c->n == 0)
        return 0;
    size_t lo = 0, hi = c->n;   /* the first epoch after t_us is in [lo, hi] */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->t[mid] <= t_us)
            lo = mid + 1;
        else
            hi = mid;
    }
    return c->epoch[lo ? lo - 1 : 0];
}

static void epoch_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const report_clock *c = sqlite3_user_data(ctx);
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    sqlite3_result_int64(ctx, report_clock_epoch(c, sqlite3_value_int64(argv[0])));
}

int report_clock_register(sqlite3 *db, report_clock *c, err *e)
{
    if (sqlite3_create_function(db, "report_epoch", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, c,
                                epoch_fn, NULL, NULL) != SQLITE_OK)
        return report_db_error(db, "cannot register report_epoch()", e);
    return 0;
}

/* ------------------------------------------------------------ the query */

static const char *neurons_fn(report_neurons a)
{
    return a == REPORT_N_MEAN ? "avg" : a == REPORT_N_MIN ? "min" : "max";
}

/* The value of a set of rows: a rate, or a share of the zips in zset. */
static void value_expr(sbuf *q, const report_metric *m)
{
    if (m->kind == REPORT_M_ZIPS)
        sbuf_puts(q, "count(DISTINCT CASE WHEN v THEN z END) * 1.0 / "
                     "NULLIF((SELECT count(*) FROM zset), 0)");
    else
        sbuf_puts(q, "sum(v) * 1.0 / sum(d)");   /* NULL when nothing counts: no value */
}

/* One SELECT of the rows, each naming `who` by column `col` (NULL: every
 * actor column may match, and who is the first). A run's rows of a rowid
 * table are read as the rowid range :lo..:hi (a run's rows are written in one
 * stretch): in order, rather than each looked up through the run_id index,
 * several times faster; the run_id test keeps interleaved runs right. */
static void rows_select(sbuf *q, const report_metric *m, const report_threshold *t,
                        const char *col, bool by_rowid)
{
    const char *zip = m->zip ? m->zip : "NULL";
    sbuf_printf(q, "SELECT report_epoch(e.%s) AS epoch, e.%s AS who, (%s) AS v, (%s) AS d, "
                   "e.%s AS z FROM %s e WHERE %s AND (",
                m->time ? m->time : "time_us", col ? col : m->actors[0], m->value,
                m->den ? m->den : "1", zip, m->table,
                by_rowid ? "e.rowid BETWEEN :lo AND :hi AND +e.run_id = :run_id"
                         : "e.run_id = :run_id");
    for (int k = 0; k < 2 && m->actors[k]; k++)
        if (!col || !strcmp(col, m->actors[k]))
            sbuf_printf(q, "%se.%s IN sel", k && !col ? " OR " : "", m->actors[k]);
    sbuf_puts(q, ")");
    if (m->zip && (t->tier || m->kind == REPORT_M_ZIPS))
        sbuf_printf(q, " AND e.%s IN zset", m->zip);
}

bool report_table_has_rowid(sqlite3 *db, const char *table)
{
    sqlite3_stmt *st;
    bool rowid = false;
    if (sqlite3_prepare_v2(db, "SELECT sql NOT LIKE '%WITHOUT ROWID%' FROM sqlite_master WHERE "
                               "type = 'table' AND name = ?1", -1, &st, NULL) != SQLITE_OK)
        return false;
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    rowid = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return rowid;
}

int report_rowid_range(sqlite3 *db, const char *table, int64_t run_id, int64_t *lo, int64_t *hi)
{
    char q[200];
    snprintf(q, sizeof q, "SELECT min(rowid), max(rowid) FROM \"%s\" WHERE run_id = ?1", table);
    sqlite3_stmt *st;
    *lo = 0;
    *hi = -1;
    if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, run_id);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        *lo = sqlite3_column_int64(st, 0);
        *hi = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return 0;
}

int report_table_metric_sql(const report_metric *m, const report_threshold *t, bool one_subnet,
                            bool by_rowid, sbuf *out)
{
    sbuf_printf(out,
                "WITH sel AS (SELECT a.actor FROM actor a JOIN neuron n ON n.run_id = a.run_id "
                "AND n.hotkey = a.name WHERE a.run_id = :run_id AND %s AND " REPORT_PICK "), "
                "zset AS (SELECT zip FROM zipcode WHERE run_id = :run_id AND "
                "(:tier IS NULL OR class = :tier)), r0 AS (",
                one_subnet ? "n.netuid = :netuid" : "1");
    bool pooled = t->neurons == REPORT_N_SUM;
    if (pooled) {
        rows_select(out, m, t, NULL, by_rowid);
    } else {
        for (int k = 0; k < 2 && m->actors[k]; k++) {
            sbuf_puts(out, k ? " UNION ALL " : "");
            rows_select(out, m, t, m->actors[k], by_rowid);
        }
    }
    sbuf_puts(out, "), ");
    if (pooled) {
        sbuf_puts(out, "per AS (SELECT epoch, ");
        value_expr(out, m);
        sbuf_puts(out, " AS v FROM r0 WHERE epoch >= :from_epoch GROUP BY epoch) ");
    } else {
        sbuf_puts(out, "pn AS (SELECT epoch, who, ");
        value_expr(out, m);
        sbuf_printf(out, " AS val FROM r0 WHERE epoch >= :from_epoch GROUP BY epoch, who), "
                         "per AS (SELECT epoch, %s(val) AS v FROM pn WHERE val IS NOT NULL "
                         "GROUP BY epoch) ",
                    neurons_fn(t->neurons));
    }
    /* last: the latest epoch with a value (a family's rows need not fall in
     * every epoch: coverage snapshots, say) */
    if (t->epochs == REPORT_E_LAST)
        sbuf_puts(out, "SELECT v FROM per WHERE v IS NOT NULL ORDER BY epoch DESC LIMIT 1");
    else
        sbuf_printf(out, "SELECT %s(v) FROM per",
                    t->epochs == REPORT_E_MEAN ? "avg" : t->epochs == REPORT_E_MIN ? "min" : "max");
    return out->oom ? ERR_NOMEM : 0;
}
