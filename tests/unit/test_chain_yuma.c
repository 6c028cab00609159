/* Multi-epoch behaviour of the chain with the real Yuma epoch: SPEC §1.4's
 * checks driven through the chain's API (blocks, set_weights, commit-reveal),
 * the 41/41/18 split, and a weight copier that commit-reveal defeats. */
#include "chain_fixture.h"

#include <string.h>

#define M 65535

/* Register hotkeys "u0".."u{n-1}" at the current block with these stakes (rao). */
static void populate(chain *c, const uint64_t *stake, int n)
{
    err e;
    for (int i = 0; i < n; i++) {
        char hk[16];
        snprintf(hk, sizeof hk, "u%d", i);
        ASSERT_OK(chain_fund(c, "ck", stake[i], &e));
        ASSERT_OK(chain_register(c, 1, hk, "ck", NULL, &e));
        if (stake[i])
            ASSERT_OK(chain_add_stake(c, "ck", hk, 1, stake[i], &e));
    }
}

static void set_w(chain *c, int uid, const uint16_t *uids, const uint16_t *vals, size_t n)
{
    char hk[16];
    err e;
    snprintf(hk, sizeof hk, "u%d", uid);
    if (chain_set_weights(c, 1, hk, uids, vals, n, 0, &e))
        TEST_FAIL_("set_weights u%d: %s", uid, e.msg);
}

/* The next epoch block of netuid 1 after the current block. */
static uint64_t next_epoch(chain *c)
{
    uint64_t b = chain_block(c) + 1;
    const chain_subnet_params *p = chain_subnet_get_params(c, 1);
    return b + chain_blocks_until_next_epoch(1, p->tempo, b);
}

TEST_IMPL(yuma3_kappa_moves_first_through_the_chain)
{
    chain_subnet_params p = cfx_params(false);
    /* No emission: subtensor's test runs bare epochs that pay nothing, so the
     * stakes stay 8/1/1 (paying out would move them). */
    p.block_emission = 0;
    p.max_allowed_uids = 5;
    p.max_allowed_validators = 3;
    p.bonds_penalty = 0;
    p.bonds_moving_average = 975000;
    p.liquid_alpha = true;
    p.alpha_low = 6553;    /* set_alpha_values_32(0.1, 0.3) */
    p.alpha_high = 19660;
    p.kappa = 32767;
    chain *c = cfx_chain(&p);
    cfx_advance(c, 1);
    uint64_t stakes[] = {8, 1, 1, 0, 0};   /* A, B, C validators; servers uids 3, 4 */
    populate(c, stakes, 5);
    cfx_advance(c, next_epoch(c));         /* warm-up: permits for A, B, C */
    static const double div[6][3] = {
        {.8, .1, .1}, {1, 0, 0}, {.9382, .0618, 0}, {.8819, .0773, .0407},
        {.8564, .0844, .0592}, {.8418, .0884, .0697},
    };
    uint16_t srv[] = {3, 4}, to3[] = {M, 0}, to4[] = {0, M};
    for (int epoch = 0; epoch < 6; epoch++) {
        const uint16_t *w[3] = {to4, to4, to4};
        if (epoch == 0)
            w[0] = w[1] = w[2] = to3;
        if (epoch == 1)
            w[1] = w[2] = to3;
        if (epoch == 2)
            w[2] = to3;
        if (epoch <= 3)
            for (int v = 0; v < 3; v++)
                set_w(c, v, srv, w[v], 2);
        cfx_advance(c, next_epoch(c));
        for (int v = 0; v < 3; v++)
            ASSERT_NEAR(chain_neuron_get(c, 1, (uint16_t)v)->dividends / 65535.0, div[epoch][v],
                        1e-3);
    }
    chain_free(c);
}

