/* subtensor's Yuma 3 scenario tests (tests/epoch.rs, setup_yuma_3_scenario):
 * three validators, two or three servers, liquid alpha (0.1, 0.3) unless a
 * test turns it off, bonds penalty 0, bma 975000, steepness 1000, a few
 * epochs of weight changes. The chain's tests compare dividends to 1e-3 (their
 * bond comparisons skip every column, so they compare nothing); here the
 * dividends are compared to the same tolerance and the bonds too. */
#include "yuma_sim.h"

#define M 65535
#define H (65535 / 2)

static ysim *yuma3_setup(uint32_t n, const uint64_t *stakes)
{
    ysim *s = ysim_new(n);
    s->p.tempo = 1;
    s->p.bonds_penalty = 0;
    s->p.alpha_sigmoid_steepness = 1000;
    s->p.bonds_moving_average = 975000;
    s->p.kappa = 65535 / 2;
    s->p.liquid_alpha = true;
    /* set_alpha_values_32(0.1, 0.3): floor(I32F32(0.1) * 65535), ... */
    s->p.alpha_low = 6553;
    s->p.alpha_high = 19660;
    s->p.yuma3 = true;
    s->p.max_allowed_validators = 3;
    s->block = 1;
    for (uint32_t i = 0; i < n; i++)
        s->stake[i] = stakes[i], s->reg[i] = 1;
    s->block++;   /* run_epoch: next block, then the epoch that sets permits */
    ysim_epoch(s, 1000000000);
    return s;
}

/* set_yuma_3_weights: validator v weighs the servers 3.. with w[v][*]. */
static void yuma3_weights(ysim *s, uint32_t servers, const uint16_t w[3][3])
{
    uint16_t cols[3] = {3, 4, 5};
    for (uint32_t v = 0; v < 3; v++)
        ysim_set_weights(s, v, servers, cols, w[v]);
}

static void yuma3_check(ysim *s, uint32_t servers, const double div[3],
                        const double bonds[3][3], int epoch)
{
    s->block++;
    ysim_epoch(s, 1000000000);
    for (uint32_t v = 0; v < s->n; v++) {
        double got = s->out->dividends[v] / 65535.0, want = v < 3 ? div[v] : 0.0;
        if (fabs(got - want) > 1e-3)
            TEST_FAIL_("epoch %d: dividend of uid %u: %.4f, chain test expects %.4f", epoch,
                       v, got, want);
    }
    if (!bonds)
        return;
    for (uint32_t v = 0; v < 3; v++)
        for (uint32_t j = 0; j < servers; j++) {
            double got = ysim_bond(s, v, 3 + j) / 65535.0;
            if (fabs(got - bonds[v][j]) > 1e-3)
                TEST_FAIL_("epoch %d: bond %u->%u: %.4f, chain test lists %.4f", epoch, v,
                           3 + j, got, bonds[v][j]);
        }
}

typedef struct yuma3_case {
    uint64_t stakes[6];
    uint32_t servers;
    bool liquid;
    /* weights per epoch; epochs past the last given keep the last */
    uint16_t w[6][3][3];
    uint32_t w_epochs;
    double div[6][3];
    double bonds[6][3][3];
    bool check_bonds;
} yuma3_case;

static void yuma3_run(const yuma3_case *c)
{
    ysim *s = yuma3_setup(3 + c->servers, c->stakes);
    s->p.liquid_alpha = c->liquid;
    for (int epoch = 0; epoch < 6; epoch++) {
        if ((uint32_t)epoch < c->w_epochs)
            yuma3_weights(s, c->servers, c->w[epoch]);
        yuma3_check(s, c->servers, c->div[epoch], c->check_bonds ? c->bonds[epoch] : NULL,
                    epoch);
    }
    ysim_free(s);
}

