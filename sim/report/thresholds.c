/* Thresholds: a scenario's pass/fail conditions over the families' named
 * metrics. A metric's accepted `where` keys are the named parameters of its SQL,
 * so the keys and the query cannot drift apart. */
#include "report/report_internal.h"
#include "json/json.h"

#include <math.h>
#include <string.h>

static const char *const op_names[] = {">=", ">", "<=", "<", "==", "!="};

const char *report_op_str(report_op op)
{
    return op >= REPORT_GE && op <= REPORT_NE ? op_names[op] : "?";
}

int report_op_parse(const char *s, report_op *out)
{
    for (int i = 0; i <= REPORT_NE; i++)
        if (!strcmp(s, op_names[i])) {
            *out = (report_op)i;
            return 0;
        }
    return ERR_INPUT;
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

/* Whether SQL text names the parameter :key (not as a prefix of a longer name). */
static bool sql_has_param(const char *sql, const char *key)
{
    size_t kn = strlen(key);
    for (const char *p = strchr(sql, ':'); p; p = strchr(p + 1, ':')) {
        if (strncmp(p + 1, key, kn))
            continue;
        char c = p[1 + kn];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_'))
            return true;
    }
    return false;
}

static const report_metric *metric_find(const report_family *const *fams, size_t nfam,
                                        const char *name)
{
    for (size_t f = 0; f < nfam; f++)
        for (size_t i = 0; i < fams[f]->nmetrics; i++)
            if (!strcmp(fams[f]->metrics[i].name, name))
                return &fams[f]->metrics[i];
    return NULL;
}

void report_where_str(const report_threshold *t, char *out, size_t n)
{
    size_t k = 0;
    out[0] = 0;
    for (size_t i = 0; i < t->nwhere && k < n; i++) {
        const report_where *w = &t->where[i];
        int r = w->str ? snprintf(out + k, n - k, "%s%s=%s", i ? ", " : "", w->key, w->str)
                       : snprintf(out + k, n - k, "%s%s=%.15g", i ? ", " : "", w->key, w->num);
        k += r > 0 ? (size_t)r : 0;
    }
}

static void label_of(const report_threshold *t, const report_metric *m, char *out, size_t n)
{
    char where[200], value[64];
    report_where_str(t, where, sizeof where);
    /* The value as the scenario wrote it, not rounded for display. */
    const char *unit = m ? m->unit : "";
    snprintf(value, sizeof value, "%.15g%s%s", t->value, *unit ? " " : "", unit);
    sbuf b;
    sbuf_init(&b);
    sbuf_printf(&b, "%s%s%s%s %s %s", t->metric, *where ? "{" : "", where, *where ? "}" : "",
                report_op_str(t->op), value);
    /* Cut to the buffer on purpose: labels are for reading. */
    size_t k = b.s ? (b.len < n - 1 ? b.len : n - 1) : 0;
    memcpy(out, b.s ? b.s : "", k);
    out[k] = 0;
    sbuf_free(&b);
}

/* "origin: threshold LABEL: " in front of a message. */
static int fail_at(const report_threshold *t, err *e, const char *fmt, const char *arg)
{
    char label[256];
    label_of(t, NULL, label, sizeof label);
    char what[512];
    snprintf(what, sizeof what, fmt, arg);
    return err_set(e, ERR_INPUT, "%s%sthreshold %s: %s", t->origin ? t->origin : "",
                   t->origin ? ": " : "", label, what);
}

int report_threshold_check(const report_family *const *fams, size_t nfam,
                           const report_threshold *t, err *e)
{
    const report_metric *m = metric_find(fams, nfam, t->metric);
    if (!m) {
        sbuf known;
        sbuf_init(&known);
        for (size_t f = 0; f < nfam; f++)
            for (size_t i = 0; i < fams[f]->nmetrics; i++)
                sbuf_printf(&known, "%s%s", known.len ? ", " : "", fams[f]->metrics[i].name);
        char msg[900];
        snprintf(msg, sizeof msg, "unknown metric '%s' (known: %s)", t->metric,
                 known.s ? known.s : "none");
        sbuf_free(&known);
        return fail_at(t, e, "%s", msg);
    }
    for (size_t i = 0; i < t->nwhere; i++) {
        const char *k = t->where[i].key;
        if (!strcmp(k, "run_id") || !sql_has_param(m->sql, k))
            return fail_at(t, e, "metric does not accept where key '%s'", k);
    }
    if (m->needs) {
        bool named = false;
        for (size_t i = 0; i < t->nwhere && !named; i++) {
            const char *k = t->where[i].key, *p = m->needs;
            size_t kn = strlen(k);
            while (!named && (p = strstr(p, k))) {
                named = (p == m->needs || p[-1] == ' ') && (p[kn] == 0 || p[kn] == ' ');
                p += kn;
            }
        }
        if (!named)
            return fail_at(t, e, "metric needs one of these where keys: %s", m->needs);
    }
    if (!isfinite(t->value))
        return fail_at(t, e, "%s", "value must be a finite number");
    return 0;
}

int report_metric_measure(sqlite3 *db, int64_t run_id, const report_metric *m,
                          const report_where *where, size_t nwhere, bool *has_value,
                          double *value, err *e)
{
    sqlite3_stmt *st;
    *has_value = false;
    *value = NAN;
    if (sqlite3_prepare_v2(db, m->sql, -1, &st, NULL) != SQLITE_OK)
        return err_set(e, ERR_DB, "metric %s: %s", m->name, sqlite3_errmsg(db));
    sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":run_id"), run_id);
    for (size_t i = 0; i < nwhere; i++) {
        char name[80];
        snprintf(name, sizeof name, ":%s", where[i].key);
        int idx = sqlite3_bind_parameter_index(st, name);
        if (idx == 0) {
            sqlite3_finalize(st);
            return err_set(e, ERR_INPUT, "metric %s does not accept where key '%s'", m->name,
                           where[i].key);
        }
        double v = where[i].num;
        if (where[i].str)
            sqlite3_bind_text(st, idx, where[i].str, -1, SQLITE_STATIC);
        else if (v == floor(v) && fabs(v) < 9007199254740992.0)
            sqlite3_bind_int64(st, idx, (int64_t)v);
        else
            sqlite3_bind_double(st, idx, v);
    }
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        *has_value = true;
        *value = sqlite3_column_double(st, 0);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return err_set(e, ERR_DB, "metric %s: %s", m->name, sqlite3_errmsg(db));
    return 0;
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
        int rc = report_metric_measure(db, run_id, m, t[i].where, t[i].nwhere, &r->has_value,
                                       &r->measured, e);
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
            snprintf(m, sizeof m, "no data");
        fprintf(out, "threshold %s: %s: measured %s%s%s%s\n", r[i].pass ? "passed" : "failed",
                r[i].label, m, t[i].origin ? " (" : "", t[i].origin ? t[i].origin : "",
                t[i].origin ? ")" : "");
    }
    return failed;
}

