/* A run's lifecycle: its row (committed `incomplete` before any record), the
 * tables it writes, and at the end its status, times and digest. */
#include "store/store_internal.h"

#include <string.h>
#include <time.h>

const char *store_status_name(store_status st)
{
    switch (st) {
    case STORE_INCOMPLETE: return "incomplete";
    case STORE_COMPLETE: return "complete";
    case STORE_FAILED: return "failed";
    }
    return "?";
}

static void utc_now(char out[64])
{
    double now = clock_wall();
    time_t secs = (time_t)now;
    struct tm tm;
    gmtime_r(&secs, &tm);
    int ms = (int)((now - (double)secs) * 1000);
    snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms < 0 ? 0 : ms > 999 ? 999 : ms);
}

static void bind_opt(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

static int insert_run(store *s, const store_run_info *in, err *e)
{
    static const char sql[] =
        "INSERT INTO run (scenario_name, scenario_text, scenario_json, seed, mode, version,"
        " status, started_at) VALUES (?, ?, ?, ?, ?, ?, 'incomplete', ?)";
    char started[64];
    utc_now(started);
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        bind_opt(st, 1, in->scenario_name ? in->scenario_name : "");
        bind_opt(st, 2, in->scenario_text);
        bind_opt(st, 3, in->scenario_json);
        sqlite3_bind_int64(st, 4, (int64_t)in->seed);
        bind_opt(st, 5, in->mode ? in->mode : "virtual");
        bind_opt(st, 6, in->version ? in->version : SUBNETSIM_VERSION);
        bind_opt(st, 7, started);
        rc = sqlite3_step(st);
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_OK)
        return store__sqlerr(s->db, rc, e, "%s: cannot record the run", s->path);
    s->run_id = sqlite3_last_insert_rowid(s->db);
    if (!in->nparams)
        return 0;
    rc = sqlite3_prepare_v2(s->db, "INSERT INTO run_param (run_id, key, value) VALUES (?, ?, ?)",
                            -1, &st, NULL);
    for (size_t i = 0; rc == SQLITE_OK && i < in->nparams; i++) {
        sqlite3_bind_int64(st, 1, s->run_id);
        bind_opt(st, 2, in->params[i].key);
        bind_opt(st, 3, in->params[i].value);
        rc = sqlite3_step(st);
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_OK)
        return store__sqlerr(s->db, rc, e, "%s: cannot record the run's params", s->path);
    return 0;
}

int store_run_begin(store *s, const store_run_info *info, int64_t *run_id, err *e)
{
    if (s->mode != STORE_WRITE)
        return err_set(e, ERR_INTERNAL, "%s: opened read-only", s->path);
    if (s->in_run)
        return err_set(e, ERR_INTERNAL, "%s: a run is already being written", s->path);
    int rc = store__exec(s, "BEGIN IMMEDIATE", e);
    if (rc)
        return rc;
    if ((rc = insert_run(s, info, e)) || (rc = store__exec(s, "COMMIT", e))) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return rc;
    }
    for (int i = 0; i < s->nslots; i++) {
        sha256_init(&s->slots[i].digest);
        store__hash_header(&s->slots[i].digest, s->slots[i].t);
        memset(s->slots[i].set_sum, 0, sizeof s->slots[i].set_sum);
        s->slots[i].rows = 0;
    }
    if ((rc = store__writer_start(s, e)))
        return rc;
    s->in_run = true;
    if (run_id)
        *run_id = s->run_id;
    return 0;
}

/* ----------------------------------------------------------- records */

static bool same_def(const rt_table *a, const rt_table *b)
{
    if (a->ncolumns != b->ncolumns)
        return false;
    for (int i = 0; i < a->ncolumns; i++)
        if (a->columns[i].type != b->columns[i].type ||
            strcmp(a->columns[i].name, b->columns[i].name) != 0)
            return false;
    return true;
}

/* Make e the run's sticky error unless the writer got there first. */
static int fail(store *s, const err *e)
{
    pthread_mutex_lock(&s->mu);
    if (!s->werr.code)
        s->werr = *e;
    int code = s->werr.code;
    pthread_mutex_unlock(&s->mu);
    return code;
}

/* Tables are static definitions, so their address identifies them; a second
 * definition under the same name is accepted when it is the same table. */
static int slot_of(store *s, const rt_table *t)
{
    if (s->last_slot >= 0 && s->slots[s->last_slot].t == t)
        return s->last_slot;
    for (int i = 0; i < s->nslots; i++)
        if (s->slots[i].t == t)
            return s->last_slot = i;
    err e = {0};
    if (store__check_table_def(t, &e))
        return fail(s, &e);
    for (int i = 0; i < s->nslots; i++) {
        if (strcmp(s->slots[i].t->name, t->name) != 0)
            continue;
        if (same_def(s->slots[i].t, t))
            return i;
        err_set(&e, ERR_INTERNAL, "record table '%s' has two different definitions", t->name);
        return fail(s, &e);
    }
    if (s->nslots == STORE_MAX_TABLES) {
        err_set(&e, ERR_INTERNAL, "more than %d record tables", STORE_MAX_TABLES);
        return fail(s, &e);
    }
    store_slot *sl = &s->slots[s->nslots];
    pthread_mutex_lock(&s->mu);   /* the writer reads slots[] after rows naming them */
    *sl = (store_slot){.t = t};
    sha256_init(&sl->digest);
    store__hash_header(&sl->digest, t);
    s->nslots++;
    pthread_mutex_unlock(&s->mu);
    return s->last_slot = s->nslots - 1;
}

