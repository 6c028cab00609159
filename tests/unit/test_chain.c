/* The chain: epoch scheduling, registration and pruning (SPEC §1.2), emission
 * accounting and stake growth. */
#include "chain_fixture.h"

#include <string.h>

static chain_subnet_params small(uint16_t max_uids)
{
    chain_subnet_params p;
    chain_subnet_params_default(&p, 1);
    p.tempo = 10;
    p.max_allowed_uids = max_uids;
    p.commit_reveal = false;
    return p;
}

/* Register hotkey (coldkey "ck-"hotkey) with `stake` rao on netuid 1. */
static uint16_t reg(chain *c, const char *hk, uint64_t stake)
{
    char ck[64];
    err e;
    uint16_t uid = 0;
    snprintf(ck, sizeof ck, "ck-%s", hk);
    const chain_subnet_params *p = chain_subnet_get_params(c, 1);
    ASSERT_OK(chain_fund(c, ck, p->burn + stake, &e));
    if (chain_register(c, 1, hk, ck, &uid, &e))
        TEST_FAIL_("register %s: %s", hk, e.msg);
    if (stake)
        ASSERT_OK(chain_add_stake(c, ck, hk, 1, stake, &e));
    return uid;
}

/* ------------------------------------------------------------ observers */

typedef struct log_t {
    int regs, deregs, epochs;
    char dereg_hotkey[8][32];
    uint16_t dereg_uid[8];
    bool dereg_immune[8];
    uint64_t epoch_block[64];
} log_t;

static void on_reg(void *ctx, const chain *c, const chain_reg_event *ev)
{
    (void)c;
    (void)ev;
    ((log_t *)ctx)->regs++;
}

static void on_dereg(void *ctx, const chain *c, const chain_dereg_event *ev)
{
    (void)c;
    log_t *l = ctx;
    if (l->deregs < 8) {
        snprintf(l->dereg_hotkey[l->deregs], 32, "%s", ev->hotkey);
        l->dereg_uid[l->deregs] = ev->uid;
        l->dereg_immune[l->deregs] = ev->immune;
    }
    l->deregs++;
}

static void on_epoch(void *ctx, const chain *c, const chain_epoch_event *ev)
{
    (void)c;
    log_t *l = ctx;
    if (l->epochs < 64)
        l->epoch_block[l->epochs] = ev->block;
    l->epochs++;
}

static void watch(chain *c, log_t *l)
{
    memset(l, 0, sizeof *l);
    chain_observer o = {l, on_reg, on_dereg, NULL, on_epoch};
    ASSERT_OK(chain_add_observer(c, &o));
}

/* -------------------------------------------------------------- schedule */

TEST_IMPL(blocks_until_next_epoch_matches_subtensor_table)
{
    /* run_coinbase.rs: tempo | netuid | first epoch block. */
    struct { uint16_t tempo, netuid; uint64_t first; } t[] = {
        {1, 0, 0}, {1, 1, 1}, {2, 0, 1}, {2, 1, 0}, {100, 0, 99}, {100, 1, 98},
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        uint64_t b = 0;
        while (chain_blocks_until_next_epoch(t[i].netuid, t[i].tempo, b) != 0)
            b++;
        ASSERT_EQ_U64(b, t[i].first);
        ASSERT_EQ_U64(chain_blocks_until_next_epoch(t[i].netuid, t[i].tempo, b + 1), t[i].tempo);
    }
    ASSERT_EQ_U64(chain_blocks_until_next_epoch(3, 0, 5), UINT64_MAX);
    /* 360 blocks, netuid 1: (b + 2) % 361 == 360. */
    ASSERT_EQ_U64(chain_blocks_until_next_epoch(1, 360, 0), 358);
    ASSERT_EQ_U64(chain_blocks_until_next_epoch(1, 360, 358), 0);
    ASSERT_EQ_U64(chain_epoch_index(1, 360, 357), 0);
    ASSERT_EQ_U64(chain_epoch_index(1, 360, 359), 1);
}