/* ---------------------------------------------------------- parsing */

typedef struct th_mem {
    jdoc *doc;
    report_where *wheres;
    char (*origins)[320];
} th_mem;

void report_thresholds_free(report_thresholds *t)
{
    th_mem *m = t->mem_;
    if (m) {
        jdoc_free(m->doc);
        free(m->wheres);
        free(m->origins);
        free(m);
    }
    free(t->v);
    *t = (report_thresholds){0};
}

static int parse_one(const jdoc *d, const cJSON *item, size_t i, report_threshold *t,
                     report_where **wnext, err *e)
{
    char path[64];
    snprintf(path, sizeof path, "thresholds[%zu]", i);
    if (!cJSON_IsObject(item))
        return jdoc_errorf(d, item, false, path, e, "expected an object with metric, op, value");
    bool seen_metric = false, seen_op = false, seen_value = false;
    for (const cJSON *k = item->child; k; k = k->next) {
        char kp[128];
        snprintf(kp, sizeof kp, "%s.%s", path, k->string);
        if (!strcmp(k->string, "metric") && cJSON_IsString(k)) {
            t->metric = k->valuestring;
            seen_metric = true;
        } else if (!strcmp(k->string, "op") && cJSON_IsString(k)) {
            if (report_op_parse(k->valuestring, &t->op))
                return jdoc_errorf(d, k, false, kp, e,
                                   "unknown op \"%s\" (use >=, >, <=, <, == or !=)",
                                   k->valuestring);
            seen_op = true;
        } else if (!strcmp(k->string, "value") && cJSON_IsNumber(k)) {
            t->value = k->valuedouble;
            seen_value = true;
        } else if (!strcmp(k->string, "where") && cJSON_IsObject(k)) {
            t->where = *wnext;
            for (const cJSON *w = k->child; w; w = w->next) {
                report_where *rw = &(*wnext)[t->nwhere++];
                rw->key = w->string;
                if (cJSON_IsString(w)) {
                    rw->str = w->valuestring;
                } else if (cJSON_IsNumber(w)) {
                    rw->num = w->valuedouble;
                } else {
                    char got[64];
                    json_describe(w, got, sizeof got);
                    snprintf(kp, sizeof kp, "%s.where.%s", path, w->string);
                    return jdoc_errorf(d, w, false, kp, e, "expected a string or a number, got %s",
                                       got);
                }
            }
            *wnext += t->nwhere;
        } else if (!strcmp(k->string, "metric") || !strcmp(k->string, "op") ||
                   !strcmp(k->string, "value") || !strcmp(k->string, "where")) {
            char got[64];
            json_describe(k, got, sizeof got);
            return jdoc_errorf(d, k, false, kp, e, "unexpected %s", got);
        } else {
            return jdoc_errorf(d, k, true, kp, e,
                               "unknown key (a threshold has metric, where, op, value)");
        }
    }
    const char *missing = !seen_metric ? "metric" : !seen_op ? "op" : !seen_value ? "value" : NULL;
    if (missing)
        return jdoc_errorf(d, item, false, path, e, "missing \"%s\"", missing);
    return 0;
}