/* SPEC.md §1.4 check 3. */
TEST_IMPL(chain_yuma3_kappa_moves_first)
{
    static const yuma3_case c = {
        .stakes = {8, 1, 1, 0, 0},
        .servers = 2,
        .liquid = true,
        .w = {{{M, 0}, {M, 0}, {M, 0}},
              {{0, M}, {M, 0}, {M, 0}},
              {{0, M}, {0, M}, {M, 0}},
              {{0, M}, {0, M}, {0, M}}},
        .w_epochs = 4,
        .div = {{0.8, 0.1, 0.1}, {1.0, 0.0, 0.0}, {0.9382, 0.0618, 0.0},
                {0.8819, 0.0773, 0.0407}, {0.8564, 0.0844, 0.0592},
                {0.8418, 0.0884, 0.0697}},
        .bonds = {{{0.1013, 0}, {0.1013, 0}, {0.1013, 0}},
                  {{0.0908, 0.1013}, {0.3697, 0}, {0.3697, 0}},
                  {{0.0815, 0.1924}, {0.3170, 0.1013}, {0.5580, 0}},
                  {{0.0731, 0.2742}, {0.2765, 0.1924}, {0.4306, 0.1013}},
                  {{0.0656, 0.3478}, {0.2435, 0.2742}, {0.3589, 0.1924}},
                  {{0.0588, 0.4139}, {0.2157, 0.3478}, {0.3089, 0.2742}}},
        .check_bonds = true,
    };
    yuma3_run(&c);
}

TEST_IMPL(chain_yuma3_kappa_moves_second)
{
    static const yuma3_case c = {
        .stakes = {8, 1, 1, 0, 0},
        .servers = 2,
        .liquid = true,
        .w = {{{M, 0}, {M, 0}, {M, 0}},
              {{M, 0}, {0, M}, {M, 0}},
              {{0, M}, {0, M}, {M, 0}},
              {{0, M}, {0, M}, {0, M}}},
        .w_epochs = 4,
        .div = {{0.8, 0.1, 0.1}, {0.8446, 0.0498, 0.1056}, {0.6868, 0.3132, 0.0},
                {0.7421, 0.2090, 0.0489}, {0.7625, 0.1706, 0.0669},
                {0.7730, 0.1508, 0.0762}},
        .bonds = {{{0.1013, 0}, {0.1013, 0}, {0.1013, 0}},
                  {{0.1924, 0}, {0.0908, 0.2987}, {0.1924, 0}},
                  {{0.1715, 0.1013}, {0.0815, 0.3697}, {0.4336, 0}},
                  {{0.1531, 0.1924}, {0.0731, 0.4336}, {0.3608, 0.1013}},
                  {{0.1369, 0.2742}, {0.0656, 0.4910}, {0.3103, 0.1924}},
                  {{0.1225, 0.3478}, {0.0588, 0.5426}, {0.2712, 0.2742}}},
        .check_bonds = true,
    };
    yuma3_run(&c);
}

TEST_IMPL(chain_yuma3_kappa_moves_last)
{
    static const yuma3_case c = {
        .stakes = {8, 1, 1, 0, 0},
        .servers = 2,
        .liquid = true,
        .w = {{{M, 0}, {M, 0}, {M, 0}},
              {{M, 0}, {0, M}, {M, 0}},
              {{M, 0}, {0, M}, {0, M}},
              {{0, M}, {0, M}, {0, M}}},
        .w_epochs = 4,
        .div = {{0.8, 0.1, 0.1}, {0.8446, 0.0498, 0.1056}, {0.8966, 0.0333, 0.0701},
                {0.4663, 0.3210, 0.2127}, {0.5976, 0.2340, 0.1683},
                {0.6592, 0.1932, 0.1475}},
        .bonds = {{{0.1013, 0}, {0.1013, 0}, {0.1013, 0}},
                  {{0.1924, 0}, {0.0908, 0.2987}, {0.1924, 0}},
                  {{0.2742, 0}, {0.0815, 0.5081}, {0.1715, 0.2987}},
                  {{0.2416, 0.1013}, {0.0731, 0.5580}, {0.1531, 0.3697}},
                  {{0.2141, 0.1924}, {0.0656, 0.6028}, {0.1369, 0.4336}},
                  {{0.1903, 0.2742}, {0.0588, 0.6430}, {0.1225, 0.4910}}},
        .check_bonds = true,
    };
    yuma3_run(&c);
}

