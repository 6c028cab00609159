/* core: errors, logging, random streams, the event queue, digests, progress bar,
 * growable arrays and string buffers: what every other module stands on.
 *
 * Errors are values (CONVENTIONS.md): a function returns 0 or a negative ERR_*
 * code and, when handed an `err`, fills its message. Only main() exits. */
#ifndef SUBNETSIM_CORE_H
#define SUBNETSIM_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define SUBNETSIM_VERSION "0.1.0"

/* 128-bit integers for fixed-point products (GCC and Clang; __extension__ keeps
 * -Wpedantic quiet about a type ISO C lacks). */
__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

/* ---------------------------------------------------------------- errors */

enum {
    ERR_OK = 0,
    ERR_NOMEM = -1,      /* allocation failed */
    ERR_INPUT = -2,      /* bad user input: scenario, command line, database, message */
    ERR_IO = -3,         /* a file or socket could not be read or written */
    ERR_NOTFOUND = -4,   /* a named thing does not exist */
    ERR_TIMEOUT = -5,    /* a request outlived its timeout */
    ERR_CANCELED = -6,   /* the operation was canceled (shutdown, actor stopped) */
    ERR_DB = -7,         /* SQLite refused */
    ERR_DEPENDENCY = -8, /* a run-time dependency is missing (gnuplot) */
    ERR_EXTERNAL = -9,   /* an external program failed (gnuplot's own error) */
    ERR_REFUSED = -10,   /* the peer is down or refused the connection */
    ERR_PROTOCOL = -11,  /* a peer answered with something malformed */
    ERR_BUSY = -12,      /* rate limited, quota spent or queue full */
    ERR_INTERNAL = -13   /* a broken invariant: a bug in subnetsim */
};

#define ERR_MSG_MAX 1024

typedef struct err {
    int code;
    char msg[ERR_MSG_MAX];
} err;

/* Fill `e` (may be NULL) with code and a printf-style message; returns code so a
 * caller can write `return err_set(e, ERR_INPUT, "...")`. */
