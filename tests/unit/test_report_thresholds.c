/* report thresholds: parsing with positions, checks against the metric table,
 * measured values equal to independent SQL, pass/fail into JUnit and
 * summary.md; and the small statistics compare uses. */
#include "test.h"
#include "support/chain_fixture.h"
#include "support/report_check.h"

#include "report/report.h"

static const report_family *const fams[] = {&report_family_chain};

static const char scenario[] =
    "{\n"
    "  \"name\": \"core-small\",\n"
    "  \"thresholds\": [\n"
    "    {\"metric\": \"emission_share\", \"where\": {\"group\": \"premium-focus\"},\n"
    "     \"op\": \">=\", \"value\": 5},\n"
    "    {\"metric\": \"validator_trust_min\", \"op\": \">\", \"value\": 0.99}\n"
    "  ]\n"
    "}\n";

static void make_db(const char *path, const char *text)
{
    fixture_opts o = {.scenario_name = "core-small", .scenario_text = text, .seed = 42,
                      .epochs = 40, .tempo = 99, .validators = 3, .miners = 9,
                      .snapshot_every = 5, .newcomer = true};
    ASSERT_OK(fixture_chain_db(path, &o));
}

/* A value straight from SQL (no report code), for comparison. */
static double sql_value(const char *db, const char *sql)
{
    sqlite3 *h;
    sqlite3_stmt *st;
    ASSERT_EQ_INT(sqlite3_open(db, &h), SQLITE_OK);
    ASSERT_EQ_INT(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
    ASSERT_EQ_INT(sqlite3_step(st), SQLITE_ROW);
    double v = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return v;
}

static double measure(const char *db, const char *metric, const report_where *w, size_t nw,
                      bool *has)
{
    sqlite3 *h;
    err e = {0};
    ASSERT_OK(report_db_open(db, &h, &e));
    double v = 0;
    const report_metric *m = NULL;
    for (size_t i = 0; i < report_family_chain.nmetrics; i++)
        if (!strcmp(report_family_chain.metrics[i].name, metric))
            m = &report_family_chain.metrics[i];
    ASSERT(m);
    ASSERT_OK(report_metric_measure(h, 1, m, w, nw, has, &v, &e));
    sqlite3_close(h);
    return v;
}

/* Rows joined to the registration that held the uid then: its last one
 * registered before the epoch's block. */
#define HELD "FROM epoch_neuron e JOIN neuron n ON n.uid = e.uid AND n.registered_block = " \
             "COALESCE((SELECT max(m.registered_block) FROM neuron m WHERE m.uid = e.uid AND " \
             "m.registered_block < e.block), (SELECT min(m.registered_block) FROM neuron m " \
             "WHERE m.uid = e.uid)) "
#define LAST_EPOCH "(SELECT max(epoch) FROM epoch_neuron)"

TEST_IMPL(thresholds_parse_with_positions)
{
    report_thresholds t;
    err e = {0};
    ASSERT_OK(report_thresholds_parse("s.json", scenario, &t, &e));
    ASSERT_EQ_INT(t.len, 2);
    ASSERT_STR_EQ(t.v[0].metric, "emission_share");
    ASSERT_EQ_INT(t.v[0].nwhere, 1);
    ASSERT_STR_EQ(t.v[0].where[0].key, "group");
    ASSERT_STR_EQ(t.v[0].where[0].str, "premium-focus");
    ASSERT_EQ_INT(t.v[0].op, REPORT_GE);
    ASSERT_NEAR(t.v[0].value, 5, 0);
    ASSERT_STR_EQ(t.v[0].origin, "s.json:4:5");
    ASSERT_EQ_INT(t.v[1].op, REPORT_GT);
    ASSERT_EQ_INT(t.v[1].nwhere, 0);
    ASSERT_STR_EQ(t.v[1].origin, "s.json:6:5");
    ASSERT_OK(report_threshold_check(fams, 1, &t.v[0], &e));
    report_thresholds_free(&t);
    /* No thresholds at all is not an error. */
    ASSERT_OK(report_thresholds_parse("s.json", "{\"name\": \"x\"}", &t, &e));
    ASSERT_EQ_INT(t.len, 0);
    report_thresholds_free(&t);
}

static void parse_fails(const char *text, const char *want)
{
    report_thresholds t;
    err e = {0};
    ASSERT_EQ_INT(report_thresholds_parse("s.json", text, &t, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, want);
    ASSERT(t.v == NULL && t.len == 0);
}

TEST_IMPL(thresholds_parse_errors_name_the_place)
{
    parse_fails("{\"thresholds\": [{\"metric\": \"x\", \"op\": \"=>\", \"value\": 1}]}",
                "s.json:1:39: thresholds[0].op: unknown op \"=>\"");
    parse_fails("{\"thresholds\": [{\"metric\": \"x\", \"op\": \">\"}]}",
                "s.json:1:17: thresholds[0]: missing \"value\"");
    parse_fails("{\"thresholds\": [{\"metric\": \"x\", \"op\": \">\", \"value\": 1, \"colour\": 2}]}",
                "thresholds[0].colour: unknown key");
    parse_fails("{\"thresholds\": [{\"metric\": \"x\", \"op\": \">\", \"value\": 1, "
                "\"where\": {\"uid\": true}}]}",
                "thresholds[0].where.uid: expected a string or a number, got true");
    parse_fails("{\"thresholds\": {\"metric\": \"x\"}}", "s.json:1:16: thresholds: expected an array");
    parse_fails("{\"thresholds\": [{\"metric\": 3, \"op\": \">\", \"value\": 1}]}",
                "thresholds[0].metric: unexpected 3");
}

static void check_fails(const char *metric, const report_where *w, size_t nw, const char *want)
{
    report_threshold t = {.metric = metric, .where = w, .nwhere = nw, .op = REPORT_GE,
                          .value = 1, .origin = "s.json:9:5"};
    err e = {0};
    ASSERT_EQ_INT(report_threshold_check(fams, 1, &t, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "s.json:9:5: threshold ");
    ASSERT_CONTAINS(e.msg, want);
}

TEST_IMPL(thresholds_check_metric_and_where_keys)
{
    check_fails("emision_share", NULL, 0, "unknown metric 'emision_share' (known: emission_share,");
    report_where colour = {.key = "colour", .str = "red"};
    check_fails("validator_trust_min", &colour, 1, "metric does not accept where key 'colour'");
    report_where run = {.key = "run_id", .num = 2};
    check_fails("validator_trust_min", &run, 1, "does not accept where key 'run_id'");
    check_fails("emission_share", NULL, 0, "needs one of these where keys: group uid hotkey role");
    /* "up" is not "uid": keys match whole. */
    report_where up = {.key = "u", .num = 2};
    check_fails("emission_share", &up, 1, "does not accept where key 'u'");
}

TEST_IMPL(thresholds_measure_what_sql_says)
{
    char db[1024];
    snprintf(db, sizeof db, "%s/run.db", test_tmpdir());
    make_db(db, NULL);
    bool has;
    /* The newcomer took someone's uid halfway: that uid's rows after belong
     * to the copier. */
    ASSERT_NEAR(sql_value(db, "SELECT count(*) FROM neuron"), 13, 0);
    report_where g = {.key = "group", .str = "premium-focus"};
    double got = measure(db, "emission_share", &g, 1, &has);
    ASSERT(has);
    double want = sql_value(db, "SELECT 100.0 * sum(CASE WHEN n.label = 'premium-focus' THEN "
                                "e.emission ELSE 0 END) / sum(e.emission) " HELD);
    ASSERT_NEAR(got, want, 1e-9);
    ASSERT(got > 5 && got < 60);
    /* The copier alone, over its epochs only. */
    report_where cp = {.key = "group", .str = "copier"};
    got = measure(db, "incentive_share", &cp, 1, &has);
    want = sql_value(db, "SELECT 100.0 * sum(CASE WHEN n.label = 'copier' THEN e.incentive "
                         "ELSE 0 END) / sum(e.incentive) " HELD);
    ASSERT_NEAR(got, want, 1e-9);
    ASSERT(got > 0);
    got = measure(db, "validator_trust_min", NULL, 0, &has);
    want = sql_value(db, "SELECT min(m) FROM (SELECT avg(e.validator_trust) / 65535.0 AS m "
                         HELD "WHERE e.permit AND n.role = 'validator' GROUP BY n.rowid)");
    ASSERT_NEAR(got, want, 1e-12);
    /* A window and a uid. */
    report_where w[3] = {{.key = "uid", .num = 4}, {.key = "from_epoch", .num = 10},
                         {.key = "to_epoch", .num = 19}};
    got = measure(db, "consensus_mean", w, 3, &has);
    want = sql_value(db, "SELECT avg(consensus) / 65535.0 FROM epoch_neuron WHERE uid = 4 AND "
                         "epoch BETWEEN 10 AND 19");
    ASSERT_NEAR(got, want, 1e-12);
    report_where last = {.key = "last_epochs", .num = 5};
    got = measure(db, "consensus_mean", &last, 1, &has);
    want = sql_value(db, "SELECT avg(e.consensus) / 65535.0 " HELD
                         "WHERE n.role = 'miner' AND e.epoch > " LAST_EPOCH " - 5");
    ASSERT_NEAR(got, want, 1e-12);
    report_where hk = {.key = "hotkey", .str = "validator-2"};
    got = measure(db, "final_stake", &hk, 1, &has);
    want = sql_value(db, "SELECT stake / 1e9 FROM epoch_neuron WHERE uid = 2 AND epoch = "
                         LAST_EPOCH);
    ASSERT_NEAR(got, want, 1e-9);
    got = measure(db, "emission_total", NULL, 0, &has);
    want = sql_value(db, "SELECT sum(emission) / 1e9 FROM epoch_neuron");
    ASSERT_NEAR(got, want, 1e-6);
    /* A group nobody is in has no data (a misspelling must not pass as 0 %). */
    report_where nobody = {.key = "group", .str = "premium-focs"};
    measure(db, "emission_share", &nobody, 1, &has);
    ASSERT(!has);
}

TEST_IMPL(thresholds_pass_and_fail_into_junit)
{
    char db[1024], dir[1024], cmd[4096], *out;
    snprintf(db, sizeof db, "%s/run.db", test_tmpdir());
    snprintf(dir, sizeof dir, "%s/out", test_tmpdir());
    make_db(db, scenario);
    snprintf(cmd, sizeof cmd, "'%s' report '%s' -o '%s' --quiet", test_binary(), db, dir);
    /* The report renders (exit 0) and says how the thresholds went. */
    ASSERT_EQ_INT(test_run(cmd, &out), 0);
    ASSERT_CONTAINS(out, "thresholds: 1 pass, 1 fail");
    free(out);
    char *xml = check_read(dir, "thresholds.xml");
    ASSERT_CONTAINS(xml, "<testsuites name=\"subnetsim\" tests=\"2\" failures=\"1\"");
    /* The passing one is a test case without a failure... */
    const char *pass = strstr(xml, "name=\"emission_share{group=premium-focus} &gt;= 5 %\">");
    ASSERT(pass);
    const char *end = strstr(pass, "</testcase>");
    const char *next_failure = strstr(pass, "<failure");
    ASSERT(end && (!next_failure || next_failure > end));
    /* ...the failing one has one, with the measured value and where it was set. */
    const char *fail = strstr(xml, "name=\"validator_trust_min &gt; 0.99\">");
    ASSERT(fail);
    ASSERT_CONTAINS(fail, "<failure type=\"threshold\" message=\"measured 0.9");
    ASSERT_CONTAINS(fail, "defined at run 1 scenario:6:5</failure>");
    size_t failures = 0;
    for (const char *p = strstr(xml, "<failure"); p; p = strstr(p + 1, "<failure"))
        failures++;
    ASSERT_EQ_INT(failures, 1);
    free(xml);
    char *md = check_read(dir, "summary.md");
    ASSERT_CONTAINS(md, "❌ 1 of 2 thresholds failed");
    ASSERT_CONTAINS(md, "| ✅ pass | `emission_share{group=premium-focus} >= 5 %` |");
    ASSERT_CONTAINS(md, "| ❌ fail | `validator_trust_min > 0.99` | 0.9");
    free(md);
    char *html = check_read(dir, "index.html");
    ASSERT_CONTAINS(html, "1 of 2 thresholds pass");
    ASSERT_CONTAINS(html, "<tr class=\"failed\"><td><span class=\"badge fail\">fail</span>");
    free(html);
}

TEST_IMPL(thresholds_library_call_for_run)
{
    /* What `subnetsim run` calls: its own threshold structs, no scenario text. */
    char db[1024];
    snprintf(db, sizeof db, "%s/run.db", test_tmpdir());
    make_db(db, NULL);
    sqlite3 *h;
    err e = {0};
    ASSERT_OK(report_db_open(db, &h, &e));
    report_where g = {.key = "group", .str = "stale"};
    report_threshold t[2] = {
        {.metric = "emission_share", .where = &g, .nwhere = 1, .op = REPORT_LE, .value = 50},
        {.metric = "emission_share", .where = &g, .nwhere = 1, .op = REPORT_GE, .value = 50},
    };
    report_threshold_result r[2];
    size_t failed = 99;
    ASSERT_OK(report_thresholds_evaluate(h, 1, fams, 1, t, 2, r, &failed, &e));
    ASSERT_EQ_INT(failed, 1);
    ASSERT(r[0].pass && !r[1].pass);
    ASSERT(r[0].has_value && r[0].measured > 0 && r[0].measured < 50);
    ASSERT_STR_EQ(r[0].label, "emission_share{group=stale} <= 50 %");
    ASSERT_STR_EQ(r[0].unit, "%");
    /* What `run` prints: the failure, with where it was written. */
    t[1].origin = "x.json:4:7";
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    ASSERT_EQ_INT(report_threshold_results_print(mem, t, r, 2, false), 1);
    fclose(mem);
    ASSERT_CONTAINS(text, "threshold failed: emission_share{group=stale} >= 50 %: measured ");
    ASSERT_CONTAINS(text, " (x.json:4:7)\n");
    ASSERT(!strstr(text, "passed"));
    free(text);
    /* A bad one is an input error before anything is measured. */
    t[1].metric = "nonsense";
    t[1].origin = "x.json:3:7";
    ASSERT_EQ_INT(report_thresholds_evaluate(h, 1, fams, 1, t, 2, r, &failed, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "x.json:3:7: threshold nonsense");
    sqlite3_close(h);
}

TEST_IMPL(report_with_a_bad_threshold_exits_2)
{
    char db[1024], dir[1024], cmd[4096], *out;
    snprintf(db, sizeof db, "%s/run.db", test_tmpdir());
    snprintf(dir, sizeof dir, "%s/out", test_tmpdir());
    make_db(db, "{\"thresholds\": [\n  {\"metric\": \"emission_share\", \"where\": "
                "{\"strategy\": \"x\"}, \"op\": \">\", \"value\": 1}]}");
    snprintf(cmd, sizeof cmd, "'%s' report '%s' -o '%s' --quiet", test_binary(), db, dir);
    ASSERT_EQ_INT(test_run(cmd, &out), 2);
    ASSERT_CONTAINS(out, "run 1 scenario:2:3: threshold emission_share{strategy=x} > 1: "
                         "metric does not accept where key 'strategy'");
    free(out);
    ASSERT(!check_file_exists(dir, "index.html"));
}

/* ------------------------------------------------------------ statistics */

TEST_IMPL(stats_t_quantiles)
{
    /* Two-sided 95 % points of Student's t (tables; checked by integration). */
    ASSERT_NEAR(report_t_quantile(0.95, 1), 12.706204736, 1e-6);
    ASSERT_NEAR(report_t_quantile(0.95, 2), 4.302652730, 1e-7);
    ASSERT_NEAR(report_t_quantile(0.95, 3), 3.182446305, 1e-7);
    ASSERT_NEAR(report_t_quantile(0.95, 10), 2.228138852, 1e-7);
    ASSERT_NEAR(report_t_quantile(0.95, 30), 2.042272456, 1e-7);
    ASSERT_NEAR(report_t_quantile(0.95, 1e7), 1.959964, 1e-5);
    double v[4] = {1, 2, 3, 4}, mean, half;
    report_mean_ci95(v, 4, &mean, &half);
    ASSERT_NEAR(mean, 2.5, 1e-15);
    ASSERT_NEAR(half, 3.182446305 * sqrt(5.0 / 3.0) / 2.0, 1e-7);
    report_mean_ci95(v, 1, &mean, &half);
    ASSERT_NEAR(mean, 1, 0);
    ASSERT(isnan(half));
}

TEST_IMPL(stats_welch_test)
{
    double a[5] = {1, 2, 3, 4, 5}, b[5] = {2, 4, 6, 8, 10};
    ASSERT_NEAR(report_welch_p(a, 5, b, 5), 0.10753119, 1e-6);
    double c[4] = {10.1, 10.3, 9.9, 10.2}, d[4] = {11.0, 11.2, 10.9, 11.1};
    ASSERT_NEAR(report_welch_p(c, 4, d, 4), 0.00019430569, 1e-9);
    /* Symmetric, undefined below two values, and exact for constant samples. */
    ASSERT_NEAR(report_welch_p(b, 5, a, 5), 0.10753119, 1e-6);
    ASSERT(isnan(report_welch_p(a, 1, b, 5)));
    double k1[3] = {2, 2, 2}, k2[3] = {3, 3, 3};
    ASSERT_NEAR(report_welch_p(k1, 3, k1, 3), 1, 0);
    ASSERT_NEAR(report_welch_p(k1, 3, k2, 3), 0, 0);
}
