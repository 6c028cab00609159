/* The weights policies as the pure functions weights.h exposes: what an honest
 * or lazy validator sets from a metagraph, without a chain or a runtime. */
#include "validator/weights/weights.h"
#include "test.h"

#include <string.h>

/* Three single miners (so their hotkeys are their group names) and one
 * validator; quality is exact, so values can be worked out by hand. */
static const char *text =
    "{\"name\": \"p\", \"epochs\": 10,\n"
    " \"subnets\": [{\"netuid\": 1, \"tempo\": 10}],\n"
    " \"validators\": [{\"name\": \"v\", \"count\": 1, \"stake\": 1000,\n"
    "                   \"policy\": {\"kind\": \"honest\", \"noise\": 0}},\n"
    "                  {\"name\": \"noisy\", \"count\": 1, \"stake\": 1000,\n"
    "                   \"policy\": {\"kind\": \"honest\", \"noise\": 0.1}},\n"
    "                  {\"name\": \"lazy\", \"count\": 1, \"stake\": 1000,\n"
    "                   \"policy\": {\"kind\": \"lazy\", \"every_epochs\": 3, \"first_epoch\": 1,\n"
    "                              \"noise\": 0}}],\n"
    " \"miners\": [{\"name\": \"good\", \"count\": 1, \"quality\": 0.8},\n"
    "            {\"name\": \"poor\", \"count\": 1, \"quality\": 0.2},\n"
    "            {\"name\": \"mid\", \"count\": 1, \"quality\": 0.5}]}\n";

/* uid 0 poor, 1 the validator, 2 good, 3 mid, 4 a hotkey the scenario does
 * not know (registered by someone else) */
static const char *const roster[] = {"poor", "v", "good", "mid", "stranger"};
enum { N = 5 };

typedef struct fixture {
    scenario *sc;
    weights_truth *truth;
    proto_chain_neuron neurons[N];
    proto_chain_metagraph mg;
    uint16_t miner_uid[N];
    int32_t miner_truth[N];
    size_t miners;
    double w[N], z[N];
    bool named[N];
} fixture;

static void setup(fixture *f)
{
    memset(f, 0, sizeof *f);
    err e;
    if (scenario_parse("p.json", text, strlen(text), NULL, &f->sc, &e))
        TEST_FAIL_("%s", e.msg);
    ASSERT_OK(weights_truth_new(f->sc, &f->truth));
    for (uint16_t u = 0; u < N; u++) {
        f->neurons[u].uid = u;
        snprintf(f->neurons[u].hotkey, sizeof f->neurons[u].hotkey, "%s", roster[u]);
        long t = weights_truth_find(f->truth, roster[u]);
        if (t >= 0) {
            f->miner_uid[f->miners] = u;
            f->miner_truth[f->miners++] = (int32_t)t;
        }
    }
    ASSERT_EQ_INT(f->miners, 3);   /* the validator and the stranger are not miners */
    f->mg = (proto_chain_metagraph){.netuid = 1, .tempo = 10, .n = N, .neurons = f->neurons};
}

static void teardown(fixture *f)
{
    weights_truth_free(f->truth);
    scenario_free(f->sc);
}

static weights_ctx ctx_of(fixture *f)
{
    return (weights_ctx){f->sc, f->truth, f->miner_uid, f->miner_truth, f->miners,
                         1, f->w, f->named, f->z};
}

static void policy_of(fixture *f, size_t group, uint64_t epoch, rng *r, uint16_t *uids,
                      uint16_t *values, size_t *n, bool *act)
{
    weights_ctx c = ctx_of(f);
    err e;
    if (weights_policy(&c, &f->sc->validators.v[group].policy, &f->mg, epoch, r, uids, values, n,
                       act, &e))
        TEST_FAIL_("%s", e.msg);
}

/* Noise 0: each miner's quality, max-upscaled: 0.8 -> 65535; 0.2 -> 16383.75,
 * rounded half up to 16384; 0.5 -> 40959.375 -> 40959. Sorted by uid; the
 * validator's own uid and the unknown hotkey get nothing. */
TEST_IMPL(honest_sets_each_miners_quality_max_upscaled)
{
    fixture f;
    setup(&f);
    rng r;
    rng_seed(&r, 1);
    uint16_t uids[N], values[N];
    size_t n = 99;
    bool act = false;
    policy_of(&f, 0, 4, &r, uids, values, &n, &act);
    ASSERT(act);
    ASSERT_EQ_INT(n, 3);
    const uint16_t want_uid[] = {0, 2, 3}, want_value[] = {16384, 65535, 40959};
    for (size_t k = 0; k < 3; k++) {
        ASSERT_EQ_INT(uids[k], want_uid[k]);
        ASSERT_EQ_INT(values[k], want_value[k]);
    }
    teardown(&f);
}

/* With noise: one draw per miner in uid order from the validator's stream, the
 * measurement clipped at 0, then upscaled as above. A second stream with the
 * same seed replays the draws. */
TEST_IMPL(honest_noise_is_one_draw_per_miner_in_uid_order)
{
    fixture f;
    setup(&f);
    rng r, replay;
    rng_seed(&r, 7);
    rng_seed(&replay, 7);
    uint16_t uids[N], values[N];
    size_t n = 0;
    bool act = false;
    for (uint64_t epoch = 0; epoch < 50; epoch++) {
        policy_of(&f, 1, epoch, &r, uids, values, &n, &act);
        ASSERT(act && n == 3);
        const double q[] = {0.2, 0.8, 0.5};   /* uids 0, 2, 3 */
        double x[3], max = 0;
        for (int k = 0; k < 3; k++) {
            x[k] = q[k] + rng_normal(&replay, 0, 0.1);
            x[k] = x[k] > 0 ? x[k] : 0;
            max = x[k] > max ? x[k] : max;
        }
        for (int k = 0; k < 3; k++) {
            double v = x[k] * (65535.0 / max) + 0.5;
            ASSERT_EQ_INT(values[k], v >= 65535.0 ? 65535 : (uint16_t)v);
        }
    }
    ASSERT_EQ_U64(rng_u64(&r), rng_u64(&replay));   /* and no draw beyond those */
    teardown(&f);
}

/* A lazy validator measures on epochs first_epoch, first_epoch + every, ...
 * and sets nothing in between. */
TEST_IMPL(lazy_acts_only_on_its_epochs)
{
    fixture f;
    setup(&f);
    rng r;
    rng_seed(&r, 3);
    uint16_t uids[N], values[N];
    for (uint64_t epoch = 0; epoch < 12; epoch++) {
        size_t n = 0;
        bool act = true;
        policy_of(&f, 2, epoch, &r, uids, values, &n, &act);
        bool turn = epoch >= 1 && (epoch - 1) % 3 == 0;
        ASSERT_EQ_INT(act, turn);
        ASSERT_EQ_INT(n, turn ? 3 : 0);
        if (turn)
            ASSERT_EQ_INT(values[1], 65535);
    }
    teardown(&f);
}
