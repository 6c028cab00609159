/* The dense core's exact liquid alpha (sim/chain/yuma_liquid.c, the vector
 * twin in yuma_avx2_liquid.c) against the chain's arithmetic as written, on
 * millions of exponents over the whole domain, with the deficit bound its
 * proof rests on; and the dense core on subnets shaped like the benchmark
 * (256 uids, 64 validators, weights changing every epoch) against the
 * reference, bit for bit, chained over epochs, in every EMA mode. */
#include "chain/yuma_fast.h"
#include "test.h"

/* alpha_sigmoid from its exponent x as the chain writes it: safe_exp, one
 * over one plus it (saturating), lo plus that share of hi - lo, clamped. */
static fx chain_alpha(fx x, fx lo, fx hi)
{
    fx e;
    if (!yuma_exp(x, &e))
        e = 0;
    fx sig = fx_sat_div(FX_ONE, fx_sat_add(FX_ONE, e));
    return fx_clamp(fx_sat_add(lo, fx_mul(sig, fx_sat_sub(hi, lo))), lo, hi);
}

/* yuma_liquid.c's bound on how far the series falls below 2^32 e^x:
 * recomputed from its recurrence, and held to the series on random x. */
TEST_IMPL(yuma_liquid_deficit_bound)
{
    for (int k = 0; k < 2; k++) {
        long double x = k ? 8 : 6, d = 0, sum = 0;
        for (int i = 2; i < 32; i++) {
            d = d * x / i + 1;
            sum += d;
        }
        long double t = 4294967296.0L * powl(x, 32) / tgammal(33), tail = 0;
        for (int i = 32; t > 1e-9L; i++) {
            tail += t;
            t = t * x / (i + 1);
        }
        ASSERT(sum + tail <= (k ? 1913 : 88));
    }
    rng r;
    rng_seed(&r, 7);
    for (int i = 0; i < 300000; i++) {
        fx x = (fx)rng_below(&r, (uint64_t)8 << 32) + 1, R;
        if (x == FX_ONE)
            continue;   /* the chain's exp(1) is a constant, not the series */
        ASSERT(yuma_exp(x, &R));
        long double exact = expl((long double)x / 4294967296.0L) * 4294967296.0L;
        long double dmax = x <= ((fx)6 << 32) ? 88 : 1913;
        if ((long double)R > exact + 1e-3L || (long double)R < exact - dmax)
            TEST_FAIL_("x = %" PRId64 ": series %" PRId64 ", 2^32 e^x %.3Lf", x, R, exact);
    }
}

/* Exponents over the whole domain: uniform in [-25, 25] (past the chain's
 * overflow at 20.888), near 0, near +-1, and as the epoch forms them,
 * steepness times (d - 1/2). */
static fx rand_x(rng *r)
{
    switch (rng_below(r, 4)) {
    case 0: return (fx)rng_below(r, (uint64_t)50 << 32) - ((fx)25 << 32);
    case 1: return (fx)rng_below(r, (uint64_t)1 << 34) - ((fx)1 << 33);
    case 2: return (rng_chance(r, 0.5) ? FX_ONE : -FX_ONE) + (fx)rng_below(r, 64) - 32;
    default: {
        int64_t steep = (int64_t)rng_below(r, 40) - 20;
        return steep * ((fx)rng_below(r, (uint64_t)1 << 32) - FX_HALF);
    }
    }
}

static void rand_liq(rng *r, yliq *L, int c)
{
    yuma_params p;
    yuma_params_default(&p);
    p.liquid_alpha = true;
    if (c > 0) {   /* c = 0: the defaults */
        p.alpha_low = (uint16_t)(1 + rng_below(r, 65000));
        p.alpha_high = (uint16_t)(p.alpha_low + rng_below(r, 65535u - p.alpha_low));
        int16_t st[] = {1000, 2500, -500, 100, 3200, -1000};
        p.alpha_sigmoid_steepness = st[rng_below(r, 6)];
    }
    yuma_liquid_setup(L, &p);
}

