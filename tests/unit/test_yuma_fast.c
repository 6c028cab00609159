/* The fast epoch core against the reference (the chain's steps as written),
 * bit for bit, on thousands of random subnets: sparse and dense weights,
 * explicit zeros, inactive and unpermitted validators, recent registrations,
 * commit-reveal masks, every bonds mode and odd hyperparameters (a bma
 * above 1e6 sends the sparse core's bonds back to the reference's),
 * chained over epochs; both fast cores, sparse and dense, must take part. */
#include "chain/yuma_internal.h"
#include "test.h"

#define NMAX 90

typedef struct sub {
    uint32_t n;
    uint64_t stake[NMAX], last_update[NMAX], reg[NMAX], commit[NMAX];
    bool permit[NMAX], use_commit;
    uint32_t wr[NMAX + 1], br[NMAX + 1];
    uint16_t wc[NMAX * NMAX], wv[NMAX * NMAX], bc[NMAX * NMAX], bv[NMAX * NMAX];
    uint64_t block, lms;
    yuma_params p;
} sub;

static uint16_t rand_u16(rng *r)
{
    switch (rng_below(r, 6)) {
    case 0: return 0;
    case 1: return 65535;
    case 2: return (uint16_t)rng_below(r, 8);
    default: return (uint16_t)rng_below(r, 65536);
    }
}

static void rand_matrix(rng *r, uint32_t n, uint32_t *row, uint16_t *col, uint16_t *val,
                        double density, bool upscale)
{
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        row[i] = k;
        bool dense_row = rng_chance(r, 0.3);
        uint32_t start = k, max = 0;
        for (uint32_t j = 0; j < n; j++)
            if (dense_row || rng_chance(r, density)) {
                col[k] = (uint16_t)j;
                val[k] = rand_u16(r);
                max = val[k] > max ? val[k] : max;
                k++;
            }
        if (upscale && max && rng_chance(r, 0.8))   /* as set_weights stores them */
            for (uint32_t q = start; q < k; q++)
                val[q] = (uint16_t)(((uint64_t)val[q] * 65535 + max / 2) / max);
    }
    row[n] = k;
}

static void rand_params(rng *r, yuma_params *p, uint32_t n)
{
    yuma_params_default(p);
    p->yuma3 = rng_chance(r, 0.6);
    p->liquid_alpha = rng_chance(r, 0.5);
    p->fast_sigmoid = rng_chance(r, 0.1);
    uint32_t pen = (uint32_t)rng_below(r, 3);
    p->bonds_penalty = pen == 0 ? 0 : pen == 1 ? 65535 : rand_u16(r);
    p->kappa = rng_chance(r, 0.7) ? 32767 : rand_u16(r);
    p->bonds_moving_average = rng_chance(r, 0.9) ? rng_below(r, 1000001) : 1000000 + rng_below(r, 2000000);
    p->alpha_low = rand_u16(r);
    p->alpha_high = rng_chance(r, 0.8) ? (uint16_t)(p->alpha_low + rng_below(r, 65536u - p->alpha_low)) : rand_u16(r);
    int64_t st[] = {1000, 1000, 0, -500, 2500, 32767, -32768, (int64_t)rng_below(r, 4000)};
    p->alpha_sigmoid_steepness = (int16_t)st[rng_below(r, 8)];
    p->activity_cutoff = rng_below(r, 400);
    p->max_allowed_validators = (uint16_t)rng_below(r, n + 3);
    p->tempo = (uint16_t)rng_below(r, 50);
    p->stake_threshold = rng_chance(r, 0.8) ? 0 : rng_below(r, 1000);
    p->owner_uid = rng_chance(r, 0.8) ? -1 : (int32_t)rng_below(r, n);
}

