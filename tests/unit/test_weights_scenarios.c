/* The shipped weights-family scenarios, run end to end through the runner
 * (chain actor, scripted/honest/deviate/copier validators, store) and checked
 * against subtensor's own epoch tests (tests/epoch.rs) and the mechanism's
 * known effects. */
#include "runner/runner.h"
#include "test.h"

#include <sqlite3.h>

static char db_path[4096];

static void run_file(const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/scenarios/weights/%s.json", test_source_dir(), name);
    snprintf(db_path, sizeof db_path, "%s/%s.db", test_tmpdir(), name);
    scenario *s;
    err e;
    if (scenario_load(path, NULL, &s, &e))
        TEST_FAIL_("%s", e.msg);
    runner_opts o = {.db_path = db_path, .quiet = true};
    runner_result r;
    if (runner_run(s, &o, &r, &e))
        TEST_FAIL_("%s", e.msg);
    scenario_free(s);
}

/* Dividend share of a hotkey at an epoch, from the database. */
static double dividends(const char *hotkey, int epoch)
{
    sqlite3 *db;
    sqlite3_stmt *q;
    ASSERT_EQ_INT(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    ASSERT_EQ_INT(sqlite3_prepare_v2(db,
                                     "SELECT en.dividends FROM epoch_neuron en JOIN neuron n "
                                     "USING (run_id, netuid, uid) WHERE n.hotkey = ?1 AND en.epoch = ?2",
                                     -1, &q, NULL),
                  SQLITE_OK);
    sqlite3_bind_text(q, 1, hotkey, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 2, epoch);
    ASSERT_EQ_INT(sqlite3_step(q), SQLITE_ROW);
    double d = sqlite3_column_int64(q, 0) / 65535.0;
    sqlite3_finalize(q);
    sqlite3_close(db);
    return d;
}

static double mean_over(const char *col, const char *group, int from_epoch)
{
    sqlite3 *db;
    sqlite3_stmt *q;
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT AVG(en.%s) / 65535.0 FROM epoch_neuron en JOIN neuron n "
             "USING (run_id, netuid, uid) WHERE n.group_name = ?1 AND en.epoch >= ?2", col);
    ASSERT_EQ_INT(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    ASSERT_EQ_INT(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
    sqlite3_bind_text(q, 1, group, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 2, from_epoch);
    ASSERT_EQ_INT(sqlite3_step(q), SQLITE_ROW);
    double d = sqlite3_column_double(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return d;
}

/* The chain test's dividends of A, B, C for its epochs e0..e5, which are this
 * scenario's epochs 1..6 (epoch 0 is the warm-up that grants permits). */
static void expect_table(const double want[6][3])
{
    static const char *const hk[3] = {"A", "B", "C"};
    for (int e = 0; e < 6; e++)
        for (int v = 0; v < 3; v++) {
            double got = dividends(hk[v], e + 1);
            if (fabs(got - want[e][v]) > 1e-3)
                TEST_FAIL_("epoch %d, %s: dividends %.4f, the chain's test says %.4f", e + 1,
                           hk[v], got, want[e][v]);
        }
}

TEST_IMPL(kappa_moves_first_matches_the_chain)
{
    run_file("kappa-moves-first");
    static const double want[6][3] = {{0.8, 0.1, 0.1}, {1.0, 0.0, 0.0}, {0.9382, 0.0618, 0.0},
                                      {0.8819, 0.0773, 0.0407}, {0.8564, 0.0844, 0.0592},
                                      {0.8418, 0.0884, 0.0697}};
    expect_table(want);
}

TEST_IMPL(kappa_moves_second_matches_the_chain)
{
    run_file("kappa-moves-second");
    static const double want[6][3] = {{0.8, 0.1, 0.1}, {0.8446, 0.0498, 0.1056},
                                      {0.6868, 0.3132, 0.0}, {0.7421, 0.2090, 0.0489},
                                      {0.7625, 0.1706, 0.0669}, {0.7730, 0.1508, 0.0762}};
    expect_table(want);
}

TEST_IMPL(kappa_moves_last_matches_the_chain)
{
    run_file("kappa-moves-last");
    static const double want[6][3] = {{0.8, 0.1, 0.1}, {0.8446, 0.0498, 0.1056},
                                      {0.8966, 0.0333, 0.0701}, {0.4663, 0.3210, 0.2127},
                                      {0.5976, 0.2340, 0.1683}, {0.6592, 0.1932, 0.1475}};
    expect_table(want);
}

TEST_IMPL(one_validator_deviating_matches_the_chain)
{
    run_file("one-validator-deviates");
    static const double want[6][3] = {{0.33, 0.33, 0.34}, {0.33, 0.33, 0.34},
                                      {0.3782, 0.3782, 0.2436}, {0.3628, 0.3628, 0.2745},
                                      {0.3541, 0.3541, 0.2917}, {0.3487, 0.3487, 0.3026}};
    expect_table(want);
}

TEST_IMPL(all_switching_at_once_keeps_dividends_with_stake)
{
    run_file("all-switch-at-once");
    for (int e = 1; e < 7; e++) {
        ASSERT_NEAR(dividends("A", e), 0.8, 1e-3);
        ASSERT_NEAR(dividends("B", e), 0.1, 1e-3);
        ASSERT_NEAR(dividends("C", e), 0.1, 1e-3);
    }
}

/* The same copier, open and under commit-reveal: it earns like an honest
 * validator in the open and clearly less when it can read only revealed rows. */
TEST_IMPL(commit_reveal_defeats_the_copier)
{
    run_file("copier-commit-reveal-off");
    double open_copier = mean_over("dividends", "copier", 5);
    double open_honest = mean_over("dividends", "honest", 5);
    double open_trust = mean_over("validator_trust", "copier", 5);
    run_file("copier-commit-reveal-on");
    double cr_copier = mean_over("dividends", "copier", 5);
    double cr_honest = mean_over("dividends", "honest", 5);
    double cr_trust = mean_over("validator_trust", "copier", 5);
    ASSERT(open_copier >= 0.97 * open_honest);
    ASSERT(cr_copier < 0.9 * cr_honest);
    ASSERT(cr_trust < open_trust - 0.1);
}

TEST_IMPL(a_newcomer_replaces_the_lowest_emission_neuron)
{
    run_file("new-miner-into-full-subnet");
    sqlite3 *db;
    sqlite3_stmt *q;
    ASSERT_EQ_INT(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    /* the pruned neuron had the lowest stored emission among the non-immune */
    ASSERT_EQ_INT(sqlite3_prepare_v2(db,
        "SELECT x.hotkey, x.emission, (SELECT MIN(en.emission) FROM epoch_neuron en "
        "  WHERE en.epoch = (SELECT MAX(epoch) FROM epoch_neuron WHERE block < x.deregistered_block)"
        "  AND en.uid >= 4) FROM neuron_exit x WHERE x.by_hotkey = 'newcomer'", -1, &q, NULL),
        SQLITE_OK);
    ASSERT_EQ_INT(sqlite3_step(q), SQLITE_ROW);
    ASSERT_STR_EQ((const char *)sqlite3_column_text(q, 0), "old-0");
    ASSERT_EQ_INT(sqlite3_column_int64(q, 1), sqlite3_column_int64(q, 2));
    sqlite3_finalize(q);
    sqlite3_close(db);
}
