/* From rt_record to the disk. The caller's thread encodes each row into
 * `pending`; a writer thread takes pending as one batch when it holds
 * commit_rows rows, when its oldest row has waited commit_interval, on a flush,
 * or at the end, hashes each row into its table's digest and inserts it, in
 * transactions of at most commit_rows rows. The encoding is fixed when the row
 * is written and each table's rows are hashed in that order, so batching and
 * threads cannot change the digest. */
#include "store/store_internal.h"

#include <string.h>
#include <time.h>

#define ROW_HEAD 8   /* u32 slot, u32 encoded length */

static int txn(store *s, const char *sql, err *e)
{
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : store__sqlerr(s->db, rc, e, "%s: %s", s->path, sql);
}

/* Queued rows go in before a commit, and before their batch is reused. */
static int drain_all(store *s, err *e)
{
    int rc = 0;
    for (int i = 0; i < s->writer_nslots && !rc; i++)
        if (s->slots[i].nqueued)
            rc = store__drain_slot(s, &s->slots[i], e);
    return rc;
}

static int commit(store *s, err *e)
{
    int rc = drain_all(s, e);
    s->in_txn = false;
    s->txn_rows = 0;
    return rc ? rc : txn(s, "COMMIT", e);
}

/* Insert a batch. Runs on the writer thread (or the caller's, when synchronous). */
static int apply(store *s, store_buf *b, err *e)
{
    int rc = 0;
    for (size_t off = 0; off < b->len && !rc;) {
        uint32_t head[2];
        memcpy(head, b->p + off, sizeof head);
        store_slot *sl = &s->slots[head[0]];
        if ((int)head[0] >= s->writer_nslots)
            s->writer_nslots = (int)head[0] + 1;
        const uint8_t *row = b->p + off + ROW_HEAD;
        off += ROW_HEAD + head[1];
        if (!s->in_txn) {
            if ((rc = txn(s, "BEGIN IMMEDIATE", e)))
                break;
            s->in_txn = true;
        }
        if (!sl->prepared && (rc = store__prepare_slot(s, sl, e)))
            break;
        /* Hashed here, off the simulation's thread: the batch holds each
         * table's rows in the order written, which is all the digest needs. */
        if (sl->t->key)
            store__set_add(sl->set_sum, row, head[1]);
        else
            sha256_update(&sl->digest, row, head[1]);
        if ((rc = store__queue_row(s, sl, row, e)))
            break;
        if (++s->txn_rows >= s->opt.commit_rows)
            rc = commit(s, e);
    }
    if (!rc && s->in_txn)
        rc = commit(s, e);
    if (rc) {
        /* The rollback may undo a CREATE TABLE or ALTER TABLE: every table is
         * checked again before its next row. */
        for (int i = 0; i < s->writer_nslots; i++) {
            store__finalize_slot(&s->slots[i]);
            s->slots[i].prepared = false;
        }
        if (s->in_txn || sqlite3_get_autocommit(s->db) == 0)
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        s->in_txn = false;
        s->txn_rows = 0;
    }
    b->len = 0;
    b->rows = 0;
    return rc;
}

static bool due(const store *s)
{
    return s->pending.rows >= s->opt.commit_rows ||
           (s->pending.rows > 0 && clock_monotonic() - s->pending_since >= s->opt.commit_interval);
}