static size_t count_wheres(const cJSON *arr)
{
    size_t n = 0;
    for (const cJSON *it = arr->child; it; it = it->next) {
        const cJSON *w = cJSON_IsObject(it) ? cJSON_GetObjectItemCaseSensitive(it, "where") : NULL;
        n += cJSON_IsObject(w) ? (size_t)cJSON_GetArraySize(w) : 0;
    }
    return n;
}

int report_thresholds_parse(const char *name, const char *text, report_thresholds *out, err *e)
{
    *out = (report_thresholds){0};
    if (!text || !*text)
        return 0;
    th_mem *m = calloc(1, sizeof *m);
    if (!m)
        return err_set(e, ERR_NOMEM, "out of memory");
    out->mem_ = m;
    int rc = jdoc_parse(name, text, strlen(text), &m->doc, e);
    if (rc) {
        report_thresholds_free(out);
        return rc;
    }
    const cJSON *root = jdoc_root(m->doc);
    const cJSON *arr = cJSON_IsObject(root) ? cJSON_GetObjectItemCaseSensitive(root, "thresholds")
                                            : NULL;
    if (!arr)
        return 0;
    if (!cJSON_IsArray(arr)) {
        rc = jdoc_errorf(m->doc, arr, false, "thresholds", e, "expected an array");
        report_thresholds_free(out);
        return rc;
    }
    size_t n = (size_t)cJSON_GetArraySize(arr), nw = count_wheres(arr);
    out->v = calloc(n ? n : 1, sizeof *out->v);
    m->wheres = calloc(nw ? nw : 1, sizeof *m->wheres);
    m->origins = calloc(n ? n : 1, sizeof *m->origins);
    if (!out->v || !m->wheres || !m->origins) {
        report_thresholds_free(out);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    report_where *wnext = m->wheres;
    size_t i = 0;
    for (const cJSON *it = arr->child; it; it = it->next, i++) {
        report_threshold *t = &out->v[i];
        if ((rc = parse_one(m->doc, it, i, t, &wnext, e))) {
            report_thresholds_free(out);
            return rc;
        }
        int line, col;
        jdoc_pos(m->doc, it, &line, &col);
        snprintf(m->origins[i], sizeof m->origins[i], "%s:%d:%d", name, line, col);
        t->origin = m->origins[i];
    }
    out->len = n;
    return 0;
}
