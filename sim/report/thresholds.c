/* Thresholds: a scenario's pass/fail conditions over the families' metrics.
 * The scenario module reads and checks what the file says; this measures it. */
#include "report/report_internal.h"

#include <math.h>
#include <string.h>

static const char *const op_names[] = {">=", ">", "<=", "<", "==", "!="};
static const char *const neurons_names[] = {"sum", "mean", "min", "max"};
static const char *const epochs_names[] = {"last", "mean", "min", "max"};

const char *report_op_str(report_op op)
{
    return op >= REPORT_GE && op <= REPORT_NE ? op_names[op] : "?";
}

const char *report_neurons_str(report_neurons a)
{
    return a >= REPORT_N_SUM && a <= REPORT_N_MAX ? neurons_names[a] : "?";
}

const char *report_epochs_str(report_epochs a)
{
    return a >= REPORT_E_LAST && a <= REPORT_E_MAX ? epochs_names[a] : "?";
}

static bool op_holds(report_op op, double a, double b)
{
    switch (op) {
    case REPORT_GE: return a >= b;
    case REPORT_GT: return a > b;
    case REPORT_LE: return a <= b;
    case REPORT_LT: return a < b;
    case REPORT_EQ: return a == b;
    case REPORT_NE: return a != b;
    }
    return false;
}

static const report_metric *metric_find(const report_family *const *fams, size_t nfam,
                                        const char *name)
{
    for (size_t f = 0; f < nfam; f++)
        for (size_t i = 0; i < fams[f]->nmetrics; i++)
            if (name && !strcmp(fams[f]->metrics[i].name, name))
                return &fams[f]->metrics[i];
    return NULL;
}

/* The label: the scenario's name, else the fields that differ from the
 * defaults, as in incentive{group=premium, epochs=mean} >= 0.3. */
static void label_of(const report_threshold *t, const report_metric *m, char *out, size_t n)
{
    sbuf b;
    sbuf_init(&b);
    if (t->name && *t->name) {
        sbuf_puts(&b, t->name);
    } else {
        sbuf_puts(&b, t->metric ? t->metric : "?");
        size_t mark = b.len;
        if (t->group)
            sbuf_printf(&b, ", group=%s", t->group);
        if (t->hotkey)
            sbuf_printf(&b, ", hotkey=%s", t->hotkey);
        if (t->netuid)
            sbuf_printf(&b, ", netuid=%lld", (long long)t->netuid);
        if (t->strategy)
            sbuf_printf(&b, ", strategy=%s", t->strategy);
        if (t->tier)
            sbuf_printf(&b, ", tier=%s", t->tier);
        if (t->neurons != REPORT_N_SUM)
            sbuf_printf(&b, ", neurons=%s", report_neurons_str(t->neurons));
        if (t->epochs != REPORT_E_LAST)
            sbuf_printf(&b, ", epochs=%s", report_epochs_str(t->epochs));
        if (t->from_epoch)
            sbuf_printf(&b, ", from_epoch=%lld", (long long)t->from_epoch);
        if (b.len > mark && b.s) {
            b.s[mark] = '{';   /* ", " -> "{" then drop the space */
            memmove(b.s + mark + 1, b.s + mark + 2, b.len - mark - 1);
            b.len--;
            sbuf_puts(&b, "}");
        }
        /* The value as the scenario wrote it, not rounded for display. */
        const char *unit = m ? m->unit : "";
        sbuf_printf(&b, " %s %.15g%s%s", report_op_str(t->op), t->value, *unit ? " " : "", unit);
    }
    size_t k = b.s ? (b.len < n - 1 ? b.len : n - 1) : 0;   /* cut on purpose: for reading */
    memcpy(out, b.s ? b.s : "", k);
    out[k] = 0;
    sbuf_free(&b);
}

int report_threshold_check(const report_family *const *fams, size_t nfam,
                           const report_threshold *t, err *e)
{
    char label[256];
    const report_metric *m = metric_find(fams, nfam, t->metric);
    label_of(t, m, label, sizeof label);
    const char *at = t->origin ? t->origin : "", *sep = t->origin ? ": " : "";
    if (!m) {
        sbuf known;
        sbuf_init(&known);
        for (size_t f = 0; f < nfam; f++)
            for (size_t i = 0; i < fams[f]->nmetrics; i++)
                sbuf_printf(&known, "%s%s", known.len ? ", " : "", fams[f]->metrics[i].name);
        int rc = err_set(e, ERR_INPUT, "%s%sthreshold %s: no report knows metric '%s' (known: %s)",
                         at, sep, label, t->metric ? t->metric : "", known.s ? known.s : "none");
        sbuf_free(&known);
        return rc;
    }
    if (t->neurons < REPORT_N_SUM || t->neurons > REPORT_N_MAX)
        return err_set(e, ERR_INPUT, "%s%sthreshold %s: neurons combine by sum, mean, min or max",
                       at, sep, label);
    if (t->epochs < REPORT_E_LAST || t->epochs > REPORT_E_MAX)
        return err_set(e, ERR_INPUT, "%s%sthreshold %s: epochs combine by last, mean, min or max",
                       at, sep, label);
    if (t->tier && !m->zip)
        return err_set(e, ERR_INPUT, "%s%sthreshold %s: metric %s is not over zips: where.tier "
                       "does not apply", at, sep, label, m->name);
    if (!isfinite(t->value))
        return err_set(e, ERR_INPUT, "%s%sthreshold %s: value must be a finite number", at, sep,
                       label);
    return 0;
}

/* The subnet a threshold reads when it names none: the run's only one, or 0
 * for several (then epochs of the same number are combined across subnets). */
