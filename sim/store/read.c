/* Readers: the runs in a file, one run's inputs, and verifying a run's records
 * against its digest. */
#include "store/store_internal.h"

#include <string.h>

#define RUN_COLS                                                                              \
    "run_id, scenario_name, seed, mode, version, status, error, started_at, finished_at,"   \
    " simulated_seconds, wall_seconds, digest, scenario_text, scenario_json"

static char *dup_col(sqlite3_stmt *st, int i, bool *oom)
{
    const unsigned char *v = sqlite3_column_text(st, i);
    if (!v)
        return NULL;
    char *d = strdup((const char *)v);
    if (!d)
        *oom = true;
    return d;
}

static bool fill_run(sqlite3_stmt *st, store_run *r, bool full)
{
    bool oom = false;
    *r = (store_run){0};
    r->id = sqlite3_column_int64(st, 0);
    r->scenario_name = dup_col(st, 1, &oom);
    r->seed = (uint64_t)sqlite3_column_int64(st, 2);
    r->mode = dup_col(st, 3, &oom);
    r->version = dup_col(st, 4, &oom);
    r->status = dup_col(st, 5, &oom);
    r->error = dup_col(st, 6, &oom);
    r->started_at = dup_col(st, 7, &oom);
    r->finished_at = dup_col(st, 8, &oom);
    r->simulated_seconds = sqlite3_column_double(st, 9);
    r->wall_seconds = sqlite3_column_double(st, 10);
    r->digest = dup_col(st, 11, &oom);
    if (full) {
        r->scenario_text = dup_col(st, 12, &oom);
        r->scenario_json = dup_col(st, 13, &oom);
    }
    return !oom;
}

void store_run_free(store_run *r)
{
    if (!r)
        return;
    char *strs[] = {r->scenario_name, r->mode, r->version, r->status, r->error, r->started_at,
                    r->finished_at, r->digest, r->scenario_text, r->scenario_json};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        free(strs[i]);
    for (size_t i = 0; i < r->nparams; i++) {
        free((char *)r->params[i].key);
        free((char *)r->params[i].value);
    }
    free(r->params);
    *r = (store_run){0};
}

void store_runs_free(store_run *runs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        store_run_free(&runs[i]);
    free(runs);
}

int store_runs(store *s, store_run **out, size_t *n, err *e)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st;
    int rc = store__idle(s, e);
    if (rc)
        return rc;
    rc = sqlite3_prepare_v2(s->db, "SELECT " RUN_COLS " FROM run ORDER BY run_id", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store__sqlerr(s->db, rc, e, "%s: cannot list runs", s->path);
    VEC(store_run) v = {0};
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_run r;
        bool ok = fill_run(st, &r, false);
        if (!ok || VEC_PUSH(&v, r)) {
            store_run_free(&r);
            rc = SQLITE_NOMEM;
            break;
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        store_runs_free(v.v, v.len);
        return store__sqlerr(s->db, rc, e, "%s: cannot list runs", s->path);
    }
    *out = v.v;
    *n = v.len;
    return 0;
}

static int read_params(store *s, store_run *r, err *e)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->db, "SELECT key, value FROM run_param WHERE run_id = ?"
                                       " ORDER BY key", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store__sqlerr(s->db, rc, e, "%s: run_param", s->path);
    sqlite3_bind_int64(st, 1, r->id);
    VEC(store_param) v = {0};
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        bool oom = false;
        store_param p = {dup_col(st, 0, &oom), dup_col(st, 1, &oom)};
        if (oom || VEC_PUSH(&v, p)) {
            free((char *)p.key);
            free((char *)p.value);
            rc = SQLITE_NOMEM;
            break;
        }
    }
    sqlite3_finalize(st);
    r->params = v.v;   /* freed with r, complete or not */
    r->nparams = v.len;
    return rc == SQLITE_DONE ? 0 : store__sqlerr(s->db, rc, e, "%s: run_param", s->path);
}