TEST_IMPL(self_weights_only_fall_back_to_stake)
{
    chain_subnet_params p;
    chain_subnet_params_default(&p, 1);
    /* 1e9 rao per epoch as in the chain's test: 10 blocks of 1e8, no owner cut
     * (tempo 9: an epoch every 10 blocks). */
    p.tempo = 9;
    p.block_emission = 100000000;
    p.owner_cut = 0;
    p.commit_reveal = false;
    p.weights_rate_limit = 0;
    p.yuma3 = false;
    p.max_allowed_validators = 100;
    chain *c = cfx_chain(&p);
    uint64_t stakes[10];
    for (int i = 0; i < 10; i++)
        stakes[i] = 1;
    populate(c, stakes, 10);
    cfx_advance(c, next_epoch(c));   /* warm-up: permits; equal payouts keep stakes equal */
    for (uint16_t i = 0; i < 10; i++) {
        uint16_t self = i, one = M;
        set_w(c, i, &self, &one, 1);
    }
    uint64_t at = next_epoch(c);
    cfx_advance(c, at);
    chain_subnet_totals t;
    ASSERT_OK(chain_subnet_totals_get(c, 1, &t));
    for (uint16_t i = 0; i < 10; i++) {
        const chain_neuron *n = chain_neuron_get(c, 1, i);
        ASSERT_EQ_INT(n->incentive, 0);
        ASSERT_EQ_INT(n->dividends, 0);
        ASSERT_EQ_INT(n->consensus, 0);
        ASSERT_EQ_U64(n->emission, 99999999);
    }
    chain_free(c);
}

/* V (uid 0) rates miner 1; the weights count only from the epoch that closes
 * the reveal's epoch index, never before. */
TEST_IMPL(revealed_weights_count_from_the_right_epoch)
{
    err e;
    chain_subnet_params p = cfx_params(true);
    chain *c = cfx_chain(&p);
    cfx_advance(c, 1);
    uint64_t stakes[] = {10 * TAO, 0, 0};
    populate(c, stakes, 3);
    cfx_advance(c, 9);                   /* epoch at 8: V's permit; index 1 begins */
    uint16_t uid = 1, val = 1;
    uint8_t h[32];
    chain_commit_hash("u0", 1, &uid, &val, 1, 5, 0, h);
    ASSERT_OK(chain_commit_weights(c, 1, "u0", h, &e));
    cfx_advance(c, 19);                  /* the epoch closing index 1 */
    ASSERT_EQ_INT(chain_neuron_get(c, 1, 1)->incentive, 0);
    cfx_advance(c, 20);                  /* index 2: reveal */
    ASSERT_OK(chain_reveal_weights(c, 1, "u0", &uid, &val, 1, 5, 0, &e));
    cfx_advance(c, 29);
    ASSERT_EQ_INT(chain_neuron_get(c, 1, 1)->incentive, 0);
    cfx_advance(c, 30);                  /* the epoch closing index 2 */
    ASSERT_EQ_INT(chain_neuron_get(c, 1, 1)->incentive, M);
    ASSERT_EQ_INT(chain_neuron_get(c, 1, 2)->incentive, 0);
    ASSERT(chain_neuron_get(c, 1, 1)->server_emission > 0);
    chain_free(c);
}

/* With commit-reveal on, a validator's revealed weights to a uid registered
 * after its oldest still-pending commit do not count (the chain's column mask):
 * here LastUpdate alone would not drop them. */
TEST_IMPL(weights_to_a_uid_newer_than_a_pending_commit_are_dropped)
{
    err e;
    chain_subnet_params p = cfx_params(true);
    p.max_allowed_uids = 3;
    p.immunity_period = 0;
    p.min_non_immune_uids = 0;
    chain *c = cfx_chain(&p);
    cfx_advance(c, 1);
    uint64_t stakes[] = {10 * TAO, 1 * TAO, 0};   /* u2 earns nothing: it is pruned */
    populate(c, stakes, 3);
    cfx_advance(c, 9);
    uint16_t uids[] = {1, 2}, vals[] = {1, 1}, h1 = 1, one = 1;
    uint8_t h[32];
    chain_commit_hash("u0", 1, uids, vals, 2, 1, 0, h);
    ASSERT_OK(chain_commit_weights(c, 1, "u0", h, &e));      /* C1 at 9 */
    cfx_advance(c, 10);
    chain_commit_hash("u0", 1, &h1, &one, 1, 2, 0, h);
    ASSERT_OK(chain_commit_weights(c, 1, "u0", h, &e));      /* C2 at 10, stays pending */
    cfx_advance(c, 12);
    ASSERT_OK(chain_fund(c, "ck", 0, &e));
    ASSERT_OK(chain_register(c, 1, "fresh", "ck", NULL, &e)); /* takes uid 2 at 12 */
    ASSERT_EQ_INT(chain_uid_of(c, 1, "fresh"), 2);
    cfx_advance(c, 14);
    chain_commit_hash("u0", 1, &h1, &one, 1, 3, 0, h);
    ASSERT_OK(chain_commit_weights(c, 1, "u0", h, &e));      /* C3 at 14: LastUpdate 14 */
    cfx_advance(c, 20);
    ASSERT_OK(chain_reveal_weights(c, 1, "u0", uids, vals, 2, 1, 0, &e));   /* C1 only */
    ASSERT_EQ_INT(chain_weights_row(c, 1, 0).len, 2);
    cfx_advance(c, 30);
    ASSERT_EQ_INT(chain_neuron_get(c, 1, 1)->incentive, M);
    ASSERT_EQ_INT(chain_neuron_get(c, 1, 2)->incentive, 0);
    chain_free(c);
}

