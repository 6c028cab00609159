/* subtensor's own epoch tests (pallets/subtensor/src/tests/epoch.rs), replayed
 * on yuma_epoch: the same state, block by block, and the values the chain's
 * tests assert. Blocks follow the current mock (new_test_ext(1) starts at block
 * 1; append_neuron registers at the block it is given). Legacy bonds (Yuma 3
 * off, the mock's default) unless a test says otherwise. */
#include "yuma_sim.h"

/* tests::epoch::test_10_graph, SPEC.md §1.4 check 1: self-weights only, so
 * every share falls back to stake: floor(0.1 * 1e9) = 99_999_999 rao. */
TEST_IMPL(chain_10_graph_self_weights)
{
    ysim *s = ysim_new(10);
    s->p.tempo = 65534;
    s->block = 1;
    for (uint32_t i = 0; i < 10; i++)
        s->stake[i] = 1;
    for (uint16_t i = 0; i < 10; i++) {
        uint16_t one = 65535;
        ysim_set_weights(s, i, 1, &i, &one);
    }
    ysim_epoch(s, 1000000000);
    for (uint32_t i = 0; i < 10; i++) {
        ASSERT_EQ_INT(s->out->rank[i], 0);
        ASSERT_EQ_INT(s->out->trust[i], 0);
        ASSERT_EQ_INT(s->out->consensus[i], 0);
        ASSERT_EQ_INT(s->out->incentive[i], 0);
        ASSERT_EQ_INT(s->out->dividends[i], 0);
        ASSERT_EQ_U64(s->out->emission[i], 99999999);
    }
    ysim_free(s);
}

/* tests::epoch::test_1_graph */
TEST_IMPL(chain_1_graph)
{
    ysim *s = ysim_new(1);
    s->p.tempo = 65534;
    s->block = 1;
    s->reg[0] = 1;
    s->stake[0] = 1000000000;
    uint16_t uid = 0, one = 65535;
    ysim_set_weights(s, 0, 1, &uid, &one);
    ysim_epoch(s, 1000000000);
    ASSERT_EQ_INT(s->out->rank[0], 0);
    ASSERT_EQ_INT(s->out->trust[0], 0);
    ASSERT_EQ_INT(s->out->consensus[0], 0);
    ASSERT_EQ_INT(s->out->incentive[0], 0);
    ASSERT_EQ_INT(s->out->dividends[0], 0);
    ysim_free(s);
}

/* The uids of distribute_nodes: blockwise, regular interleaving, or a fixed
 * permutation standing in for the test's random one (its assertions hold for
 * any). */
static void distribute(uint32_t vn, uint32_t n, int interleave, bool *is_validator)
{
    memset(is_validator, 0, n * sizeof *is_validator);
    if (interleave == 0) {
        for (uint32_t i = 0; i < vn; i++)
            is_validator[i] = true;
    } else if (interleave == 1) {
        for (uint32_t i = 0; i < n; i++)
            is_validator[i] = i % (n / vn) == 0;
    } else {
        for (uint32_t k = 0; k < vn; k++)
            is_validator[(k * 197 + 31) % n] = true;   /* 197 is coprime to n */
    }
}

/* tests::epoch::test_512_graph: 64 validators with equal stake weigh all 448
 * servers equally, three epochs. */