int store_run_get(store *s, int64_t run_id, store_run *out, err *e)
{
    *out = (store_run){0};
    sqlite3_stmt *st;
    int rc = store__idle(s, e);
    if (rc)
        return rc;
    rc = sqlite3_prepare_v2(s->db, "SELECT " RUN_COLS " FROM run WHERE run_id = ?", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store__sqlerr(s->db, rc, e, "%s: run %lld", s->path, (long long)run_id);
    sqlite3_bind_int64(st, 1, run_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && !fill_run(st, out, true))
        rc = SQLITE_NOMEM;
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return err_set(e, ERR_NOTFOUND, "%s: no run %lld", s->path, (long long)run_id);
    if (rc != SQLITE_ROW) {
        store_run_free(out);
        return store__sqlerr(s->db, rc, e, "%s: run %lld", s->path, (long long)run_id);
    }
    if ((rc = read_params(s, out, e)))
        store_run_free(out);
    return rc;
}

/* ------------------------------------------------------------------ verify */

/* One run_table row's columns, "name:type name:type", as a table definition. */
typedef struct parsed_table {
    rt_table t;
    rt_column cols[STORE_MAX_COLUMNS];
    char names[STORE_MAX_COLUMNS][65];
} parsed_table;

static int parse_columns(const char *name, const char *text, parsed_table *pt)
{
    static const char *const types[] = {"int", "real", "text", "blob"};
    pt->t = (rt_table){.name = name, .columns = pt->cols};
    for (const char *p = text; *p;) {
        size_t n = strcspn(p, ":");
        const char *ty = p + n + 1;
        size_t tn = strcspn(ty, " ");
        if (!p[n] || n > 64 || pt->t.ncolumns == STORE_MAX_COLUMNS)
            return ERR_INPUT;
        int k = 0;
        while (k < 4 && (strlen(types[k]) != tn || strncmp(ty, types[k], tn)))
            k++;
        if (k == 4)
            return ERR_INPUT;
        memcpy(pt->names[pt->t.ncolumns], p, n);
        pt->names[pt->t.ncolumns][n] = 0;
        pt->cols[pt->t.ncolumns] = (rt_column){pt->names[pt->t.ncolumns], (rt_coltype)k, NULL};
        pt->t.ncolumns++;
        p = ty + tn + (ty[tn] == ' ');
    }
    return pt->t.ncolumns ? 0 : ERR_INPUT;
}

/* A value read back, as the writer would have been handed it. */
static rt_val value_of(sqlite3_stmt *st, int i, rt_coltype type)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL)
        return RT_NULL;
    switch (type) {
    case RT_COL_INT: return RT_I(sqlite3_column_int64(st, i));
    case RT_COL_REAL: return RT_D(sqlite3_column_double(st, i));
    case RT_COL_TEXT: return RT_S((const char *)sqlite3_column_text(st, i));
    case RT_COL_BLOB: {
        const void *p = sqlite3_column_blob(st, i);
        return RT_B(p ? p : "", (size_t)sqlite3_column_bytes(st, i));
    }
    }
    return RT_NULL;
}

/* Is the table keyed (WITHOUT ROWID)? Read from the schema, so files need no
 * registry change for it. */
static bool table_keyed(store *s, const char *name)
{
    sqlite3_stmt *st;
    bool keyed = false;
    if (sqlite3_prepare_v2(s->db, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
                           -1, &st, NULL) != SQLITE_OK)
        return false;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        keyed = strstr((const char *)sqlite3_column_text(st, 0), "WITHOUT ROWID") != NULL;
    sqlite3_finalize(st);
    return keyed;
}

/* Hash a table's rows of one run as they lie in the file: in the order written
 * (rowid), or for a keyed table as a set. */
