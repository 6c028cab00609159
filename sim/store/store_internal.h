/* The store's private parts, shared by its files. */
#ifndef SUBNETSIM_STORE_INTERNAL_H
#define SUBNETSIM_STORE_INTERNAL_H

#include "store/store.h"

#include <pthread.h>
#include <sqlite3.h>

#define STORE_MAX_TABLES 256
/* SQLite allows 2000 columns by default; a record table needs far fewer. */
#define STORE_MAX_COLUMNS 500
/* Rows per multi-row INSERT: statement set-up (cursor, transaction checks,
 * reset) is paid once per this many rows. */
#define STORE_MANY 32

/* Canonical value tags (store.h), also the column type bytes of a table header. */
enum { ENC_NULL = 0, ENC_INT = 1, ENC_REAL = 2, ENC_TEXT = 3, ENC_BLOB = 4 };

/* One record table as this store writes it. `rows` is the caller's; the
 * writer side (digest, inserts) belongs to the writer thread during a run (or
 * to the caller when there is none); both are reset by store_run_begin. */
typedef struct store_slot {
    const rt_table *t;        /* the definition first seen; static in its module */
    int64_t rows;             /* this run's rows (caller) */
    sha256 digest;            /* this run's table stream (writer) */
    uint8_t set_sum[32];      /* keyed tables: the sum of their rows' hashes (writer) */
    sqlite3_stmt *insert;     /* one row */
    sqlite3_stmt *insert_many;/* `many` rows */
    int many;
    int nqueued;              /* rows of the writer's batch waiting for insert_many */
    const uint8_t *queued[STORE_MANY];
    bool prepared;            /* created or migrated in this file, registry written */
    int64_t bound_run;        /* the run_id bound to both inserts' ?1 */
} store_slot;

/* Encoded rows: [u32 slot][u32 length][canonical values] each. */
typedef struct store_buf {
    uint8_t *p;
    size_t len, cap;
    int64_t rows;
} store_buf;

struct store {
    sqlite3 *db;
    char *path;
    store_mode mode;
    store_options opt;

    store_slot slots[STORE_MAX_TABLES];
    int nslots;
    int last_slot;            /* the caller's lookup cache */

    bool in_run;
    int64_t run_id;

    /* Between the caller and the writer thread, under mu. */
    pthread_mutex_t mu;
    pthread_cond_t wake;      /* the writer waits on it */
    pthread_cond_t drained;   /* the caller waits on it (flush, back-pressure) */
    bool thread_on;
    pthread_t thread;
    store_buf pending;        /* rows written, not yet taken by the writer */
    double pending_since;     /* monotonic time of the oldest pending row */
    bool stop;
    uint64_t flush_req, flush_done;
    err werr;                 /* sticky write error (code 0: none) */
    int nsince_clock;         /* synchronous mode: rows since the clock was read */

    store_buf work;           /* the writer's batch */
    bool in_txn;
    int64_t txn_rows;
    int writer_nslots;        /* slots the writer has seen rows for (its own count) */
};

/* store.c */
int store__sqlerr(sqlite3 *db, int rc, err *e, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int store__exec(store *s, const char *sql, err *e);
const char *store__type_sql(rt_coltype t);
/* ERR_INTERNAL while a writer thread owns the connection (it is NOMUTEX). */
int store__idle(const store *s, err *e);

/* schema.c: the store's own tables and their migrations. */
int store__schema_version(sqlite3 *db, int *version, err *e);
int store__migrate(sqlite3 *db, const char *path, int from, err *e);
int store__own_tables(const rt_table *const **tables);

/* encode.c */
size_t store__varint(uint8_t *out, uint64_t v);
int store__unvarint(const uint8_t **p, const uint8_t *end, uint64_t *v);
int store__encode_row(const rt_table *t, const rt_val *vals, store_buf *b);
void store__hash_header(sha256 *h, const rt_table *t);
/* A keyed table's rows form a set: the file holds them in key order whatever
 * order they came in, so their digest is order-free. Each row's SHA-256 is
 * added (mod 2^256, little-endian) into sum; the table's digest is its header
 * stream followed by the sum. */
void store__set_add(uint8_t sum[32], const uint8_t *row, size_t n);
void store__hash_string(sha256 *h, const char *s, size_t n);
int store__buf_reserve(store_buf *b, size_t more);

/* table.c: record tables in the file. */
int store__check_table_def(const rt_table *t, err *e);
int store__prepare_slot(store *s, store_slot *sl, err *e);
/* Queue one encoded row (it must stay where it is until the slot is drained);
 * rows go in by `many` at a time, in the order queued. */
int store__queue_row(store *s, store_slot *sl, const uint8_t *row, err *e);
/* Insert what is still queued, one row at a time. */
int store__drain_slot(store *s, store_slot *sl, err *e);
/* Column docs under `owner` (a record table, or a view made from one). */
int store__register_columns(store *s, const char *owner, const rt_column *cols, int n, err *e);
/* Create or migrate a record table and register it (inside a transaction). */
int store__ensure_table(store *s, const rt_table *t, err *e);
/* Build every registered index that is missing (after a run's inserts). */
int store__create_indexes(store *s, err *e);
void store__finalize_slot(store_slot *sl);

/* writer.c */
int store__writer_start(store *s, err *e);
int store__writer_stop(store *s);   /* commits everything; returns the sticky error code */
int store__append(store *s, int slot, const rt_table *t, const rt_val *vals);

#endif
