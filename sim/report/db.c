/* Reading runs: opening a database read-only, the run row, top earners. */
#include "report/report_internal.h"

#include <string.h>

int report_db_error(sqlite3 *db, const char *what, err *e)
{
    return err_set(e, ERR_DB, "%s: %s", what, db ? sqlite3_errmsg(db) : "no database");
}

int report_prepare(sqlite3 *db, report_query q, sqlite3_stmt **st, err *e)
{
    if (sqlite3_prepare_v2(db, report_sql(q), -1, st, NULL) != SQLITE_OK)
        return report_db_error(db, "cannot read the run database", e);
    return 0;
}

bool report_has_table(sqlite3 *db, const char *name)
{
    sqlite3_stmt *st;
    if (report_prepare(db, REPORT_Q_HAS_TABLE, &st, NULL))
        return false;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    bool yes = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return yes;
}

char *report_col_strdup(sqlite3_stmt *st, int col)
{
    const unsigned char *s = sqlite3_column_text(st, col);
    return strdup(s ? (const char *)s : "");
}

int report_db_open(const char *path, sqlite3 **out, err *e)
{
    *out = NULL;
    sqlite3 *db = NULL;
    /* Read-only and never created: a mistyped path is an error, not a new file. */
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
    if (rc != SQLITE_OK) {
        err_set(e, ERR_INPUT, "cannot open '%s': %s", path,
                db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return ERR_INPUT;
    }
    sqlite3_busy_timeout(db, 5000);
    /* A report scans whole tables, some several times: pages mapped rather
     * than copied in by a read each time (speed only; a failure is harmless) */
    sqlite3_exec(db, "PRAGMA mmap_size = 1073741824", NULL, NULL, NULL);
    if (!report_has_table(db, "run")) {
        sqlite3_close(db);
        return err_set(e, ERR_INPUT, "'%s' is not a subnetsim run database (no run table)", path);
    }
    *out = db;
    return 0;
}

int report_run_ids(sqlite3 *db, int64_t **ids, size_t *n, err *e)
{
    *ids = NULL;
    *n = 0;
    sqlite3_stmt *st;
    int rc = report_prepare(db, REPORT_Q_RUN_IDS, &st, e);
    if (rc)
        return rc;
    VEC(int64_t) v = {0};
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (VEC_PUSH(&v, sqlite3_column_int64(st, 0))) {
            sqlite3_finalize(st);
            VEC_FREE(&v);
            return err_set(e, ERR_NOMEM, "out of memory");
        }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        VEC_FREE(&v);
        return report_db_error(db, "cannot list runs", e);
    }
    *ids = v.v;
    *n = v.len;
    return 0;
}

static int latest_run(sqlite3 *db, int64_t *id, err *e)
{
    sqlite3_stmt *st;
    int rc = report_prepare(db, REPORT_Q_RUN_LATEST, &st, e);
    if (rc)
        return rc;
    rc = sqlite3_step(st);
    bool none = rc != SQLITE_ROW || sqlite3_column_type(st, 0) == SQLITE_NULL;
    *id = none ? 0 : sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return report_db_error(db, "cannot read the run table", e);
    return none ? err_set(e, ERR_INPUT, "the database holds no run") : 0;
}

/* "<scenario>-s<seed>", and "-r<id>" when another run in the file has both. */
static int run_name(sqlite3 *db, report_run *r, err *e)
{
    sqlite3_stmt *st;
    int rc = report_prepare(db, REPORT_Q_RUN_SAME_NAME, &st, e);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, r->scenario_name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, r->seed);
    int64_t same = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 1;
    sqlite3_finalize(st);
    sbuf b;
    sbuf_init(&b);
    /* The name becomes a folder: keep it to safe characters. */
    for (const char *p = *r->scenario_name ? r->scenario_name : "run"; *p; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.';
        sbuf_add(&b, ok ? &c : "-", 1);
    }
    sbuf_printf(&b, "-s%lld", (long long)r->seed);
    if (same > 1)
        sbuf_printf(&b, "-r%lld", (long long)r->id);
    r->name = sbuf_take(&b);
    return r->name ? 0 : err_set(e, ERR_NOMEM, "out of memory");
}

int report_run_load(sqlite3 *db, int64_t run_id, report_run *out, err *e)
{
    *out = (report_run){0};
    int rc = 0;
    if (run_id <= 0 && (rc = latest_run(db, &run_id, e)))
        return rc;
    sqlite3_stmt *st;
    if ((rc = report_prepare(db, REPORT_Q_RUN, &st, e)))
        return rc;
    sqlite3_bind_int64(st, 1, run_id);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(st);
        if (rc == SQLITE_DONE)
            return err_set(e, ERR_INPUT, "no run %lld in the database", (long long)run_id);
        return report_db_error(db, "cannot read the run table", e);
    }
    out->id = sqlite3_column_int64(st, 0);
    out->scenario_name = report_col_strdup(st, 1);
    out->scenario_text = report_col_strdup(st, 2);
    out->seed = sqlite3_column_int64(st, 3);
    out->mode = report_col_strdup(st, 4);
    out->version = report_col_strdup(st, 5);
    out->started = report_col_strdup(st, 6);
    out->finished = report_col_strdup(st, 7);
    out->status = report_col_strdup(st, 8);
    out->sim_seconds = sqlite3_column_double(st, 9);
    out->wall_seconds = sqlite3_column_double(st, 10);
    out->digest = report_col_strdup(st, 11);
    out->error = report_col_strdup(st, 12);
    out->scenario_json = report_col_strdup(st, 13);
    sqlite3_finalize(st);
    if (!out->scenario_name || !out->scenario_text || !out->mode || !out->version ||
        !out->started || !out->finished || !out->status || !out->digest || !out->error || !out->scenario_json) {
        report_run_free(out);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    if ((rc = run_name(db, out, e)))
        report_run_free(out);
    return rc;
}

