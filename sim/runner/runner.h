/* runner: one scenario run, end to end. It opens the database, starts a run
 * row (`incomplete` until the end), builds the runtime, the chain and its actor,
 * registers the scenario's neurons (at genesis or at their register_at), lets
 * each family add its actors, runs the clock to the end, and finishes the run
 * with its digest. Data flows one way (DESIGN.md): everything the run does
 * reaches the database through rt records; nothing is reported from memory.
 *
 * Families plug in here without touching each other: a runner_family names its
 * scenario part and a setup hook that adds its actors. */
#ifndef SUBNETSIM_RUNNER_H
#define SUBNETSIM_RUNNER_H

#include "chain/chain.h"
#include "core/core.h"
#include "runtime/rt.h"
#include "scenario/scenario.h"
#include "store/store.h"

/* What a family's setup sees. Everything outlives the family's state. */
typedef struct runner_ctx {
    rt *r;
    chain *c;
    chain_actor *ca;
    const scenario *sc;
    rt_time block_time;
    rt_time end;                 /* the run's last instant */
} runner_ctx;

typedef struct runner_family {
    const char *name;
    const scenario_family *scenario;   /* its scenario part (scenario_core for the core) */
    /* Add the family's actors; *state is the family's (freed by teardown, also
     * after a failed setup). May be NULL. */
    int (*setup)(const runner_ctx *ctx, void **state, err *e);
    void (*teardown)(void *state);
    /* Optional: the clock reached the end; write the records still open
     * (aggregates of the last hour, ...). Runs before the run is finished,
     * only when the run succeeded. */
    int (*finish)(void *state, err *e);
} runner_family;

/* The families' scenario parts beside the core, for cli_families. */
extern const scenario_family runner_resi_scenario;

/* The families linked into this binary, the core first. */
extern const runner_family *const runner_families[];
extern const size_t runner_nfamilies;

/* Does a kind (a policy, a strategy) belong to this family's scenario part? */
bool runner_owns_kind(const runner_family *f, const scenario_kind *k);

/* A neuron's hotkey and coldkey, as the runner registers it. */
void runner_coldkey(const char *group_coldkey, const char *hotkey, char *out, size_t n);
/* The block a group's members register at (a time is rounded up to a block). */
uint64_t runner_register_block(const scenario_moment *m, rt_time block_time);

typedef struct runner_opts {
    const char *db_path;   /* NULL: runs/<name>-s<seed>.db, replacing an older file */
    bool quiet;            /* no progress bar */
    bool record_requests;  /* a `request` row per call between actors */
} runner_opts;

typedef struct runner_result {
    char db_path[4096];
    int64_t run_id;
    char digest[STORE_DIGEST_HEX];
    double simulated_seconds, wall_seconds;
    uint64_t events;
    uint64_t end_block;
} runner_result;

/* Run a loaded scenario. On failure the run row says `failed` with the message
 * (when the database could be opened) and e holds it. */
int runner_run(const scenario *sc, const runner_opts *o, runner_result *res, err *e);

#endif