/* yuma_liquid_alpha (the bracket, else the series) is the chain's alpha. */
TEST_IMPL(yuma_liquid_alpha_is_exact)
{
    rng r;
    rng_seed(&r, 11);
    uint64_t decided = 0, total = 0;
    for (int c = 0; c < 40; c++) {
        yliq L;
        rand_liq(&r, &L, c);
        for (int i = 0; i < 40000; i++) {
            fx x = rand_x(&r), a;
            bool sure = yuma_liquid_bracket(&L, x, &a);
            fx want = chain_alpha(x, L.lo, L.hi);
            if (sure && a != want)
                TEST_FAIL_("params %d x %" PRId64 ": bracket %" PRId64 ", chain %" PRId64, c, x, a, want);
            ASSERT_EQ_INT(yuma_liquid_alpha(&L, x), want);
            decided += sure, total++;
        }
    }
    printf("bracket decided %.1f%% of %" PRIu64 " exponents over [-25, 25]\n",
           100.0 * (double)decided / (double)total, total);
    ASSERT(decided > total / 4);   /* it does decide, where |x| is past 2 */
}

/* The vector bracket: every lane it decides is the chain's alpha. */
TEST_IMPL(yuma_liquid_alpha4_is_exact)
{
    if (!yuma_have_avx2()) {
        printf("no AVX2 here: nothing to check\n");
        return;
    }
    rng r;
    rng_seed(&r, 13);
    uint64_t decided = 0, total = 0;
    for (int c = 0; c < 40; c++) {
        yliq L;
        rand_liq(&r, &L, c);
        for (int i = 0; i < 10000; i++) {
            int64_t x[4];
            fx a[4];
            bool unsure[4];
            for (int l = 0; l < 4; l++)
                x[l] = rand_x(&r);
            yuma_avx2_liquid_alpha4(&L, x, a, unsure);
            for (int l = 0; l < 4; l++) {
                fx want = chain_alpha(x[l], L.lo, L.hi);
                if (!unsure[l] && a[l] != want)
                    TEST_FAIL_("params %d x %" PRId64 ": vector %" PRId64 ", chain %" PRId64, c,
                               x[l], a[l], want);
                decided += !unsure[l], total++;
            }
        }
    }
    printf("vector bracket decided %.1f%% of %" PRIu64 " exponents\n",
           100.0 * (double)decided / (double)total, total);
    ASSERT(decided > total / 4);
}

/* ---- the dense core on bench-shaped subnets ---- */

#define BN 256
#define BV 64

typedef struct shape {
    uint64_t stake[BN], last_update[BN], reg[BN];
    bool permit[BN];
    uint32_t wr[BN + 1], br[BN + 1];
    uint16_t wc[BV * BN], wv[BV * BN], bc[BN * BN], bv[BN * BN];
} shape;

/* Validators weigh every uid but themselves, anew each epoch (row-max
 * upscaled), with odd rows mixed in: one weight only (a weight of 1, a
 * careful row), a half-empty row, explicit zeros, no stake. */
static void shape_weights(rng *r, shape *s)
{
    uint32_t k = 0;
    for (uint32_t i = 0; i <= BN; i++) {
        s->wr[i] = k;
        if (i >= BV || i == BN)
            continue;
        uint32_t start = k, max = 0;
        for (uint32_t j = 0; j < BN; j++) {
            if (j == i || (i == 2 && j % 2) || (i == 1 && j != 7))
                continue;
            s->wc[k] = (uint16_t)j;
            s->wv[k] = i == 3 && j % 5 == 0 ? 0 : (uint16_t)(1 + rng_below(r, 65535));
            max = s->wv[k] > max ? s->wv[k] : max;
            k++;
        }
        for (uint32_t q = start; q < k; q++)
            s->wv[q] = (uint16_t)(((uint64_t)s->wv[q] * 65535 + max / 2) / max);
    }
    s->wr[BN] = k;
}

