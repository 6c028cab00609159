/* `subnetsim epoch` on the chain's own tests: the files in tests/golden/epoch/ are
 * the states of subtensor's epoch.rs tests epoch by epoch (written by
 * make_fixtures.py through this very command), and here each is run through
 * the binary and held to the values the chain's tests assert. Also the
 * command's contract: exit 2 and one located error line on bad input, nothing
 * on stdout then, and --next chaining epochs. */
#include "test.h"

#include <cjson/cJSON.h>

/* Run `subnetsim epoch ARGS` and parse stdout (stderr discarded). */
static cJSON *run_epoch(const char *args)
{
    char cmd[1024], *out = NULL;
    snprintf(cmd, sizeof cmd, "%s epoch %s 2>/dev/null", test_binary(), args);
    int st = test_run(cmd, &out);
    if (st != 0)
        TEST_FAIL_("`%s` exited %d: %s", cmd, st, out ? out : "");
    cJSON *j = cJSON_Parse(out);
    if (!j)
        TEST_FAIL_("`%s` printed no JSON: %s", cmd, out);
    free(out);
    return j;
}

static cJSON *run_fixture(const char *name)
{
    char args[512];
    snprintf(args, sizeof args, "%s/tests/golden/epoch/%s.json", test_source_dir(), name);
    return run_epoch(args);
}

static const cJSON *neuron(const cJSON *out, int uid)
{
    const cJSON *n = cJSON_GetArrayItem(cJSON_GetObjectItem(out, "neurons"), uid);
    ASSERT(n != NULL);
    return n;
}

static double num(const cJSON *out, int uid, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(neuron(out, uid), key);
    if (!cJSON_IsNumber(v))
        TEST_FAIL_("neuron %d has no %s", uid, key);
    return v->valuedouble;
}

static int bond(const cJSON *out, int uid, int to)
{
    char key[16];
    snprintf(key, sizeof key, "%d", to);
    const cJSON *v = cJSON_GetObjectItem(cJSON_GetObjectItem(neuron(out, uid), "bonds"), key);
    return v ? v->valueint : 0;
}

TEST_IMPL(cli_chain_10_graph)
{
    cJSON *o = run_fixture("graph10_00");
    for (int i = 0; i < 10; i++) {
        ASSERT_EQ_INT(num(o, i, "consensus"), 0);
        ASSERT_EQ_INT(num(o, i, "incentive"), 0);
        ASSERT_EQ_INT(num(o, i, "dividends"), 0);
        ASSERT_EQ_U64(num(o, i, "emission_rao"), 99999999);
    }
    cJSON_Delete(o);
}

TEST_IMPL(cli_chain_bonds_legacy_series)
{
    static const struct {
        const char *file;
        int col, b[4];
    } steps[] = {
        {"bonds_01", 4, {16383, 32767, 49151, 65535}},
        {"bonds_02", 4, {14582, 32767, 49151, 65535}},
        {"bonds_03", 4, {12603, 28321, 49151, 65535}},
        {"bonds_04", 7, {12602, 28320, 49150, 65535}},
        {"bonds_05", 7, {10951, 24609, 49150, 65535}},
        {"bonds_06", 7, {9559, 21482, 49150, 65535}},
        {"bonds_07", 7, {8376, 18824, 49150, 65535}},
    };
    for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
        cJSON *o = run_fixture(steps[s].file);
        for (int v = 0; v < 4; v++)
            if (bond(o, v, steps[s].col) != steps[s].b[v])
                TEST_FAIL_("%s: bond %d->%d is %d, the chain's test asserts %d", steps[s].file,
                           v, steps[s].col, bond(o, v, steps[s].col), steps[s].b[v]);
        cJSON_Delete(o);
    }
}

