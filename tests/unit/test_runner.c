/* End to end: a scenario through the runner into SQLite. */
#include "runner/runner.h"
#include "test.h"

#include <sqlite3.h>

static const char *basic =
    "{\"name\": \"t\", \"epochs\": 12,\n"
    " \"subnets\": [{\"netuid\": 1, \"tempo\": 20, \"weights_rate_limit\": 5}],\n"
    " \"chain\": {\"block_time\": \"1s\"},\n"
    " \"validators\": [{\"name\": \"v\", \"count\": 3, \"stake\": 1000}],\n"
    " \"miners\": [{\"name\": \"good\", \"count\": 3, \"quality\": 0.9},\n"
    "              {\"name\": \"poor\", \"count\": 3, \"quality\": 0.1}]}\n";

static scenario *load(const char *text, const char *const *sets, size_t nsets)
{
    scenario *s;
    err e;
    scenario_opts o = {.sets = sets, .nsets = nsets};
    if (scenario_parse("t.json", text, strlen(text), &o, &s, &e))
        TEST_FAIL_("%s", e.msg);
    return s;
}

static void run_into(const scenario *s, const char *path, runner_result *res)
{
    err e;
    runner_opts o = {.db_path = path, .quiet = true};
    if (runner_run(s, &o, res, &e))
        TEST_FAIL_("%s", e.msg);
}

static char *dump_records(const char *path)
{
    char cmd[8192], *out;
    /* every table but the store's own run bookkeeping, as SQL text */
    snprintf(cmd, sizeof cmd,
             "for t in $(sqlite3 '%s' \"SELECT name FROM sqlite_master WHERE type='table' AND "
             "name NOT IN ('run','run_param','run_table','store_table','store_column','store_seq') "
             "ORDER BY name\"); do echo \"== $t\"; sqlite3 '%s' \"SELECT * FROM $t ORDER BY rowid\"; done",
             path, path);
    ASSERT_EQ_INT(test_run(cmd, &out), 0);
    return out;
}

static long long query_int(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *q;
    ASSERT_EQ_INT(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    ASSERT_EQ_INT(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
    ASSERT_EQ_INT(sqlite3_step(q), SQLITE_ROW);
    long long v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return v;
}

TEST_IMPL(same_seed_gives_identical_digest_and_rows)
{
    scenario *s = load(basic, NULL, 0);
    char a[4096], b[4096];
    snprintf(a, sizeof a, "%s/a.db", test_tmpdir());
    snprintf(b, sizeof b, "%s/b.db", test_tmpdir());
    runner_result ra, rb;
    run_into(s, a, &ra);
    run_into(s, b, &rb);
    ASSERT_STR_EQ(ra.digest, rb.digest);
    char *da = dump_records(a), *db = dump_records(b);
    ASSERT(strlen(da) > 1000);
    ASSERT_CONTAINS(da, "== epoch_neuron");
    ASSERT_STR_EQ(da, db);
    free(da);
    free(db);
    scenario_free(s);
}

TEST_IMPL(another_seed_gives_another_digest)
{
    const char *sets[] = {"seed=7"};
    scenario *s = load(basic, NULL, 0), *s7 = load(basic, sets, 1);
    char a[4096], b[4096];
    snprintf(a, sizeof a, "%s/a.db", test_tmpdir());
    snprintf(b, sizeof b, "%s/b.db", test_tmpdir());
    runner_result ra, rb;
    run_into(s, a, &ra);
    run_into(s7, b, &rb);
    ASSERT(strcmp(ra.digest, rb.digest) != 0);
    scenario_free(s);
    scenario_free(s7);
}

TEST_IMPL(run_is_complete_with_every_epoch_and_neuron)
{
    scenario *s = load(basic, NULL, 0);
    char a[4096];
    snprintf(a, sizeof a, "%s/a.db", test_tmpdir());
    runner_result r;
    run_into(s, a, &r);
    ASSERT_EQ_INT(query_int(a, "SELECT COUNT(*) FROM run WHERE status = 'complete'"), 1);
    ASSERT_EQ_INT(query_int(a, "SELECT COUNT(*) FROM chain_epoch"), 12);
    ASSERT_EQ_INT(query_int(a, "SELECT COUNT(*) FROM neuron"), 9);
    ASSERT_EQ_INT(query_int(a, "SELECT COUNT(*) FROM neuron WHERE role = 'validator' AND uid < 3"), 3);
    /* validators first, then miners in file order */
    ASSERT_EQ_INT(query_int(a, "SELECT uid FROM neuron WHERE hotkey = 'good-0'"), 3);
    ASSERT_EQ_INT(query_int(a, "SELECT uid FROM neuron WHERE hotkey = 'poor-2'"), 8);
    ASSERT_EQ_INT(query_int(a, "SELECT COUNT(*) FROM epoch_neuron"), 12 * 9);
    scenario_free(s);
}

TEST_IMPL(honest_validators_pay_good_miners_more)
{
    scenario *s = load(basic, NULL, 0);
    char a[4096];
    snprintf(a, sizeof a, "%s/a.db", test_tmpdir());
    runner_result r;
    run_into(s, a, &r);
    const char *by_group =
        "SELECT SUM(en.incentive) FROM epoch_neuron en JOIN neuron n USING (run_id, netuid, uid) "
        "WHERE en.epoch = 11 AND n.group_name = '%s'";
    char q[512];
    snprintf(q, sizeof q, by_group, "good");
    long long good = query_int(a, q);
    snprintf(q, sizeof q, by_group, "poor");
    long long poor = query_int(a, q);
    /* quality 0.9 against 0.1 with noise 0.05: about 90/10 of the incentive */
    ASSERT(good > 8 * poor);
    ASSERT_NEAR((double)(good + poor) / 65535.0, 1.0, 0.001);
    scenario_free(s);
}

TEST_IMPL(late_registration_happens_at_its_block)
{
    const char *sets[] = {"miners[1].register_at=100"};
    scenario *s = load(basic, sets, 1);
    char a[4096];
    snprintf(a, sizeof a, "%s/a.db", test_tmpdir());
    runner_result r;
    run_into(s, a, &r);
    ASSERT_EQ_INT(query_int(a, "SELECT MIN(registered_block) FROM neuron WHERE group_name = 'poor'"),
                  100);
    ASSERT_EQ_INT(query_int(a, "SELECT MAX(registered_block) FROM neuron WHERE group_name = 'good'"), 0);
    scenario_free(s);
}