#define SAME(field)                                                                \
    if (memcmp(a->field, b->field, BN * sizeof *a->field))                         \
        TEST_FAIL_("%s epoch %d: " #field " differs from the reference", what, e);

static void same(const yuma_output *a, const yuma_output *b, const char *what, int e)
{
    SAME(validator_permit) SAME(stake_weight) SAME(rank) SAME(trust) SAME(consensus)
    SAME(incentive) SAME(dividends) SAME(validator_trust) SAME(server_emission)
    SAME(validator_emission) SAME(emission)
    ASSERT_EQ_U64(a->bonds_nnz, b->bonds_nnz);
    if (memcmp(a->bonds.row_start, b->bonds.row_start, (BN + 1) * sizeof(uint32_t)) ||
        memcmp(a->bonds.col, b->bonds.col, a->bonds_nnz * sizeof(uint16_t)) ||
        memcmp(a->bonds.val, b->bonds.val, a->bonds_nnz * sizeof(uint16_t)))
        TEST_FAIL_("%s epoch %d: bonds differ from the reference", what, e);
}

static void run_shape(const yuma_params *p, const char *what, uint64_t seed)
{
    shape *s = calloc(1, sizeof *s);
    ASSERT(s != NULL);
    yuma_ws *ref = yuma_ws_new(), *vec = yuma_ws_new(), *port = yuma_ws_new();
    ASSERT(ref && vec && port);
    yuma_ws_force_reference(ref, true);
    yuma_ws_allow_simd(port, false);
    rng r;
    rng_seed(&r, seed);
    for (uint32_t i = 0; i < BV; i++)
        s->stake[i] = i == 5 ? 0 : 1000000000000ull + rng_below(&r, 99000000000000ull);
    uint64_t block = 1000;
    for (int e = 0; e < 12; e++) {
        shape_weights(&r, s);
        for (uint32_t i = 0; i < BV; i++)
            s->last_update[i] = block - 1;
        yuma_input in = {
            .n = BN, .block = block, .last_epoch_block = block - p->tempo - 1,
            .emission = 1000000000ull * 361, .stake = s->stake, .last_update = s->last_update,
            .registered_at = s->reg, .validator_permit = s->permit,
            .weights = {s->wr, s->wc, s->wv}, .bonds = {s->br, s->bc, s->bv},
        };
        const yuma_output *a, *b, *c;
        err er;
        ASSERT_OK(yuma_epoch(ref, p, &in, &a, &er));
        ASSERT_OK(yuma_epoch(vec, p, &in, &b, &er));
        ASSERT_OK(yuma_epoch(port, p, &in, &c, &er));
        same(b, a, what, e);
        same(c, a, what, e);
        ASSERT_EQ_INT(vec->ran, YUMA_CORE_DENSE);   /* not compared by a fallback */
        ASSERT_EQ_INT(port->ran, YUMA_CORE_DENSE);
        memcpy(s->permit, a->validator_permit, sizeof s->permit);
        memcpy(s->br, a->bonds.row_start, sizeof s->br);
        memcpy(s->bc, a->bonds.col, a->bonds_nnz * sizeof *s->bc);
        memcpy(s->bv, a->bonds.val, a->bonds_nnz * sizeof *s->bv);
        block += p->tempo + 1;
    }
    yuma_ws_free(ref);
    yuma_ws_free(vec);
    yuma_ws_free(port);
    free(s);
}

TEST_IMPL(yuma_dense_bench_shape_equals_reference)
{
    yuma_params p;
    yuma_params_default(&p);
    run_shape(&p, "yuma3", 1);
    p.bonds_penalty = 0;
    run_shape(&p, "yuma3 penalty 0", 2);
    p.bonds_penalty = 30000;
    p.kappa = 20000;
    run_shape(&p, "yuma3 penalty 30000 kappa 20000", 3);
    yuma_params_default(&p);
    p.liquid_alpha = true;
    run_shape(&p, "liquid", 4);
    p.bonds_penalty = 0;
    p.alpha_sigmoid_steepness = 2500;
    run_shape(&p, "liquid penalty 0 steepness 2500", 5);
    p.bonds_penalty = 12345;
    p.alpha_sigmoid_steepness = -500;
    run_shape(&p, "liquid penalty 12345 steepness -500", 6);
    p.alpha_sigmoid_steepness = 333;   /* not whole: the careful path */
    run_shape(&p, "liquid steepness 333", 7);
    yuma_params_default(&p);
    p.liquid_alpha = true;
    p.fast_sigmoid = true;
    run_shape(&p, "liquid fast_sigmoid", 8);
}