TEST_IMPL(cli_chain_active_stake)
{
    cJSON *o = run_fixture("active_01");
    for (int i = 0; i < 4; i++)
        ASSERT_EQ_U64(num(o, i, "emission_rao"), 250000000);
    ASSERT_EQ_INT(num(o, 0, "dividends"), 32767);
    ASSERT_EQ_INT(bond(o, 1, 3), 65535);
    cJSON_Delete(o);
    o = run_fixture("active_02");
    ASSERT_EQ_INT(num(o, 0, "dividends"), 36044);
    ASSERT_EQ_U64(num(o, 0, "emission_rao"), 274999999);
    ASSERT_EQ_INT(num(o, 1, "dividends"), 29490);
    ASSERT_EQ_U64(num(o, 1, "emission_rao"), 224999999);
    ASSERT_EQ_INT(bond(o, 0, 2), 65535);
    ASSERT_EQ_INT(bond(o, 1, 2), 53619);
    ASSERT(!cJSON_IsTrue(cJSON_GetObjectItem(neuron(o, 1), "active")));
    cJSON_Delete(o);
    o = run_fixture("active_03");
    ASSERT_EQ_INT(num(o, 0, "dividends"), 35716);
    ASSERT_EQ_U64(num(o, 0, "emission_rao"), 272501132);
    ASSERT_EQ_INT(num(o, 1, "dividends"), 29818);
    ASSERT_EQ_U64(num(o, 1, "emission_rao"), 227498866);
    ASSERT_EQ_INT(bond(o, 0, 3), 65535);
    ASSERT_EQ_INT(bond(o, 1, 3), 54712);
    cJSON_Delete(o);
}

/* SPEC.md §1.4 check 3: dividends of A, B, C to 1e-3. */
TEST_IMPL(cli_chain_yuma3_kappa_moves_first)
{
    static const double div[6][3] = {{0.8, 0.1, 0.1},          {1.0, 0.0, 0.0},
                                     {0.9382, 0.0618, 0.0},    {0.8819, 0.0773, 0.0407},
                                     {0.8564, 0.0844, 0.0592}, {0.8418, 0.0884, 0.0697}};
    for (int e = 0; e < 6; e++) {
        char name[32];
        snprintf(name, sizeof name, "kappa_first_%02d", e + 1);
        cJSON *o = run_fixture(name);
        for (int v = 0; v < 3; v++)
            ASSERT_NEAR(num(o, v, "dividends") / 65535.0, div[e][v], 1e-3);
        cJSON_Delete(o);
    }
}

/* --next gives the next epoch's input: the legacy series carried on with no
 * new weights reaches the chain's later bonds. */
TEST_IMPL(cli_next_chains_epochs)
{
    const char *tmp = test_tmpdir();
    char cmd[1024], *out = NULL;
    snprintf(cmd, sizeof cmd,
             "%s epoch --next %s/tests/golden/epoch/bonds_05.json > %s/b6.json && "
             "%s epoch --next %s/b6.json > %s/b7.json",
             test_binary(), test_source_dir(), tmp, test_binary(), tmp, tmp);
    ASSERT_EQ_INT(test_run(cmd, &out), 0);
    free(out);
    char args[512];
    snprintf(args, sizeof args, "%s/b6.json", tmp);
    cJSON *o = run_epoch(args);
    ASSERT_EQ_INT(bond(o, 0, 7), 9559);
    ASSERT_EQ_INT(bond(o, 1, 7), 21482);
    cJSON_Delete(o);
    snprintf(args, sizeof args, "%s/b7.json", tmp);
    o = run_epoch(args);
    ASSERT_EQ_INT(bond(o, 0, 7), 8376);
    ASSERT_EQ_INT(bond(o, 1, 7), 18824);
    cJSON_Delete(o);
}

/* Bad input: exit 2, one line naming file:line:col and the path, no stdout. */
static void expect_error(const char *json, const char *message)
{
    char path[512], cmd[1200], *out = NULL;
    snprintf(path, sizeof path, "%s/bad.json", test_tmpdir());
    FILE *f = fopen(path, "w");
    ASSERT(f != NULL);
    fputs(json, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "%s epoch %s 2>/dev/null", test_binary(), path);
    ASSERT_EQ_INT(test_run(cmd, &out), 2);
    ASSERT_STR_EQ(out, "");
    free(out);
    snprintf(cmd, sizeof cmd, "%s epoch %s >/dev/null", test_binary(), path);
    ASSERT_EQ_INT(test_run(cmd, &out), 2);
    ASSERT_CONTAINS(out, message);
    ASSERT(strchr(out, '\n') == out + strlen(out) - 1);   /* one line */
    free(out);
}

