/* yuma_fast: helpers of the epoch's fast path (private to yuma_fast*.c).
 *
 * Within the fast path's bounds every I32F32 value it handles lies in
 * [0, 1] (bits [0, 2^32]) and every sum of them below 2^48, so products need no
 * saturation and a quotient by a shared divisor can use a multiply by its
 * reciprocal. Both give exactly the chain's floor and trunc. */
#ifndef SUBNETSIM_YUMA_FAST_H
#define SUBNETSIM_YUMA_FAST_H

#include "chain/yuma_internal.h"

/* floor(a * b / 2^32) for a, b in [0, 2^32]: the chain's product, exactly. */
static inline uint64_t mul32(uint64_t a, uint64_t b)
{
    return (uint64_t)(((u128)a * b) >> 32);
}

/* (hi:lo) / d for hi < d, and the remainder: one hardware division where
 * there is one. */
static inline uint64_t udiv128r(uint64_t hi, uint64_t lo, uint64_t d, uint64_t *rem)
{
#if defined(__x86_64__)
    uint64_t q, r;
    __asm__("divq %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(d));
    *rem = r;
    return q;
#else
    u128 n = ((u128)hi << 64) | lo;
    *rem = (uint64_t)(n % d);
    return (uint64_t)(n / d);
#endif
}

static inline uint64_t udiv128(uint64_t hi, uint64_t lo, uint64_t d)
{
    uint64_t r;
    return udiv128r(hi, lo, d, &r);
}

/* Division by an invariant d (1 <= d < 2^63): Granlund and Montgomery's
 * multiply-and-shift with a 65-bit reciprocal ("Division by invariant integers
 * using multiplication", 1994, figure 4.1), exact for every 64-bit numerator. */
typedef struct ydiv {
    uint64_t m;
    uint8_t sh1, sh2;
    bool pow2;
} ydiv;

static inline ydiv ydiv_make(uint64_t d)
{
    unsigned l = d == 1 ? 0 : 64 - (unsigned)__builtin_clzll(d - 1);   /* ceil(log2 d) */
    uint64_t m = udiv128(((uint64_t)1 << l) - d, 0, d) + 1;
    return (ydiv){m, (uint8_t)(l < 1 ? l : 1), (uint8_t)(l > 1 ? l - 1 : 0),
                  (d & (d - 1)) == 0};
}

static inline uint64_t ydiv_u64(ydiv v, uint64_t n)
{
    uint64_t t = (uint64_t)(((u128)v.m * n) >> 64);
    return (t + ((n - t) >> v.sh1)) >> v.sh2;
}

/* safe_div(x, d) of I32F32 for x in [0, 2^32]: trunc(x * 2^32 / d), or 0
 * when that does not fit. */
static inline fx ydiv_fx(ydiv v, uint64_t x)
{
    uint64_t q;
    if (x < ((uint64_t)1 << 32))
        q = ydiv_u64(v, x << 32);
    else   /* x = 2^32: 2^64 / d, one more than (2^64 - 1) / d when d divides 2^64 */
        q = ydiv_u64(v, UINT64_MAX) + v.pow2;
    return q > (uint64_t)INT64_MAX ? 0 : (fx)q;
}

/* inplace_normalize of values in [0, 2^32]. */
static inline void fast_normalize(fx *x, uint32_t n)
{
    uint64_t sum = 0;
    for (uint32_t i = 0; i < n; i++)
        sum += (uint64_t)x[i];
    if (sum == 0)
        return;
    ydiv v = ydiv_make(sum);
    for (uint32_t i = 0; i < n; i++)
        x[i] = ydiv_fx(v, (uint64_t)x[i]);
}

/* yuma_avx2_out.c: x[i] = safe_div(x[i], sum) for x[i] < 2^32 by the
 * reciprocal v (sum >= 2), four at a time; returns how many it did from the
 * start (it stops at a value of 2^32 or more). */
uint32_t yuma_avx2_divide(fx *x, uint32_t n, ydiv v);

/* x[i] / sum for values in [0, 2^32] summing to sum (inplace_normalize
 * where the caller has the sum already), with the AVX2 kernel where the
 * workspace may use it. */
static inline void yuma_divide_ws(const yuma_ws *ws, fx *x, uint32_t n, uint64_t sum)
{
    if (sum == 0)
        return;
    ydiv v = ydiv_make(sum);
    uint32_t i = ws->avx2 && sum >= 2 ? yuma_avx2_divide(x, n & ~3u, v) : 0;
    for (; i < n; i++)
        x[i] = ydiv_fx(v, (uint64_t)x[i]);
}

/* fast_normalize with the AVX2 kernel where the workspace may use it. */
static inline void yuma_normalize_ws(const yuma_ws *ws, fx *x, uint32_t n)
{
    uint64_t sum = 0;
    for (uint32_t i = 0; i < n; i++)
        sum += (uint64_t)x[i];
    yuma_divide_ws(ws, x, n, sum);
}

/* yuma_select.c: the key whose value is the stake-weighted median of a
 * column of m keys (value << 8 | slot, slot < 256, stake per slot). */
uint64_t yuma_select_key(uint64_t *a, uint64_t *tmp, uint32_t m, const fx *stake, fx minority);

/* safe_exp of each x (out may be x): exact, four series at a time. */
void yuma_exp_batch(const fx *x, fx *out, uint32_t cnt);

/* floor(2^64 / d) for d in [2^32, 2^53): a double estimate (within one of
 * the quotient, which is at most 2^32) corrected by the exact remainder. */
static inline uint64_t recip64(uint64_t d)
{
    uint64_t q = (uint64_t)(18446744073709551616.0 / (double)d);
    u128 prod = (u128)q * d, two64 = (u128)1 << 64;
    if (prod > two64)
        q--;
    else if (two64 - prod >= d)
        q++;
    return q;
}

/* The liquid-alpha coefficient from an exp value (the sigmoid's tail):
 * lo + (hi - lo) / (1 + e), clamped. */
static inline fx yuma_alpha_from_exp(fx e, fx lo, fx hi)
{
    uint64_t d = (uint64_t)FX_ONE + (uint64_t)e;
    uint64_t sig = d < ((uint64_t)1 << 53) ? recip64(d) : udiv128(1, 0, d);
    return fx_clamp(fx_sat_add(lo, fx_mul((fx)sig, fx_sat_sub(hi, lo))), lo, hi);
}

/* ---- the dense core (yuma_dense.c; AVX2 kernels in yuma_avx2*.c) ----
 *
 * Weights as u32: I32F32 bits in [0, 2^32], 2^32 stored as YW_ONE. A
 * row-normalised weight below its row sum is at most 2^32 - 2 (sum < 2^31),
 * so 2^32 - 1 never occurs and the encoding keeps order: consensus and
 * clipping compare the u32s directly. */
#define YW_ONE 0xffffffffu

static inline uint64_t yw_decode(uint32_t v) { return v == YW_ONE ? (uint64_t)FX_ONE : v; }

/* A stored u16 bond as I32F32 bits: b * 2^32 / 65535 (2^32 = 65535 * 65537 + 1). */
static inline uint64_t yb_fx(uint16_t b) { return (uint64_t)b * 65537u + (b == 65535); }

/* A live row as the row kernels read it. */
typedef struct yrow {
    const uint32_t *w;          /* weights */
    const uint16_t *b;          /* stored bonds */
    const uint8_t *pres;        /* liquid alpha: which weights the row has, 8 a byte */
    uint32_t *e;                /* EMA bonds */
    uint32_t *vt;               /* validator trust, 8 lane sums */
    uint64_t s;                 /* active stake, below 2^32 */
} yrow;

/* Liquid alpha as the dense core computes it (yuma_liquid.c). The chain's
 * alpha of a bond is clamp(lo + sig (hi - lo), lo, hi) with
 * sig = 1 / (1 + exp(x)), x = sdiv (d - 1/2) for the bond's d. */
typedef struct yliq {
    fx lo, hi, sdiv;
    uint64_t delta;             /* hi - lo, when the bracket applies */
    int32_t steep;              /* sdiv / 2^32 when whole: x = steep (d - 2^31) */
    bool whole;                 /* sdiv is a whole number */
    bool bracket;               /* lo <= hi: the bracket of yuma_liquid_alpha applies */
    bool fast;                  /* fast_sigmoid: libm exp, never the series */
    fx alpha0;                  /* the alpha of d = 0, which many bonds share */
} yliq;

void yuma_liquid_setup(yliq *L, const yuma_params *p);
/* The chain's alpha of exponent x, exactly (libm's with L->fast). */
fx yuma_liquid_alpha(const yliq *L, fx x);
/* The alpha of x when the double exp decides it (see yuma_liquid.c);
 * false when it does not, or x is outside where the bracket is proved. */
bool yuma_liquid_bracket(const yliq *L, fx x, fx *alpha);

/* What the dense kernels read and write. Rows are the uids that carry
 * weights or bonds; each is `stride` wide (n rounded up to 8, zero padded).
 * "Careful" rows hold a value the u32 lanes cannot (a weight, bond or stake
 * of exactly 1): the kernels skip them and yuma_dense.c does them exactly. */
typedef struct ydense {
    uint32_t n, stride, rows, use;
    /* consensus: `use` slots, the rows with active stake */
    const uint32_t **use_w;     /* per slot: its weight row (zeros for none) */
    uint32_t *use_st;           /* per slot: its stake (< 2^32) */
    uint64_t total;             /* the slots' stake */
    uint32_t k1;                /* a column's consensus is its smallest value
                                   with at most k1 stake above it */
    /* per row */
    uint32_t *w;                /* rows x stride: weights (YW_ONE for 1) */
    const uint16_t **b;         /* stored bonds, masked, stride wide */
    uint16_t *bbuf;             /* rows x stride: bond rows that needed a copy */
    uint64_t *s;                /* active stake, I32F32 bits */
    uint8_t *careful;
    yrow *live;                 /* the rows that are not careful */
    uint32_t nlive;
    uint32_t *e;                /* rows x stride: EMA bonds (< 2^32 off careful rows) */
    uint64_t *e64;              /* rows x stride: EMA bonds of careful rows */
    uint32_t *vt;               /* rows x 8: validator trust, lane sums (< 2^32) */
    uint64_t *rowmax;           /* per row: at least its largest weight and bond, so
                                   at least every EMA bond of the row */
    uint64_t live_max;          /* the largest rowmax of the live rows, where the
                                   kernel does not keep emax (0 where it does) */
    uint64_t *vt_careful;       /* per row: validator trust of careful rows */
    /* the EMA of bonds: alpha wb + keep b, wb the weights for bonds */
    uint64_t alpha, keep;
    const yliq *liq;            /* liquid alpha, or NULL for a fixed alpha */
    uint8_t *pres;              /* rows x stride / 8: which weights a row has */
    int wb_mode;                /* 0: weights, 1: clipped, 2: interpolated by ratio */
    uint64_t ratio;
    /* per column, stride wide */
    uint32_t *cons;             /* consensus, u32 as the weights */
    uint64_t *pre, *ranks, *cs; /* ranks before and after clipping; EMA column sums */
    uint32_t *emax;             /* the largest EMA bond of the column */
    uint64_t *gm_hi, *gm_lo, *gm_sh, *inc;   /* EMA / column sum by multiplier, incentive */
    bool gm_short;              /* every EMA bond below 2^31: the round-up multipliers */
    const uint16_t *iota;       /* 0, 1, 2, ...: stored columns, stride + 16 */
    uint64_t *lists;            /* consensus scratch: 32 x 256, and 256 spare */
} ydense;

/* The dense core's buffers, grown to the largest subnet seen (yuma_dense*.c). */
struct ydense_store {
    ydense d;
    int32_t *row_of;            /* per uid: its row, -1 for none */
    uint32_t *uid;              /* per row: its uid */
    uint16_t *wsrc;             /* one masked weight row, stride wide */
    uint32_t *zero32;           /* stride zeros: a consensus slot without a row */
    uint16_t *zero16;           /* stride zeros: a row without bonds */
    uint16_t *iota;             /* 0, 1, 2, ...: the columns of a full stored row */
    size_t cells;               /* rows x stride allocated */
    uint32_t uids, cols;        /* uids and stride allocated */
    yliq liq;
};

/* yuma_dense_rows.c: the rows loaded dense, and the careful rows. */
uint32_t yuma_dense_pick_rows(yuma_ws *ws, struct ydense_store *st, const yuma_input *in,
                              uint32_t *use, uint64_t *max_reg);
int yuma_dense_weights(yuma_ws *ws, struct ydense_store *st, const yuma_params *p,
                       const yuma_input *in, uint64_t max_reg);
void yuma_dense_bonds(yuma_ws *ws, struct ydense_store *st, const yuma_params *p,
                      const yuma_input *in, uint64_t max_reg);
void yuma_dense_presence(struct ydense_store *st, const yuma_params *p, const yuma_input *in,
                         uint64_t max_reg);
void yuma_dense_careful_row(const ydense *d, uint32_t r);

/* yuma_avx2*.c: whether the CPU runs AVX2 (and FMA), and the kernels that need it. */
bool yuma_have_avx2(void);
/* Consensus of columns j..j+7 (15, 31) into d->cons (needs 2 <= use <= 255). */
void yuma_avx2_consensus8(const ydense *d, uint32_t j);
void yuma_avx2_consensus16(const ydense *d, uint32_t j);
void yuma_avx2_consensus32(const ydense *d, uint32_t j);
/* Columns j..j+7 of the live rows: clipping, ranks, validator trust, EMA
 * bonds; writes pre, ranks, cs, emax at j..j+7. The liquid variant takes
 * each bond's alpha from d->liq (yuma_avx2_liquid.c). */
void yuma_avx2_rows8(const ydense *d, uint32_t j);
void yuma_avx2_rows8_liquid(const ydense *d, uint32_t j);
/* yuma_avx2_rows8 for columns j..j+15 where every column sum of the live
 * rows' EMA bonds is below 2^32 (d->live_max times the live rows is): sums
 * kept in u32 lanes, emax left at 0. */
void yuma_avx2_rows16(const ydense *d, uint32_t j);
/* Tests: alphas of four exponents by the vector bracket; unsure[l] where it
 * does not decide (alpha[l] is then unset). */
void yuma_avx2_liquid_alpha4(const yliq *L, const int64_t x[4], fx alpha[4], bool unsure[4]);
/* out[k] = floor(src[k] * m / 2^L) for k < stride (32 <= L <= 48, src <
 * 2^16, every result below 2^32); with total, returns their sum (else 0). */
uint64_t yuma_avx2_scale_row(const uint16_t *src, uint32_t stride, uint64_t m, unsigned L,
                             uint32_t *out, bool total);
/* Sum and largest of n u16 (n a multiple of 8). */
uint64_t yuma_avx2_sum16(const uint16_t *v, uint32_t n, uint16_t *max);
/* out[0..gap) = val[0..gap), out[gap] = 0, out[gap + 1..cnt + 1) =
 * val[gap..cnt) for cnt >= 32 (no overlap); returns the largest value. */
uint16_t yuma_avx2_expand_gap(const uint16_t *val, uint32_t gap, uint32_t cnt, uint16_t *out);
/* Largest of n u16 (n a multiple of 8). */
uint16_t yuma_avx2_max16(const uint16_t *v, uint32_t n);
/* One live row's EMA bonds e, read once for both: with `total`, returns
 * sum_j floor(floor(e_j 2^32 / cs_j) inc_j / 2^32) by the reciprocals in d
 * (every quotient and incentive below 2^32); with val, writes the bonds to
 * store, (j, floor(e_j 65535 / 2^32)) for e_j > 0 (n a multiple of 8,
 * 16 entries of room past the last), and their count to *stored. */
uint64_t yuma_avx2_row_out(const ydense *d, const uint32_t *e, bool total, uint16_t *col,
                           uint16_t *val, uint32_t *stored);
/* yuma_avx2_out.c: the dense core's columns from 0, four at a time:
 * consensus as I32F32, trust (ranks / preranks), incentive = ranks (not yet
 * normalised); stops at a rank of 1. Returns how many it did (a multiple of
 * 4) and adds their ranks to *sum. */
uint32_t yuma_avx2_trust(const ydense *d, fx *consensus, fx *trust, fx *incentive, uint32_t n4,
                         uint64_t *sum);
/* yuma_avx2_out.c: dense_reciprocals' test of columns [0, n4) (n4 a
 * multiple of 4), incentive copied to d->inc; ORs the columns' EMA bond
 * bounds into *big. */
bool yuma_avx2_columns(ydense *d, const fx *incentive, uint32_t n4, uint64_t *big);
/* yuma_avx2_out.c: emission shares and u16 outputs of uids from 0, four at
 * a time while every value is in [0, 1] and every share below 1 (sum >= 2,
 * its reciprocal v); returns how many uids it did (a multiple of 4). */
uint32_t yuma_avx2_emission(yuma_ws *ws, uint64_t rao, ydiv v, uint32_t n4);
/* Whether a CSR matrix (rows + 1 offsets rs from 0) has offsets that never
 * fall and in every row strictly increasing columns below n. */
bool yuma_avx2_csr_ok(const uint32_t *rs, const uint16_t *col, uint32_t rows, uint32_t n);

/* The Yuma 3 bonds and dividends of the fast path (yuma_fast_bonds.c);
 * YUMA_FAST_DECLINED outside its bounds. */
int yuma_fast_bonds(yuma_ws *ws, const yuma_params *p, const yuma_input *in);

#endif
