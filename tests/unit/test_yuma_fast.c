/* The fast epoch core against the reference (the chain's steps as written),
 * bit for bit, on thousands of random subnets: sparse and dense weights,
 * explicit zeros, inactive and unpermitted validators, recent registrations,
 * commit-reveal masks, every bonds mode and odd hyperparameters (which send
 * the fast path back to the reference), chained over epochs. */
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
    for (uint32_t i = 0; i < n; i++) {
        s->stake[i] = rng_chance(r, 0.3) ? 0 : rng_below(r, rng_chance(r, 0.5) ? 10 : 1000000000000ull);
        s->last_update[i] = rng_below(r, s->block + 1);
        s->reg[i] = rng_chance(r, 0.7) ? rng_below(r, 100) : rng_below(r, s->block + 1);
        s->commit[i] = rng_chance(r, 0.5) ? UINT64_MAX : rng_below(r, s->block + 1);
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

TEST_IMPL(yuma_fast_equals_reference)
{
    yuma_ws *fast = yuma_ws_new(), *ref = yuma_ws_new();
    ASSERT(fast && ref);
    yuma_ws_force_reference(ref, true);
    sub *s = malloc(sizeof *s);
    ASSERT(s != NULL);
    rng r;
    rng_seed(&r, 1234);
    for (int c = 0; c < 3000; c++) {
        rand_sub(&r, s);
        for (int e = 0; e < 3; e++) {
            yuma_input in = sub_input(s);
            const yuma_output *a, *b;
            err er;
            ASSERT_OK(yuma_epoch(fast, &s->p, &in, &a, &er));
            ASSERT_OK(yuma_epoch(ref, &s->p, &in, &b, &er));
            compare(a, b, c, e);
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
    free(s);
    yuma_ws_free(fast);
    yuma_ws_free(ref);
}