/* A pruned uid's successor starts clean: the validator's bond to that uid is
 * dropped at the next epoch (BlockAtRegistration masks it), where the bond to
 * a miner that stayed keeps its EMA. */
TEST_IMPL(bonds_to_a_replaced_uid_are_dropped)
{
    err e;
    chain_subnet_params p = cfx_params(false);
    p.max_allowed_uids = 3;
    p.immunity_period = 0;
    p.min_non_immune_uids = 0;
    chain *c = cfx_chain(&p);
    cfx_advance(c, 1);
    uint64_t stakes[] = {10 * TAO, 0, 0};
    populate(c, stakes, 3);
    cfx_advance(c, 8);
    uint16_t m[] = {1, 2}, w[] = {M, M / 2};
    set_w(c, 0, m, w, 2);
    cfx_advance(c, 41);   /* three epochs of bonds */
    chain_row_view b = chain_bonds_row(c, 1, 0);
    ASSERT_EQ_INT(b.len, 2);
    ASSERT(b.values[0] > 0 && b.values[1] > 0);
    uint16_t kept = b.values[0];
    /* u2 earns less than u1: the next registration takes uid 2. Registered in
     * the block after the epoch: one in the epoch's own block would keep the
     * bonds, as on chain (the mask drops uids registered after that block). */
    cfx_advance(c, 42);
    ASSERT_OK(chain_register(c, 1, "fresh", "ck", NULL, &e));
    ASSERT_EQ_INT(chain_uid_of(c, 1, "fresh"), 2);
    cfx_advance(c, 52);
    b = chain_bonds_row(c, 1, 0);
    uint16_t to1 = 0, to2 = 0;
    for (uint32_t i = 0; i < b.len; i++) {
        if (b.uids[i] == 1)
            to1 = b.values[i];
        if (b.uids[i] == 2)
            to2 = b.values[i];
    }
    ASSERT(to1 >= kept);
    ASSERT_EQ_INT(to2, 0);
    chain_free(c);
}

typedef struct split {
    uint64_t emission, owner_cut, srv, val;
} split;

static void on_epoch_split(void *ctx, const chain *c, const chain_epoch_event *ev)
{
    split *s = ctx;
    s->emission = ev->emission;
    s->owner_cut = ev->owner_cut;
    s->srv = s->val = 0;
    for (uint16_t u = 0; u < ev->n; u++) {
        s->srv += chain_neuron_get(c, ev->netuid, u)->server_emission;
        s->val += chain_neuron_get(c, ev->netuid, u)->validator_emission;
    }
}

TEST_IMPL(epoch_emission_splits_41_41_18)
{
    chain_subnet_params p = cfx_params(false);
    p.owner_hotkey = "u0";
    chain *c = cfx_chain(&p);
    split s = {0};
    chain_observer o = {&s, NULL, NULL, NULL, on_epoch_split};
    ASSERT_OK(chain_add_observer(c, &o));
    cfx_advance(c, 1);
    uint64_t stakes[] = {0, 6 * TAO, 4 * TAO, 0, 0};
    populate(c, stakes, 5);
    cfx_advance(c, 8);
    uint16_t m[] = {3, 4}, w[] = {M, M / 2};
    set_w(c, 1, m, w, 2);
    set_w(c, 2, m, w, 2);
    cfx_advance(c, 19);
    cfx_advance(c, 30);   /* a steady epoch: 11 blocks of emission */
    uint64_t minted = 11 * p.block_emission;
    ASSERT_EQ_U64(s.owner_cut, 11ULL * 179995422);
    ASSERT_EQ_U64(s.emission, 11ULL * 820004577);
    ASSERT_NEAR((double)s.owner_cut / minted, 0.18, 0.0001);
    ASSERT_NEAR((double)s.srv / minted, 0.41, 0.0001);
    ASSERT_NEAR((double)s.val / minted, 0.41, 0.0001);
    ASSERT(s.srv + s.val <= s.emission && s.emission - (s.srv + s.val) < 10);
    /* Miner 3 was rated twice miner 4. */
    ASSERT_NEAR((double)chain_neuron_get(c, 1, 3)->server_emission /
                    chain_neuron_get(c, 1, 4)->server_emission, 2.0, 0.001);
    chain_free(c);
}

