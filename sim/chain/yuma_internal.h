/* yuma_internal: what sim/chain/yuma*.c share (private to them and their
 * tests): the workspace and the numeric kernels. */
#ifndef SUBNETSIM_YUMA_INTERNAL_H
#define SUBNETSIM_YUMA_INTERNAL_H

#include "chain/yuma.h"
#include "chain/yuma_fixed.h"

/* A sparse matrix being worked on: rows of (column, I32F32), columns strictly
 * increasing within a row, the layout of the chain's Vec<Vec<(u16, I32F32)>>. */
typedef struct ymat {
    uint32_t *row;      /* n + 1 */
    uint16_t *col;
    fx *val;
    size_t cap;         /* entries allocated */
} ymat;

/* The core that computed an epoch: the reference (yuma_ref.c), the sparse
 * fast core (yuma_fast*.c) or the dense one (yuma_dense*.c). */
enum yuma_core { YUMA_CORE_REFERENCE, YUMA_CORE_SPARSE, YUMA_CORE_DENSE };

struct yuma_ws {
    uint32_t n_cap;
    size_t nnz_cap;     /* capacity of every ymat below */

    /* per uid */
    bool *active, *permit;
    fx *stake, *active_stake;
    fx *consensus, *vtrust, *ranks, *preranks, *trust, *incentive, *dividends;
    fx *col_acc;        /* column sums, maxima */
    uint64_t *keys;     /* top-k selection */
    uint16_t *o_stake, *o_rank, *o_trust, *o_consensus, *o_incentive, *o_dividends,
        *o_vtrust;
    uint64_t *o_server, *o_validator, *o_emission;

    /* the stake-weighted median: columns of the rows with active stake */
    uint32_t *use_rows; /* row index of each used row */
    fx *use_stake;
    fx *colmat;         /* n columns x use_cap rows, column-major */
    size_t colmat_cap;
    fx *med_v, *med_s;  /* selection scratch, use_cap each */
    uint32_t use_cap;

    /* fast path: consensus keys (n columns x use rows), liquid-alpha scratch,
     * column reciprocals */
    uint64_t *keymat, *keytmp;
    size_t keymat_cap;
    fx *lq_x, *lq_e, *lq_b;
    uint32_t *lq_idx;
    struct ydiv *cdiv;
    enum yuma_core ran;     /* the last epoch's core (tests check the fast ones
                               run); the dense core writes the output bonds
                               itself */
    size_t ob_cap;
    struct ydense_store *dense;   /* the dense core's buffers (yuma_dense.c) */
    bool avx2;              /* the AVX2 kernels (yuma_avx2.c) may run */

    ymat w, wc, wb, b, ema;
    uint32_t *ob_row;   /* output bonds */
    uint16_t *ob_col, *ob_val;

    yuma_output out;
    bool force_reference;   /* tests: run the reference core only */
};

/* ---- kernels (yuma_math.c) ---- */

/* substrate_fixed::transcendental::exp for I32F32: the Taylor series summed
 * term by term with the type's own rounding; false where the chain's returns
 * Err (an intermediate overflow). */
bool yuma_exp(fx x, fx *out);

/* combined_diff of alpha_sigmoid: how far the weight is above consensus
 * when it is at or above the bond, or how far below the bond otherwise,
 * clamped to [0, 1]. */
fx yuma_liquid_d(fx consensus, fx weight, fx bond);
/* run_epoch.rs alpha_sigmoid: the liquid-alpha EMA coefficient of one bond. */
fx yuma_alpha_sigmoid(fx consensus, fx weight, fx bond, fx alpha_low, fx alpha_high,
                      fx steepness_div);
/* The same with libm exp (the fast_sigmoid option; not exact). */
fx yuma_alpha_sigmoid_fast(fx consensus, fx weight, fx bond, fx alpha_low,
                           fx alpha_high, fx steepness_div);
/* The fast_sigmoid option's exp: libm's, with the chain's overflow to 0 and
 * its exp(1). */