TEST_IMPL(epochs_run_at_the_formula_blocks_for_several_netuids)
{
    chain *c = cfx_chain(NULL);
    err e;
    uint16_t nets[] = {1, 2, 7, 300};
    uint16_t tempos[] = {10, 10, 360, 99};
    for (int i = 0; i < 4; i++) {
        chain_subnet_params p;
        chain_subnet_params_default(&p, nets[i]);
        p.tempo = tempos[i];
        ASSERT_OK(chain_add_subnet(c, &p, &e));
    }
    log_t l;
    watch(c, &l);
    cfx_advance(c, 5000);
    /* Expected blocks straight from the formula, in block order (netuid within a block). */
    uint64_t want[64];
    int k = 0;
    for (uint64_t b = 1; b <= 5000 && k < 64; b++)
        for (int i = 0; i < 4 && k < 64; i++)
            if (chain_blocks_until_next_epoch(nets[i], tempos[i], b) == 0)
                want[k++] = b;
    ASSERT(l.epochs >= 64);
    for (int i = 0; i < 64; i++)
        ASSERT_EQ_U64(l.epoch_block[i], want[i]);
    /* netuid 1, tempo 10: (b + 2) % 11 == 10. */
    ASSERT_EQ_U64(l.epoch_block[0], 7);    /* netuid 2: (7 + 3) % 11 == 10 */
    ASSERT_EQ_U64(l.epoch_block[1], 8);    /* netuid 1 */
    ASSERT_EQ_U64(l.epoch_block[2], 18);   /* netuid 2 again */
    ASSERT_EQ_U64(chain_last_epoch_block(c, 1), 11 * 453 + 8);
    ASSERT_EQ_U64(chain_last_epoch_block(c, 7), 361 * 12 + 352);
    ASSERT_EQ_U64(chain_next_epoch_block(c), 11 * 454 + 7);   /* netuid 2 at 5001 */
    chain_free(c);
}

TEST_IMPL(advancing_a_month_of_blocks_runs_only_the_epochs)
{
    chain_subnet_params p;
    chain_subnet_params_default(&p, 1);
    chain *c = cfx_chain(&p);
    log_t l;
    watch(c, &l);
    cfx_advance(c, 216000);   /* 30 days at 12 s */
    /* (b + 2) % 361 == 360 for b in 1..216000: b = 358 + 361 k. */
    ASSERT_EQ_INT(l.epochs, (216000 - 358) / 361 + 1);
    ASSERT_EQ_U64(chain_block(c), 216000);
    chain_subnet_totals t;
    ASSERT_OK(chain_subnet_totals_get(c, 1, &t));
    ASSERT_EQ_U64(t.blocks, 216000);
    ASSERT_EQ_U64(t.epochs, (uint64_t)l.epochs);
    chain_free(c);
}

/* ---------------------------------------------------------- registration */

