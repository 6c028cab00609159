/* The resi family through the runner: its section's defaults are the world
 * profile's, runs are deterministic, organic miners learn and part ways, and
 * the records agree with each other. */
#include "runner/family_resi.h"
#include "test.h"

#include <sqlite3.h>

static const scenario_family *const fams[] = {&runner_resi_scenario};

static scenario *load(const char *text, const char *const *sets, size_t nsets)
{
    scenario *s;
    err e;
    scenario_opts o = {.sets = sets, .nsets = nsets, .families = fams, .nfamilies = 1};
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

static double query(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *q;
    ASSERT_EQ_INT(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        TEST_FAIL_("%s: %s", sql, sqlite3_errmsg(db));
    ASSERT_EQ_INT(sqlite3_step(q), SQLITE_ROW);
    double v = sqlite3_column_double(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return v;
}

static const char *small =
    "{\"name\": \"r\", \"duration\": \"12h\", \"profile\": \"resi-testnet-428\",\n"
    " \"validators\": [{\"name\": \"v\", \"stake\": 1000}],\n"
    " \"miners\": [{\"name\": \"org\", \"count\": 4, \"strategy\": \"organic\"},\n"
    "              {\"name\": \"prem\", \"strategy\": {\"kind\": \"premium-focus\", \"plan\": \"premium\"}},\n"
    "              {\"name\": \"cp\", \"strategy\": {\"kind\": \"copier\", \"target\": \"prem\"}},\n"
    "              {\"name\": \"fab\", \"strategy\": {\"kind\": \"fabricator\", \"p_invent\": 0.1}},\n"
    "              {\"name\": \"fl\", \"strategy\": {\"kind\": \"flaky\", \"restart_every\": \"2h\"}}]}\n";

TEST_IMPL(section_defaults_are_the_world_profile)
{
    scenario *s = load("{\"miners\": [{\"name\": \"m\", \"strategy\": \"broad\"}]}", NULL, 0);
    const resi_root *root = scenario_section(s, &runner_resi_scenario);
    ASSERT(root);
    world_params wp;
    world_api_params ap;
    world_s3_params sp;
    err e;
    ASSERT_OK(resi_section_params(&root->resi, &wp, &ap, &sp, &e));
    const world_profile *prof = world_profile_find("resi-2025-09");
    ASSERT_STR_EQ(wp.zip_file, prof->world.zip_file);
    wp.zip_file = prof->world.zip_file;
    ASSERT(!wp.data_dir && !prof->world.data_dir);
    ASSERT_EQ_INT(memcmp(&wp, &prof->world, sizeof wp), 0);
    ASSERT_STR_EQ(ap.name, prof->api.name);
    ap.name = prof->api.name;
    ASSERT_EQ_INT(memcmp(&ap, &prof->api, sizeof ap), 0);
    /* SPEC 2.2: basic = 41 entities every 200 s; premium = 369 every 120 s */
    ASSERT_EQ_INT(root->resi.plans.basic.scrape_every_us, RT_SEC(200));
    ASSERT_EQ_INT(root->resi.plans.basic.entities, 41);
    ASSERT_EQ_INT(root->resi.plans.premium.scrape_every_us, RT_SEC(120));
    ASSERT_EQ_INT(root->resi.plans.premium.entities, 369);
    ASSERT_EQ_INT(root->resi.desirability, RESI_AS_DEPLOYED);
    scenario_free(s);
}

TEST_IMPL(section_overrides_reach_the_world)
{
    const char *sets[] = {"resi.world.top_n=500", "resi.plans.basic.quota=20000",
                          "resi.api.faults.p_429=0.25"};
    scenario *s = load("{\"miners\": [{\"name\": \"m\", \"strategy\": \"broad\"}]}", sets, 3);
    const resi_root *root = scenario_section(s, &runner_resi_scenario);
    world_params wp;
    world_api_params ap;
    world_s3_params sp;
    err e;
    ASSERT_OK(resi_section_params(&root->resi, &wp, &ap, &sp, &e));
    ASSERT_EQ_INT(wp.top_n, 500);
    ASSERT_EQ_INT(ap.plans[WORLD_PLAN_BASIC].quota, 20000);
    ASSERT_NEAR(ap.faults.p_429, 0.25, 0);
    scenario_free(s);
}

TEST_IMPL(a_resi_run_is_deterministic)
{
    char a[4096], b[4096], c[4096];
    snprintf(a, sizeof a, "%s/a.db", test_tmpdir());
    snprintf(b, sizeof b, "%s/b.db", test_tmpdir());
    snprintf(c, sizeof c, "%s/c.db", test_tmpdir());
    scenario *s = load(small, NULL, 0);
    runner_result ra, rb, rc;
    run_into(s, a, &ra);
    run_into(s, b, &rb);
    ASSERT_STR_EQ(ra.digest, rb.digest);
    ASSERT_EQ_U64(ra.events, rb.events);
    scenario_free(s);
    const char *seed[] = {"seed=43"};
    s = load(small, seed, 1);
    run_into(s, c, &rc);
    ASSERT(strcmp(ra.digest, rc.digest) != 0);
    scenario_free(s);
}

TEST_IMPL(records_of_a_resi_run_agree)
{
    char db[4096];
    snprintf(db, sizeof db, "%s/r.db", test_tmpdir());
    scenario *s = load(small, NULL, 0);
    runner_result r;
    run_into(s, db, &r);
    /* every API call a miner counted, the API counted too */
    double miner_calls = query(db, "SELECT sum(calls) FROM miner_activity");
    double api_calls = query(db, "SELECT sum(u.calls) FROM api_usage u JOIN actor a ON "
                                 "a.actor = u.caller WHERE a.kind = 'miner'");
    ASSERT(miner_calls > 1000);
    ASSERT_NEAR(miner_calls, api_calls, 0);
    /* premium-focus covers exactly the ten premium zips, every hour */
    ASSERT_NEAR(query(db, "SELECT count(DISTINCT c.zip) FROM coverage c JOIN actor a ON "
                          "a.actor = c.miner WHERE a.name = 'prem'"), 10, 0);
    ASSERT_NEAR(query(db, "SELECT count(DISTINCT c.time_us) FROM coverage c JOIN actor a ON "
                          "a.actor = c.miner WHERE a.name = 'prem'"), 12, 0);
    /* the copier holds what its target held */
    ASSERT(query(db, "SELECT sum(copied) FROM miner_activity m JOIN actor a ON a.actor = m.miner "
                     "WHERE a.name = 'cp'") > 10000);
    /* uploads every 5 minutes under the testnet profile: a premium-plan miner
     * reads a third of the premium zips in 5 minutes, a file each */
    ASSERT(query(db, "SELECT sum(uploads) FROM miner_activity m JOIN actor a ON "
                     "a.actor = m.miner WHERE a.name = 'prem'") >= 12 * 12 * 3);
    ASSERT(query(db, "SELECT sum(restarts) FROM miner_activity") >= 2);
    ASSERT(query(db, "SELECT sum(invented) FROM miner_activity") > 100);
    scenario_free(s);
}

TEST_IMPL(organic_miners_learn_and_part_ways)
{
    char db[4096];
    snprintf(db, sizeof db, "%s/o.db", test_tmpdir());
    scenario *s = load(small, NULL, 0);
    runner_result r;
    run_into(s, db, &r);
    /* 12 h with epochs of 360 blocks (72 min): the baseline read and 9 or 10 rounds each */
    double rounds = query(db, "SELECT count(*) FROM miner_learn");
    ASSERT(rounds >= 4 * 9 && rounds <= 4 * 11);
    ASSERT_NEAR(query(db, "SELECT count(DISTINCT miner) FROM miner_learn"), 4, 0);
    /* identical configurations, their own streams: not every miner plays the same arms */
    ASSERT(query(db, "SELECT count(DISTINCT g) FROM (SELECT miner, group_concat(arm, ',') g "
                     "FROM (SELECT miner, arm FROM miner_learn ORDER BY miner, round) GROUP BY miner)") >= 2);
    /* a round's reward is its signal's change */
    ASSERT_NEAR(query(db, "SELECT max(abs(l.reward - (l.signal - p.signal))) FROM miner_learn l "
                          "JOIN miner_learn p ON p.miner = l.miner AND p.round = l.round - 1 "
                          "WHERE l.round >= 2"), 0, 1e-12);
    scenario_free(s);
}