TEST_IMPL(chain_512_graph)
{
    const uint32_t n = 512, vn = 64;
    for (int interleave = 0; interleave < 3; interleave++) {
        for (int server_self = 0; server_self < 2; server_self++) {
            bool isv[512];
            distribute(vn, n, interleave, isv);
            ysim *s = ysim_new(n);
            s->p.tempo = 65534;
            s->p.max_allowed_validators = vn;
            s->block = 1;
            uint32_t validator = n, server = n, ns = 0;
            uint16_t servers[512];
            for (uint32_t i = 0; i < n; i++) {
                s->stake[i] = isv[i] ? 328125000000000ull : 0;
                if (isv[i] && validator == n)
                    validator = i;
                if (!isv[i]) {
                    if (server == n)
                        server = i;
                    servers[ns++] = (uint16_t)i;
                }
            }
            ysim_epoch(s, 1000000000);   /* permits */
            uint16_t vals[512];
            for (uint32_t k = 0; k < ns; k++)
                vals[k] = 65535 / n;
            for (uint32_t i = 0; i < n; i++) {
                uint16_t uid = (uint16_t)i, one = 65535;
                if (isv[i])
                    ysim_set_weights(s, i, ns, servers, vals);
                else if (server_self)
                    ysim_set_weights(s, i, 1, &uid, &one);
            }
            for (int epoch = 0; epoch < 3; epoch++)
                ysim_epoch(s, 1000000000);
            for (uint32_t i = 0; i < n; i++) {
                const yuma_output *o = s->out;
                if (isv[i]) {
                    ASSERT_EQ_INT(o->rank[i], 0);
                    ASSERT_EQ_INT(o->trust[i], 0);
                    ASSERT_EQ_INT(o->consensus[i], 0);
                    ASSERT_EQ_INT(o->incentive[i], 0);
                    ASSERT_EQ_INT(o->dividends[i], 1023);
                    ASSERT_EQ_U64(o->emission[i], 7812500);
                    ASSERT_EQ_INT(ysim_bond(s, i, validator), 0);
                    ASSERT_EQ_INT(ysim_bond(s, i, server), 65535);
                } else {
                    ASSERT_EQ_INT(o->rank[i], 146);
                    ASSERT_EQ_INT(o->trust[i], 65535);
                    ASSERT_EQ_INT(o->consensus[i], 146);
                    ASSERT_EQ_INT(o->incentive[i], 146);
                    ASSERT_EQ_INT(o->dividends[i], 0);
                    ASSERT_EQ_U64(o->emission[i], 1116071);
                    ASSERT_EQ_INT(ysim_bond(s, i, validator), 0);
                    ASSERT_EQ_INT(ysim_bond(s, i, server), 0);
                }
            }
            ysim_free(s);
        }
    }
}

static void set_val_weights(ysim *s, uint32_t uid)
{
    static const uint16_t cols[4] = {4, 5, 6, 7};
    static const uint16_t vals[4] = {65535 / 4, 65535 / 2, (65535 / 4) * 3, 65535};
    ysim_set_weights(s, uid, 4, cols, vals);
}

static void assert_bond_col(const ysim *s, uint32_t col, uint16_t b0, uint16_t b1,
                            uint16_t b2, uint16_t b3)
{
    ASSERT_EQ_INT(ysim_bond(s, 0, col), b0);
    ASSERT_EQ_INT(ysim_bond(s, 1, col), b1);
    ASSERT_EQ_INT(ysim_bond(s, 2, col), b2);
    ASSERT_EQ_INT(ysim_bond(s, 3, col), b3);
}

/* tests::epoch::test_bonds: the legacy bond EMA across validators switching
 * to self-weights one by one, then one moving all weight to a server. */