static void rand_sub(rng *r, sub *s)
{
    uint32_t n = s->n = 1 + (uint32_t)rng_below(r, rng_chance(r, 0.2) ? NMAX : 24);
    s->block = 200 + rng_below(r, 400);
    s->lms = rng_chance(r, 0.5) ? 0 : rng_below(r, s->block);
    s->use_commit = rng_chance(r, 0.2);
    /* A settled subnet: everyone registered before anyone last set weights,
     * so the weights and bonds masks drop nothing (the cores' unmasked
     * paths, dense and sparse rows). */
    bool settled = rng_chance(r, 0.25);
    for (uint32_t i = 0; i < n; i++) {
        s->stake[i] = rng_chance(r, 0.3) ? 0 : rng_below(r, rng_chance(r, 0.5) ? 10 : 1000000000000ull);
        s->last_update[i] = settled ? 10 + rng_below(r, s->block - 9) : rng_below(r, s->block + 1);
        s->reg[i] = settled ? rng_below(r, 10)
                    : rng_chance(r, 0.7) ? rng_below(r, 100) : rng_below(r, s->block + 1);
        s->commit[i] = rng_chance(r, 0.5) ? UINT64_MAX
                       : settled ? 10 + rng_below(r, s->block - 9) : rng_below(r, s->block + 1);
        s->permit[i] = rng_chance(r, 0.6);
    }
    double density = rng_chance(r, 0.5) ? rng_uniform(r) : 1.0;
    rand_matrix(r, n, s->wr, s->wc, s->wv, density, true);
    rand_matrix(r, n, s->br, s->bc, s->bv, rng_uniform(r), false);
    rand_params(r, &s->p, n);
}

static yuma_input sub_input(const sub *s)
{
    return (yuma_input){
        .n = s->n, .block = s->block, .last_epoch_block = s->lms, .emission = 1000000000,
        .stake = s->stake, .last_update = s->last_update, .registered_at = s->reg,
        .validator_permit = s->permit,
        .weights = {s->wr, s->wc, s->wv}, .bonds = {s->br, s->bc, s->bv},
        .commit_block = s->use_commit ? s->commit : NULL,
    };
}

#define SAME_ARRAY(field, fmt)                                                     \
    for (uint32_t i = 0; i < n; i++)                                               \
        if (a->field[i] != b->field[i])                                            \
            TEST_FAIL_("case %d epoch %d: " #field "[%u]: fast " fmt ", reference " fmt, \
                       c, e, i, a->field[i], b->field[i]);

static void compare(const yuma_output *a, const yuma_output *b, int c, int e)
{
    uint32_t n = a->n;
    SAME_ARRAY(active, "%d");
    SAME_ARRAY(validator_permit, "%d");
    SAME_ARRAY(stake_weight, "%u");
    SAME_ARRAY(rank, "%u");
    SAME_ARRAY(trust, "%u");
    SAME_ARRAY(consensus, "%u");
    SAME_ARRAY(incentive, "%u");
    SAME_ARRAY(dividends, "%u");
    SAME_ARRAY(validator_trust, "%u");
    SAME_ARRAY(server_emission, "%" PRIu64);
    SAME_ARRAY(validator_emission, "%" PRIu64);
    SAME_ARRAY(emission, "%" PRIu64);
    for (uint32_t i = 0; i <= n; i++)
        if (a->bonds.row_start[i] != b->bonds.row_start[i])
            TEST_FAIL_("case %d epoch %d: bonds row %u starts at %u, reference %u", c, e, i,
                       a->bonds.row_start[i], b->bonds.row_start[i]);
    for (uint32_t q = 0; q < a->bonds_nnz; q++)
        if (a->bonds.col[q] != b->bonds.col[q] || a->bonds.val[q] != b->bonds.val[q])
            TEST_FAIL_("case %d epoch %d: bond entry %u: fast (%u, %u), reference (%u, %u)",
                       c, e, q, a->bonds.col[q], a->bonds.val[q], b->bonds.col[q],
                       b->bonds.val[q]);
}

static void fast_equals_reference(bool simd)
{
    yuma_ws *fast = yuma_ws_new(), *ref = yuma_ws_new();
    ASSERT(fast && ref);
    yuma_ws_force_reference(ref, true);
    yuma_ws_allow_simd(fast, simd);
    sub *s = malloc(sizeof *s);
    ASSERT(s != NULL);
    rng r;
    rng_seed(&r, 1234);
    int ran[3] = {0};   /* epochs per core that computed them (enum yuma_core) */
    for (int c = 0; c < 3000; c++) {
        rand_sub(&r, s);
        for (int e = 0; e < 3; e++) {
            yuma_input in = sub_input(s);
            const yuma_output *a, *b;
            err er;
            ASSERT_OK(yuma_epoch(fast, &s->p, &in, &a, &er));
            ASSERT_OK(yuma_epoch(ref, &s->p, &in, &b, &er));
            compare(a, b, c, e);
            ran[fast->ran]++;
            /* the next epoch: these permits and bonds, new weights sometimes */
            memcpy(s->permit, b->validator_permit, s->n * sizeof *s->permit);
            memcpy(s->br, b->bonds.row_start, (s->n + 1) * sizeof *s->br);
            memcpy(s->bc, b->bonds.col, b->bonds_nnz * sizeof *s->bc);
            memcpy(s->bv, b->bonds.val, b->bonds_nnz * sizeof *s->bv);
            s->lms = s->block;
            s->block += s->p.tempo + 1;
            if (rng_chance(&r, 0.5))
                rand_matrix(&r, s->n, s->wr, s->wc, s->wv, rng_uniform(&r), true);
            for (uint32_t i = 0; i < s->n; i++)
                if (rng_chance(&r, 0.5))
                    s->last_update[i] = s->block - rng_below(&r, 3);
        }
    }
    /* the fast cores ran (a core that always declined would leave the
     * reference compared with itself) */
    printf("epochs by core: reference %d, sparse %d, dense %d\n", ran[YUMA_CORE_REFERENCE],
           ran[YUMA_CORE_SPARSE], ran[YUMA_CORE_DENSE]);
    ASSERT(ran[YUMA_CORE_SPARSE] > 1000);
    ASSERT(ran[YUMA_CORE_DENSE] > 1000);
    free(s);
    yuma_ws_free(fast);
    yuma_ws_free(ref);
}

