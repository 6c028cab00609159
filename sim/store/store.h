/* store: runs and their records in SQLite (DESIGN.md, "The database").
 *
 * One file holds one or more runs. The store's own tables (run, run_param,
 * run_table, store_table, store_column, store_seq) carry a schema version
 * (PRAGMA user_version) and migrate forward on open; record tables are created
 * on first use from the rt_table that model code writes through rt_record, with
 * `run_id` as their first column, and gain columns (ALTER TABLE ADD COLUMN) when
 * a later build adds them. Nothing in the store needs to change for a new table.
 *
 * Writing: rows are encoded on the caller's thread and hashed and inserted by a
 * writer thread in batched transactions on a WAL database, so model code never
 * waits on the disk. A run's row is committed with status
 * `incomplete` before any record; a process killed at any point leaves a file that
 * opens, says `incomplete`, and holds every record up to its last commit.
 *
 * The digest: SHA-256 over every record in a canonical encoding, independent of
 * batching, threads, wall time and paths; identical runs have identical digests.
 * Each table's rows are hashed in the order written, in a stream of their own
 * (the per-table digests are kept in run_table), so that store_run_verify can
 * recompute the digest from the file alone. Encoding (all integers unsigned
 * LEB128 unless said):
 *   table stream = name, ncolumns, per column (name, type byte 1 int 2 real
 *                  3 text 4 blob), then every row as its values in column order
 *   value        = tag byte: 0 null | 1 int + zigzag LEB128 | 2 real + 8 bytes
 *                  little-endian IEEE-754 (-0.0 as +0.0; NaN is null, as SQLite
 *                  stores it) | 3 text + length + bytes | 4 blob + length + bytes
 *   string       = length + bytes
 *   keyed table  = (rt_table.key: stored WITHOUT ROWID, a set of rows in key
 *                  order whatever order they came in) the header part of its
 *                  stream followed by the sum, mod 2^256 little-endian, of
 *                  each row's SHA-256: order-free, as the file is
 *   run digest   = SHA-256 over the tables with rows, by name (bytewise): name,
 *                  row count, the table stream's 32-byte SHA-256
 * Only the run table holds wall-clock values; the records never do.
 *
 * Threads: one store is used from one thread (the writer thread is internal). */
#ifndef SUBNETSIM_STORE_H
#define SUBNETSIM_STORE_H

#include "core/core.h"
#include "runtime/rt.h"

struct sqlite3;

/* The schema this build writes; a file with a higher one is refused. */
#define STORE_SCHEMA_VERSION 2
/* PRAGMA application_id of every subnetsim database ("SNSM"). */
#define STORE_APPLICATION_ID 0x534e534d
#define STORE_DIGEST_HEX 65   /* 64 hex digits and a NUL */

typedef struct store store;

typedef enum {
    STORE_READ,   /* an existing database, read-only (an older schema is migrated first) */
    STORE_WRITE   /* created when absent or empty; migrated when older */
} store_mode;

/* How rows reach the disk. Batching never changes what is recorded or the
 * digest, only how much a kill can lose and how fast a run goes. */
typedef struct store_options {
    int64_t commit_rows;      /* rows per transaction at most (default 100000) */
    double commit_interval;   /* seconds a written row may wait for its commit (default 1) */
    bool synchronous;         /* insert on the caller's thread instead of a writer thread */
    size_t max_pending_bytes; /* encoded rows waiting for the writer before rt_record
                                 blocks (default 64 MiB) */
} store_options;

void store_options_default(store_options *o);

/* Open or create a database. On a file that is not a subnetsim database (not
 * SQLite, another program's SQLite, corrupt) the answer is ERR_INPUT "'path' is
 * not a subnetsim database (...)" and the file is left as it was; on one made by
 * a newer build, ERR_INPUT "... made by a newer subnetsim; schema N > M". A
 * missing file in STORE_READ mode is ERR_NOTFOUND. opts may be NULL (defaults).
 * The caller closes *out with store_close. */
int store_open(const char *path, store_mode mode, const store_options *opts, store **out,
               err *e);
/* Finish nothing: a run still open is left `incomplete`, as a kill would leave it
 * (rows written since the last commit are committed first). NULL is harmless. */
void store_close(store *s);
const char *store_path(const store *s);
/* The connection, for SQL measures (reports). Owned by the store; do not close
 * it, and do not use it between store_run_begin and store_run_finish: the
 * writer thread owns it then (the readers below answer ERR_INTERNAL). A report
 * of a run in progress opens the file with a store of its own. */
struct sqlite3 *store_db(store *s);

/* ------------------------------------------------------------ writing runs */

typedef struct store_param {
    const char *key;
    const char *value;
} store_param;

typedef struct store_run_info {
    const char *scenario_name;
    const char *scenario_text;   /* the scenario file as written (may be NULL) */
    const char *scenario_json;   /* the effective scenario, defaults applied (may be NULL) */
    uint64_t seed;               /* stored as its int64 bit pattern */
    const char *mode;            /* "virtual" or "live" */
    const char *version;         /* NULL: SUBNETSIM_VERSION */
    const store_param *params;   /* keys unique */
    size_t nparams;
} store_run_info;

