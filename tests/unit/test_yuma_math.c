/* The epoch's fixed-point helpers and kernels against substrate-fixed's
 * rounding rules, the chain's math tests, and literal ports of the chain's
 * algorithms where the fast ones here take another route. */
#include "chain/yuma_internal.h"
#include "test.h"

/* I32F32::from_num(f32): the nearest I32F32, ties to even. */
static fx fx_f32(float v) { return (fx)nearbyint((double)v * 4294967296.0); }

TEST_IMPL(yuma_fixed_rounding)
{
    /* products floor, also below zero */
    ASSERT_EQ_INT(fx_mul(3, FX_HALF), 1);
    ASSERT_EQ_INT(fx_mul(-3, FX_HALF), -2);
    ASSERT_EQ_INT(fx_mul(FX_ONE, FX_ONE), FX_ONE);
    ASSERT_EQ_INT(fx_mul(FX_MAX, fx_from_int(2)), FX_MAX);   /* saturates */
    fx out;
    ASSERT(!fx_mul_checked(FX_MAX, fx_from_int(2), &out));
    /* quotients truncate toward zero; safe_div of x/0 or an overflow is 0 */
    ASSERT_EQ_INT(fx_safe_div(3, fx_from_int(2)), 1);
    ASSERT_EQ_INT(fx_safe_div(-3, fx_from_int(2)), -1);
    ASSERT_EQ_INT(fx_safe_div(FX_ONE, 0), 0);
    ASSERT_EQ_INT(fx_safe_div(FX_MAX, 1), 0);
    ASSERT_EQ_INT(fx_sat_div(FX_MAX, 1), FX_MAX);
    ASSERT_EQ_INT(fx_safe_div(FX_ONE, fx_from_int(3)), 1431655765);
    /* u16 proportions: kappa, alpha low and high of SPEC.md §1.4 */
    ASSERT_EQ_INT(fx_u16_proportion(32767), 2147450879);
    ASSERT_EQ_INT(fx_u16_proportion(45875), 3006509875);
    ASSERT_EQ_INT(fx_u16_proportion(58982), 3865503334);
    ASSERT_EQ_INT(fx_u16_proportion(65535), FX_ONE);
    /* storage: floor(x * 65535), saturated */
    ASSERT_EQ_INT(fx_to_u16_proportion(FX_ONE), 65535);
    ASSERT_EQ_INT(fx_to_u16_proportion(FX_ONE - 1), 65534);
    ASSERT_EQ_INT(fx_to_u16_proportion(2 * FX_ONE), 65535);
    ASSERT_EQ_INT(fx_to_u16_proportion(-1), 0);
    ASSERT_EQ_INT(fx_to_u16_proportion(fx_u16_proportion(1023)), 1022);   /* round trip loses 1 */
    /* emission: floor(share * rao) through I96F32; 0.1 of 1e9 is 99_999_999 */
    ASSERT_EQ_U64(fx_mul_rao(429496729, 1000000000), 99999999);
    ASSERT_EQ_U64(fx_mul_rao(FX_ONE, UINT64_MAX), UINT64_MAX);
    ASSERT_EQ_U64(fx_mul_rao(-1, 5), 0);
}

TEST_IMPL(yuma_exp_matches_substrate_fixed)
{
    fx e;
    ASSERT(yuma_exp(0, &e));
    ASSERT_EQ_INT(e, FX_ONE);
    ASSERT(yuma_exp(FX_ONE, &e));   /* the I9F23 constant, not the series */
    ASSERT_EQ_INT(e, (fx)22802601 << 9);
    /* transcendental.rs exp_works: exp(5) ~ 148.413159 within 0.1; e^23
     * overflows I32F32 and is an error; e^-23 too (1 / e^23) */
    ASSERT(yuma_exp(fx_from_int(5), &e));
    ASSERT_NEAR((double)e / 4294967296.0, 148.413159, 0.1);
    ASSERT(!yuma_exp(fx_from_int(23), &e));
    ASSERT(!yuma_exp(fx_from_int(-23), &e));
    ASSERT(yuma_exp(fx_from_int(-5), &e));
    ASSERT_NEAR((double)e / 4294967296.0, 0.006737947, 1e-8);
    /* the series overflows first at |x| just above 20.888, for either sign */
    ASSERT(yuma_exp((fx)89715445397, &e));
    ASSERT(!yuma_exp((fx)89715445398, &e));
    ASSERT(yuma_exp(-(fx)89715445397, &e));
    ASSERT(!yuma_exp(-(fx)89715445398, &e));
    ASSERT_EQ_INT(yuma_exp_libm((fx)89715445398), 0);
    ASSERT(yuma_exp_libm((fx)89715445397) > 0);
    /* the series truncates every term: exp(0.5) sits a few ulps below e^0.5 */
    ASSERT(yuma_exp(FX_HALF, &e));
    double ulps = exp(0.5) * 4294967296.0 - (double)e;
    ASSERT(ulps > 0 && ulps < 16);
}

