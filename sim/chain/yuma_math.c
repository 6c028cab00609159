/* The epoch's scalar kernels: the chain's exp, the liquid-alpha sigmoid, the
 * stake-weighted median and the top-k permit selection. */
#include "chain/yuma_internal.h"

#include <math.h>
#include <string.h>

/* e as substrate_fixed's transcendental::E: an I9F23 constant
 * (consts::E >> 103 = floor(e * 2^23) = 22802601), widened to I32F32. */
#define FX_E_I9F23 ((fx)22802601 << 9)

bool yuma_exp(fx x, fx *out)
{
    if (x == 0) {
        *out = FX_ONE;
        return true;
    }
    if (x == FX_ONE) {
        *out = FX_E_I9F23;
        return true;
    }
    bool neg = x < 0;
    if (neg)
        x = -x;
    fx result = x + FX_ONE;
    fx term = x;
    /* for i in 2..frac_nbits: term = term * x / i; result += term. Once a term
     * is 0 every later one is too, so stopping there changes nothing. */
    for (int64_t i = 2; i < FX_FRAC && term != 0; i++) {
        if (!fx_mul_checked(term, x, &term))
            return false;
        term /= i;   /* checked_div by the integer-valued I32F32 i: trunc */
        fx sum;
        if (__builtin_add_overflow(result, term, &sum))
            return false;
        result = sum;
    }
    if (neg)
        return fx_div_checked(FX_ONE, result, out);
    *out = result;
    return true;
}

fx yuma_steepness_div(int16_t steepness)
{
    return fx_sat_div(fx_from_int(steepness), fx_from_int(-100));
}

fx yuma_liquid_d(fx consensus, fx weight, fx bond)
{
    if (weight >= bond)
        return fx_clamp(fx_sat_sub(weight, consensus), 0, FX_ONE);
    return fx_clamp(fx_sat_sub(bond, weight), 0, FX_ONE);
}

static fx alpha_from_sigmoid(fx sigmoid, fx lo, fx hi)
{
    fx alpha = fx_sat_add(lo, fx_mul(sigmoid, fx_sat_sub(hi, lo)));
    return fx_clamp(alpha, lo, hi);
}

fx yuma_alpha_sigmoid(fx consensus, fx weight, fx bond, fx lo, fx hi, fx steepness_div)
{
    fx d = yuma_liquid_d(consensus, weight, bond);
    fx e;
    if (!yuma_exp(fx_mul(steepness_div, fx_sat_sub(d, FX_HALF)), &e))
        e = 0;   /* safe_exp: an overflow gives 0, whatever the sign */
    fx sigmoid = fx_sat_div(FX_ONE, fx_sat_add(FX_ONE, e));
    return alpha_from_sigmoid(sigmoid, lo, hi);
}

/* The largest |x| whose series the chain sums without overflow (a term
 * times x leaves I32F32 just above 20.888; found by bisection and pinned by
 * test_yuma_math.c); beyond it the chain's safe_exp gives 0, either sign. */
#define YUMA_EXP_LAST_OK ((fx)89715445397)

fx yuma_exp_libm(fx x)
{
    if (x > YUMA_EXP_LAST_OK || x < -YUMA_EXP_LAST_OK)
        return 0;
    if (x == FX_ONE)
        return FX_E_I9F23;   /* the chain's constant, not e */
    return (fx)(exp((double)x / 4294967296.0) * 4294967296.0);
}

fx yuma_alpha_sigmoid_fast(fx consensus, fx weight, fx bond, fx lo, fx hi, fx steepness_div)
{
    fx d = yuma_liquid_d(consensus, weight, bond);
    fx e = yuma_exp_libm(fx_mul(steepness_div, fx_sat_sub(d, FX_HALF)));
    fx sigmoid = fx_sat_div(FX_ONE, fx_sat_add(FX_ONE, e));
    return alpha_from_sigmoid(sigmoid, lo, hi);
}

fx yuma_weighted_median(fx *v, fx *s, uint32_t n, fx minority)
{
    if (n == 0)
        return 0;
    if (minority < 0) {
        /* Every value's stake at or below it exceeds minority: the chain's
         * search walks down to the smallest. */
        fx m = v[0];
        for (uint32_t i = 1; i < n; i++)
            m = fx_min(m, v[i]);
        return m;
    }
    /* Invariant: every value outside [lo, hi) is either below all of them
     * (their stake is `below`, and below <= minority) or above all of them. */
    uint32_t lo = 0, hi = n;
    fx below = 0;
    for (;;) {
        fx p = v[lo + (hi - lo) / 2];
        /* Three-way partition: [lo, lt) < p, [lt, gt) == p, [gt, hi) > p. */
        uint32_t lt = lo, i = lo, gt = hi;
        fx s_lt = 0, s_eq = 0;
        while (i < gt) {
            fx vi = v[i], si = s[i];
            if (vi < p) {
                v[i] = v[lt], s[i] = s[lt];
                v[lt] = vi, s[lt] = si;
                s_lt += si;
                lt++, i++;
            } else if (vi > p) {
                gt--;
                v[i] = v[gt], s[i] = s[gt];
                v[gt] = vi, s[gt] = si;
            } else {
                s_eq += si;
                i++;
            }
        }
        if (below + s_lt > minority) {
            hi = lt;                      /* lt > lo: below alone is <= minority */
        } else if (below + s_lt + s_eq > minority || gt == hi) {
            return p;
        } else {
            below += s_lt + s_eq;
            lo = gt;
        }
    }
}

/* Hoare's quickselect: leaves the k-th smallest of n distinct keys in a[k]. */
static void select_u64(uint64_t *a, uint32_t n, uint32_t k)
{
    int64_t lo = 0, hi = (int64_t)n - 1;   /* inclusive */
    while (lo < hi) {
        uint64_t p = a[lo + (hi - lo) / 2];
        int64_t i = lo - 1, j = hi + 1;
        for (;;) {
            do
                i++;
            while (a[i] < p);
            do
                j--;
            while (a[j] > p);
            if (i >= j)
                break;
            uint64_t t = a[i];
            a[i] = a[j], a[j] = t;
        }
        /* [lo, j] <= p <= [j + 1, hi], lo <= j < hi */
        if ((int64_t)k <= j)
            hi = j;
        else
            lo = j + 1;
    }
}

void yuma_topk_nonzero(const fx *x, uint32_t n, uint32_t k, uint64_t *keys, bool *out)
{
    uint32_t nonzero = 0;
    for (uint32_t i = 0; i < n; i++)
        nonzero += out[i] = x[i] != 0;
    if (n <= k || nonzero <= k)
        return;   /* the n - k dropped are all zeros (or none) */
    /* A stable ascending sort orders by (value, uid); those keys are distinct,
     * so the n - k dropped are exactly the keys below the (n - k)-th. Stake
     * weights are in [0, 1]: 33 bits, leaving room for a 16-bit uid. */
    for (uint32_t i = 0; i < n; i++)
        keys[i] = ((uint64_t)x[i] << 16) | i;
    uint32_t drop = n - k;
    if (k == 0) {
        memset(out, 0, n * sizeof *out);
        return;
    }
    select_u64(keys, n, drop);
    uint64_t threshold = keys[drop];
    for (uint32_t i = 0; i < n; i++)
        if ((((uint64_t)x[i] << 16) | i) < threshold)
            out[i] = false;
}
