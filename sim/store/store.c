/* Opening and closing databases: the checks that keep a foreign or broken file
 * untouched, the pragmas, and SQLite's errors as ours. */
#include "store/store_internal.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

void store_options_default(store_options *o)
{
    *o = (store_options){
        .commit_rows = 100000,
        .commit_interval = 1.0,
        .synchronous = false,
        .max_pending_bytes = (size_t)64 << 20,
    };
}

int store__sqlerr(sqlite3 *db, int rc, err *e, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    int code = ERR_DB;
    switch (rc & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: code = ERR_INPUT; break;
    case SQLITE_NOMEM: code = ERR_NOMEM; break;
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM: code = ERR_IO; break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: code = ERR_BUSY; break;
    }
    const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    return err_set(e, code, "%s: %s", what, msg);
}

int store__exec(store *s, const char *sql, err *e)
{
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return store__sqlerr(s->db, rc, e, "%s", s->path);
    return 0;
}

int store__idle(const store *s, err *e)
{
    if (s->thread_on)
        return err_set(e, ERR_INTERNAL, "%s: a run is being written; read it after "
                                        "store_run_finish or from another store", s->path);
    return 0;
}

const char *store__type_sql(rt_coltype t)
{
    switch (t) {
    case RT_COL_INT: return "INTEGER";
    case RT_COL_REAL: return "REAL";
    case RT_COL_TEXT: return "TEXT";
    case RT_COL_BLOB: return "BLOB";
    }
    return "?";
}

static int not_ours(const char *path, const char *why, err *e)
{
    return err_set(e, ERR_INPUT, "'%s' is not a subnetsim database (%s)", path, why);
}

/* Look at the file before SQLite does, so that a file which is not ours is
 * never opened by SQLite (which could leave -wal/-shm files or write to it). */
static int check_file(const char *path, store_mode mode, bool *fresh, err *e)
{
    *fresh = false;
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT && mode == STORE_WRITE) {
            *fresh = true;
            return 0;
        }
        return err_set(e, errno == ENOENT ? ERR_NOTFOUND : ERR_IO, "cannot open '%s': %s", path,
                       strerror(errno));
    }
    if (!S_ISREG(st.st_mode))
        return not_ours(path, "not a regular file", e);
    if (st.st_size == 0) {
        if (mode == STORE_WRITE) {
            *fresh = true;   /* an empty file (mktemp, touch) is an empty database */
            return 0;
        }
        return not_ours(path, "empty file", e);
    }
    unsigned char h[100];
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(e, ERR_IO, "cannot open '%s': %s", path, strerror(errno));
    size_t got = fread(h, 1, sizeof h, f);
    fclose(f);
    if (got < sizeof h || memcmp(h, "SQLite format 3", 16) != 0)
        return not_ours(path, "not an SQLite file", e);
    /* The application id sits at offset 68, big-endian; the store writes it
     * before anything else, outside WAL, so every file it made carries it. */
    uint32_t app = (uint32_t)h[68] << 24 | (uint32_t)h[69] << 16 | (uint32_t)h[70] << 8 | h[71];
    if (app != STORE_APPLICATION_ID)
        return not_ours(path, "an SQLite database of another program", e);
    return 0;
}

/* NOMUTEX: a connection is used by one thread at a time (the writer thread
 * during a run, the caller's otherwise, handed over by thread create and
 * join), so SQLite's per-call locking is pure cost: about a tenth of an insert. */
static int open_db(const char *path, int flags, sqlite3 **db, err *e)
{
    int rc = sqlite3_open_v2(path, db, flags | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        store__sqlerr(*db, rc, e, "cannot open '%s'", path);
        sqlite3_close(*db);
        *db = NULL;
        return e ? e->code : ERR_DB;
    }
    sqlite3_extended_result_codes(*db, 1);
    sqlite3_busy_timeout(*db, 5000);
    return 0;
}

/* The schema version of an existing file, read without writing to it. Loading
 * the schema is what finds a corrupt file early. */
static int probe_version(const char *path, int *version, err *e)
{
    sqlite3 *db;
    int rc = open_db(path, SQLITE_OPEN_READONLY, &db, e);
    if (rc)
        return rc;
    rc = sqlite3_exec(db, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        char why[300];
        snprintf(why, sizeof why, "%s", sqlite3_errmsg(db));
        sqlite3_close(db);
        return (rc & 0xff) == SQLITE_BUSY ? err_set(e, ERR_BUSY, "'%s': %s", path, why)
                                          : not_ours(path, why, e);
    }
    rc = store__schema_version(db, version, e);
    sqlite3_close(db);
    return rc;
}

static int create_fresh(sqlite3 *db, const char *path, err *e)
{
    /* The application id goes into the header in rollback mode, before WAL: a
     * kill during creation leaves either an empty file or one that says it is
     * ours. (SQLite's default 4 KiB pages: 16 KiB appended no faster and 64 KiB
     * slower, tests/bench/RESULTS.md.) */
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA application_id=%d;", STORE_APPLICATION_ID);
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return store__sqlerr(db, rc, e, "cannot create '%s'", path);
    return 0;
}