TEST_IMPL(yuma_alpha_sigmoid_values)
{
    fx lo = fx_u16_proportion(45875), hi = fx_u16_proportion(58982);
    fx sdiv = yuma_steepness_div(1000);
    ASSERT_EQ_INT(sdiv, fx_from_int(-10));
    /* weight at consensus and above the bond: d = 0, sigmoid = 1/(1+e^5) */
    fx c = fx_f32(0.25f);
    fx a = yuma_alpha_sigmoid(c, c, 0, lo, hi, sdiv);
    double sig = 1.0 / (1.0 + exp(5.0));
    ASSERT_NEAR((double)a / 4294967296.0, 45875 / 65535.0 + sig * (13107 / 65535.0), 1e-8);
    /* far above consensus: d = 1, sigmoid = 1/(1+e^-5), alpha near high */
    a = yuma_alpha_sigmoid(0, FX_ONE, 0, lo, hi, sdiv);
    sig = 1.0 / (1.0 + exp(-5.0));
    ASSERT_NEAR((double)a / 4294967296.0, 45875 / 65535.0 + sig * (13107 / 65535.0), 1e-8);
    /* an exp that overflows gives 0 in the chain (safe_exp), so sigmoid 1 and
     * alpha = high even though the true sigmoid is ~0 */
    fx steep = yuma_steepness_div(-32768);   /* +327.68 */
    ASSERT_EQ_INT(yuma_alpha_sigmoid(0, FX_ONE, 0, lo, hi, steep), hi);
    /* the fast path stays close where nothing overflows */
    for (int k = 0; k <= 64; k++) {
        fx w = (fx)k * (FX_ONE / 64), b = FX_ONE / 3;
        fx exact = yuma_alpha_sigmoid(c, w, b, lo, hi, sdiv);
        fx fast = yuma_alpha_sigmoid_fast(c, w, b, lo, hi, sdiv);
        ASSERT(llabs(exact - fast) <= 64);
    }
}

/* A literal port of math.rs weighted_median: mid pivot, order-preserving
 * partitions, the chain's exact comparisons. */
static fx chain_weighted_median(const fx *stake, const fx *score, uint32_t n, fx minority)
{
    uint32_t idx[64], lower[64], upper[64];
    for (uint32_t i = 0; i < n; i++)
        idx[i] = i;
    fx lo = 0, hi = 0;
    for (uint32_t i = 0; i < n; i++)
        hi += stake[i];
    for (;;) {
        if (n == 0)
            return 0;
        if (n == 1)
            return score[idx[0]];
        fx pivot = score[idx[n / 2]], lo_stake = 0, hi_stake = 0;
        uint32_t nl = 0, nu = 0;
        for (uint32_t k = 0; k < n; k++) {
            fx v = score[idx[k]];
            if (v == pivot)
                continue;
            if (v < pivot)
                lo_stake += stake[idx[k]], lower[nl++] = idx[k];
            else
                hi_stake += stake[idx[k]], upper[nu++] = idx[k];
        }
        if (minority < lo + lo_stake && nl > 0) {
            memcpy(idx, lower, nl * sizeof *idx);
            n = nl;
            hi = lo + lo_stake;
        } else if (hi - hi_stake <= minority && nu > 0) {
            memcpy(idx, upper, nu * sizeof *idx);
            n = nu;
            lo = hi - hi_stake;
        } else {
            return pivot;
        }
    }
}

