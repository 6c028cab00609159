/* Liquid alpha, exactly and fast: the chain's alpha of a bond from a double
 * exp that brackets the chain's Taylor series, the series itself only where
 * the bracket does not decide.
 *
 * The chain's exp of |x| (I32F32 bits X, x = X / 2^32) is
 *     R = 2^32 + X + t_2 + ... + t_31,   t_1 = X, t_i = floor(t_{i-1} X / (2^32 i))
 * (the product floors, then the division by i truncates; the two floors
 * of a positive number by whole numbers are one floor). With T_i the exact
 * terms 2^32 x^i / i!, t_i <= T_i and T_i - t_i <= (T_{i-1} - t_{i-1}) x / i + 1,
 * so R lies in [2^32 e^x - D(x), 2^32 e^x] where D(x) sums those bounds and
 * the tail of the series past i = 31: D <= 88 for x <= 6, D <= 1913 for
 * x <= 8 (test_yuma_liquid.c recomputes both). For x < 0 the chain takes
 * e = floor(2^64 / R); for x > 0, e = R. Then sig = floor(2^64 / (2^32 + e))
 * and alpha = lo + floor(sig (hi - lo) / 2^32), each step monotone in R.
 *
 * So: 2^32 e^x from a polynomial (relative error below 2^-46, bracketed as
 * 2^-39), R's interval from it and D, sig's interval from R's (one division
 * for the lower end, `above` bounding the upper; rounding covered by eta),
 * alpha at both ends; when they agree that is the chain's alpha. They disagree where the deficit moves alpha:
 * near x = 0 (|x| below about 2 at the default steepness) and rarely
 * elsewhere (about 0.4% at |x| = 5); there, and for |x| > 8, x = 0 and
 * |x| = 1 (the chain's exp(1) is a constant), the series runs.
 * yuma_avx2_liquid.c does the same four lanes at a time. */
#include "chain/yuma_fast.h"

#include <math.h>

/* ln 2 in two parts, the first with 32 trailing zero bits so that k ln2_hi
 * is exact for |k| < 2^20 (fdlibm's). */
#define LN2_HI 6.93147180369123816490e-01
#define LN2_LO 1.90821492927058770002e-10
#define ETA 0x1p-16   /* covers a division's rounding: quotients below 2^33 */

void yuma_liquid_setup(yliq *L, const yuma_params *p)
{
    fx lo = fx_u16_proportion(p->alpha_low), hi = fx_u16_proportion(p->alpha_high);
    fx sdiv = yuma_steepness_div(p->alpha_sigmoid_steepness);
    fx e0, x0 = fx_mul(sdiv, -FX_HALF);
    if (p->fast_sigmoid)
        e0 = yuma_exp_libm(x0);
    else if (!yuma_exp(x0, &e0))
        e0 = 0;
    *L = (yliq){
        .lo = lo,
        .hi = hi,
        .sdiv = sdiv,
        .delta = lo <= hi ? (uint64_t)(hi - lo) : 0,
        .steep = (int32_t)(sdiv >> 32),
        .whole = (sdiv & 0xffffffff) == 0,
        .bracket = lo <= hi && !p->fast_sigmoid,
        .fast = p->fast_sigmoid,
        .alpha0 = yuma_alpha_from_exp(e0, lo, hi),
    };
}

/* e^x for 0 <= x <= 8.5: x = k ln 2 + r, |r| <= ln2 / 2, e^r by its Taylor
 * polynomial to r^11 (remainder below 7e-15, 2^-47), scaled by 2^k. */
static double exp_poly(double x)
{
    double k = nearbyint(x * 1.44269504088896338700);
    double r = (x - k * LN2_HI) - k * LN2_LO;
    double p = 1.0 / 39916800.0;   /* 1/11! */
    static const double c[11] = {1.0 / 3628800.0, 1.0 / 362880.0, 1.0 / 40320.0, 1.0 / 5040.0,
                                 1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5, 1.0, 1.0};
    for (int i = 0; i < 11; i++)
        p = p * r + c[i];
    return ldexp(p, (int)k);
}

/* With q = 2^64 / den, an upper bound of 2^64 / (den - w): for
 * delta = w / den below 2^-20 (here w is below 2^-38 den + 1915 and den at
 * least 2^32), 1 / (1 - delta) <= 1 + delta (1 + 2^-18), so
 * q + q^2 w (1 + 2^-18) / 2^64; the rounding of it is within eta. */
static double above(double q, double w) { return q + q * q * (w * (0x1p-64 + 0x1p-82)); }

bool yuma_liquid_bracket(const yliq *L, fx x, fx *alpha)
{
    uint64_t ax = x < 0 ? (uint64_t)0 - (uint64_t)x : (uint64_t)x;
    if (!L->bracket || ax == 0 || ax == (uint64_t)FX_ONE || ax > ((uint64_t)8 << 32))
        return false;
    double xd = (double)ax * 0x1p-32;
    double a = exp_poly(xd) * 0x1p32, dmax = xd <= 6 ? 88 : 1913;
    double rlo = a * (1 - 0x1p-39) - dmax - 1, rhi = a * (1 + 0x1p-39) + 1;
    double add = x < 0 ? 0 : 0x1p32;
    /* x > 0: sig in [i1, i2]; x < 0: e in [i1, i2], then sig from e */
    double q = 0x1p64 / (rhi + add);
    double i1 = floor(q - ETA), i2 = floor(above(q, rhi - rlo) + ETA);
    double s1 = i1, s2 = i2;
    if (x < 0) {
        double t = 0x1p64 / (0x1p32 + i2);
        s1 = floor(t - ETA), s2 = floor(above(t, i2 - i1) + ETA);
    }
    uint64_t a1 = (uint64_t)L->lo + (((uint64_t)s1 * L->delta) >> 32);
    uint64_t a2 = (uint64_t)L->lo + (((uint64_t)s2 * L->delta) >> 32);
    if (a1 != a2)
        return false;
    *alpha = (fx)a1;
    return true;
}

fx yuma_liquid_alpha(const yliq *L, fx x)
{
    fx alpha, e;
    if (yuma_liquid_bracket(L, x, &alpha))
        return alpha;
    if (L->fast)
        e = yuma_exp_libm(x);
    else if (!yuma_exp(x, &e))
        e = 0;   /* safe_exp: an overflow gives 0, whatever the sign */
    return yuma_alpha_from_exp(e, L->lo, L->hi);
}