TEST_IMPL(cli_bad_input_is_located)
{
    expect_error("{\"blok\": 1, \"neurons\": [{}]}",
                 "bad.json:1:2: blok: unknown key (did you mean \"block\"?)");
    expect_error("{\"block\": 1,\n \"neurons\": [{\"uid\": 0}, {\"uid\": 1}, {\"uid\": 2,\n"
                 "  \"weights\": {\"7\": 1}}]}",
                 "bad.json:3:15: neurons[2].weights.7: no neuron has uid 7 (uids are 0..2)");
    expect_error("{\"block\": 1, \"neurons\": [{\"uid\": 0}, {\"uid\": 0}]}",
                 "bad.json:1:46: neurons[1].uid: uid 0 already given by neurons[0]");
    expect_error("{\"block\": 1, \"neurons\": [{\"uid\": 0}, {\"uid\": 2}]}",
                 "neurons[1].uid: 2 is out of range 0..1");
    expect_error("{\"block\": 1, \"neurons\": [{\"weights\": {\"0\": 65536}}]}",
                 "neurons[0].weights.0: 65536 is out of range 0..65535");
    expect_error("{\"block\": 1, \"neurons\": [{\"bonds\": {\"0\": -1}}]}",
                 "neurons[0].bonds.0: must not be negative");
    expect_error("{\"block\": 1, \"neurons\": [{\"stake\": \"10\"}]}",
                 "neurons[0].stake: expected a number, got \"10\"");
    expect_error("{\"block\": 1, \"neurons\": [{\"stake\": 1.0000000001}]}",
                 "neurons[0].stake: finer than 1 rao");
    expect_error("{\"block\": 1, \"hyperparameters\": {\"yuma3\": 1}, \"neurons\": [{}]}",
                 "hyperparameters.yuma3: expected true or false, got 1");
    expect_error("{\"block\": 1, \"hyperparameters\": {\"bonds_penalti\": 1}, \"neurons\": [{}]}",
                 "did you mean \"bonds_penalty\"?");
    expect_error("{\"block\": 1, \"neurons\": [{\"weights\": {\"00\": 1}}]}",
                 "neurons[0].weights.00: \"00\" is not a uid (0..0)");
    expect_error("{\"neurons\": [{}]}", "bad.json:1:1: block: missing");
    expect_error("{\"block\": 1, \"neurons\": [{}], }", "bad.json:1:");
}

/* A stake in TAO is converted to rao exactly: 0.1 TAO against 0.3 TAO gives
 * the shares of 1:3 (a double would not add up), and 1e-9 TAO is 1 rao. */
TEST_IMPL(cli_stake_is_exact_rao)
{
    const char *tmp = test_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/stake.json", tmp);
    FILE *f = fopen(path, "w");
    ASSERT(f != NULL);
    fputs("{\"block\": 1, \"neurons\": [{\"stake\": 0.1}, {\"stake\": 0.3},"
          " {\"stake\": 1e-9}, {\"stake_rao\": 0}]}",
          f);
    fclose(f);
    cJSON *o = run_epoch(path);
    /* no permits yet: everything falls back to stake shares of 400000001 rao */
    ASSERT_EQ_U64(num(o, 0, "emission_rao"), 249999999);
    ASSERT_EQ_U64(num(o, 1, "emission_rao"), 749999997);
    ASSERT_EQ_U64(num(o, 2, "emission_rao"), 2);
    ASSERT_EQ_U64(num(o, 3, "emission_rao"), 0);
    cJSON_Delete(o);
    char cmd[1024], *out = NULL;
    snprintf(cmd, sizeof cmd, "%s epoch --help", test_binary());
    ASSERT_EQ_INT(test_run(cmd, &out), 0);
    ASSERT_CONTAINS(out, "usage: subnetsim epoch");
    free(out);
}
