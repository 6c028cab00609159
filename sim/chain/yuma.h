/* yuma: the Yuma Consensus epoch of one subnet, as a pure function from the
 * chain state it reads to the values the chain stores.
 *
 * Exactness is the default: every step emulates subtensor's fixed-point
 * arithmetic (substrate-fixed I32F32 / I64F64 / I96F32: products and conversions
 * floor, quotients truncate, safe_div of x/0 is 0, the Taylor-series exp of
 * substrate_fixed::transcendental), so the u16 outputs are the chain's bit for
 * bit and emissions match to the rao. Reference: opentensor/subtensor
 * pallets/subtensor/src/epoch/run_epoch.rs (epoch_mechanism, sparse path) and
 * epoch/math.rs, the version SPEC.md §1.4 names; see sim/chain/yuma.c for the
 * step-by-step map and for where this code knowingly differs.
 *
 * Use:
 *     yuma_ws *ws = yuma_ws_new();
 *     yuma_params p; yuma_params_default(&p);
 *     const yuma_output *out;
 *     if (yuma_epoch(ws, &p, &in, &out, &e)) ...;   // out valid until the next call
 *     yuma_ws_free(ws);
 * A workspace grows to the largest subnet it has seen and then allocates
 * nothing: repeated epochs of one subnet are allocation-free. One workspace
 * per thread; workspaces share nothing. */
#ifndef SUBNETSIM_YUMA_H
#define SUBNETSIM_YUMA_H

#include "core/core.h"

#include <stdbool.h>
#include <stdint.h>

/* The chain refuses subnets larger than this (MaxAllowedUids is a u16). */
#define YUMA_MAX_UIDS 65535u

/* Hyperparameters, in the units the chain stores them. Defaults from
 * yuma_params_default (SPEC.md §1.4, subtensor's defaults for new subnets). */
typedef struct yuma_params {
    uint16_t kappa;                 /* Kappa, fraction of 65535: 32767 */
    uint64_t bonds_moving_average;  /* BondsMovingAverage, fraction of 1e6: 900000 */
    uint16_t bonds_penalty;         /* BondsPenalty, fraction of 65535: 65535 */
    bool yuma3;                     /* Yuma3On: true */
    bool liquid_alpha;              /* LiquidAlphaOn: false */
    uint16_t alpha_low;             /* AlphaValues.0, fraction of 65535: 45875 */
    uint16_t alpha_high;            /* AlphaValues.1: 58982 */
    int16_t alpha_sigmoid_steepness;/* AlphaSigmoidSteepness: 1000 */
    uint64_t activity_cutoff;       /* ActivityCutoff, blocks: 5000 */
    uint16_t max_allowed_validators;/* MaxAllowedValidators: 64 */
    uint16_t tempo;                 /* Tempo, blocks: 360 */
    uint64_t stake_threshold;       /* StakeThreshold, rao: stake below it counts as 0: 0 */
    int32_t owner_uid;              /* the subnet owner's uid, whose self-weight is
                                       kept; -1 (default) for none */
    /* Liquid alpha only: compute the per-bond sigmoid with libm exp instead of
     * the chain's fixed-point Taylor series. Not exact (the bound on the
     * difference it makes is measured in tests/bench/RESULTS.md), and no
     * longer faster: the exact default is vectorised and this is not (dense
     * subnets run it about 3x slower). Kept so that earlier runs made with it
     * can be reproduced. Default false. */
    bool fast_sigmoid;
} yuma_params;

void yuma_params_default(yuma_params *p);

/* A sparse n x n matrix of u16, row by row: row i holds the entries
 * col[row_start[i] .. row_start[i+1]) with their val. Columns in a row must be
 * strictly increasing and < n. Explicit zeros are entries like any other: the
 * chain keeps them, and where a bond's EMA follows only the columns a validator
 * weighted (Yuma 3 with liquid alpha) a zero weight and a missing one differ. */
typedef struct yuma_csr {
    const uint32_t *row_start;  /* n + 1 offsets, row_start[0] = 0 */
    const uint16_t *col;
    const uint16_t *val;
} yuma_csr;

/* The state of one subnet at its epoch; arrays are indexed by uid, length n.
 * Borrowed for the duration of the call only. */
typedef struct yuma_input {
    uint32_t n;                     /* uids 0..n-1 (1..YUMA_MAX_UIDS) */
    uint64_t block;                 /* current block */
    /* LastMechanismStepBlock: the block of the previous epoch, 0 for none. Bonds
     * to uids registered at or after (last_epoch_block + 1) are dropped, or
     * after (block - tempo) when it is 0. */
    uint64_t last_epoch_block;
    uint64_t emission;              /* rao to distribute this epoch */
    const uint64_t *stake;          /* stake weight in rao (sum < 2^63) */
    const uint64_t *last_update;    /* LastUpdate: block of the uid's last weights */
    const uint64_t *registered_at;  /* BlockAtRegistration */
    const bool *validator_permit;   /* ValidatorPermit from the previous epoch */
    yuma_csr weights;               /* Weights as stored (row-max-upscaled u16) */
    yuma_csr bonds;                 /* Bonds as stored */
    /* Optional, NULL when commit-reveal is off: per uid, the block of its
     * earliest commit that has neither been revealed nor expired (UINT64_MAX for
     * none). Weights from such a uid to uids registered after that block are
     * dropped, as the chain does with commit-reveal on. */
    const uint64_t *commit_block;
} yuma_input;

/* What the epoch stores, per uid, exactly as the chain stores it. Owned by the
 * workspace; valid until the next yuma_epoch on it or yuma_ws_free. */
typedef struct yuma_output {
    uint32_t n;
    const bool *active;             /* Active: last_update + activity_cutoff >= block */
    const bool *validator_permit;   /* ValidatorPermit for the next epoch */
    const uint16_t *stake_weight;   /* StakeWeight: normalised stake */
    const uint16_t *rank;           /* Rank (= incentive before storage) */
    const uint16_t *trust;          /* Trust: clipped / unclipped stake-weighted rank */
    const uint16_t *consensus;      /* Consensus */
    const uint16_t *incentive;      /* Incentive */
    const uint16_t *dividends;      /* Dividends */
    const uint16_t *validator_trust;/* ValidatorTrust */
    const uint64_t *server_emission;    /* rao to the uid as a miner */
    const uint64_t *validator_emission; /* rao to the uid as a validator */
    const uint64_t *emission;       /* Emission: combined, what pruning reads */
    /* Bonds for the next epoch, in the yuma_csr layout: a uid with the new
     * permit keeps its EMA row, every other uid's row is empty. */
    yuma_csr bonds;
    uint32_t bonds_nnz;
} yuma_output;

typedef struct yuma_ws yuma_ws;

/* NULL when out of memory. */
yuma_ws *yuma_ws_new(void);
void yuma_ws_free(yuma_ws *ws);

/* Run one epoch. Returns 0, ERR_INPUT (malformed input: sizes, unsorted or
 * out-of-range columns, a stake sum >= 2^63; e says which) or ERR_NOMEM. */
int yuma_epoch(yuma_ws *ws, const yuma_params *p, const yuma_input *in,
               const yuma_output **out, err *e);

#endif