fx yuma_exp_libm(fx x);
/* alpha_sigmoid_steepness / -100 as the chain computes it. */
fx yuma_steepness_div(int16_t steepness);

/* math.rs weighted_median over n (value, stake) pairs, stakes > 0: the
 * smallest value v whose stake at or below v exceeds minority; the largest
 * value when none does; 0 for no pairs. The chain's mid-pivot partition
 * search returns exactly this whatever order it visits (the sums it compares
 * are exact), so any selection order gives the chain's answer. v and s are
 * scratch: reordered. */
fx yuma_weighted_median(fx *v, fx *s, uint32_t n, fx minority);

/* is_topk_nonzero: true for non-zero x among the k largest, ties going to
 * the higher index (a stable ascending sort drops the first n - k). keys is
 * scratch of n. */
void yuma_topk_nonzero(const fx *x, uint32_t n, uint32_t k, uint64_t *keys, bool *out);

/* ---- the epoch core: weights, consensus, clipping, ranks, bonds, dividends ---- */

/* The reference (yuma_ref.c, yuma_bonds.c): the chain's steps as written. */
int yuma_ref_core(yuma_ws *ws, const yuma_params *p, const yuma_input *in, err *e);
void yuma_ref_bonds_dividends(yuma_ws *ws, const yuma_params *p, const yuma_input *in);
/* The same for the fast core, with faster column divisions: its legacy bonds,
 * and its Yuma 3 bonds when yuma_fast_bonds declines (bma above 1e6). */
void yuma_fast_ref_bonds(yuma_ws *ws, const yuma_params *p, const yuma_input *in);
/* Shared by the reference's and the fast core's bonds (yuma_bonds.c): the
 * weights the bond EMA follows, interpolate_sparse(W, Wc, n, penalty) =
 * W + penalty (Wc - W), entries > 0, into ws->wb; at penalty 0 or 1 the
 * chain takes W or Wc themselves (zeros kept), and so ws->w or ws->wc. */
const ymat *yuma_weights_for_bonds(yuma_ws *ws, const yuma_params *p, uint32_t n);
/* Shared by every core's bonds (yuma_bonds.c). Bonds to uids registered at
 * or after this block are dropped: LastMechanismStepBlock + 1, or
 * block - tempo when there was no epoch yet. */
uint64_t yuma_bond_cutoff(const yuma_params *p, const yuma_input *in);
/* compute_disabled_liquid_alpha: the fixed EMA alpha 1 - bma / 1e6, the
 * quotient in I64F64 then floored to I32F32. */
fx yuma_disabled_alpha(const yuma_params *p);

/* The fast path (yuma_fast*.c): the same values, computed for speed, within
 * bounds every real subnet is in; YUMA_FAST_DECLINED when an input is not. */
#define YUMA_FAST_DECLINED 1
int yuma_fast_core(yuma_ws *ws, const yuma_params *p, const yuma_input *in, err *e);
/* Its dense variant (yuma_dense.c), tried first. */
int yuma_dense_core(yuma_ws *ws, const yuma_params *p, const yuma_input *in, err *e);
void yuma_dense_free(struct ydense_store *st);

/* Tests: make ws run the reference core only; allow or forbid the AVX2
 * kernels (on by default where the CPU has them). */
void yuma_ws_force_reference(yuma_ws *ws, bool on);
void yuma_ws_allow_simd(yuma_ws *ws, bool on);

/* ---- helpers (yuma.c) ---- */
/* realloc to count elements of size (at least one byte); false, *p kept,
 * when out of memory. GROW(ptr, count) for a typed pointer. */
bool yuma_grow(void **p, size_t count, size_t size);
#define GROW(ptr, count) yuma_grow((void **)&(ptr), (count), sizeof(*(ptr)))
void ymat_col_normalize(ymat *m, uint32_t n, fx *col_acc);
void yuma_normalize(fx *x, uint32_t n);
/* The rows weighted_median_col_sparse reads, those with active stake: their
 * uids into ws->use_rows, their stakes into ws->use_stake; returns how many. */
uint32_t yuma_use_rows(yuma_ws *ws, uint32_t n);

#endif