TEST_IMPL(chain_yuma3_one_epoch_switch)
{
    static const yuma3_case c = {
        .stakes = {33, 33, 34, 0, 0},
        .servers = 2,
        .liquid = true,
        .w = {{{M, 0}, {M, 0}, {M, 0}},
              {{M, 0}, {M, 0}, {M, 0}},
              {{M, 0}, {M, 0}, {0, M}},
              {{M, 0}, {M, 0}, {M, 0}}},
        .w_epochs = 4,
        .div = {{0.33, 0.33, 0.34}, {0.33, 0.33, 0.34}, {0.3782, 0.3782, 0.2436},
                {0.3628, 0.3628, 0.2745}, {0.3541, 0.3541, 0.2917},
                {0.3487, 0.3487, 0.3026}},
        .bonds = {{{0.1013, 0}, {0.1013, 0}, {0.1013, 0}},
                  {{0.1924, 0}, {0.1924, 0}, {0.1924, 0}},
                  {{0.2742, 0}, {0.2742, 0}, {0.1715, 0.2987}},
                  {{0.3478, 0}, {0.3478, 0}, {0.2554, 0.2618}},
                  {{0.4139, 0}, {0.4139, 0}, {0.3309, 0.2312}},
                  {{0.4733, 0}, {0.4733, 0}, {0.3987, 0.2051}}},
        .check_bonds = true,
    };
    yuma3_run(&c);
}

/* Yuma 3 with liquid alpha off: a fixed alpha of 1 - 0.975. (The chain test's
 * bond targets for this case have three columns for two servers and are
 * never compared; only its dividends are meaningful.) */
TEST_IMPL(chain_yuma3_liquid_alpha_disabled)
{
    static const yuma3_case c = {
        .stakes = {33, 33, 34, 0, 0},
        .servers = 2,
        .liquid = false,
        .w = {{{M, 0}, {M, 0}, {M, 0}},
              {{M, 0}, {M, 0}, {M, 0}},
              {{M, 0}, {M, 0}, {0, M}},
              {{M, 0}, {M, 0}, {M, 0}}},
        .w_epochs = 4,
        .div = {{0.33, 0.33, 0.34}, {0.33, 0.33, 0.34}, {0.3734, 0.3734, 0.2532},
                {0.3611, 0.3611, 0.2779}, {0.3541, 0.3541, 0.2919},
                {0.3495, 0.3495, 0.3009}},
    };
    yuma3_run(&c);
}

TEST_IMPL(chain_yuma3_stable_miner)
{
    static const yuma3_case c = {
        .stakes = {8, 1, 1, 0, 0, 0},
        .servers = 3,
        .liquid = true,
        .w = {{{H, 0, H}, {H, 0, H}, {H, 0, H}},
              {{H, 0, H}, {0, H, H}, {H, 0, H}},
              {{0, H, H}, {0, H, H}, {H, 0, H}},
              {{0, H, H}, {0, H, H}, {0, H, H}}},
        .w_epochs = 4,
        .div = {{0.8, 0.1, 0.1}, {0.8226, 0.0745, 0.1028}, {0.7750, 0.1685, 0.0565},
                {0.7864, 0.1372, 0.0764}, {0.7912, 0.1241, 0.0847},
                {0.7937, 0.1173, 0.0890}},
        .bonds = {{{0.0507, 0, 0.0507}, {0.0507, 0, 0.0507}, {0.0507, 0, 0.0507}},
                  {{0.0962, 0, 0.0962}, {0.0455, 0.1000, 0.0962}, {0.0962, 0, 0.0962}},
                  {{0.0863, 0.0507, 0.1371}, {0.0408, 0.1405, 0.1371},
                   {0.1770, 0, 0.1371}},
                  {{0.0774, 0.0962, 0.1739}, {0.0367, 0.1770, 0.1739},
                   {0.1579, 0.0507, 0.1739}},
                  {{0.0694, 0.1371, 0.2069}, {0.0329, 0.2097, 0.2069},
                   {0.1411, 0.0962, 0.2069}},
                  {{0.0623, 0.1739, 0.2366}, {0.0296, 0.2391, 0.2366},
                   {0.1263, 0.1371, 0.2366}}},
        .check_bonds = true,
    };
    yuma3_run(&c);
}

/* tests::epoch::test_yuma_3_bonds_reset: 41 epochs; at epoch 20 the bonds to
 * server uid 3 are reset (do_reset_bonds removes that column). */
