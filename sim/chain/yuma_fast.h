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

/* The Yuma 3 bonds and dividends of the fast path (yuma_fast_bonds.c);
 * YUMA_FAST_DECLINED outside its bounds. */
int yuma_fast_bonds(yuma_ws *ws, const yuma_params *p, const yuma_input *in);

#endif
