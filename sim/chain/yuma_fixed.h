/* yuma_fixed: substrate-fixed's I32F32, I64F64 and I96F32 arithmetic as the
 * chain's epoch uses it, on plain integers (private to sim/chain/yuma*.c and
 * their tests).
 *
 * A value is its bits: an I32F32 is an int64_t holding x * 2^32. The rules,
 * read from encointer/substrate-fixed src/arith.rs (mul_div_widen) and
 * safe_math:
 *   - a product is the exact double-width product shifted right by the
 *     fraction bits, an arithmetic shift: it rounds toward minus infinity;
 *   - a quotient is (a << 32) / b in double width with the integer division
 *     of Rust (and C): it truncates toward zero;
 *   - saturating_* clamps to the type's range, checked_* fails when the exact
 *     result does not fit, and safe_div (safe_math) is checked_div or 0, so
 *     x / 0 and an overflowing quotient are both 0;
 *   - converting to a type with fewer fraction bits drops bits (floor);
 *     converting to an integer floors and saturates;
 *   - sums (Iterator::sum) are plain additions, which never overflow in the
 *     ranges the epoch uses. */
#ifndef SUBNETSIM_YUMA_FIXED_H
#define SUBNETSIM_YUMA_FIXED_H

#include "core/core.h"

#include <stdbool.h>
#include <stdint.h>

typedef int64_t fx;                 /* I32F32 */

#define FX_FRAC 32
#define FX_ONE ((fx)1 << FX_FRAC)
#define FX_HALF ((fx)1 << (FX_FRAC - 1))
#define FX_MAX INT64_MAX
#define FX_MIN INT64_MIN

static inline fx fx_from_int(int64_t v) { return (fx)((uint64_t)v << FX_FRAC); }

static inline fx fx_clamp128(i128 v)
{
    if (v > (i128)FX_MAX)
        return FX_MAX;
    if (v < (i128)FX_MIN)
        return FX_MIN;
    return (fx)v;
}

static inline fx fx_sat_add(fx a, fx b) { return fx_clamp128((i128)a + b); }
static inline fx fx_sat_sub(fx a, fx b) { return fx_clamp128((i128)a - b); }

/* saturating_mul: floor(a * b / 2^32), clamped. */
static inline fx fx_mul(fx a, fx b)
{
    i128 p = (i128)a * b;
    return fx_clamp128(p >> FX_FRAC);   /* arithmetic shift: floor */
}

/* checked_mul: false when the product does not fit. */
static inline bool fx_mul_checked(fx a, fx b, fx *out)
{
    i128 p = ((i128)a * b) >> FX_FRAC;
    if (p > (i128)FX_MAX || p < (i128)FX_MIN)
        return false;
    *out = (fx)p;
    return true;
}

/* checked_div: trunc((a << 32) / b); false on b == 0 or overflow. */
static inline bool fx_div_checked(fx a, fx b, fx *out)
{
    if (b == 0)
        return false;
    i128 q = ((i128)a * FX_ONE) / b;     /* C division truncates, like Rust */
    if (q > (i128)FX_MAX || q < (i128)FX_MIN)
        return false;
    *out = (fx)q;
    return true;
}

/* safe_div (safe_math): checked_div or 0. */
static inline fx fx_safe_div(fx a, fx b)
{
    fx q;
    return fx_div_checked(a, b, &q) ? q : 0;
}

/* saturating_div: b != 0 (the epoch never divides by zero this way). */
static inline fx fx_sat_div(fx a, fx b)
{
    i128 q = ((i128)a * FX_ONE) / b;
    return fx_clamp128(q);
}

static inline fx fx_min(fx a, fx b) { return a < b ? a : b; }
static inline fx fx_max(fx a, fx b) { return a > b ? a : b; }
/* clamp_value: value.min(high).max(low). */
static inline fx fx_clamp(fx v, fx lo, fx hi) { return fx_max(fx_min(v, hi), lo); }

/* u16 / 65535 as I32F32 (u16_proportion_to_fixed, fixed_to_fixed_u16_proportion
 * of a u16, get_float_kappa, get_alpha_values_32): trunc(v * 2^32 / 65535). */
static inline fx fx_u16_proportion(uint16_t v)
{
    return (fx)(((uint64_t)v << FX_FRAC) / 65535u);
}

/* fixed_proportion_to_u16: saturating_to_num::<u16>(x * 65535). The product
 * is exact (65535 is an integer), the conversion floors and saturates. */
static inline uint16_t fx_to_u16_proportion(fx x)
{
    i128 p = (i128)x * 65535;            /* bits of x * 65535 */
    if (p < 0)
        return 0;
    p >>= FX_FRAC;
    return p > 65535 ? 65535 : (uint16_t)p;
}

/* I96F32::saturating_from_num(x) * I96F32::saturating_from_num(rao), to u64:
 * the I96F32 product of an I32F32 and an integer is exact, the conversion
 * floors and saturates. */
static inline uint64_t fx_mul_rao(fx x, uint64_t rao)
{
    if (x <= 0)
        return 0;
    u128 p = (u128)(uint64_t)x * rao;    /* bits of the I96F32 product, < 2^97 */
    p >>= FX_FRAC;
    return p > UINT64_MAX ? UINT64_MAX : (uint64_t)p;
}

#endif