/* ---------------------------------------------------------- the copier */

/* An honest validator (u0, stake 3) rates one of three miners, moving to the
 * next each epoch index; a copier (u1, stake 1) sets whatever it can read of
 * u0's weights on chain, right after u0 acted. Returns the copier's summed
 * ValidatorTrust over epochs 3..11. */
static uint64_t copier_trust(bool commit_reveal, uint64_t *honest_trust)
{
    err e;
    chain_subnet_params p = cfx_params(commit_reveal);
    chain *c = cfx_chain(&p);
    cfx_advance(c, 1);
    uint64_t stakes[] = {3 * TAO, 1 * TAO, 0, 0, 0};
    populate(c, stakes, 5);
    cfx_advance(c, 8);
    uint64_t trust = 0, honest = 0;
    uint16_t prev_h = 0, prev_c[8] = {0};
    uint32_t prev_cn = 0;
    for (int k = 0; k < 12; k++) {
        cfx_advance(c, chain_block(c) + 1);   /* first block of the next index */
        uint16_t target = (uint16_t)(2 + k % 3), one = M;
        if (commit_reveal) {
            if (k > 0)
                ASSERT_OK(chain_reveal_weights(c, 1, "u0", &prev_h, &one, 1, 11, 0, &e));
            uint8_t h[32];
            chain_commit_hash("u0", 1, &target, &one, 1, 11, 0, h);
            ASSERT_OK(chain_commit_weights(c, 1, "u0", h, &e));
            prev_h = target;
        } else {
            set_w(c, 0, &target, &one, 1);
        }
        /* The copier reads u0's row as the chain shows it now. */
        chain_row_view row = chain_weights_row(c, 1, 0);
        uint32_t len = row.len;
        uint16_t cu[8], cv[8];
        for (uint32_t i = 0; i < len && i < 8; i++) {
            cu[i] = row.uids[i];
            cv[i] = row.values[i];
        }
        if (commit_reveal) {
            if (prev_cn)
                ASSERT_OK(chain_reveal_weights(c, 1, "u1", prev_c, prev_c + 4, prev_cn, 12, 0,
                                               &e));
            uint8_t h[32];
            chain_commit_hash("u1", 1, cu, cv, len, 12, 0, h);
            if (len) {
                ASSERT_OK(chain_commit_weights(c, 1, "u1", h, &e));
                memcpy(prev_c, cu, len * sizeof *cu);
                memcpy(prev_c + 4, cv, len * sizeof *cv);
            }
            prev_cn = len;
        } else if (len) {
            set_w(c, 1, cu, cv, len);
        }
        cfx_advance(c, next_epoch(c));
        if (k >= 3) {
            trust += chain_neuron_get(c, 1, 1)->validator_trust;
            honest += chain_neuron_get(c, 1, 0)->validator_trust;
        }
    }
    *honest_trust = honest;
    chain_free(c);
    return trust;
}

TEST_IMPL(commit_reveal_defeats_a_weight_copier)
{
    uint64_t honest_open, honest_cr;
    uint64_t open = copier_trust(false, &honest_open);
    uint64_t cr = copier_trust(true, &honest_cr);
    /* In the open the copier agrees with consensus exactly, every epoch. */
    ASSERT_EQ_U64(open, 9ULL * M);
    ASSERT_EQ_U64(honest_open, 9ULL * M);
    /* Under commit-reveal what it can read is a reveal period old: it never
     * matches, while the honest validator still does. */
    ASSERT_EQ_U64(cr, 0);
    ASSERT_EQ_U64(honest_cr, 9ULL * M);
}