static int hash_table(store *s, int64_t run_id, const rt_table *t, uint8_t out[32],
                      int64_t *rows, err *e)
{
    bool keyed = table_keyed(s, t->name);
    uint8_t sum[32] = {0};
    sbuf q;
    sbuf_init(&q);
    sbuf_puts(&q, "SELECT ");
    for (int i = 0; i < t->ncolumns; i++)
        sbuf_printf(&q, "%s\"%s\"", i ? ", " : "", t->columns[i].name);
    sbuf_printf(&q, " FROM \"%s\" WHERE run_id = ?%s", t->name, keyed ? "" : " ORDER BY rowid");
    sqlite3_stmt *st;
    int rc = q.oom ? SQLITE_NOMEM : sqlite3_prepare_v2(s->db, q.s, -1, &st, NULL);
    sbuf_free(&q);
    if (rc != SQLITE_OK)
        return store__sqlerr(s->db, rc, e, "%s: table '%s'", s->path, t->name);
    sqlite3_bind_int64(st, 1, run_id);
    sha256 h;
    sha256_init(&h);
    store__hash_header(&h, t);
    store_buf b = {0};
    rt_val vals[STORE_MAX_COLUMNS];
    *rows = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int i = 0; i < t->ncolumns; i++)
            vals[i] = value_of(st, i, t->columns[i].type);
        b.len = 0;
        if (store__encode_row(t, vals, &b)) {
            rc = SQLITE_NOMEM;
            break;
        }
        if (keyed)
            store__set_add(sum, b.p, b.len);
        else
            sha256_update(&h, b.p, b.len);
        (*rows)++;
    }
    sqlite3_finalize(st);
    free(b.p);
    if (rc != SQLITE_DONE)
        return store__sqlerr(s->db, rc, e, "%s: table '%s'", s->path, t->name);
    if (keyed)
        sha256_update(&h, sum, 32);
    sha256_final(&h, out);
    return 0;
}

static int verify_tables(store *s, int64_t run_id, sha256 *run, err *e)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->db, "SELECT table_name, columns, rows, digest FROM run_table"
                                       " WHERE run_id = ? ORDER BY table_name", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store__sqlerr(s->db, rc, e, "%s: run_table", s->path);
    sqlite3_bind_int64(st, 1, run_id);
    parsed_table *pt = malloc(sizeof *pt);
    int res = pt ? 0 : err_set(e, ERR_NOMEM, "out of memory");
    /* ORDER BY table_name compares with memcmp, as the digest's order does. */
    while (!res && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        const char *cols = (const char *)sqlite3_column_text(st, 1);
        int64_t want_rows = sqlite3_column_int64(st, 2), got_rows;
        const char *want = (const char *)sqlite3_column_text(st, 3);
        uint8_t d[32], v[10];
        char hex[65];
        if (!name || !cols || !want || parse_columns(name, cols, pt)) {
            res = err_set(e, ERR_INPUT, "%s: run %lld: unreadable run_table row", s->path,
                          (long long)run_id);
            break;
        }
        if ((res = hash_table(s, run_id, &pt->t, d, &got_rows, e)))
            break;
        sha256_hex(d, hex);
        if (got_rows != want_rows || strcmp(hex, want) != 0) {
            res = err_set(e, ERR_INPUT, "%s: run %lld: records differ from its digest: table "
                                        "'%s' holds %lld rows, %lld were written%s", s->path,
                          (long long)run_id, name, (long long)got_rows, (long long)want_rows,
                          got_rows == want_rows ? ", with other values" : "");
            break;
        }
        store__hash_string(run, name, strlen(name));
        sha256_update(run, v, store__varint(v, (uint64_t)got_rows));
        sha256_update(run, d, 32);
    }
    free(pt);
    sqlite3_finalize(st);
    if (!res && rc != SQLITE_DONE)
        res = store__sqlerr(s->db, rc, e, "%s: run_table", s->path);
    return res;
}

int store_run_verify(store *s, int64_t run_id, char digest[STORE_DIGEST_HEX], err *e)
{
    store_run r;
    int rc = store_run_get(s, run_id, &r, e);
    if (rc)
        return rc;
    if (!r.digest) {
        rc = err_set(e, ERR_INPUT, "%s: run %lld is %s and has no digest", s->path,
                     (long long)run_id, r.status ? r.status : "?");
        store_run_free(&r);
        return rc;
    }
    sha256 run;
    sha256_init(&run);
    rc = verify_tables(s, run_id, &run, e);
    char hex[65] = "";
    if (!rc) {
        uint8_t d[32];
        sha256_final(&run, d);
        sha256_hex(d, hex);
        if (strcmp(hex, r.digest) != 0)
            rc = err_set(e, ERR_INPUT, "%s: run %lld: records differ from its digest", s->path,
                         (long long)run_id);
    }
    if (digest)
        memcpy(digest, hex, STORE_DIGEST_HEX);
    store_run_free(&r);
    return rc;
}
