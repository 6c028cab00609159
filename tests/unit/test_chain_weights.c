/* The chain's weights: set_weights validation, the u16 max-upscale, the rate
 * limit, and commit-reveal (SPEC §1.3). */
#include "chain_fixture.h"

#include <string.h>

/* Subnet 1, tempo 10 (epochs at 8 + 11 k; epoch index (b + 2) / 11), one
 * validator "v" (uid 0, 10 TAO) and three miners, registered at block 1, with
 * permits from the epoch at block 8; the chain is left at block 9. */
static chain *setup(bool commit_reveal, uint64_t rate_limit)
{
    err e;
    chain_subnet_params p = cfx_params(commit_reveal);
    p.weights_rate_limit = rate_limit;
    chain *c = cfx_chain(&p);
    cfx_advance(c, 1);
    const char *hk[] = {"v", "m1", "m2", "m3"};
    for (int i = 0; i < 4; i++) {
        ASSERT_OK(chain_fund(c, "ck", i == 0 ? 10 * TAO : 0, &e));
        ASSERT_OK(chain_register(c, 1, hk[i], "ck", NULL, &e));
    }
    ASSERT_OK(chain_add_stake(c, "ck", "v", 1, 10 * TAO, &e));
    cfx_advance(c, 9);
    ASSERT(chain_neuron_get(c, 1, 0)->validator_permit);
    ASSERT(!chain_neuron_get(c, 1, 1)->validator_permit);
    return c;
}

static void set_params(chain *c, void (*edit)(chain_subnet_params *, uint64_t), uint64_t x)
{
    chain_subnet_params p = *chain_subnet_get_params(c, 1);
    edit(&p, x);
    err e;
    ASSERT_OK(chain_subnet_set_params(c, &p, &e));
}

static void row_is(chain *c, uint16_t uid, const uint16_t *uids, const uint16_t *vals, uint32_t n)
{
    chain_row_view row = chain_weights_row(c, 1, uid);
    ASSERT_EQ_INT(row.len, n);
    for (uint32_t i = 0; i < n; i++) {
        ASSERT_EQ_INT(row.uids[i], uids[i]);
        ASSERT_EQ_INT(row.values[i], vals[i]);
    }
}

/* ----------------------------------------------------------- max-upscale */

TEST_IMPL(max_upscale_rounds_as_the_chain)
{
    struct { uint16_t in[3], out[3]; size_t n; } t[] = {
        {{1, 2}, {32768, 65535}, 2},          /* 32767.5 rounds half away from zero */
        {{1, 3}, {21845, 65535}, 2},
        {{100, 40000}, {164, 65535}, 2},      /* above 32768: e * (65535 / max) */
        {{0, 0}, {0, 0}, 2},
        {{7}, {65535}, 1},
        {{65535, 1, 0}, {65535, 1, 0}, 3},
        /* 32767 * 65535 / 65534 is 32767.5 exactly, but the chain's I32F32
         * quotient 65535/65534 is truncated first: 32767, not 32768. */
        {{32767, 65534}, {32767, 65535}, 2},
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        uint16_t out[3];
        chain_max_upscale_u16(t[i].in, out, t[i].n);
        for (size_t k = 0; k < t[i].n; k++)
            ASSERT_EQ_INT(out[k], t[i].out[k]);
    }
    /* Below 32768 the result is exact round-half-up of e * 65535 / max. */
    rng r;
    rng_seed(&r, 3);
    for (int i = 0; i < 10000; i++) {
        uint16_t in[4], out[4];
        uint64_t max = 0;
        for (int k = 0; k < 4; k++) {
            in[k] = (uint16_t)rng_below(&r, 32769);
            if (in[k] > max)
                max = in[k];
        }
        chain_max_upscale_u16(in, out, 4);
        for (int k = 0; k < 4 && max; k++)
            ASSERT_EQ_U64(out[k], (2 * (uint64_t)in[k] * 65535 + max) / (2 * max));
    }
}

/* ------------------------------------------------------------ set_weights */

