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

/* (hi:lo) / d for hi < d: one hardware division where there is one. */
static inline uint64_t udiv128(uint64_t hi, uint64_t lo, uint64_t d)
{
#if defined(__x86_64__)
    uint64_t q, r;
    __asm__("divq %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(d));
    (void)r;
    return q;
#else
    return (uint64_t)((((u128)hi << 64) | lo) / d);
#endif
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

/* yuma_avx2.c: whether the CPU runs AVX2, and the kernels that need it. */
bool yuma_have_avx2(void);
/* The consensus of n columns over `use` rows (rows[k]: the row of slot k,
 * n wide, ABSENT as 0; st[k]: its stake); scratch holds 1024 words. */
void yuma_avx2_consensus(const fx *const *rows, const fx *st, uint32_t use, uint32_t n,
                         fx minority, uint64_t *scratch, fx *out);

/* Row kernels of the dense core (see yuma_avx2.c for each one's contract). */
uint64_t yuma_avx2_mask_row(const uint16_t *val, const uint64_t *reg, uint64_t upd, uint64_t cb,
                            uint32_t self, uint32_t n, fx *wr);
void yuma_avx2_scale_row(fx *wr, uint32_t n, uint64_t m, unsigned L);
uint64_t yuma_avx2_rank_row(const fx *wr, const fx *cons, uint64_t s, uint32_t n, fx *pre,
                            fx *ranks, fx *clipped);
void yuma_avx2_ema_row(const fx *wb, const fx *br, uint64_t alpha, uint64_t keep, uint32_t n,
                       fx *er);
void yuma_avx2_colsum(const fx *e, uint32_t rows, uint32_t n, uint64_t *colsum);
void yuma_avx2_bond_row(const uint16_t *col, const uint16_t *val, uint32_t cnt,
                        const uint64_t *reg, uint64_t last, fx *br);
uint32_t yuma_avx2_store_row(const fx *er, uint32_t n, uint16_t *col, uint16_t *val);
uint64_t yuma_avx2_bond_total(const fx *er, const fx *inc, const uint64_t *dm,
                              const uint64_t *dsh1, const uint64_t *dsh2, const uint8_t *pow2,
                              uint32_t n);

/* The Yuma 3 bonds and dividends of the fast path (yuma_fast_bonds.c);
 * YUMA_FAST_DECLINED outside its bounds. */
int yuma_fast_bonds(yuma_ws *ws, const yuma_params *p, const yuma_input *in);

#endif