/* The portable loops, then the AVX2 kernels where the CPU has them. */
TEST_IMPL(yuma_fast_equals_reference)
{
    fast_equals_reference(false);
}

TEST_IMPL(yuma_fast_simd_equals_reference)
{
    fast_equals_reference(true);
}

/* One fault in a valid matrix: a column repeated or out of order, one
 * that names a uid outside the subnet, or an offset that falls. */
static void corrupt(rng *r, uint32_t n, uint32_t *row, uint16_t *col)
{
    uint32_t nnz = row[n];
    switch (rng_below(r, 4)) {
    case 0:   /* a column repeated */
        if (nnz >= 2) {
            uint32_t k = 1 + (uint32_t)rng_below(r, nnz - 1);
            col[k] = col[k - 1];
        }
        break;
    case 1:   /* two columns swapped */
        if (nnz >= 2) {
            uint32_t k = 1 + (uint32_t)rng_below(r, nnz - 1);
            uint16_t t = col[k];
            col[k] = col[k - 1], col[k - 1] = t;
        }
        break;
    case 2:   /* a uid outside the subnet */
        if (nnz >= 1)
            col[rng_below(r, nnz)] = (uint16_t)(n + rng_below(r, 3));
        break;
    default:  /* an offset below the one before */
        {
            uint32_t i = 1 + (uint32_t)rng_below(r, n);
            if (row[i - 1] > 0)
                row[i] = row[i - 1] - 1;
        }
        break;
    }
}

/* The AVX2 validation and the portable one agree on every input, valid or
 * not: the same result and, for a fault, the same message. */
TEST_IMPL(yuma_simd_validation_equals_portable)
{
    yuma_ws *simd = yuma_ws_new(), *port = yuma_ws_new();
    ASSERT(simd && port);
    yuma_ws_allow_simd(port, false);
    sub *s = malloc(sizeof *s);
    ASSERT(s != NULL);
    rng r;
    rng_seed(&r, 4321);
    int faults = 0;
    for (int c = 0; c < 4000; c++) {
        rand_sub(&r, s);
        bool weights = rng_chance(&r, 0.5);
        if (rng_chance(&r, 0.8))
            corrupt(&r, s->n, weights ? s->wr : s->br, weights ? s->wc : s->bc);
        yuma_input in = sub_input(s);
        const yuma_output *a, *b;
        err ea = {0}, eb = {0};
        int ra = yuma_epoch(simd, &s->p, &in, &a, &ea), rb = yuma_epoch(port, &s->p, &in, &b, &eb);
        ASSERT_EQ_INT(ra, rb);
        if (ra) {
            ASSERT_STR_EQ(ea.msg, eb.msg);
            faults++;
        }
    }
    ASSERT(faults > 1000);   /* most corruptions are faults: the test sees them */
    free(s);
    yuma_ws_free(simd);
    yuma_ws_free(port);
}

/* The fast_sigmoid option's error, measured two ways and bounded: a dense
 * liquid-alpha subnet (bonds carried by the exact run, a 1e18 rao emission so
 * that one ulp of a share shows), and 5000 random subnets with any
 * steepness, alpha range and sparsity. Each epoch runs exact and fast from
 * the same state. The measured maxima are in tests/bench/RESULTS.md. */
#define FAST_MAX_U16 1        /* dividends, bonds: at most one u16 step */
#define FAST_MAX_REL 65536    /* emission: within emission / 65536 */