static int64_t only_subnet(sqlite3 *db, int64_t run_id)
{
    sqlite3_stmt *st;
    if (report_prepare(db, REPORT_Q_CHAIN_NETUIDS, &st, NULL))
        return 0;
    sqlite3_bind_int64(st, 1, run_id);
    int64_t netuid = 0;
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW && n < 2) {
        netuid = sqlite3_column_int64(st, 0);
        n++;
    }
    sqlite3_finalize(st);
    return n == 1 ? netuid : 0;
}

static void bind_text(sqlite3_stmt *st, const char *name, const char *v)
{
    int i = sqlite3_bind_parameter_index(st, name);
    if (i && v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

static void bind_int(sqlite3_stmt *st, const char *name, int64_t v)
{
    int i = sqlite3_bind_parameter_index(st, name);
    if (i)
        sqlite3_bind_int64(st, i, v);
}

/* A table metric reads tables a run may lack (no such records: no value). */
static bool tables_present(sqlite3 *db, const report_metric *m)
{
    if (m->kind == REPORT_M_EPOCH)
        return true;
    return report_has_table(db, m->table) && report_has_table(db, "actor") &&
           report_has_table(db, "neuron") && report_has_table(db, "zipcode");
}

int report_metric_measure(sqlite3 *db, int64_t run_id, const report_metric *m,
                          const report_threshold *t, bool *has_value, double *value, err *e)
{
    *has_value = false;
    *value = NAN;
    if (!tables_present(db, m))
        return 0;
    int64_t netuid = t->netuid ? t->netuid : only_subnet(db, run_id);
    report_clock clock = {0};
    if (m->kind != REPORT_M_EPOCH) {
        int rc = report_clock_load(db, run_id, netuid, &clock, e);
        if (!rc)
            rc = report_clock_register(db, &clock, e);
        if (rc) {
            report_clock_free(&clock);
            return err_prefix(e, "metric %s", m->name);
        }
    }
    sbuf q;
    sbuf_init(&q);
    sqlite3_stmt *st = NULL;
    bool by_rowid = m->kind != REPORT_M_EPOCH && report_table_has_rowid(db, m->table);
    int64_t lo = 0, hi = -1;
    if (by_rowid)
        report_rowid_range(db, m->table, run_id, &lo, &hi);
    int rc = (m->kind == REPORT_M_EPOCH ? report_metric_sql(m, t, netuid != 0, &q)
                                        : report_table_metric_sql(m, t, netuid != 0, by_rowid, &q))
                 ? ERR_NOMEM
                 : 0;
    if (rc)
        err_set(e, rc, "out of memory");
    else if (sqlite3_prepare_v2(db, q.s, -1, &st, NULL) != SQLITE_OK)
        rc = err_set(e, ERR_DB, "metric %s: %s", m->name, sqlite3_errmsg(db));
    sbuf_free(&q);
    if (!rc) {
        bind_int(st, ":run_id", run_id);
        bind_int(st, ":netuid", netuid);
        bind_int(st, ":from_epoch", t->from_epoch);
        bind_int(st, ":everyone", !t->group && !t->hotkey && !t->strategy);
        bind_text(st, ":group", t->group);
        bind_text(st, ":hotkey", t->hotkey);
        bind_text(st, ":strategy", t->strategy);
        bind_text(st, ":tier", t->tier);
        bind_int(st, ":lo", lo);
        bind_int(st, ":hi", hi);
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
            *has_value = true;
            *value = sqlite3_column_double(st, 0);
        }
        if (step != SQLITE_ROW && step != SQLITE_DONE)
            rc = err_set(e, ERR_DB, "metric %s: %s", m->name, sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    if (m->kind != REPORT_M_EPOCH)   /* the function points at the clock: gone with it */
        sqlite3_create_function(db, "report_epoch", 1, SQLITE_UTF8, NULL, NULL, NULL, NULL);
    report_clock_free(&clock);
    return rc;
}

int report_thresholds_evaluate(sqlite3 *db, int64_t run_id, const report_family *const *fams,
                               size_t nfam, const report_threshold *t, size_t n,
                               report_threshold_result *results, size_t *failed, err *e)
{
    size_t nfail = 0;
    for (size_t i = 0; i < n; i++) {
        int rc = report_threshold_check(fams, nfam, &t[i], e);
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < n; i++) {
        const report_metric *m = metric_find(fams, nfam, t[i].metric);
        report_threshold_result *r = &results[i];
        *r = (report_threshold_result){.unit = m->unit};
        label_of(&t[i], m, r->label, sizeof r->label);
        int rc = report_metric_measure(db, run_id, m, &t[i], &r->has_value, &r->measured, e);
        if (rc)
            return err_prefix(e, "threshold %s", r->label);
        r->pass = r->has_value && op_holds(t[i].op, r->measured, t[i].value);
        nfail += !r->pass;
    }
    if (failed)
        *failed = nfail;
    return 0;
}

size_t report_threshold_results_print(FILE *out, const report_threshold *t,
                                      const report_threshold_result *r, size_t n, bool all)
{
    size_t failed = 0;
    for (size_t i = 0; i < n; i++) {
        failed += !r[i].pass;
        if (r[i].pass && !all)
            continue;
        char m[64];
        if (r[i].has_value)
            report_fmt_num(m, sizeof m, r[i].measured, r[i].unit);
        else
            snprintf(m, sizeof m, "no data (no neuron matched)");
        fprintf(out, "threshold %s: %s: measured %s%s%s%s\n", r[i].pass ? "passed" : "failed",
                r[i].label, m, t[i].origin ? " (" : "", t[i].origin ? t[i].origin : "",
                t[i].origin ? ")" : "");
    }
    return failed;
}