TEST_IMPL(registration_appends_uids_and_burns)
{
    chain_subnet_params p = small(4);
    p.burn = 5 * TAO;
    chain *c = cfx_chain(&p);
    err e;
    ASSERT_EQ_INT(reg(c, "a", 0), 0);
    ASSERT_EQ_INT(reg(c, "b", 0), 1);
    ASSERT_EQ_INT(chain_subnet_n(c, 1), 2);
    ASSERT_EQ_U64(chain_balance(c, "ck-a"), 0);
    ASSERT_STR_EQ(chain_neuron_get(c, 1, 1)->hotkey, "b");
    ASSERT_STR_EQ(chain_neuron_get(c, 1, 1)->coldkey, "ck-b");
    ASSERT_EQ_INT(chain_uid_of(c, 1, "b"), 1);
    chain_subnet_totals t;
    ASSERT_OK(chain_subnet_totals_get(c, 1, &t));
    ASSERT_EQ_U64(t.burned, 10 * TAO);

    ASSERT_OK(chain_fund(c, "ck-a", 5 * TAO, &e));
    ASSERT_EQ_INT(chain_register(c, 1, "a", "ck-a", NULL, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "HotKeyAlreadyRegisteredInSubNet");
    ASSERT_EQ_INT(chain_register(c, 1, "c", "ck-poor", NULL, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "NotEnoughBalanceToStake");
    /* "a" belongs to ck-a: another coldkey cannot register it elsewhere. */
    ASSERT_OK(chain_fund(c, "ck-x", 5 * TAO, &e));
    chain_subnet_params p2 = small(4);
    p2.netuid = 2;
    ASSERT_OK(chain_add_subnet(c, &p2, &e));
    ASSERT_EQ_INT(chain_register(c, 2, "a", "ck-x", NULL, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "NonAssociatedColdKey");
    ASSERT_EQ_INT(chain_register(c, 9, "z", "ck-x", NULL, &e), ERR_NOTFOUND);
    ASSERT_CONTAINS(e.msg, "subnet 9 does not exist");
    /* Failed calls burned nothing. */
    ASSERT_EQ_U64(chain_balance(c, "ck-x"), 5 * TAO);
    chain_free(c);
}

TEST_IMPL(registrations_per_block_limit)
{
    chain_subnet_params p = small(8);
    p.max_regs_per_block = 2;
    chain *c = cfx_chain(&p);
    err e;
    reg(c, "a", 0);
    reg(c, "b", 0);
    ASSERT_EQ_INT(chain_register(c, 1, "c", "ck", NULL, &e), ERR_BUSY);
    ASSERT_CONTAINS(e.msg, "TooManyRegistrationsThisBlock");
    cfx_advance(c, 1);
    reg(c, "c", 0);
    chain_free(c);
}

/* --------------------------------------------------------------- pruning */

TEST_IMPL(full_subnet_prunes_the_lowest_emission_non_immune_uid)
{
    chain_subnet_params p = small(4);
    p.immunity_period = 100;
    p.min_non_immune_uids = 0;
    chain *c = cfx_chain(&p);
    log_t l;
    watch(c, &l);
    cfx_advance(c, 1);
    /* No weights: the epoch pays by stake, so Emission orders as stake does. */
    reg(c, "a", 4 * TAO);
    reg(c, "b", 1 * TAO);
    reg(c, "c", 3 * TAO);
    reg(c, "d", 2 * TAO);
    cfx_advance(c, 200);
    ASSERT(chain_neuron_get(c, 1, 1)->emission > 0);
    ASSERT(chain_neuron_get(c, 1, 1)->emission < chain_neuron_get(c, 1, 3)->emission);
    uint16_t uid = reg(c, "e", 0);
    ASSERT_EQ_INT(uid, 1);
    ASSERT_EQ_INT(l.deregs, 1);
    ASSERT_STR_EQ(l.dereg_hotkey[0], "b");
    ASSERT(!l.dereg_immune[0]);
    ASSERT_EQ_INT(chain_uid_of(c, 1, "b"), -1);
    ASSERT_EQ_INT(chain_uid_of(c, 1, "e"), 1);
    const chain_neuron *n = chain_neuron_get(c, 1, 1);
    ASSERT_EQ_U64(n->registered_at, 200);
    ASSERT_EQ_U64(n->last_update, 200);
    ASSERT_EQ_U64(n->emission, 0);
    ASSERT(!n->validator_permit);
    ASSERT_EQ_INT(chain_subnet_n(c, 1), 4);
    /* The pruned hotkey keeps its stake (it is the hotkey's, not the uid's). */
    ASSERT(chain_stake(c, "b", 1) >= 1 * TAO);
    chain_free(c);
}

TEST_IMPL(pruning_ties_go_to_earlier_registration_then_lower_uid)
{
    chain_subnet_params p = small(3);
    p.immunity_period = 0;
    p.min_non_immune_uids = 0;
    chain *c = cfx_chain(&p);
    log_t l;
    watch(c, &l);
    cfx_advance(c, 1);
    reg(c, "a", 0);   /* uid 0, block 1 */
    reg(c, "b", 0);   /* uid 1, block 1 */
    reg(c, "c", 0);   /* uid 2, block 1 */
    /* All emissions are 0 (no epoch has run, and none would pay a stakeless subnet). */
    cfx_advance(c, 5);
    ASSERT_EQ_INT(reg(c, "d", 0), 0);   /* tie on block 1: the lowest uid */
    cfx_advance(c, 6);
    ASSERT_EQ_INT(reg(c, "e", 0), 1);   /* uid 0 is now younger (block 5): uid 1 */
    cfx_advance(c, 7);
    ASSERT_EQ_INT(reg(c, "f", 0), 2);   /* the last one from block 1 */
    cfx_advance(c, 8);
    ASSERT_EQ_INT(reg(c, "g", 0), 0);   /* the oldest is now "d" at block 5 */
    ASSERT_EQ_INT(l.deregs, 4);
    ASSERT_STR_EQ(l.dereg_hotkey[0], "a");
    ASSERT_STR_EQ(l.dereg_hotkey[1], "b");
    ASSERT_STR_EQ(l.dereg_hotkey[2], "c");
    ASSERT_STR_EQ(l.dereg_hotkey[3], "d");
    chain_free(c);
}

/* a, b old and non-immune (a richer); c (no stake: the lowest emission) and d
 * young and immune. */
static chain *immunity_setup(uint16_t min_non_immune)
{
    chain_subnet_params p = small(4);
    p.immunity_period = 100;
    p.min_non_immune_uids = min_non_immune;
    chain *c = cfx_chain(&p);
    cfx_advance(c, 1);
    reg(c, "a", 4 * TAO);
    reg(c, "b", 1 * TAO);
    cfx_advance(c, 150);
    reg(c, "c", 0);
    reg(c, "d", 3 * TAO);
    cfx_advance(c, 170);   /* an epoch ran at 162: emissions set */
    ASSERT_EQ_U64(chain_neuron_get(c, 1, 2)->emission, 0);
    ASSERT(chain_neuron_get(c, 1, 1)->emission > 0);
    return c;
}

TEST_IMPL(pruning_prefers_non_immune_while_enough_are_free)
{
    chain *c = immunity_setup(1);   /* 2 non-immune > 1: take the poorer of a, b */
    log_t l;
    watch(c, &l);
    reg(c, "e", 0);
    ASSERT_STR_EQ(l.dereg_hotkey[0], "b");
    ASSERT(!l.dereg_immune[0]);
    chain_free(c);
}

TEST_IMPL(pruning_falls_back_to_lowest_emission_immune_at_min_non_immune)
{
    chain *c = immunity_setup(2);   /* 2 non-immune is not more than 2: prune an immune */
    log_t l;
    watch(c, &l);
    reg(c, "e", 0);
    ASSERT_STR_EQ(l.dereg_hotkey[0], "c");
    ASSERT(l.dereg_immune[0]);
    chain_free(c);
}

TEST_IMPL(pruning_never_takes_the_owner_hotkey)
{
    chain_subnet_params p = small(2);
    p.immunity_period = 0;
    p.min_non_immune_uids = 0;
    p.owner_hotkey = "owner";
    p.owner_coldkey = "ck-owner";
    chain *c = cfx_chain(&p);
    log_t l;
    watch(c, &l);
    cfx_advance(c, 1);
    reg(c, "owner", 0);        /* the lowest emission, the oldest, the lowest uid */
    reg(c, "x", 5 * TAO);
    cfx_advance(c, 30);
    ASSERT(chain_neuron_get(c, 1, 1)->emission > chain_neuron_get(c, 1, 0)->emission);
    ASSERT_EQ_INT(reg(c, "y", 0), 1);
    ASSERT_STR_EQ(l.dereg_hotkey[0], "x");

    chain_subnet_params q = small(1);
    q.owner_hotkey = "boss";
    chain *c1 = cfx_chain(&q);
    reg(c1, "boss", 0);
    err e;
    ASSERT_OK(chain_fund(c1, "ck", 1, &e));
    ASSERT_EQ_INT(chain_register(c1, 1, "other", "ck", NULL, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "NoNeuronIdAvailable");
    ASSERT_EQ_INT(chain_uid_of(c1, 1, "boss"), 0);
    chain_free(c1);
    chain_free(c);
}

TEST_IMPL(a_replaced_uid_loses_weights_to_it_and_its_own_rows)
{
    chain_subnet_params p = small(3);
    p.immunity_period = 0;
    p.min_non_immune_uids = 0;
    p.weights_rate_limit = 0;
    chain *c = cfx_chain(&p);
    err e;
    cfx_advance(c, 1);
    reg(c, "v", 10 * TAO);
    reg(c, "m1", 1 * TAO);
    reg(c, "m2", 0);
    cfx_advance(c, 9);   /* epoch at 8: v and m1 get permits */
    ASSERT(chain_neuron_get(c, 1, 0)->validator_permit);
    ASSERT(chain_neuron_get(c, 1, 1)->validator_permit);
    /* Both rate m2, so m1 holds a bond row after the epoch at 19 and earns
     * the least (a tenth of v's dividends, no incentive). */
    uint16_t to_m2[] = {2}, seven[] = {7};
    ASSERT_OK(chain_set_weights(c, 1, "v", to_m2, seven, 1, 0, &e));
    ASSERT_OK(chain_set_weights(c, 1, "m1", to_m2, seven, 1, 0, &e));
    cfx_advance(c, 20);
    ASSERT(chain_bonds_row(c, 1, 1).len > 0);
    uint16_t uids[] = {1, 2}, vals[] = {5, 5};
    ASSERT_OK(chain_set_weights(c, 1, "v", uids, vals, 2, 0, &e));
    ASSERT_EQ_INT(reg(c, "m3", 0), 1);
    chain_row_view row = chain_weights_row(c, 1, 0);
    ASSERT_EQ_INT(row.len, 2);
    ASSERT_EQ_INT(row.uids[0], 1);
    ASSERT_EQ_INT(row.values[0], 0);
    ASSERT_EQ_INT(row.uids[1], 2);
    ASSERT_EQ_INT(row.values[1], 65535);
    ASSERT_EQ_INT(chain_weights_row(c, 1, 1).len, 0);
    ASSERT_EQ_INT(chain_bonds_row(c, 1, 1).len, 0);
    chain_free(c);
}

/* ------------------------------------------------------------- emission */

TEST_IMPL(emission_split_accounts_for_every_rao)
{
    chain_subnet_params p = small(8);
    p.owner_hotkey = "owner";
    p.owner_coldkey = "ck-owner";
    chain *c = cfx_chain(&p);
    reg(c, "owner", 1 * TAO);
    reg(c, "a", 3 * TAO);
    reg(c, "b", 7 * TAO);
    cfx_advance(c, 1000);
    chain_subnet_totals t;
    ASSERT_OK(chain_subnet_totals_get(c, 1, &t));
    /* 1e9 rao a block; cut = floor(11796 * 2^32 / 65535) / 2^32: the owner gets
     * 179995422 rao and the pot 820004577, one rao a block is not minted. */
    ASSERT_EQ_U64(t.blocks, 1000);
    ASSERT_EQ_U64(t.minted_owner, 1000ULL * 179995422);
    ASSERT_EQ_U64(t.minted_pending, 1000ULL * 820004577);
    ASSERT_EQ_U64(t.lost_block, 1000);
    ASSERT_EQ_U64(t.blocks * p.block_emission, t.minted_owner + t.minted_pending + t.lost_block);
    /* Epochs at b = 8 + 11 k; the last at 998 leaves blocks 999 and 1000 pending. */
    ASSERT_EQ_U64(t.epochs, 91);
    ASSERT_EQ_U64(t.pending_emission, 2ULL * 820004577);
    ASSERT_EQ_U64(t.pending_owner_cut, 2ULL * 179995422);
    ASSERT_EQ_U64(t.minted_owner, t.paid_owner + t.unpaid_owner + t.pending_owner_cut);
    ASSERT_EQ_U64(t.unpaid_owner, 0);
    ASSERT_EQ_U64(t.minted_pending,
                  t.paid_server + t.paid_validator + t.lost_epoch + t.pending_emission);
    /* Truncation to whole rao loses under a rao per uid and share (server,
     * validator) per epoch. */
    ASSERT(t.lost_epoch < 2 * 3 * t.epochs);
    /* The owner is 18% of what was minted. */
    ASSERT_NEAR((double)t.minted_owner / (double)(t.blocks * p.block_emission), 11796.0 / 65535,
                1e-9);
    chain_free(c);
}

TEST_IMPL(owner_cut_without_owner_hotkey_is_unpaid)
{
    chain_subnet_params p = small(8);
    chain *c = cfx_chain(&p);
    reg(c, "a", 1 * TAO);
    cfx_advance(c, 100);
    chain_subnet_totals t;
    ASSERT_OK(chain_subnet_totals_get(c, 1, &t));
    ASSERT_EQ_U64(t.paid_owner, 0);
    ASSERT_EQ_U64(t.unpaid_owner, t.minted_owner - t.pending_owner_cut);
    ASSERT(t.unpaid_owner > 0);
    chain_free(c);
}

typedef struct stake_log {
    uint64_t paid[3];
} stake_log;

static void sum_paid(void *ctx, const chain *c, const chain_epoch_event *ev)
{
    stake_log *s = ctx;
    for (uint16_t u = 0; u < ev->n && u < 3; u++) {
        const chain_neuron *n = chain_neuron_get(c, ev->netuid, u);
        s->paid[u] += n->server_emission + n->validator_emission;
    }
}

TEST_IMPL(emissions_grow_the_hotkeys_stake)
{
    chain_subnet_params p = small(8);
    p.owner_hotkey = "owner";
    chain *c = cfx_chain(&p);
    stake_log s = {{0}};
    chain_observer o = {&s, NULL, NULL, NULL, sum_paid};
    ASSERT_OK(chain_add_observer(c, &o));
    reg(c, "owner", 0);
    reg(c, "a", 3 * TAO);
    reg(c, "b", 1 * TAO);
    cfx_advance(c, 500);
    chain_subnet_totals t;
    ASSERT_OK(chain_subnet_totals_get(c, 1, &t));
    ASSERT(s.paid[1] > s.paid[2] && s.paid[2] > 0);
    ASSERT_EQ_U64(chain_stake(c, "a", 1), 3 * TAO + s.paid[1]);
    ASSERT_EQ_U64(chain_stake(c, "b", 1), 1 * TAO + s.paid[2]);
    ASSERT_EQ_U64(chain_stake(c, "owner", 1), t.paid_owner + s.paid[0]);
    ASSERT_EQ_U64(chain_neuron_stake(c, 1, 1), chain_stake(c, "a", 1));
    chain_free(c);
}

TEST_IMPL(a_subnet_added_later_accrues_from_the_next_block)
{
    chain *c = cfx_chain(NULL);
    err e;
    cfx_advance(c, 50);
    chain_subnet_params p = small(4);
    ASSERT_OK(chain_add_subnet(c, &p, &e));
    ASSERT_EQ_INT(chain_add_subnet(c, &p, &e), ERR_INPUT);
    p.netuid = 0;
    ASSERT_EQ_INT(chain_add_subnet(c, &p, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "root");
    cfx_advance(c, 60);
    chain_subnet_totals t;
    ASSERT_OK(chain_subnet_totals_get(c, 1, &t));
    ASSERT_EQ_U64(t.blocks, 10);
    ASSERT_EQ_U64(t.epochs, 1);   /* at 52 */
    ASSERT_EQ_U64(chain_last_epoch_block(c, 1), 52);
    chain_free(c);
}

TEST_IMPL(set_params_keeps_blocks_accrued_at_the_old_rate)
{
    chain_subnet_params p = small(4);
    p.tempo = 0;   /* never drains: everything stays pending */
    chain *c = cfx_chain(&p);
    err e;
    cfx_advance(c, 10);
    p.block_emission = 2 * TAO;
    p.owner_cut = 0;
    ASSERT_OK(chain_subnet_set_params(c, &p, &e));
    cfx_advance(c, 20);
    chain_subnet_totals t;
    ASSERT_OK(chain_subnet_totals_get(c, 1, &t));
    ASSERT_EQ_U64(t.pending_emission, 10ULL * 820004577 + 10ULL * 2 * TAO);
    ASSERT_EQ_U64(chain_next_epoch_block(c), UINT64_MAX);
    reg(c, "a", 0);
    reg(c, "b", 0);
    p.max_allowed_uids = 1;
    ASSERT_EQ_INT(chain_subnet_set_params(c, &p, &e), ERR_INPUT);
    chain_free(c);
}