typedef enum { STORE_INCOMPLETE, STORE_COMPLETE, STORE_FAILED } store_status;
const char *store_status_name(store_status st);   /* "incomplete", "complete", "failed" */

/* Start a run: its row is committed with status `incomplete` (and the run's
 * params) before this returns. One run at a time per store. */
int store_run_begin(store *s, const store_run_info *info, int64_t *run_id, err *e);

/* Record one row of t (vals has t->ncolumns entries typed as the columns say).
 * The table is created on first use. Errors are sticky: after one, every later
 * call returns it and store_run_finish reports it. Text NULL and NaN are stored
 * as NULL. */
int store_write(store *s, const rt_table *t, const rt_val *vals);
/* The sink to hand to the runtime (rt_virtual_opts.sink): store_write. */
rt_sink store_sink(store *s);
/* Commit everything written so far and wait for it. Not needed for safety:
 * the writer commits any row within commit_interval of its writing; this is
 * for knowing what a kill cannot lose (tests, a live runner's checkpoints). */
int store_flush(store *s, err *e);
/* The message of the sticky write error, or NULL when none. */
const char *store_write_error(const store *s);

/* End the run: commit the rest, build missing indexes, store the status
 * (STORE_COMPLETE, or STORE_FAILED with `error`), times and digest, and copy
 * the digest's hex into digest (may be NULL). If writing itself failed, the
 * run is stored as `failed` with that error and no digest (the file does not
 * hold every record), and that error is returned. */
int store_run_finish(store *s, store_status status, const char *error, double simulated_seconds,
                     double wall_seconds, char digest[STORE_DIGEST_HEX], err *e);

/* Create (or bring up to date) the tables of a NULL-ended list now, empty, so
 * that a file documents and answers for every table of its modules even when
 * a run writes no row to some (tables are otherwise made on first use). In
 * write mode, outside a run. */
int store_create_tables(store *s, const rt_table *const *tables, err *e);

/* Create (or replace) a view `view` listing every non-zero entry of the u16
 * vector column `column` of t, one row per entry: run_id, t's other columns,
 * then `index_name` (the entry's index: a uid) and `value`; t is created now if
 * absent. Call in write mode, outside a run. The vector format is
 * store_u16vec_encode's; the view shows the first STORE_VEC_MAX entries. */
int store_vector_view(store *s, const rt_table *t, const char *column, const char *view,
                      const char *index_name, err *e);

/* A u16 vector (weights, bonds: one value per uid) as a blob for a BLOB column:
 * two bytes per entry, big-endian, trailing zeros dropped. out holds 2n bytes;
 * returns the blob's length. At most STORE_VEC_MAX entries. */
#define STORE_VEC_MAX 4096
size_t store_u16vec_encode(const uint16_t *v, size_t n, uint8_t *out);
/* The inverse: fills v[0..n) (entries past the blob are 0); returns the number
 * of entries the blob held, or -1 if its length is odd or above n entries. */
long store_u16vec_decode(const void *blob, size_t len, uint16_t *v, size_t n);

/* ------------------------------------------------------------------ reading */

typedef struct store_run {
    int64_t id;
    char *scenario_name;
    uint64_t seed;
    char *mode, *version, *status;
    char *error;                 /* NULL unless failed */
    char *started_at, *finished_at;   /* UTC, ISO 8601; finished NULL while incomplete */
    double simulated_seconds, wall_seconds;   /* 0 while incomplete */
    char *digest;                /* NULL unless finished with every record */
    /* Filled by store_run_get only (NULL/0 from store_runs): */
    char *scenario_text, *scenario_json;
    store_param *params;         /* keys and values owned by this struct */
    size_t nparams;
} store_run;

/* Every run in the file, in id order; free with store_runs_free. */
int store_runs(store *s, store_run **out, size_t *n, err *e);
void store_runs_free(store_run *runs, size_t n);
/* One run with its scenario texts and params (ERR_NOTFOUND if absent); free
 * with store_run_free. */
int store_run_get(store *s, int64_t run_id, store_run *out, err *e);
void store_run_free(store_run *r);

/* Recompute a finished run's digest from the rows in the file and compare it
 * with the stored one: ERR_INPUT "... records differ from its digest" (naming
 * the first table that differs) when they do not match. digest (may be NULL)
 * receives the recomputed hex. */
int store_run_verify(store *s, int64_t run_id, char digest[STORE_DIGEST_HEX], err *e);

/* PRAGMA integrity_check: 0 when "ok", else ERR_INPUT with SQLite's findings. */
int store_check(store *s, err *e);

/* The README's table reference for this file: the store's own tables, every
 * record table with its columns and docs (from the registry), and the views. */
int store_describe_markdown(store *s, sbuf *out, err *e);

#endif