TEST_IMPL(set_weights_stores_max_upscaled_sorted_and_updates_last_update)
{
    chain *c = setup(false, 0);
    err e;
    uint16_t uids[] = {3, 1}, vals[] = {1, 2};
    ASSERT_OK(chain_set_weights(c, 1, "v", uids, vals, 2, 0, &e));
    uint16_t ru[] = {1, 3}, rv[] = {65535, 32768};
    row_is(c, 0, ru, rv, 2);
    ASSERT_EQ_U64(chain_neuron_get(c, 1, 0)->last_update, 9);
    chain_free(c);
}

TEST_IMPL(set_weights_rate_limit_per_hotkey)
{
    chain *c = setup(false, 100);
    err e;
    uint16_t uids[] = {1}, vals[] = {1};
    /* Registered at block 1, LastUpdate 1: the first set must wait 100 blocks too. */
    ASSERT_EQ_INT(chain_set_weights(c, 1, "v", uids, vals, 1, 0, &e), ERR_BUSY);
    ASSERT_CONTAINS(e.msg, "SettingWeightsTooFast");
    cfx_advance(c, 101);
    ASSERT_OK(chain_set_weights(c, 1, "v", uids, vals, 1, 0, &e));
    cfx_advance(c, 200);
    uint16_t u2[] = {2};
    ASSERT_EQ_INT(chain_set_weights(c, 1, "v", u2, vals, 1, 0, &e), ERR_BUSY);
    uint16_t ru[] = {1}, rv[] = {65535};
    row_is(c, 0, ru, rv, 1);   /* the refused call changed nothing */
    cfx_advance(c, 201);
    ASSERT_OK(chain_set_weights(c, 1, "v", u2, vals, 1, 0, &e));
    /* Per hotkey: a miner's own limit is separate. */
    uint16_t self[] = {1};
    ASSERT_OK(chain_set_weights(c, 1, "m1", self, vals, 1, 0, &e));
    chain_free(c);
}

static void min_w(chain_subnet_params *p, uint64_t x) { p->min_allowed_weights = (uint16_t)x; }
static void version(chain_subnet_params *p, uint64_t x) { p->weights_version_key = x; }
static void threshold(chain_subnet_params *p, uint64_t x) { p->stake_threshold = x; }
static void max_limit(chain_subnet_params *p, uint64_t x) { p->max_weight_limit = (uint16_t)x; }