TEST_IMPL(chain_yuma3_bonds_reset)
{
    static const uint64_t stakes[5] = {8, 1, 1, 0, 0};
    ysim *s = yuma3_setup(5, stakes);
    static const uint16_t all1[3][3] = {{M, 0}, {M, 0}, {M, 0}};
    static const uint16_t all2[3][3] = {{0, M}, {0, M}, {0, M}};
    static const uint16_t bc2[3][3] = {{M, 0}, {0, M}, {0, M}};
    static const uint16_t bc1[3][3] = {{0, M}, {M, 0}, {M, 0}};
    static const struct {
        int epoch;
        double div[3];
        double bonds[3][3];
    } checks[] = {
        {0, {0.8, 0.1, 0.1}, {{0.1013, 0}, {0.1013, 0}, {0.1013, 0}}},
        {1, {0.8944, 0.0528, 0.0528}, {{0.1924, 0}, {0.0908, 0.2987}, {0.0908, 0.2987}}},
        {2, {0.5230, 0.2385, 0.2385}, {{0.1715, 0.1013}, {0.0815, 0.3697}, {0.0815, 0.3697}}},
        {19, {0.7919, 0.1040, 0.1040}, {{0.0269, 0.8539}, {0.0131, 0.8975}, {0.0131, 0.8975}}},
        {20, {0.7928, 0.1036, 0.1036}, {{0, 0.8687}, {0, 0.9079}, {0, 0.9079}}},
        {21, {0.8467, 0.0766, 0.0766}, {{0, 0.8820}, {0.2987, 0.6386}, {0.2987, 0.6386}}},
        {40, {0.7928, 0.1036, 0.1036}, {{0.8687, 0.0578}, {0.9079, 0.0523}, {0.9079, 0.0523}}},
    };
    size_t next = 0;
    for (int epoch = 0; epoch <= 40; epoch++) {
        if (epoch == 0)
            yuma3_weights(s, 2, all1);
        else if (epoch == 1)
            yuma3_weights(s, 2, bc2);
        else if (epoch <= 20)
            yuma3_weights(s, 2, all2);
        else if (epoch == 21)
            yuma3_weights(s, 2, bc1);
        else
            yuma3_weights(s, 2, all1);
        if (epoch == 20)
            for (uint32_t i = 0; i < 5; i++)
                s->b[i][3] = -1;
        if (next < sizeof checks / sizeof checks[0] && checks[next].epoch == epoch) {
            yuma3_check(s, 2, checks[next].div, checks[next].bonds, epoch);
            next++;
        } else {
            s->block++;
            ysim_epoch(s, 1000000000);
        }
    }
    ysim_free(s);
}

/* Explicit zeros are entries: with liquid alpha and bonds penalty 0 the bond
 * EMA runs over the columns of the validator's weight row (the chain's
 * mat_ema_alpha_sparse), so a bond under an explicit zero weight decays by
 * (1 - alpha) while a bond under no weight is dropped. */
TEST_IMPL(yuma3_explicit_zero_weight_decays_missing_drops)
{
    static const uint64_t stakes[5] = {8, 1, 1, 0, 0};
    for (int explicit_zero = 0; explicit_zero < 2; explicit_zero++) {
        ysim *s = yuma3_setup(5, stakes);
        static const uint16_t both[3][3] = {{M, M}, {M, M}, {M, M}};
        yuma3_weights(s, 2, both);
        s->block++;
        ysim_epoch(s, 1000000000);
        uint16_t before = ysim_bond(s, 0, 4);
        ASSERT(before > 0);
        /* validator 0 now weighs only uid 3: an explicit 0 for uid 4, or nothing */
        uint16_t cols[2] = {3, 4}, vals[2] = {M, 0};
        ysim_set_weights(s, 0, explicit_zero ? 2 : 1, cols, vals);
        s->block++;
        ysim_epoch(s, 1000000000);
        uint16_t after = ysim_bond(s, 0, 4);
        if (explicit_zero) {
            ASSERT(s->b[0][4] >= 0);   /* still an entry */
            ASSERT(after > 0 && after < before);
        } else {
            ASSERT_EQ_INT(s->b[0][4], -1);   /* gone */
        }
        ysim_free(s);
    }
}