void report_run_free(report_run *r)
{
    free(r->name);
    free(r->scenario_name);
    free(r->scenario_text);
    free(r->mode);
    free(r->version);
    free(r->status);
    free(r->digest);
    free(r->started);
    free(r->finished);
    free(r->error);
    free(r->scenario_json);
    *r = (report_run){0};
}

/* A registration and what it earned. */
typedef struct earn_rec {
    report_earner r;
    int64_t reg;
} earn_rec;

typedef VEC(earn_rec) earn_recs;

static void earn_recs_free(earn_recs *v)
{
    for (size_t i = 0; i < v->len; i++) {
        free(v->v[i].r.hotkey);
        free(v->v[i].r.role);
        free(v->v[i].r.group);
    }
    VEC_FREE(v);
}

static int earn_neurons(sqlite3 *db, int64_t run_id, earn_recs *v, err *e)
{
    sqlite3_stmt *st;
    int rc = report_prepare(db, REPORT_Q_EARN_NEURONS, &st, e);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, run_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        earn_rec x = {.r = {.netuid = sqlite3_column_int64(st, 0),
                            .uid = sqlite3_column_int64(st, 1),
                            .hotkey = report_col_strdup(st, 2),
                            .role = report_col_strdup(st, 3),
                            .group = report_col_strdup(st, 4)},
                      .reg = sqlite3_column_int64(st, 5)};
        if (!x.r.hotkey || !x.r.role || !x.r.group || VEC_PUSH(v, x)) {
            free(x.r.hotkey);
            free(x.r.role);
            free(x.r.group);
            sqlite3_finalize(st);
            return err_set(e, ERR_NOMEM, "out of memory");
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : report_db_error(db, "cannot read the neuron table", e);
}

/* The registration holding (netuid, uid) at an epoch at block: the last one
 * registered before the block (the epoch runs before the block's extrinsics);
 * a row before any goes to the first. v is sorted by netuid, uid, registration. */
static earn_rec *earn_find(earn_recs *v, int64_t netuid, int64_t uid, int64_t block)
{
    size_t lo = 0, hi = v->len;
    while (lo < hi) {   /* first entry >= (netuid, uid) */
        size_t mid = (lo + hi) / 2;
        const report_earner *m = &v->v[mid].r;
        if (m->netuid < netuid || (m->netuid == netuid && m->uid < uid))
            lo = mid + 1;
        else
            hi = mid;
    }
    earn_rec *found = NULL;
    for (size_t i = lo; i < v->len && v->v[i].r.netuid == netuid && v->v[i].r.uid == uid; i++) {
        if (found && v->v[i].reg >= block)
            break;
        found = &v->v[i];
    }
    return found;
}

static int cmp_earner(const void *a, const void *b)
{
    const report_earner *x = a, *y = b;
    if (x->emission_rao != y->emission_rao)
        return x->emission_rao < y->emission_rao ? 1 : -1;
    if (x->netuid != y->netuid)
        return x->netuid < y->netuid ? -1 : 1;
    return x->uid < y->uid ? -1 : x->uid > y->uid;
}

int report_earners_top(report_earners *all, int64_t total, int limit, report_earners *out, err *e)
{
    *out = (report_earners){0};
    qsort(all->v, all->len, sizeof *all->v, cmp_earner);
    int rc = 0;
    for (size_t i = 0; i < all->len && i < (size_t)limit && !rc; i++) {
        report_earner r = all->v[i];
        r.share = total > 0 ? (double)r.emission_rao * 100.0 / (double)total : 0;
        if (VEC_PUSH(out, r))
            rc = err_set(e, ERR_NOMEM, "out of memory");
        else
            all->v[i].hotkey = all->v[i].role = all->v[i].group = NULL;   /* moved */
    }
    report_earners_free(all);
    if (rc)
        report_earners_free(out);
    return rc;
}

int report_top_earners(sqlite3 *db, int64_t run_id, int limit, report_earners *out, err *e)
{
    *out = (report_earners){0};
    if (!report_has_table(db, "epoch_neuron") || !report_has_table(db, "neuron"))
        return 0;
    earn_recs v = {0};
    sqlite3_stmt *st = NULL;
    int rc = earn_neurons(db, run_id, &v, e);
    if (!rc)
        rc = report_prepare(db, REPORT_Q_EARN_ROWS, &st, e);
    int64_t total = 0;
    if (!rc) {
        sqlite3_bind_int64(st, 1, run_id);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            int64_t em = sqlite3_column_int64(st, 3);
            total += em;
            earn_rec *x = earn_find(&v, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                                    sqlite3_column_int64(st, 2));
            if (x)
                x->r.emission_rao += em;
        }
        rc = rc == SQLITE_DONE ? 0 : report_db_error(db, "cannot read earnings", e);
    }
    sqlite3_finalize(st);
    report_earners all = {0};
    if (!rc && VEC_RESERVE(&all, v.len))
        rc = err_set(e, ERR_NOMEM, "out of memory");
    for (size_t i = 0; !rc && i < v.len; i++) {
        all.v[all.len++] = v.v[i].r;
        v.v[i].r.hotkey = v.v[i].r.role = v.v[i].r.group = NULL;   /* moved to all */
    }
    earn_recs_free(&v);
    if (rc) {
        report_earners_free(&all);
        return rc;
    }
    return report_earners_top(&all, total, limit, out, e);
}

void report_earners_free(report_earners *v)
{
    for (size_t i = 0; i < v->len; i++) {
        free(v->v[i].hotkey);
        free(v->v[i].role);
        free(v->v[i].group);
    }
    VEC_FREE(v);
}
