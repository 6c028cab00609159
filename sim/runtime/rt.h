/* rt: the runtime interface that chain, miner and validator code is written
 * against (DESIGN.md, "One model, two clocks"). Two runtimes implement it: the
 * virtual-time runtime (rt_virtual_new, a discrete-event loop: the default) and,
 * later, the live runtime (real processes, libuv, HTTP on loopback). Model code
 * never asks which one it runs on.
 *
 * Model code sees: the clock, timers, actors that answer requests, request/reply
 * with a timeout, a random stream per actor and purpose, and records.
 *
 * Promises (after libuv's): a function that takes a callback and returns an
 * error never calls that callback; one that returns 0 calls it exactly once
 * (rt_call's reply callback: with a reply, a transport error, or a timeout),
 * unless the call is cancelled with rt_call_cancel or the run ends first. */
#ifndef SUBNETSIM_RT_H
#define SUBNETSIM_RT_H

#include "core/core.h"

typedef struct rt rt;
typedef int64_t rt_time;      /* microseconds since the run started */
typedef uint32_t rt_actor;    /* dense actor id, from 0 in order of rt_actor_add */
#define RT_NO_ACTOR UINT32_MAX

#define RT_MS(x) ((rt_time)(x) * 1000)
#define RT_SEC(x) ((rt_time)(x) * 1000000)
#define RT_MIN(x) ((rt_time)(x) * 60000000)
#define RT_HOUR(x) ((rt_time)(x) * 3600000000LL)

/* ------------------------------------------------------------ messages */

/* A message between actors. In virtual time the body pointer travels as it is;
 * the live runtime encodes it with the protocol codecs of sim/net/protocol.h.
 * Once handed to rt_call or rt_reply the message belongs to the runtime, which
 * releases body with free_body (free() when NULL) after delivery. */
typedef struct rt_msg {
    int type;                   /* a protocol message type */
    void *body;
    void (*free_body)(void *);
    size_t wire_bytes;          /* its size on the wire, for the link model */
} rt_msg;

/* Transport results, for the reply callback's `result` (else 0):
 * ERR_TIMEOUT (no answer within the timeout), ERR_REFUSED (the target is down or
 * unknown), ERR_PROTOCOL (the answer could not be decoded: malformed). */

/* Application status of a reply, HTTP-like so live mode maps 1:1. */
enum {
    RT_OK = 200,
    RT_BAD_REQUEST = 400,
    RT_NOT_FOUND = 404,
    RT_TOO_MANY = 429,
    RT_SERVER_ERROR = 500,
    RT_UNAVAILABLE = 503
};

typedef struct rt_request rt_request;   /* a request being served */

/* reply: valid only during the callback (the runtime frees it after); NULL when
 * result is not 0 or the answer carried no message (a bare error status). */
typedef void (*rt_reply_cb)(void *arg, int result, int status, const rt_msg *reply);

/* ------------------------------------------------------------- actors */

typedef struct rt_actor_def {
    const char *kind;   /* "chain", "validator", "miner", "api", "store", ... */
    /* Serve a request: answer now or later with rt_reply (exactly once), or
     * never (a hung server: the caller's timeout fires). msg is valid until
     * rt_reply is called for req. NULL: the actor serves nothing, and requests
     * to it are refused (ERR_REFUSED), as to a stopped one. */
    void (*on_request)(void *self, rt_request *req, const rt_msg *msg);
    /* Optional: the actor is stopped (crash) or started again (restart); a model
     * that "loses all state on restart" clears it here. */
    void (*on_stop)(void *self);
    void (*on_start)(void *self);
} rt_actor_def;

/* Add an actor before rt_run. `name` is unique and stable (a hotkey): random
 * streams and records key on it. def and self must outlive the run. */
int rt_actor_add(rt *r, const char *name, const rt_actor_def *def, void *self, rt_actor *out);
const char *rt_actor_name(const rt *r, rt_actor a);
rt_actor rt_actor_find(const rt *r, const char *name);  /* RT_NO_ACTOR if none */
size_t rt_actor_count(const rt *r);
bool rt_actor_up(const rt *r, rt_actor a);
/* Stop or start an actor (faults, restarts). A stopped actor's timers are
 * cancelled, its pending requests fail with ERR_REFUSED, and requests to it are
 * refused until it starts again. */
void rt_actor_stop(rt *r, rt_actor a);
void rt_actor_start(rt *r, rt_actor a);

/* ---------------------------------------------------------------- clock */

rt_time rt_now(const rt *r);
uint64_t rt_seed(const rt *r);

/* ---------------------------------------------------------------- timers */

typedef void (*rt_timer_cb)(void *arg);
typedef uint64_t rt_timer;   /* 0 = none */

/* Call cb(arg) after delay (>= 0) on behalf of owner. Returns 0 and sets *out
 * (may be NULL), or an error and never calls cb. */
int rt_timer_start(rt *r, rt_actor owner, rt_time delay, rt_timer_cb cb, void *arg, rt_timer *out);
/* Cancel a pending timer; harmless when it already ran or was cancelled. */
void rt_timer_stop(rt *r, rt_timer t);

/* -------------------------------------------------------- request/reply */