int store_write(store *s, const rt_table *t, const rt_val *vals)
{
    if (!s->in_run)
        return ERR_INTERNAL;
    int slot = slot_of(s, t);
    if (slot < 0)
        return slot;
    return store__append(s, slot, t, vals);
}

static int sink_write(void *ctx, const rt_table *t, const rt_val *vals)
{
    return store_write(ctx, t, vals);
}

rt_sink store_sink(store *s) { return (rt_sink){.ctx = s, .write = sink_write}; }

/* ------------------------------------------------------------- the end */

static int by_name(const void *a, const void *b)
{
    const store_slot *x = *(const store_slot *const *)a, *y = *(const store_slot *const *)b;
    return strcmp(x->t->name, y->t->name);
}

static void columns_text(const rt_table *t, sbuf *out)
{
    static const char *const names[] = {"int", "real", "text", "blob"};
    for (int i = 0; i < t->ncolumns; i++)
        sbuf_printf(out, "%s%s:%s", i ? " " : "", t->columns[i].name,
                    names[t->columns[i].type]);
}

static int record_table_digest(store *s, sqlite3_stmt *st, const store_slot *sl,
                               const uint8_t d[32], err *e)
{
    char hex[65];
    sha256_hex(d, hex);
    sbuf cols;
    sbuf_init(&cols);
    columns_text(sl->t, &cols);
    sqlite3_bind_int64(st, 1, s->run_id);
    sqlite3_bind_text(st, 2, sl->t->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, cols.s ? cols.s : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, sl->rows);
    sqlite3_bind_text(st, 5, hex, -1, SQLITE_TRANSIENT);
    int rc = cols.oom ? SQLITE_NOMEM : sqlite3_step(st);
    sqlite3_reset(st);
    sbuf_free(&cols);
    return rc == SQLITE_DONE ? 0 : store__sqlerr(s->db, rc, e, "%s: run_table", s->path);
}

/* The run digest (store.h), and a run_table row per table written. */
static int record_digests(store *s, char hex[STORE_DIGEST_HEX], err *e)
{
    const store_slot *order[STORE_MAX_TABLES];
    int n = 0;
    for (int i = 0; i < s->nslots; i++)
        if (s->slots[i].rows > 0)
            order[n++] = &s->slots[i];
    qsort(order, (size_t)n, sizeof order[0], by_name);
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->db,
                                "INSERT INTO run_table (run_id, table_name, columns, rows, digest)"
                                " VALUES (?, ?, ?, ?, ?)", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store__sqlerr(s->db, rc, e, "%s: run_table", s->path);
    sha256 run;
    sha256_init(&run);
    for (int i = 0; i < n && !rc; i++) {
        sha256 c = order[i]->digest;
        uint8_t d[32], v[10];
        if (order[i]->t->key)
            sha256_update(&c, order[i]->set_sum, 32);
        sha256_final(&c, d);
        store__hash_string(&run, order[i]->t->name, strlen(order[i]->t->name));
        sha256_update(&run, v, store__varint(v, (uint64_t)order[i]->rows));
        sha256_update(&run, d, 32);
        rc = record_table_digest(s, st, order[i], d, e);
    }
    sqlite3_finalize(st);
    uint8_t d[32];
    sha256_final(&run, d);
    sha256_hex(d, hex);
    return rc;
}

static int update_run(store *s, const char *status, const char *error, double sim, double wall,
                      const char *digest, err *e)
{
    char finished[64];
    utc_now(finished);
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->db,
                                "UPDATE run SET status = ?, error = ?, finished_at = ?,"
                                " simulated_seconds = ?, wall_seconds = ?, digest = ?"
                                " WHERE run_id = ?", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        bind_opt(st, 1, status);
        bind_opt(st, 2, error);
        bind_opt(st, 3, finished);
        sqlite3_bind_double(st, 4, sim);
        sqlite3_bind_double(st, 5, wall);
        bind_opt(st, 6, digest);
        sqlite3_bind_int64(st, 7, s->run_id);
        rc = sqlite3_step(st);
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? 0 : store__sqlerr(s->db, rc, e, "%s: cannot finish the run", s->path);
}

int store_run_finish(store *s, store_status status, const char *error, double simulated_seconds,
                     double wall_seconds, char digest[STORE_DIGEST_HEX], err *e)
{
    if (digest)
        digest[0] = 0;
    if (!s->in_run)
        return err_set(e, ERR_INTERNAL, "%s: no run to finish", s->path);
    if (status == STORE_INCOMPLETE)
        return err_set(e, ERR_INTERNAL, "%s: a run finishes complete or failed", s->path);
    int wrc = store__writer_stop(s);
    s->in_run = false;
    char hex[STORE_DIGEST_HEX] = "";
    sbuf why;
    sbuf_init(&why);
    if (error)
        sbuf_puts(&why, error);
    if (wrc)
        sbuf_printf(&why, "%s%s", why.len ? "; then " : "", s->werr.msg);
    int rc = store__exec(s, "BEGIN IMMEDIATE", e);
    if (!rc && !wrc)
        rc = store__create_indexes(s, e);
    if (!rc && !wrc)
        rc = record_digests(s, hex, e);
    if (!rc)
        rc = update_run(s, wrc ? "failed" : store_status_name(status), why.len ? why.s : NULL,
                        simulated_seconds, wall_seconds, wrc ? NULL : hex, e);
    if (!rc)
        rc = store__exec(s, "COMMIT", e);
    else
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    sbuf_free(&why);
    if (rc)
        return rc;
    if (wrc) {
        if (e)
            *e = s->werr;
        return wrc;
    }
    if (digest)
        memcpy(digest, hex, STORE_DIGEST_HEX);
    return 0;
}
