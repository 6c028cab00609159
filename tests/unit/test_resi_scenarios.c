/* The resi mechanism's known effects, end to end: scenarios through the
 * runner (resi miners, resi validators, chain) into a temporary database.
 *   - a duplicator fails its evaluations and its credibility falls;
 *   - a fabricator is caught at the rate its alteration probability predicts;
 *   - two miners holding the same buckets share their value;
 *   - premium-focus beats broad as deployed. */
#include "runner/runner.h"
#include "test.h"

#include <sqlite3.h>

static const scenario_family *const families[] = {&runner_resi_scenario};

static void run_text(const char *text, const char *db, runner_result *res)
{
    scenario *s;
    err e;
    scenario_opts o = {.families = families, .nfamilies = 1};
    if (scenario_parse("t.json", text, strlen(text), &o, &s, &e))
        TEST_FAIL_("%s", e.msg);
    runner_opts ro = {.db_path = db, .quiet = true};
    if (runner_run(s, &ro, res, &e))
        TEST_FAIL_("%s", e.msg);
    scenario_free(s);
}

static double query(const char *db, const char *sql)
{
    sqlite3 *d;
    sqlite3_stmt *q;
    ASSERT_EQ_INT(sqlite3_open_v2(db, &d, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    if (sqlite3_prepare_v2(d, sql, -1, &q, NULL) != SQLITE_OK)
        TEST_FAIL_("%s: %s", sql, sqlite3_errmsg(d));
    ASSERT_EQ_INT(sqlite3_step(q), SQLITE_ROW);
    double v = sqlite3_column_double(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(d);
    return v;
}

static void db_path(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s.db", test_tmpdir(), name);
}

/* One validator with 5-minute periods, no weights-altering stake effects:
 * miners start with 0 stake and the permit threshold is high enough that
 * their emissions never make them look like validators. */
#define HEADN(name, dur, nval, extra)                                                           \
    "{\"name\": \"" name "\", \"duration\": \"" dur "\", \"seed\": 11,\n"                       \
    " \"subnets\": [{\"netuid\": 1, \"tempo\": 360, \"validator_permit_stake\": 1e6,"            \
    "                \"commit_reveal\": false}],\n"                                             \
    " \"validators\": [{\"name\": \"val\", \"count\": " nval ", \"stake\": 2e6,"                  \
    "   \"policy\": {\"kind\": \"resi\", \"eval_period\": \"5m\", \"api_plan\": \"unlimited\""       \
    extra "}}],\n"
#define HEAD(name, dur, extra) HEADN(name, dur, "1", extra)

TEST_IMPL(resi_duplicator_fails_evaluations_and_its_credibility_falls)
{
    char db[4096];
    db_path(db, sizeof db, "dup");
    const char *text = HEAD("dup", "8h", "")
        " \"miners\": [{\"name\": \"honest\", \"strategy\": {\"kind\": \"broad\"}},\n"
        "   {\"name\": \"dup\", \"strategy\": {\"kind\": \"duplicator\", \"select\": \"broad\","
        "    \"p_duplicate\": 0.01}}]}\n";
    runner_result res;
    run_text(text, db, &res);
    /* uids: val 0, honest 1, dup 2 */
    double failed = query(db, "SELECT count(*) FROM evaluation WHERE uid = 2 AND reason = 'duplicates'");
    double total = query(db, "SELECT count(*) FROM evaluation WHERE uid = 2");
    ASSERT(total > 80);
    ASSERT(failed > 0.15 * total);
    ASSERT_EQ_INT(query(db, "SELECT count(*) FROM evaluation WHERE uid = 1 AND reason = 'duplicates'"), 0);
    /* every failed evaluation multiplies credibility by 0.85 (or less, when
     * "prove it" scaled it first): it falls, never rises */
    ASSERT_EQ_INT(query(db,
        "SELECT count(*) FROM evaluation e JOIN evaluation p ON p.uid = e.uid AND p.rowid = "
        " (SELECT max(rowid) FROM evaluation WHERE uid = e.uid AND rowid < e.rowid) "
        "WHERE e.uid = 2 AND e.reason = 'duplicates' AND p.credibility > 0 "
        "  AND e.credibility > 0.85 * p.credibility + 1e-12"), 0);
    ASSERT(query(db, "SELECT count(*) FROM evaluation e JOIN evaluation p ON p.uid = e.uid AND "
                     "p.rowid = (SELECT max(rowid) FROM evaluation WHERE uid = e.uid AND rowid < e.rowid) "
                     "WHERE e.uid = 2 AND e.reason = 'duplicates' AND e.credibility < p.credibility") >
           0.1 * total);
    double cred_dup = query(db, "SELECT credibility FROM evaluation WHERE uid = 2 ORDER BY rowid DESC LIMIT 1");
    double cred_honest = query(db, "SELECT credibility FROM evaluation WHERE uid = 1 ORDER BY rowid DESC LIMIT 1");
    if (getenv("RESI_DEBUG"))
        fprintf(stderr, "duplicator: %g of %g failed, cred %g vs honest %g\n", failed, total,
                cred_dup, cred_honest);
    ASSERT(cred_dup < cred_honest - 0.1);
}

TEST_IMPL(resi_fabricator_is_caught_at_the_predicted_rate)
{
    char db[4096];
    db_path(db, sizeof db, "fab");
    /* 30 % of listings get a price 10-30 % off: a spot check of one is caught
     * with probability 0.3, plus what honest copies fail anyway (stale fields),
     * measured on an honest miner of the same selection. Three validators,
     * uids 0-2; honest is uid 3, the fabricator uid 4. */
    const char *text = HEADN("fab", "24h", "3", "")
        " \"miners\": [{\"name\": \"honest\", \"strategy\": {\"kind\": \"broad\"}},\n"
        "   {\"name\": \"fab\", \"strategy\": {\"kind\": \"fabricator\", \"select\": \"broad\","
        "    \"p_alter\": 0.3, \"alter\": [\"price\"]}}]}\n";
    runner_result res;
    run_text(text, db, &res);
    double n = query(db, "SELECT count(*) FROM api_sample WHERE uid = 4 AND kind = 'spot'");
    double caught = query(db, "SELECT count(*) FROM api_sample WHERE uid = 4 AND kind = 'spot' "
                              "AND counted_valid = 0");
    double hn = query(db, "SELECT count(*) FROM api_sample WHERE uid = 3 AND kind = 'spot'");
    double base = query(db, "SELECT count(*) FROM api_sample WHERE uid = 3 AND kind = 'spot' "
                            "AND counted_valid = 0") / hn;
    double p = 0.3 + 0.7 * base;
    ASSERT(n > 200);
    double rate = caught / n, sd = sqrt(p * (1 - p) / n);
    if (getenv("RESI_DEBUG"))
        fprintf(stderr, "fabricator: %g checks, caught %.4f, predicted %.4f (baseline %.4f, "
                "%g honest checks), 4 sd %.4f\n", n, rate, p, base, hn, 4 * sd);
    if (fabs(rate - p) > 4 * sd)
        TEST_FAIL_("caught %.4f of %g checks, predicted %.4f (baseline %.4f) +- %.4f", rate, n, p,
                   base, 4 * sd);
    /* what catches it is the price */
    ASSERT(query(db, "SELECT count(*) FROM api_sample WHERE uid = 4 AND field = 'price'") >
           0.9 * (caught - base * n));
    /* and per evaluation: caught when either of its two checks is */
    double ev = query(db, "SELECT count(*) FROM evaluation WHERE uid = 4 AND sampled = 2");
    double ev_caught = query(db, "SELECT count(*) FROM evaluation WHERE uid = 4 AND sampled = 2 "
                                 "AND verified_failed > 0");
    double pe = 1 - (1 - p) * (1 - p), sde = sqrt(pe * (1 - pe) / ev);
    ASSERT(fabs(ev_caught / ev - pe) <= 4 * sde);
}

static double last_raw(const char *db, int uid, double at_s)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT raw_score FROM evaluation WHERE uid = %d AND time_us <= %.0f AND raw_score > 0 "
             "ORDER BY time_us DESC LIMIT 1", uid, at_s * 1e6);
    return query(db, sql);
}

TEST_IMPL(resi_two_miners_holding_the_same_buckets_share_their_value)
{
    char one[4096], two[4096];
    db_path(one, sizeof one, "alone");
    db_path(two, sizeof two, "shared");
    /* the same miner alone on zip 77494, then with a twin on the same zip; its
     * own scrapes are the same in both runs (its streams are its own) */
#define A_MINER "{\"name\": \"a\", \"strategy\": {\"kind\": \"regional\", \"zips\": [\"77494\"]}}"
    const char *alone = HEAD("alone", "3h", "") " \"miners\": [" A_MINER "]}\n";
    const char *shared = HEAD("shared", "3h", "")
        " \"miners\": [" A_MINER ",\n"
        "   {\"name\": \"b\", \"strategy\": {\"kind\": \"regional\", \"zips\": [\"77494\"]}}]}\n";
    runner_result res;
    run_text(alone, one, &res);
    run_text(shared, two, &res);
    double a1 = last_raw(one, 1, 3 * 3600), a2 = last_raw(two, 1, 3 * 3600);
    double b2 = last_raw(two, 2, 3 * 3600);
    ASSERT(a1 > 0);
    if (getenv("RESI_DEBUG"))
        fprintf(stderr, "sharing: alone %g, shared %g and %g\n", a1, a2, b2);
    /* equal holders: size^2 / (2 size) = half each */
    ASSERT_NEAR(a2 / a1, 0.5, 0.05);
    ASSERT_NEAR(b2 / a1, 0.5, 0.05);
    /* and together they hold what one held */
    ASSERT_NEAR((a2 + b2) / a1, 1.0, 0.05);
}

TEST_IMPL(resi_premium_focus_beats_broad_as_deployed)
{
    char db[4096];
    db_path(db, sizeof db, "premium");
    const char *text = HEAD("premium", "6h", "")
        " \"miners\": [{\"name\": \"premium\", \"strategy\": {\"kind\": \"premium-focus\"}},\n"
        "   {\"name\": \"broad\", \"strategy\": {\"kind\": \"broad\"}}]}\n";
    runner_result res;
    run_text(text, db, &res);
    double rp = last_raw(db, 1, 6 * 3600), rb = last_raw(db, 2, 6 * 3600);
    /* 4.0 against 0.3 a byte, on about the same bytes */
    if (getenv("RESI_DEBUG"))
        fprintf(stderr, "premium %g broad %g\n", rp, rb);
    ASSERT(rp > 5 * rb);
    double ip = query(db, "SELECT incentive FROM epoch_neuron WHERE uid = 1 ORDER BY epoch DESC LIMIT 1");
    double ib = query(db, "SELECT incentive FROM epoch_neuron WHERE uid = 2 ORDER BY epoch DESC LIMIT 1");
    ASSERT(ip > 5 * ib);
    /* as designed the tiers pay too: the gap narrows */
    char db2[4096];
    db_path(db2, sizeof db2, "premium-designed");
    const char *designed = HEAD("premium-designed", "6h", ", \"desirability\": \"as_designed\"")
        " \"miners\": [{\"name\": \"premium\", \"strategy\": {\"kind\": \"premium-focus\"}},\n"
        "   {\"name\": \"broad\", \"strategy\": {\"kind\": \"broad\"}}]}\n";
    run_text(designed, db2, &res);
    double dp = last_raw(db2, 1, 6 * 3600), dbr = last_raw(db2, 2, 6 * 3600);
    if (getenv("RESI_DEBUG"))
        fprintf(stderr, "as designed: premium %g broad %g\n", dp, dbr);
    ASSERT(dp / dbr < rp / rb);
}

TEST_IMPL(resi_s3_validation_scores_uploads_and_commit_reveal_carries_weights)
{
    char db[4096];
    db_path(db, sizeof db, "s3");
    /* testnet uploads every 5 minutes; S3 validated every 100 blocks here */
    const char *text =
        "{\"name\": \"s3\", \"duration\": \"4h\", \"seed\": 3, \"profile\": \"resi-testnet-428\",\n"
        " \"subnets\": [{\"netuid\": 1, \"tempo\": 360, \"validator_permit_stake\": 1e6,"
        "                \"commit_reveal\": true}],\n"
        " \"validators\": [{\"name\": \"val\", \"stake\": 2e6, \"policy\": {\"kind\": \"resi\","
        "   \"api_plan\": \"unlimited\", \"s3\": {\"every_blocks\": 100}}}],\n"
        " \"miners\": [{\"name\": \"prem\", \"strategy\": {\"kind\": \"premium-focus\"}},\n"
        "   {\"name\": \"dup\", \"strategy\": {\"kind\": \"duplicator\", \"select\": \"premium\","
        "    \"p_duplicate\": 0.5}}]}\n";
    runner_result res;
    run_text(text, db, &res);
    /* the first validation finds nothing uploaded yet, then every ~101 blocks */
    ASSERT_EQ_INT(query(db, "SELECT count(*) FROM s3_validation WHERE uid = 1 AND reason = 'no_files'"), 1);
    ASSERT(query(db, "SELECT count(*) FROM s3_validation WHERE uid = 1 AND reason IS NULL") >= 8);
    /* honest uploads: no duplicates, the API agrees: pct = 50 + 0.5 * ~100 */
    ASSERT(query(db, "SELECT min(pct) FROM s3_validation WHERE uid = 1 AND reason IS NULL") >= 90);
    ASSERT_EQ_INT(query(db, "SELECT sum(duplicates) FROM s3_validation WHERE uid = 1"), 0);
    ASSERT_EQ_INT(query(db, "SELECT min(applied) FROM s3_validation WHERE uid = 1 AND reason IS NULL"), 1);
    ASSERT(query(db, "SELECT max(s3_boost) FROM miner_score WHERE uid = 1") >= 0.9 * 20e6);
    /* duplicated uploads lose the 50 points; its evaluations fail, so the
     * result never reaches the scorer (as in the real evaluator) */
    ASSERT_EQ_INT(query(db, "SELECT count(*) FROM s3_validation WHERE uid = 2 AND reason IS NULL "
                            "AND (duplicates = 0 OR pct > 50.0001 OR applied = 1)"), 0);
    /* weights went through commit and reveal */
    ASSERT(query(db, "SELECT count(*) FROM weight_event WHERE uid = 0 AND kind = 'commit'") >= 5);
    ASSERT(query(db, "SELECT count(*) FROM weight_event WHERE uid = 0 AND kind = 'reveal'") >= 2);
}

TEST_IMPL(resi_validators_share_a_subnet_with_weights_validators)
{
    /* before the first epoch nobody has a permit, so the resi validator takes
     * the honest validator for a miner: its requests are refused (that actor
     * serves nothing) and the evaluations fail for want of an index */
    char db[4096];
    db_path(db, sizeof db, "mixed");
    const char *text =
        "{\"name\": \"mixed\", \"duration\": \"30m\",\n"
        " \"validators\": [{\"name\": \"r\", \"stake\": 2e6, \"policy\": {\"kind\": \"resi\","
        "   \"eval_period\": \"5m\"}},\n"
        "   {\"name\": \"h\", \"stake\": 2e6, \"policy\": \"honest\"}],\n"
        " \"miners\": [{\"name\": \"m\", \"strategy\": {\"kind\": \"broad\"}}]}\n";
    runner_result res;
    run_text(text, db, &res);
    ASSERT(query(db, "SELECT count(*) FROM evaluation WHERE uid = 1 AND reason = 'no_index'") >= 5);
    ASSERT(query(db, "SELECT count(*) FROM evaluation WHERE uid = 2 AND outcome = 'ok'") >= 5);
}