typedef uint64_t rt_call_id;

typedef struct rt_call_opts {
    rt_time timeout;     /* 0: no timeout */
    const char *kind;    /* endpoint name for records and faults: "index", "bucket" */
    int attempt;         /* 1 for a first try; retries count up (for records) */
} rt_call_opts;

/* Send msg from one actor to another. On 0, cb runs exactly once later (never
 * before rt_call returns). On error cb never runs and msg is released. */
int rt_call(rt *r, rt_actor from, rt_actor to, rt_msg msg, const rt_call_opts *opts,
            rt_reply_cb cb, void *arg, rt_call_id *out);
/* Inside a reply callback: take the reply's body so it outlives the callback.
 * The caller then owns it (release it with the message's free_body, or free()
 * when that is NULL). */
void *rt_take_body(const rt_msg *reply);
/* Forget a call: its callback will not run. */
void rt_call_cancel(rt *r, rt_call_id id);
/* Answer a request (exactly once per request). The reply's body belongs to the
 * runtime from here. */
void rt_reply(rt *r, rt_request *req, int status, rt_msg reply);
rt_actor rt_request_from(const rt_request *req);

/* ------------------------------------------------------------ randomness */

/* A stream for (the run's seed, actor name, purpose): adding an actor never
 * changes another's draws. The rng is the caller's to keep. */
void rt_rng(const rt *r, const char *actor, const char *purpose, rng *out);

/* --------------------------------------------------------------- records */

/* A record table: the store creates it (with a leading run_id column) and the
 * run digest covers every row in the order written. Families define their own
 * tables next to their code; the store needs no change for a new one. */
typedef enum { RT_COL_INT, RT_COL_REAL, RT_COL_TEXT, RT_COL_BLOB } rt_coltype;

typedef struct rt_column {
    const char *name;
    rt_coltype type;
    const char *doc;    /* one line for README's table reference */
} rt_column;

typedef struct rt_table {
    const char *name;
    const char *doc;
    const rt_column *columns;   /* run_id excluded: the store adds it first */
    int ncolumns;
    const char *const *indexes; /* "col1, col2" lists for CREATE INDEX; NULL-ended, or NULL */
    /* Optional: the columns (after run_id) that identify a row. The table is then
     * stored clustered on (run_id, key) WITHOUT ROWID: no separate index for
     * lookups by it, cheapest when rows arrive in key order. Rows must be unique
     * on it. */
    const char *key;
} rt_table;

typedef struct rt_val {
    bool null;
    union {
        int64_t i;
        double d;
        const char *s;
        struct { const void *p; size_t n; } b;
    } u;
} rt_val;

#define RT_I(x) ((rt_val){.u.i = (int64_t)(x)})
#define RT_D(x) ((rt_val){.u.d = (double)(x)})
#define RT_S(x) ((rt_val){.u.s = (x)})
#define RT_B(p_, n_) ((rt_val){.u.b = {(p_), (n_)}})
#define RT_NULL ((rt_val){.null = true})

/* Write one row (vals has t->ncolumns entries, typed as the columns say). Rows
 * are batched; a failure is sticky and ends the run with an error. */
int rt_record(rt *r, const rt_table *t, const rt_val *vals);

/* Where records go: the store implements this; tests may collect in memory. */
typedef struct rt_sink {
    void *ctx;
    int (*write)(void *ctx, const rt_table *t, const rt_val *vals);
} rt_sink;

/* ------------------------------------------------------------ the run */

/* Transport faults of an actor as a server, applied before its handler sees a
 * request (the scenario's `faults` schedule sets and clears them): answer with
 * error_status, hang (never answer), answer malformed (ERR_PROTOCOL at the
 * caller), or answer late. Probabilities are per request. */
typedef struct rt_fault {
    double p_error;
    int error_status;        /* default RT_SERVER_ERROR */
    double p_hang;
    double p_malformed;
    rt_time extra_delay;
} rt_fault;

/* Set (or with f NULL, clear) an actor's faults; recorded in the `fault` table. */
int rt_fault_set(rt *r, rt_actor target, const rt_fault *f);

/* ------------------------------------------------------ the runner's side */

struct net_model;

typedef struct rt_virtual_opts {
    uint64_t seed;
    rt_sink sink;                    /* where records go; sink.write NULL = nowhere */
    const struct net_model *net;     /* NULL: net_model_default() */
    bool record_requests;            /* a `request` row per call */
} rt_virtual_opts;

int rt_virtual_new(const rt_virtual_opts *o, rt **out, err *e);
/* Process events up to and including time `until`, or until rt_stop/rt_fail.
 * Returns 0, the code given to rt_stop, or the error given to rt_fail (in e). */
int rt_run(rt *r, rt_time until, err *e);
/* Free the runtime: pending calls and timers are dropped without callbacks. */
void rt_free(rt *r);
/* Events processed so far (for benchmarks and progress). */
uint64_t rt_events(const rt *r);

/* Stop the run at the next event (from inside a callback); rt_run returns code. */
void rt_stop(rt *r, int code);
/* A failure inside a callback that must end the run: sets the run's error. */
void rt_fail(rt *r, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
