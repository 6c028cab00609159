/* weights: the validators of the `weights` scenario family (the Core issue's
 * classic Yuma cases). A validator wakes one block after each epoch of its
 * subnet, reads the metagraph, and sets the weights its policy gives for the
 * next epoch: scripted schedules, honest (miners' true quality plus noise),
 * copier (last epoch's consensus), lazy (every few epochs, possibly late), and
 * deviate (honest but for given epochs). Under commit-reveal it commits at each
 * turn and reveals the previous commit first, so its weights count one epoch
 * later than they would in the open.
 *
 * "Weights for epoch e" are what the e-th epoch of the subnet (0-based) reads
 * when commit-reveal is off. */
#ifndef SUBNETSIM_VALIDATOR_WEIGHTS_H
#define SUBNETSIM_VALIDATOR_WEIGHTS_H

#include "core/core.h"
#include "net/protocol.h"
#include "runtime/rt.h"
#include "scenario/scenario.h"

/* The miners' true qualities, per epoch, shared by a run's validators. */
typedef struct weights_truth weights_truth;

int weights_truth_new(const scenario *sc, weights_truth **out);
void weights_truth_free(weights_truth *t);
/* The index of a miner by hotkey (miners of every group, in file order), or -1. */
long weights_truth_find(const weights_truth *t, const char *hotkey);
/* Every miner's quality at an epoch (valid until the next call). */
const double *weights_truth_at(weights_truth *t, int64_t epoch);

typedef struct weights_validator_cfg {
    const char *hotkey;                 /* its actor name; copied */
    uint16_t netuid;
    rt_actor chain;                     /* the chain actor */
    rt_time block_time;
    uint64_t first_block;               /* first block it may set weights in */
    const scenario *sc;                 /* targets; outlives it */
    weights_truth *truth;               /* shared; outlives it */
    const scenario_variant *policy;     /* slot "validator.policy"; outlives it */
} weights_validator_cfg;

typedef struct weights_validator weights_validator;

int weights_validator_new(rt *r, const weights_validator_cfg *cfg, weights_validator **out, err *e);
void weights_validator_free(weights_validator *v);

/* What a policy sees besides the metagraph. */
typedef struct weights_ctx {
    const scenario *sc;
    weights_truth *truth;
    /* the metagraph's miners (uids weights_truth_find knows), by increasing uid */
    const uint16_t *miner_uid;     /* their uids */
    const int32_t *miner_truth;    /* their weights_truth indices */
    size_t miners;
    int self_uid;                  /* the validator's own uid, or -1 */
    double *w;                     /* scratch for n weights (the caller's) */
    bool *named;                   /* scratch for n flags (the caller's) */
    double *z;                     /* scratch for n noise draws (the caller's) */
} weights_ctx;

/* What a policy sets this turn (pure: exposed for tests). uids/values have room
 * for mg->n entries; *n is set to the entries written, sorted by uid, values
 * max-upscaled to 65535. Returns 0 and *act = false when the policy sets nothing
 * this epoch (lazy between turns, scripted before its first step, a copier
 * before there is anything to copy). */
int weights_policy(const weights_ctx *c, const scenario_variant *policy,
                   const proto_chain_metagraph *mg, uint64_t epoch, rng *r, uint16_t *uids,
                   uint16_t *values, size_t *n, bool *act, err *e);

#endif