static struct timespec deadline(double monotonic_s)
{
    struct timespec ts;
    ts.tv_sec = (time_t)monotonic_s;
    ts.tv_nsec = (long)((monotonic_s - (double)ts.tv_sec) * 1e9);
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

static void *writer_main(void *arg)
{
    store *s = arg;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (!s->stop && s->flush_req == s->flush_done && !due(s)) {
            if (s->pending.rows) {
                struct timespec ts = deadline(s->pending_since + s->opt.commit_interval);
                pthread_cond_timedwait(&s->wake, &s->mu, &ts);
            } else {
                pthread_cond_wait(&s->wake, &s->mu);
            }
        }
        bool stopping = s->stop, failed = s->werr.code != 0;
        uint64_t target = s->flush_req;
        store_buf t = s->work;
        s->work = s->pending;
        s->pending = t;
        pthread_cond_broadcast(&s->drained);
        pthread_mutex_unlock(&s->mu);

        err e = {0};
        int rc = 0;
        if (failed) {
            s->work.len = 0;
            s->work.rows = 0;
        } else {
            rc = apply(s, &s->work, &e);
        }

        pthread_mutex_lock(&s->mu);
        if (rc && !s->werr.code)
            s->werr = e;
        s->flush_done = target;
        pthread_cond_broadcast(&s->drained);
        if (stopping && s->pending.rows == 0)
            break;
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

int store__writer_start(store *s, err *e)
{
    s->stop = false;
    s->flush_req = s->flush_done = 0;
    s->werr = (err){0};
    if (s->opt.synchronous)
        return 0;
    if (pthread_create(&s->thread, NULL, writer_main, s) != 0)
        return err_set(e, ERR_INTERNAL, "cannot start the store's writer thread");
    s->thread_on = true;
    return 0;
}

/* Synchronous mode: the caller inserts the pending rows itself. */
static int apply_inline(store *s)
{
    if (s->werr.code || !s->pending.rows)
        return s->werr.code;
    err e = {0};
    if (apply(s, &s->pending, &e))
        s->werr = e;
    return s->werr.code;
}

int store__writer_stop(store *s)
{
    if (!s->thread_on)
        return apply_inline(s);
    pthread_mutex_lock(&s->mu);
    s->stop = true;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
    s->thread_on = false;
    return s->werr.code;
}

int store_flush(store *s, err *e)
{
    if (!s->in_run)
        return 0;
    int code;
    if (s->thread_on) {
        pthread_mutex_lock(&s->mu);
        uint64_t req = ++s->flush_req;
        pthread_cond_signal(&s->wake);
        while (s->flush_done < req)
            pthread_cond_wait(&s->drained, &s->mu);
        code = s->werr.code;
        pthread_mutex_unlock(&s->mu);
    } else {
        code = apply_inline(s);
    }
    if (code && e)
        *e = s->werr;
    return code;
}

const char *store_write_error(const store *s) { return s->werr.code ? s->werr.msg : NULL; }

/* Synchronous mode reads the clock every 64 rows only: it costs as much as a row. */
static bool inline_due(store *s)
{
    if (s->pending.rows >= s->opt.commit_rows)
        return true;
    if (++s->nsince_clock < 64)
        return false;
    s->nsince_clock = 0;
    return due(s);
}

static int encode_failed(store *s, const rt_table *t, int rc)
{
    err_set(&s->werr, rc, "%s: record table '%s': %s", s->path, t->name,
            rc == ERR_NOMEM  ? "out of memory"
            : rc == ERR_INPUT ? "a value is longer than SQLite stores (1e9 bytes)"
                              : "a blob value with a NULL pointer");
    return rc;
}

int store__append(store *s, int slot, const rt_table *t, const rt_val *vals)
{
    pthread_mutex_lock(&s->mu);
    while (s->thread_on && !s->werr.code && s->pending.len >= s->opt.max_pending_bytes) {
        pthread_cond_signal(&s->wake);
        pthread_cond_wait(&s->drained, &s->mu);
    }
    int rc = s->werr.code;
    store_buf *b = &s->pending;
    size_t start = b->len;
    if (!rc && store__buf_reserve(b, ROW_HEAD))
        rc = encode_failed(s, t, ERR_NOMEM);
    if (!rc) {
        b->len += ROW_HEAD;
        int erc = store__encode_row(t, vals, b);
        if (erc) {
            b->len = start;
            rc = encode_failed(s, t, erc);
        }
    }
    if (!rc) {
        uint32_t head[2] = {(uint32_t)slot, (uint32_t)(b->len - start - ROW_HEAD)};
        memcpy(b->p + start, head, sizeof head);
        s->slots[slot].rows++;
        if (b->rows++ == 0)
            s->pending_since = clock_monotonic();
        /* The first row starts the writer's interval clock (an idle writer
         * waits without a timeout); a full batch ends its wait. */
        if (s->thread_on && (b->rows == 1 || b->rows == s->opt.commit_rows))
            pthread_cond_signal(&s->wake);
    }
    pthread_mutex_unlock(&s->mu);
    if (!rc && !s->thread_on && inline_due(s))
        rc = apply_inline(s);
    return rc;
}