typedef struct fast_err {
    int u16;
    uint64_t rao;
} fast_err;

static void fast_vs_exact(yuma_ws *exact, yuma_ws *fast, const sub *s, uint64_t emission,
                          fast_err *m, const yuma_output **exact_out)
{
    yuma_input in = sub_input(s);
    in.emission = emission;
    yuma_params pf = s->p;
    pf.fast_sigmoid = true;
    const yuma_output *a, *b;
    err er;
    ASSERT_OK(yuma_epoch(exact, &s->p, &in, &a, &er));
    ASSERT_OK(yuma_epoch(fast, &pf, &in, &b, &er));
    for (uint32_t i = 0; i < s->n; i++) {
        int dd = abs((int)a->dividends[i] - (int)b->dividends[i]);
        uint64_t x = a->emission[i], y = b->emission[i], dr = x > y ? x - y : y - x;
        m->u16 = dd > m->u16 ? dd : m->u16;
        m->rao = dr > m->rao ? dr : m->rao;
    }
    ASSERT_EQ_U64(a->bonds_nnz, b->bonds_nnz);
    for (uint32_t q = 0; q < a->bonds_nnz; q++) {
        int db = abs((int)a->bonds.val[q] - (int)b->bonds.val[q]);
        m->u16 = db > m->u16 ? db : m->u16;
    }
    *exact_out = a;
}

TEST_IMPL(yuma_fast_sigmoid_error_is_bounded)
{
    yuma_ws *exact = yuma_ws_new(), *fast = yuma_ws_new();
    ASSERT(exact && fast);
    sub *s = malloc(sizeof *s);
    ASSERT(s != NULL);
    rng r;
    rng_seed(&r, 99);
    uint32_t n = s->n = 64, v = 16;
    yuma_params_default(&s->p);
    s->p.liquid_alpha = true;
    s->p.max_allowed_validators = (uint16_t)v;
    s->block = 1000, s->lms = 0, s->use_commit = false;
    for (uint32_t i = 0; i <= n; i++)
        s->br[i] = 0;
    for (uint32_t i = 0; i < n; i++) {
        s->stake[i] = i < v ? 1000000000000ull + rng_below(&r, 99000000000000ull) : 0;
        s->reg[i] = 0, s->permit[i] = false;
    }
    fast_err dense = {0, 0}, rand = {0, 0};
    for (int e = 0; e < 200; e++) {
        uint32_t k = 0;
        for (uint32_t i = 0; i < n; i++) {   /* validators weigh every uid, anew */
            s->wr[i] = k;
            if (i < v) {
                for (uint32_t j = 0; j < n; j++)
                    s->wc[k] = (uint16_t)j, s->wv[k++] = (uint16_t)(1 + rng_below(&r, 65535));
                s->last_update[i] = s->block - 1;
            }
        }
        s->wr[n] = k;
        const yuma_output *a;
        fast_vs_exact(exact, fast, s, 1000000000000000000ull, &dense, &a);
        memcpy(s->permit, a->validator_permit, n * sizeof *s->permit);
        memcpy(s->br, a->bonds.row_start, (n + 1) * sizeof *s->br);
        memcpy(s->bc, a->bonds.col, a->bonds_nnz * sizeof *s->bc);
        memcpy(s->bv, a->bonds.val, a->bonds_nnz * sizeof *s->bv);
        s->lms = s->block;
        s->block += s->p.tempo + 1;
    }
    const uint64_t emission = 1000000000ull * 361;
    for (int c = 0; c < 5000; c++) {
        rand_sub(&r, s);
        s->p.yuma3 = s->p.liquid_alpha = true;
        s->p.bonds_moving_average = s->p.bonds_moving_average % 1000001;
        const yuma_output *a;
        fast_vs_exact(exact, fast, s, emission, &rand, &a);
    }
    printf("fast_sigmoid vs exact, one epoch from the same state: dense subnet (1e18 rao): "
           "max u16 step %d, max %" PRIu64 " rao; random subnets (%" PRIu64 " rao): max u16 "
           "step %d, max %" PRIu64 " rao\n",
           dense.u16, dense.rao, emission, rand.u16, rand.rao);
    ASSERT(dense.u16 <= FAST_MAX_U16 && rand.u16 <= FAST_MAX_U16);
    ASSERT(dense.rao <= 1000000000000000000ull / FAST_MAX_REL);
    ASSERT(rand.rao <= emission / FAST_MAX_REL);
    free(s);
    yuma_ws_free(exact);
    yuma_ws_free(fast);
}