TEST_IMPL(chain_bonds_legacy_series)
{
    ysim *s = ysim_new(8);
    s->p.tempo = 1;
    s->p.max_allowed_validators = 8;
    s->block = 1;
    static const uint64_t stakes[8] = {1, 2, 3, 4, 0, 0, 0, 0};
    for (uint32_t i = 0; i < 8; i++)
        s->stake[i] = stakes[i], s->reg[i] = 1;
    ysim_epoch(s, 1000000000);
    s->block++;
    for (uint32_t uid = 0; uid < 4; uid++)
        set_val_weights(s, uid);
    ysim_epoch(s, 1000000000);
    assert_bond_col(s, 4, 16383, 32767, 49151, 65535);

    uint16_t one = 65535;
    for (uint16_t uid = 0; uid < 3; uid++) {   /* self-weight only on val1, val2, val3 */
        ysim_set_weights(s, uid, 1, &uid, &one);
        s->block++;
        ysim_epoch(s, 1000000000);
        if (uid == 0)
            assert_bond_col(s, 4, 14582, 32767, 49151, 65535);
        else if (uid == 1)
            assert_bond_col(s, 4, 12603, 28321, 49151, 65535);
        else
            assert_bond_col(s, 7, 12602, 28320, 49150, 65535);
    }
    uint16_t seven = 7;   /* val3 -> srv4: 1 */
    ysim_set_weights(s, 2, 1, &seven, &one);
    s->block++;
    ysim_epoch(s, 1000000000);
    assert_bond_col(s, 7, 10951, 24609, 49150, 65535);
    s->block++;
    ysim_epoch(s, 1000000000);
    assert_bond_col(s, 7, 9559, 21482, 49150, 65535);
    s->block++;
    ysim_epoch(s, 1000000000);
    assert_bond_col(s, 7, 8376, 18824, 49150, 65535);
    ysim_free(s);
}

/* tests::epoch::test_active_stake: validators going inactive past the
 * activity cutoff and coming back one at a time. */
TEST_IMPL(chain_active_stake)
{
    ysim *s = ysim_new(4);
    s->p.tempo = 1;
    s->p.max_allowed_validators = 4;
    s->block = 0;
    for (uint32_t i = 0; i < 4; i++)
        s->stake[i] = 1;
    ysim_epoch(s, 1000000000);
    s->block = 1;
    static const uint16_t cols[2] = {2, 3}, vals[2] = {65535 / 2, 65535 / 2};
    for (uint32_t uid = 0; uid < 2; uid++)
        ysim_set_weights(s, uid, 2, cols, vals);
    ysim_epoch(s, 1000000000);
    for (uint32_t uid = 0; uid < 4; uid++) {
        if (uid < 2)
            ASSERT_EQ_INT(s->out->dividends[uid], 32767);
        ASSERT_EQ_U64(s->out->emission[uid], 250000000);
    }
    for (uint32_t v = 0; v < 2; v++) {
        ASSERT_EQ_INT(ysim_bond(s, v, 0), 0);
        ASSERT_EQ_INT(ysim_bond(s, v, 1), 0);
        ASSERT_EQ_INT(ysim_bond(s, v, 2), 65535);
        ASSERT_EQ_INT(ysim_bond(s, v, 3), 65535);
    }

    s->block = 5002;   /* activity_cutoff + 2: both validators' weights outdated */
    ysim_set_weights(s, 0, 2, cols, vals);
    ysim_epoch(s, 1000000000);
    ASSERT_EQ_INT(s->out->dividends[0], 36044);
    ASSERT_EQ_U64(s->out->emission[0], 274999999);
    ASSERT_EQ_INT(ysim_bond(s, 0, 2), 65535);
    ASSERT_EQ_INT(ysim_bond(s, 0, 3), 65535);
    ASSERT_EQ_INT(s->out->dividends[1], 29490);
    ASSERT_EQ_U64(s->out->emission[1], 224999999);
    ASSERT_EQ_INT(ysim_bond(s, 1, 2), 53619);
    ASSERT_EQ_INT(ysim_bond(s, 1, 3), 53619);

    ysim_set_weights(s, 1, 2, cols, vals);
    s->block = 5003;
    ysim_epoch(s, 1000000000);
    ASSERT_EQ_INT(s->out->dividends[0], 35716);
    ASSERT_EQ_U64(s->out->emission[0], 272501132);
    ASSERT_EQ_INT(ysim_bond(s, 0, 2), 65535);
    ASSERT_EQ_INT(ysim_bond(s, 0, 3), 65535);
    ASSERT_EQ_INT(s->out->dividends[1], 29818);
    ASSERT_EQ_U64(s->out->emission[1], 227498866);
    ASSERT_EQ_INT(ysim_bond(s, 1, 2), 54712);
    ASSERT_EQ_INT(ysim_bond(s, 1, 3), 54712);
    ysim_free(s);
}