int err_set(err *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Put "context: " in front of the message already in `e`; returns e->code. */
int err_prefix(err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Make e's message one line: control characters from the input (a key with a
 * newline in it, a --set from a script) become escapes (\n, \xNN). Every
 * reader of user input calls this before its error reaches the user. */
void err_oneline(err *e);
/* A short name for a code: "input", "timeout", ... */
const char *err_name(int code);
/* The process exit status for a code: 0 ok, 2 bad input or missing dependency,
 * 3 external program failed, 4 anything else. */
int err_exit_status(int code);

/* --------------------------------------------------------------- logging */

typedef enum { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG } log_level;

/* The only global mutable state allowed (CONVENTIONS.md). */
void log_set_level(log_level level);
log_level log_get_level(void);
void log_msg(log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/* ---------------------------------------------------------- random streams */

/* xoshiro256** seeded through splitmix64. A stream is derived from (seed, actor
 * key, purpose) so that adding an actor never shifts another actor's draws. */
typedef struct rng {
    uint64_t s[4];
} rng;

uint64_t hash64_str(const char *s);              /* FNV-1a then a splitmix finaliser */
uint64_t hash64_mix(uint64_t a, uint64_t b);     /* order-dependent combination */
void rng_seed(rng *r, uint64_t seed);
void rng_stream(rng *r, uint64_t seed, const char *actor, const char *purpose);
uint64_t rng_u64(rng *r);
double rng_uniform(rng *r);                      /* [0, 1) with 53 random bits */
uint64_t rng_below(rng *r, uint64_t n);          /* [0, n), unbiased; n > 0 */
bool rng_chance(rng *r, double p);
double rng_normal(rng *r, double mean, double sd);
void rng_normal_fill(rng *r, double mean, double sd, double *out, size_t n); /* n rng_normal draws */
double rng_exponential(rng *r, double mean);
double rng_lognormal(rng *r, double median, double sigma);
uint64_t rng_poisson(rng *r, double lambda);
void rng_shuffle_u32(rng *r, uint32_t *a, size_t n);

/* ------------------------------------------------------------ event queue */

/* A min-heap of events ordered by (time, sequence): simultaneous events run in
 * the order they were scheduled, which makes a run a pure function of its inputs. */
typedef void (*evq_cb)(void *arg);

typedef struct evq_event {
    int64_t time;
    uint64_t seq;
    evq_cb cb;
    void *arg;
} evq_event;

/* Cancellation is the caller's: it marks its own object and the callback returns
 * early (the runtime's timers do this), which keeps the heap small and simple. */
typedef struct evq {
    evq_event *heap;
    size_t len, cap;
    uint64_t next_seq;
} evq;

void evq_init(evq *q);
void evq_free(evq *q);
/* Schedule cb(arg) at time. Returns 0 or ERR_NOMEM. */
int evq_push(evq *q, int64_t time, evq_cb cb, void *arg);
/* Pop the earliest event into *ev; false when the queue is empty. */
bool evq_pop(evq *q, evq_event *ev);
bool evq_peek_time(const evq *q, int64_t *time);
size_t evq_len(const evq *q);

/* ---------------------------------------------------------------- digest */

/* SHA-256: the run digest over every record, in canonical encoding. */
typedef struct sha256 {
    uint32_t h[8];
    uint64_t len;
    uint8_t buf[64];
    size_t nbuf;
} sha256;

void sha256_init(sha256 *c);
void sha256_update(sha256 *c, const void *data, size_t n);
void sha256_final(sha256 *c, uint8_t out[32]);
void sha256_hex(const uint8_t d[32], char out[65]);
/* True when SHA-256 runs on the CPU's SHA extensions (same results; set
 * SUBNETSIM_NO_SHANI in the environment to use the portable code). */
bool sha256_accelerated(void);
/* The compression function over nblocks 64-byte blocks, on the accelerated path
 * when there is one, or the portable one when asked (tests hold them equal). */
void sha256_compress(uint32_t h[8], const uint8_t *p, size_t nblocks, bool portable);

/* ----------------------------------------------------------- progress bar */

/* Draws on stderr when it is a terminal and quiet is false; silent otherwise.
 * Redraws at most ten times a second, so calling it in a hot loop is cheap. */
typedef struct progress {
    bool on;
    const char *label;
    double total;
    double last_draw;   /* monotonic seconds */
    double started;
    int last_width;
} progress;

void progress_start(progress *p, const char *label, double total, bool quiet);
void progress_update(progress *p, double done);
void progress_finish(progress *p);
double clock_monotonic(void);   /* seconds */
double clock_wall(void);        /* seconds since the epoch */

/* --------------------------------------------------- arrays and buffers */

/* A growable array of any element type: `VEC(double) xs = {0}; VEC_PUSH(&xs, 1.0)`.
 * VEC_PUSH evaluates to 0 or ERR_NOMEM. */
#define VEC(T) struct { T *v; size_t len, cap; }
int vec_grow_(void **v, size_t *cap, size_t need, size_t elem);
#define VEC_RESERVE(a, n) vec_grow_((void **)&(a)->v, &(a)->cap, (n), sizeof(*(a)->v))
#define VEC_PUSH(a, x) \
    (VEC_RESERVE((a), (a)->len + 1) ? ERR_NOMEM : ((a)->v[(a)->len++] = (x), 0))
#define VEC_FREE(a) do { free((a)->v); (a)->v = NULL; (a)->len = (a)->cap = 0; } while (0)

/* An intrusive doubly linked list of structs with `prev` and `next` pointers,
 * the list being a pointer to its first element (NULL when empty): the
 * records in flight an actor must free when it stops. */
#define DLIST_PUSH(head, x)                                                    \
    do {                                                                       \
        (x)->prev = NULL;                                                      \
        (x)->next = *(head);                                                   \
        if (*(head))                                                           \
            (*(head))->prev = (x);                                             \
        *(head) = (x);                                                         \
    } while (0)
#define DLIST_UNLINK(head, x)                                                  \
    do {                                                                       \
        if ((x)->prev)                                                         \
            (x)->prev->next = (x)->next;                                       \
        else                                                                   \
            *(head) = (x)->next;                                               \
        if ((x)->next)                                                         \
            (x)->next->prev = (x)->prev;                                       \
    } while (0)

/* A growable NUL-terminated string. */
typedef struct sbuf {
    char *s;
    size_t len, cap;
    bool oom;   /* sticky: set once an append failed */
} sbuf;

void sbuf_init(sbuf *b);
void sbuf_free(sbuf *b);
int sbuf_add(sbuf *b, const char *s, size_t n);
int sbuf_puts(sbuf *b, const char *s);
int sbuf_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int sbuf_vprintf(sbuf *b, const char *fmt, va_list ap);
/* Hand the string to the caller (who frees it) and reset the buffer. */
char *sbuf_take(sbuf *b);

/* ------------------------------------------------------------------ files */

/* Read a whole file, at most max_bytes (ERR_INPUT beyond). Caller frees *out. */
int file_read(const char *path, size_t max_bytes, char **out, size_t *len, err *e);
/* Write atomically: to path.tmp-PID, fsync, rename. */
int file_write_atomic(const char *path, const void *data, size_t len, err *e);
/* mkdir -p */
int dir_make(const char *path, err *e);

/* ---------------------------------------------------------- durations */

/* Parse "250ms", "90s", "5m", "24h", "30d" (also "us", "w"; a decimal number
 * before the unit) into microseconds. A bare number is refused: seconds,
 * blocks or milliseconds would be a guess. Returns 0 or ERR_INPUT. */
int duration_parse(const char *s, int64_t *out_us, err *e);
/* Format microseconds as the shortest exact form: "5m", "1500ms". */
void duration_format(int64_t us, char *out, size_t n);

#endif