static int writer_pragmas(sqlite3 *db, const char *path, err *e)
{
    /* WAL: readers (a report of a run in progress) never block the writer, and
     * a commit is an append. synchronous=NORMAL loses nothing to a killed
     * process; only a power cut can take the last commits (never the file). */
    static const char sql[] = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                              "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-32768;";
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return store__sqlerr(db, rc, e, "cannot open '%s'", path);
    return 0;
}

/* Migrate an older file in place (each step is its own transaction). */
static int open_and_migrate(const char *path, bool fresh, int version, sqlite3 **out, err *e)
{
    sqlite3 *db;
    int rc = open_db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &db, e);
    if (!rc && fresh)
        rc = create_fresh(db, path, e);
    if (!rc)
        rc = writer_pragmas(db, path, e);
    if (!rc && version < STORE_SCHEMA_VERSION)
        rc = store__migrate(db, path, version, e);
    if (rc) {
        sqlite3_close(db);
        return rc;
    }
    *out = db;
    return 0;
}

static int open_checked(store *s, err *e)
{
    bool fresh;
    int rc = check_file(s->path, s->mode, &fresh, e);
    if (rc)
        return rc;
    int version = 0;
    if (!fresh && (rc = probe_version(s->path, &version, e)))
        return rc;
    if (version > STORE_SCHEMA_VERSION)
        return err_set(e, ERR_INPUT, "'%s' was made by a newer subnetsim; schema %d > %d", s->path,
                       version, STORE_SCHEMA_VERSION);
    if (s->mode == STORE_WRITE)
        return open_and_migrate(s->path, fresh, version, &s->db, e);
    if (version < STORE_SCHEMA_VERSION) {
        /* Readers see one schema: an older file is brought forward first. */
        sqlite3 *db;
        if ((rc = open_and_migrate(s->path, false, version, &db, e))) {
            if (e)
                err_prefix(e, "'%s' is from an older subnetsim and needs write access to be "
                              "migrated", s->path);
            return rc;
        }
        sqlite3_close(db);
    }
    return open_db(s->path, SQLITE_OPEN_READONLY, &s->db, e);
}

int store_open(const char *path, store_mode mode, const store_options *opts, store **out, err *e)
{
    *out = NULL;
    store *s = calloc(1, sizeof *s);
    if (!s || !(s->path = strdup(path))) {
        free(s);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    s->mode = mode;
    if (opts)
        s->opt = *opts;
    else
        store_options_default(&s->opt);
    if (s->opt.commit_rows < 1)
        s->opt.commit_rows = 1;
    s->last_slot = -1;
    pthread_mutex_init(&s->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->wake, &ca);
    pthread_cond_init(&s->drained, &ca);
    pthread_condattr_destroy(&ca);
    int rc = open_checked(s, e);
    if (!rc && mode == STORE_WRITE)
        rc = store__create_indexes(s, e);   /* those a killed run never built */
    if (rc) {
        store_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

void store_close(store *s)
{
    if (!s)
        return;
    if (s->in_run) {
        /* Left `incomplete`, as a kill would leave it, but with nothing lost. */
        store__writer_stop(s);
        s->in_run = false;
    }
    for (int i = 0; i < s->nslots; i++)
        store__finalize_slot(&s->slots[i]);
    /* Leave a finished file as one file in rollback mode: read-only openers of
     * a WAL file (reports) would leave -wal and -shm files beside it. Best
     * effort: it fails, harmlessly, while another connection has it open. */
    if (s->db && s->mode == STORE_WRITE) {
        sqlite3_busy_timeout(s->db, 0);   /* a reader holding on must not stall us */
        sqlite3_exec(s->db, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL);
    }
    if (s->db)
        sqlite3_close(s->db);
    free(s->pending.p);
    free(s->work.p);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->wake);
    pthread_cond_destroy(&s->drained);
    free(s->path);
    free(s);
}

const char *store_path(const store *s) { return s->path; }
struct sqlite3 *store_db(store *s) { return s->db; }

int store_check(store *s, err *e)
{
    sqlite3_stmt *st;
    int rc = store__idle(s, e);
    if (rc)
        return rc;
    rc = sqlite3_prepare_v2(s->db, "PRAGMA integrity_check", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store__sqlerr(s->db, rc, e, "%s", s->path);
    sbuf found;
    sbuf_init(&found);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *line = (const char *)sqlite3_column_text(st, 0);
        if (line && strcmp(line, "ok") != 0)
            sbuf_printf(&found, "%s%s", found.len ? "; " : "", line);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        sbuf_free(&found);
        return store__sqlerr(s->db, rc, e, "%s: integrity check", s->path);
    }
    if (found.len) {
        err_set(e, ERR_INPUT, "%s: integrity check failed: %s", s->path, found.s);
        sbuf_free(&found);
        return ERR_INPUT;
    }
    sbuf_free(&found);
    return 0;
}