/* tests::epoch::test_outdated_weights: a server deregistered and replaced;
 * weights set before the replacement no longer count. tempo 0. */
TEST_IMPL(chain_outdated_weights)
{
    ysim *s = ysim_new(4);
    s->p.tempo = 0;
    s->p.max_allowed_validators = 4;
    s->block = 1;
    for (uint32_t i = 0; i < 4; i++)
        s->stake[i] = 1, s->reg[i] = 1;
    ysim_epoch(s, 1000000000);
    s->block = 2;
    static const uint16_t cols[2] = {2, 3}, vals[2] = {2 * (65535 / 3), 65535 / 3};
    uint16_t one = 65535;
    for (uint32_t uid = 0; uid < 2; uid++)
        ysim_set_weights(s, uid, 2, cols, vals);
    for (uint16_t uid = 2; uid < 4; uid++)
        ysim_set_weights(s, uid, 1, &uid, &one);
    ysim_epoch(s, 1000000000);
    /* a new hotkey, no stake, takes uid 3 */
    s->reg[3] = 2;
    s->stake[3] = 0;
    s->permit[3] = false;
    s->block = 3;
    ysim_set_weights(s, 0, 2, cols, vals);
    ysim_epoch(s, 1000000000);
    ASSERT_EQ_INT(s->out->dividends[0], 32767);
    ASSERT_EQ_U64(s->out->emission[0], 250000000);
    ASSERT_EQ_INT(ysim_bond(s, 0, 2), 65535);
    ASSERT_EQ_INT(ysim_bond(s, 0, 3), 65535);
    ysim_free(s);
}

/* tests::epoch::test_zero_weights: no weights, self-weights only, weights to
 * a re-registered server: emission falls back to stake until weights count. */
TEST_IMPL(chain_zero_weights)
{
    ysim *s = ysim_new(2);
    s->p.tempo = 65534;
    s->block = 1;
    s->reg[0] = s->reg[1] = 1;
    s->stake[0] = 1;
    ysim_epoch(s, 1000000000);
    ASSERT_EQ_U64(s->out->emission[0], 1000000000);
    ASSERT_EQ_U64(s->out->emission[1], 0);
    uint16_t uid1 = 1, one = 65535;
    ysim_set_weights(s, 1, 1, &uid1, &one);
    ysim_epoch(s, 1000000000);
    ASSERT_EQ_U64(s->out->emission[0], 1000000000);
    ASSERT_EQ_U64(s->out->emission[1], 0);
    s->block = 2;
    ysim_set_weights(s, 0, 1, &uid1, &one);
    s->reg[1] = 2;   /* the server re-registered under a new key */
    s->permit[1] = false;
    ysim_epoch(s, 1000000000);
    ASSERT_EQ_U64(s->out->emission[0], 1000000000);
    ASSERT_EQ_U64(s->out->emission[1], 0);
    s->block = 3;
    ysim_set_weights(s, 0, 1, &uid1, &one);
    ysim_epoch(s, 1000000000);
    ASSERT_EQ_U64(s->out->emission[0], 500000000);
    ASSERT_EQ_U64(s->out->emission[1], 500000000);
    ysim_free(s);
}

/* tests::epoch::test_deregistered_miner_bonds: bonds to a uid registered
 * since the last epoch are dropped before the EMA. */