TEST_IMPL(yuma_weighted_median_any_order_is_the_chains)
{
    rng r;
    rng_seed(&r, 42);
    for (int trial = 0; trial < 20000; trial++) {
        uint32_t n = 1 + (uint32_t)rng_below(&r, 40);
        fx stake[64], score[64], v[64], s[64], total = 0;
        uint32_t levels = 1 + (uint32_t)rng_below(&r, 6);   /* many ties */
        for (uint32_t i = 0; i < n; i++) {
            stake[i] = 1 + (fx)rng_below(&r, (uint64_t)FX_ONE / n);
            score[i] = rng_chance(&r, 0.3) ? 0 : (fx)rng_below(&r, levels) * (FX_ONE / 7);
            total += stake[i];
        }
        fx minority;
        switch (trial % 4) {
        case 0: minority = (fx)rng_below(&r, (uint64_t)total + 1); break;
        case 1: minority = total - fx_u16_proportion(32767); break;
        case 2: minority = -(fx)rng_below(&r, 1000) - 1; break;   /* kappa above the sum */
        default: minority = total; break;                      /* kappa 0 */
        }
        memcpy(v, score, sizeof v);
        memcpy(s, stake, sizeof s);
        fx want = chain_weighted_median(stake, score, n, minority);
        fx got = yuma_weighted_median(v, s, n, minority);
        if (got != want)
            TEST_FAIL_("trial %d (n %u): %lld, the chain's algorithm gives %lld", trial, n,
                       (long long)got, (long long)want);
    }
}

/* math.rs test_math_weighted_median_col, SPEC.md §1.4 check 2. */
static void median_cols(const float *stake_f, const float *w_f, uint32_t rows, uint32_t cols,
                        float kappa, fx *out)
{
    fx use_stake[8];
    uint32_t use_row[8], use = 0;
    for (uint32_t r = 0; r < rows; r++)
        if (fx_f32(stake_f[r]) > 0)
            use_row[use] = r, use_stake[use++] = fx_f32(stake_f[r]);
    yuma_normalize(use_stake, use);
    fx total = 0;
    for (uint32_t k = 0; k < use; k++)
        total += use_stake[k];
    fx minority = fx_sat_sub(total, fx_f32(kappa));
    for (uint32_t c = 0; c < cols; c++) {
        fx v[8], s[8];
        for (uint32_t k = 0; k < use; k++)
            v[k] = fx_f32(w_f[use_row[k] * cols + c]), s[k] = use_stake[k];
        out[c] = yuma_weighted_median(v, s, use, minority);
    }
}

TEST_IMPL(yuma_weighted_median_chain_cases)
{
    static const float stake[4] = {0, 0.75f, 0.25f, 0};
    static const float w[12] = {0, 0.1f, 0, 0, 0.2f, 0.4f, 0, 0.3f, 0.1f, 0, 0.4f, 0.5f};
    fx m[3];
    median_cols(stake, w, 4, 3, 0.24f, m);
    ASSERT_EQ_INT(m[0], 0);
    ASSERT_EQ_INT(m[1], fx_f32(0.3f));
    ASSERT_EQ_INT(m[2], fx_f32(0.4f));
    median_cols(stake, w, 4, 3, 0.26f, m);
    ASSERT_EQ_INT(m[1], fx_f32(0.2f));
    ASSERT_EQ_INT(m[2], fx_f32(0.4f));
    median_cols(stake, w, 4, 3, 0.76f, m);
    ASSERT_EQ_INT(m[1], fx_f32(0.2f));
    ASSERT_EQ_INT(m[2], fx_f32(0.1f));
    static const float stake2[4] = {0, 0.3f, 0.2f, 0.5f};
    static const float w2[12] = {0, 0.1f, 0, 0, 0.2f, 0.4f, 0, 0.3f, 0.1f, 0, 0, 0.5f};
    median_cols(stake2, w2, 4, 3, 0.51f, m);
    ASSERT_EQ_INT(m[0], 0);
    ASSERT_EQ_INT(m[1], 0);
    ASSERT_EQ_INT(m[2], fx_f32(0.4f));
}

TEST_IMPL(yuma_topk_nonzero_is_a_stable_sort)
{
    rng r;
    rng_seed(&r, 7);
    for (int trial = 0; trial < 2000; trial++) {
        uint32_t n = 1 + (uint32_t)rng_below(&r, 30), k = (uint32_t)rng_below(&r, 34);
        fx x[32];
        uint64_t keys[32];
        bool got[32];
        for (uint32_t i = 0; i < n; i++)
            x[i] = rng_chance(&r, 0.2) ? 0 : (fx)rng_below(&r, 5) * 1000;
        yuma_topk_nonzero(x, n, k, keys, got);
        for (uint32_t i = 0; i < n; i++) {
            /* position of i in a stable ascending sort */
            uint32_t pos = 0;
            for (uint32_t j = 0; j < n; j++)
                pos += x[j] < x[i] || (x[j] == x[i] && j < i);
            bool want = x[i] != 0 && (n <= k || pos >= n - k);
            ASSERT_EQ_INT(got[i], want);
        }
    }
}