TEST_IMPL(set_weights_validation_errors)
{
    chain *c = setup(false, 0);
    err e;
    uint16_t one[] = {1};
    uint16_t bad[] = {300}, v1[] = {1};
    ASSERT_EQ_INT(chain_set_weights(c, 1, "v", bad, v1, 1, 0, &e), ERR_INPUT);
    ASSERT_STR_EQ(e.msg, "set_weights: uid 300 does not exist on subnet 1 (UidVecContainInvalidOne)");
    uint16_t dup[] = {1, 2, 1}, v3[] = {1, 1, 1};
    ASSERT_EQ_INT(chain_set_weights(c, 1, "v", dup, v3, 3, 0, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "uid 1 appears twice (DuplicateUids)");
    uint16_t five[] = {0, 1, 2, 3, 4}, v5[] = {1, 1, 1, 1, 1};
    ASSERT_EQ_INT(chain_set_weights(c, 1, "v", five, v5, 5, 0, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "UidsLengthExceedUidsInSubNet");
    ASSERT_EQ_INT(chain_set_weights(c, 1, "nobody", one, v1, 1, 0, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "HotKeyNotRegisteredInSubNet");
    ASSERT_EQ_INT(chain_set_weights(c, 2, "v", one, v1, 1, 0, &e), ERR_NOTFOUND);
    /* A miner without a permit may only weight itself. */
    uint16_t other[] = {2};
    ASSERT_EQ_INT(chain_set_weights(c, 1, "m1", other, v1, 1, 0, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "uid 1 has no validator permit (NeuronNoValidatorPermit)");
    ASSERT_OK(chain_set_weights(c, 1, "m1", one, v1, 1, 0, &e));
    ASSERT_EQ_INT(chain_set_weights(c, 1, "v", NULL, NULL, 0, 0, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "WeightVecLengthIsLow");

    /* MinAllowedWeights, capped at the subnet's size. */
    set_params(c, min_w, 3);
    uint16_t two[] = {1, 2}, v2[] = {1, 1};
    ASSERT_EQ_INT(chain_set_weights(c, 1, "v", two, v2, 2, 0, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "2 weights, subnet 1 needs at least 3 (WeightVecLengthIsLow)");
    set_params(c, min_w, 10);
    uint16_t four[] = {0, 1, 2, 3}, v4[] = {1, 1, 1, 1};
    ASSERT_EQ_INT(chain_set_weights(c, 1, "v", four, v4, 3, 0, &e), ERR_INPUT);
    ASSERT_OK(chain_set_weights(c, 1, "v", four, v4, 4, 0, &e));
    set_params(c, min_w, 1);

    set_params(c, version, 5);
    ASSERT_EQ_INT(chain_set_weights(c, 1, "v", two, v2, 2, 4, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "IncorrectWeightVersionKey");
    ASSERT_OK(chain_set_weights(c, 1, "v", two, v2, 2, 5, &e));
    set_params(c, version, 0);

    set_params(c, threshold, 1000 * TAO);   /* v has 10 TAO plus one epoch of emission */
    ASSERT_EQ_INT(chain_set_weights(c, 1, "v", two, v2, 2, 0, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "NotEnoughStakeToSetWeights");
    set_params(c, threshold, 0);

    /* MaxWeightsLimit 32768 (~50%): [1, 2] normalises to 2/3 > the limit. */
    set_params(c, max_limit, 32768);
    uint16_t v12[] = {1, 2};
    ASSERT_EQ_INT(chain_set_weights(c, 1, "v", two, v12, 2, 0, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "MaxWeightExceeded");
    ASSERT_OK(chain_set_weights(c, 1, "v", two, v2, 2, 0, &e));
    uint16_t rv[] = {65535, 65535};
    row_is(c, 0, two, rv, 2);
    chain_free(c);
}

TEST_IMPL(set_weights_is_refused_under_commit_reveal)
{
    chain *c = setup(true, 0);
    err e;
    uint16_t one[] = {1}, v1[] = {1};
    ASSERT_EQ_INT(chain_set_weights(c, 1, "v", one, v1, 1, 0, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "(CommitRevealEnabled)");
    chain *d = setup(false, 0);
    uint8_t h[32] = {0};
    ASSERT_EQ_INT(chain_commit_weights(d, 1, "v", h, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "(CommitRevealDisabled)");
    ASSERT_EQ_INT(chain_reveal_weights(d, 1, "v", one, v1, 1, 0, 0, &e), ERR_INPUT);
    chain_free(d);
    chain_free(c);
}

/* --------------------------------------------------------- commit-reveal */

/* The commit hash as its comment defines it, one word at a time into lane
 * k mod 4: the chain's eight-entries-at-once loop must give the same bytes for
 * every length, including the tails of one to seven entries. */
static uint64_t ref_mix(uint64_t h, uint64_t w, uint64_t k)
{
    h = (h ^ (w + k * 0x9e3779b97f4a7c15ULL)) * 0xff51afd7ed558ccdULL;
    return h ^ (h >> 29);
}

static void ref_commit_hash(const char *hotkey, uint16_t netuid, const uint16_t *uids,
                            const uint16_t *values, size_t n, uint64_t salt, uint64_t version_key,
                            uint8_t out[32])
{
    uint64_t h[4] = {0x243f6a8885a308d3ULL, 0x13198a2e03707344ULL, 0xa4093822299f31d0ULL,
                     0x082efa98ec4e6c89ULL};
    uint64_t words[4 + 512], nw = 0;
    words[nw++] = hash64_str(hotkey);
    words[nw++] = (uint64_t)netuid << 32 | (uint32_t)n;
    words[nw++] = salt;
    words[nw++] = version_key;
    for (size_t k = 0; k < n; k += 4) {   /* four uids, then their four values */
        uint64_t u = 0, v = 0;
        for (size_t i = 0; i < 4 && k + i < n; i++) {
            u |= (uint64_t)uids[k + i] << (16 * i);
            v |= (uint64_t)values[k + i] << (16 * i);
        }
        words[nw++] = u;
        words[nw++] = v;
    }
    for (uint64_t k = 0; k < nw; k++)
        h[k & 3] = ref_mix(h[k & 3], words[k], k);
    uint64_t all = hash64_mix(hash64_mix(h[0], h[1]), hash64_mix(h[2], h[3]));
    for (int i = 0; i < 4; i++) {
        uint64_t v = hash64_mix(all, h[i] ^ (uint64_t)i);
        for (int b = 0; b < 8; b++)
            out[8 * i + b] = (uint8_t)(v >> (8 * b));
    }
}

TEST_IMPL(commit_hash_matches_its_definition_at_every_length)
{
    rng r;
    rng_seed(&r, 17);
    uint16_t uids[300], values[300];
    for (size_t n = 0; n <= 300; n++) {
        for (size_t k = 0; k < n; k++) {
            uids[k] = (uint16_t)rng_u64(&r);
            values[k] = (uint16_t)rng_u64(&r);
        }
        uint64_t salt = rng_u64(&r), version = rng_below(&r, 1000);
        uint8_t got[32], want[32];
        chain_commit_hash("hk-7", 3, uids, values, n, salt, version, got);
        ref_commit_hash("hk-7", 3, uids, values, n, salt, version, want);
        if (memcmp(got, want, 32))
            TEST_FAIL_("the commit hash of %zu weights differs from its definition", n);
    }
}

static void commit(chain *c, const char *hk, const uint16_t *uids, const uint16_t *vals, size_t n,
                   uint64_t salt)
{
    uint8_t h[32];
    err e;
    chain_commit_hash(hk, 1, uids, vals, n, salt, 0, h);
    if (chain_commit_weights(c, 1, hk, h, &e))
        TEST_FAIL_("commit: %s", e.msg);
}

TEST_IMPL(reveal_is_accepted_only_in_the_next_epoch)
{
    chain *c = setup(true, 0);
    err e;
    uint16_t uids[] = {1, 2}, vals[] = {1, 3};
    commit(c, "v", uids, vals, 2, 42);   /* block 9: epoch index 1 */
    ASSERT_EQ_U64(chain_neuron_get(c, 1, 0)->last_update, 9);
    ASSERT_EQ_INT(chain_pending_commits(c, 1, 0), 1);
    cfx_advance(c, 19);                  /* still index 1 (blocks 9..19) */
    ASSERT_EQ_INT(chain_reveal_weights(c, 1, "v", uids, vals, 2, 42, 0, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "(RevealTooEarly)");
    /* Nothing is visible before the reveal: a copier reading the chain sees no row. */
    ASSERT_EQ_INT(chain_weights_row(c, 1, 0).len, 0);
    cfx_advance(c, 20);                  /* index 2 */
    ASSERT_EQ_INT(chain_reveal_weights(c, 1, "v", uids, vals, 2, 43, 0, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "(InvalidRevealCommitHashNotMatch)");
    uint16_t other[] = {1, 4};
    ASSERT_EQ_INT(chain_reveal_weights(c, 1, "v", uids, other, 2, 42, 0, &e), ERR_INPUT);
    ASSERT_OK(chain_reveal_weights(c, 1, "v", uids, vals, 2, 42, 0, &e));
    uint16_t rv[] = {21845, 65535};
    row_is(c, 0, uids, rv, 2);
    ASSERT_EQ_INT(chain_pending_commits(c, 1, 0), 0);
    /* A reveal does not move LastUpdate under commit-reveal (the commit did). */
    ASSERT_EQ_U64(chain_neuron_get(c, 1, 0)->last_update, 9);
    ASSERT_EQ_INT(chain_reveal_weights(c, 1, "v", uids, vals, 2, 42, 0, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "(NoWeightsCommitFound)");
    chain_free(c);
}

TEST_IMPL(unrevealed_commits_expire_and_never_count)
{
    chain *c = setup(true, 0);
    err e;
    uint16_t uids[] = {1}, vals[] = {1};
    commit(c, "v", uids, vals, 1, 7);    /* index 1; revealable in index 2 only */
    cfx_advance(c, 30);                  /* index 2 ends at 30 (the epoch ran there) */
    ASSERT_EQ_INT(chain_pending_commits(c, 1, 0), 1);
    cfx_advance(c, 31);                  /* index 3: expired */
    ASSERT_EQ_INT(chain_pending_commits(c, 1, 0), 0);
    ASSERT_EQ_INT(chain_reveal_weights(c, 1, "v", uids, vals, 1, 7, 0, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "(ExpiredWeightCommit)");
    cfx_advance(c, 500);
    ASSERT_EQ_INT(chain_weights_row(c, 1, 0).len, 0);
    chain_free(c);
}

TEST_IMPL(commit_rate_limit_and_unrevealed_cap)
{
    chain *c = setup(true, 100);
    err e;
    uint8_t h[32] = {1};
    /* Registered at 1: the limit counts from LastUpdate like set_weights. */
    ASSERT_EQ_INT(chain_commit_weights(c, 1, "v", h, &e), ERR_BUSY);
    ASSERT_CONTAINS(e.msg, "(CommittingWeightsTooFast)");
    cfx_advance(c, 101);
    ASSERT_OK(chain_commit_weights(c, 1, "v", h, &e));
    cfx_advance(c, 150);
    ASSERT_EQ_INT(chain_commit_weights(c, 1, "v", h, &e), ERR_BUSY);
    chain_free(c);

    c = setup(true, 0);
    chain_subnet_params p = *chain_subnet_get_params(c, 1);
    p.reveal_period_epochs = 5;
    ASSERT_OK(chain_subnet_set_params(c, &p, &e));
    for (int i = 0; i < CHAIN_MAX_UNREVEALED; i++) {
        h[0] = (uint8_t)i;
        ASSERT_OK(chain_commit_weights(c, 1, "v", h, &e));
    }
    ASSERT_EQ_INT(chain_commit_weights(c, 1, "v", h, &e), ERR_BUSY);
    ASSERT_CONTAINS(e.msg, "(TooManyUnrevealedCommits)");
    ASSERT_EQ_INT(chain_pending_commits(c, 1, 0), 10);
    /* Once the oldest expire there is room again. */
    cfx_advance(c, 9 + 6 * 11);
    ASSERT_OK(chain_commit_weights(c, 1, "v", h, &e));
    ASSERT_EQ_INT(chain_pending_commits(c, 1, 0), 1);
    chain_free(c);
}

TEST_IMPL(reveal_drops_older_commits_and_a_failed_reveal_keeps_its_commit)
{
    chain *c = setup(true, 0);
    err e;
    uint16_t a[] = {1}, b[] = {2}, bad[] = {300}, v[] = {1};
    commit(c, "v", a, v, 1, 1);
    commit(c, "v", bad, v, 1, 2);
    commit(c, "v", b, v, 1, 3);
    cfx_advance(c, 20);
    /* The weights behind commit 2 fail set_weights' checks: nothing changes. */
    ASSERT_EQ_INT(chain_reveal_weights(c, 1, "v", bad, v, 1, 2, 0, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "uid 300 does not exist");
    ASSERT_EQ_INT(chain_pending_commits(c, 1, 0), 3);
    /* Revealing the newest takes the older ones with it. */
    ASSERT_OK(chain_reveal_weights(c, 1, "v", b, v, 1, 3, 0, &e));
    ASSERT_EQ_INT(chain_pending_commits(c, 1, 0), 0);
    ASSERT_EQ_INT(chain_reveal_weights(c, 1, "v", a, v, 1, 1, 0, &e), ERR_INPUT);
    uint16_t rv[] = {65535};
    row_is(c, 0, b, rv, 1);
    chain_free(c);
}

TEST_IMPL(commit_hash_binds_every_field)
{
    uint16_t u[] = {1, 2}, v[] = {3, 4}, v2[] = {3, 5};
    uint8_t h0[32], h[32];
    chain_commit_hash("v", 1, u, v, 2, 9, 0, h0);
    chain_commit_hash("v", 1, u, v, 2, 9, 0, h);
    ASSERT(!memcmp(h0, h, 32));
    chain_commit_hash("w", 1, u, v, 2, 9, 0, h);
    ASSERT(memcmp(h0, h, 32));
    chain_commit_hash("v", 2, u, v, 2, 9, 0, h);
    ASSERT(memcmp(h0, h, 32));
    chain_commit_hash("v", 1, u, v2, 2, 9, 0, h);
    ASSERT(memcmp(h0, h, 32));
    chain_commit_hash("v", 1, u, v, 1, 9, 0, h);
    ASSERT(memcmp(h0, h, 32));
    chain_commit_hash("v", 1, u, v, 2, 8, 0, h);
    ASSERT(memcmp(h0, h, 32));
    chain_commit_hash("v", 1, u, v, 2, 9, 1, h);
    ASSERT(memcmp(h0, h, 32));
}