TEST_IMPL(chain_deregistered_miner_bonds)
{
    ysim *s = ysim_new(4);
    s->p.tempo = 65534;
    s->p.max_allowed_validators = 4;
    s->block = 1;
    for (uint32_t i = 0; i < 4; i++)
        s->stake[i] = 1, s->reg[i] = 1;
    ysim_epoch(s, 1000000000);
    s->block = 2;
    static const uint16_t cols[2] = {2, 3}, vals[2] = {2 * (65535 / 3), 65535 / 3};
    for (uint32_t uid = 0; uid < 2; uid++)
        ysim_set_weights(s, uid, 2, cols, vals);
    s->block = 4;
    s->p.tempo = 2;
    ysim_epoch(s, 1000000000);
    uint16_t b02 = ysim_bond(s, 0, 2), b03 = ysim_bond(s, 0, 3);
    ASSERT(b02 > 0);
    ASSERT(b03 > 0);
    s->p.tempo = 65534;
    s->block = 5;
    s->reg[3] = 5;
    s->stake[3] = 0;
    s->permit[3] = false;
    for (uint32_t uid = 0; uid < 2; uid++)
        ysim_set_weights(s, uid, 2, cols, vals);
    s->block = 6;
    s->p.tempo = 2;
    ysim_epoch(s, 1000000000);
    ASSERT(ysim_bond(s, 0, 2) >= b02);
    ASSERT(ysim_bond(s, 0, 3) <= b03);
    /* stronger than the chain's test: the bond to the new uid is gone */
    ASSERT_EQ_INT(ysim_bond(s, 0, 3), 0);
    ysim_free(s);
}

/* tests::epoch::test_validator_permits: permits go to the highest stakes at
 * or above the stake threshold, and move when servers outgrow validators. */
TEST_IMPL(chain_validator_permits)
{
    static const uint32_t sizes[3][2] = {{2, 1}, {4, 2}, {8, 4}};
    for (int interleave = 0; interleave < 3; interleave++)
        for (int z = 0; z < 3; z++)
            for (int assignment = 0; assignment < 2; assignment++) {
                uint32_t n = sizes[z][0], vn = sizes[z][1];
                uint64_t min_stake = vn;
                bool isv[8];
                distribute(vn, n, interleave, isv);
                ysim *s = ysim_new(n);
                s->p.tempo = 65534;
                s->p.stake_threshold = min_stake;
                s->p.max_allowed_validators = (uint16_t)vn;
                for (uint32_t i = 0; i < n; i++)
                    s->stake[i] = isv[i] ? (assignment ? i + n : 1) : (assignment ? i : 0);
                ysim_epoch(s, 1000000000);
                for (uint32_t i = 0; i < n; i++)
                    ASSERT_EQ_INT(s->permit[i], isv[i] ? s->stake[i] >= min_stake : false);
                for (uint32_t i = 0; i < n; i++)
                    if (!isv[i])
                        s->stake[i] += 2 * n;
                s->block = 1;
                ysim_epoch(s, 1000000000);
                for (uint32_t i = 0; i < n; i++)
                    ASSERT_EQ_INT(s->permit[i], isv[i] ? false : s->stake[i] >= min_stake);
                ysim_free(s);
            }
}

/* tests::epoch::test_can_set_self_weight_as_subnet_owner: the owner's
 * self-weight is kept, and earns like any other weight. */
TEST_IMPL(chain_owner_self_weight)
{
    ysim *s = ysim_new(2);
    s->p.owner_uid = 0;
    s->block = 2;
    s->reg[0] = s->reg[1] = 1;
    s->stake[0] = 5000000000000ull;
    s->permit[0] = true;
    s->w[0][0] = s->w[0][1] = 65535 / 2;   /* inserted into storage as is */
    s->last_update[0] = 2;
    ysim_epoch(s, 1000000000);
    ASSERT(s->out->server_emission[0] > 0);
    ASSERT(s->out->server_emission[1] > 0);
    ASSERT_EQ_U64(s->out->server_emission[0], s->out->server_emission[1]);
    /* and without an owner the self-weight is masked */
    ysim *t = ysim_new(2);
    t->block = 2;
    t->reg[0] = t->reg[1] = 1;
    t->stake[0] = 5000000000000ull;
    t->permit[0] = true;
    t->w[0][0] = t->w[0][1] = 65535 / 2;
    t->last_update[0] = 2;
    ysim_epoch(t, 1000000000);
    ASSERT_EQ_U64(t->out->server_emission[0], 0);
    ysim_free(t);
    ysim_free(s);
}
