/* report thresholds: checks against the metric table, measured values equal
 * to independent SQL, pass/fail from `run` through to JUnit and summary.md;
 * and the small statistics compare uses. */
#include "test.h"
#include "support/chain_fixture.h"
#include "support/report_check.h"

#include "report/report.h"

static const report_family *const fams[] = {&report_family_chain};

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

static double measure(const char *db, const report_threshold *t, bool *has)
{
    sqlite3 *h;
    err e = {0};
    ASSERT_OK(report_db_open(db, &h, &e));
    const report_metric *m = NULL;
    for (size_t i = 0; i < report_family_chain.nmetrics; i++)
        if (!strcmp(report_family_chain.metrics[i].name, t->metric))
            m = &report_family_chain.metrics[i];
    ASSERT(m);
    double v = 0;
    ASSERT_OK(report_metric_measure(h, 1, m, t, has, &v, &e));
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

static void check_fails(report_threshold t, const char *want)
{
    t.origin = "s.json: thresholds[3]";
    err e = {0};
    ASSERT_EQ_INT(report_threshold_check(fams, 1, &t, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "s.json: thresholds[3]: threshold ");
    ASSERT_CONTAINS(e.msg, want);
}

TEST_IMPL(thresholds_check_metric_and_aggregations)
{
    report_threshold ok = {.metric = "incentive", .group = "good", .epochs = REPORT_E_MEAN,
                           .op = REPORT_GE, .value = 0.3};
    err e = {0};
    ASSERT_OK(report_threshold_check(fams, 1, &ok, &e));
    report_threshold t = ok;
    t.metric = "coverage";
    check_fails(t, "no report knows metric 'coverage' (known: incentive, dividends, emission, "
                   "consensus, validator_trust, stake, emission_share)");
    t = ok;
    t.neurons = (report_neurons)7;
    check_fails(t, "neurons combine by sum, mean, min or max");
    t = ok;
    t.epochs = (report_epochs)-1;
    check_fails(t, "epochs combine by last, mean, min or max");
    t = ok;
    t.value = NAN;
    check_fails(t, "value must be a finite number");
}

TEST_IMPL(thresholds_label_says_what_differs_from_defaults)
{
    char db[1024];
    snprintf(db, sizeof db, "%s/run.db", test_tmpdir());
    make_db(db, NULL);
    sqlite3 *h;
    err e = {0};
    ASSERT_OK(report_db_open(db, &h, &e));
    report_threshold t[3] = {
        {.metric = "incentive", .group = "stale", .op = REPORT_LT, .value = 0.5},
        {.metric = "stake", .hotkey = "validator-1", .neurons = REPORT_N_MAX,
         .epochs = REPORT_E_MEAN, .from_epoch = 10, .op = REPORT_GE, .value = 1000},
        {.name = "validators agree", .metric = "validator_trust", .group = "validators",
         .neurons = REPORT_N_MIN, .op = REPORT_GT, .value = 0.5},
    };
    report_threshold_result r[3];
    ASSERT_OK(report_thresholds_evaluate(h, 1, fams, 1, t, 3, r, NULL, &e));
    ASSERT_STR_EQ(r[0].label, "incentive{group=stale} < 0.5");
    ASSERT_STR_EQ(r[1].label, "stake{hotkey=validator-1, neurons=max, epochs=mean, "
                              "from_epoch=10} >= 1000 TAO");
    ASSERT_STR_EQ(r[2].label, "validators agree");
    ASSERT_STR_EQ(r[1].unit, "TAO");
    sqlite3_close(h);
}

TEST_IMPL(thresholds_measure_what_sql_says)
{
    char db[1024];
    snprintf(db, sizeof db, "%s/run.db", test_tmpdir());
    make_db(db, NULL);
    bool has;
    /* The newcomer took a uid halfway: that uid's later rows are the copier's. */
    ASSERT_NEAR(sql_value(db, "SELECT count(*) FROM neuron"), 13, 0);
    /* Sum across the group at the last epoch (the defaults). */
    report_threshold t = {.metric = "incentive", .group = "premium-focus"};
    double got = measure(db, &t, &has);
    ASSERT(has);
    double want = sql_value(db, "SELECT sum(e.incentive) / 65535.0 " HELD
                                "WHERE n.group_name = 'premium-focus' AND e.epoch = " LAST_EPOCH);
    ASSERT_NEAR(got, want, 1e-12);
    ASSERT(got > 0.2 && got < 0.8);
    /* Mean over the epochs from 10 of the group's per-epoch sum. */
    t.epochs = REPORT_E_MEAN;
    t.from_epoch = 10;
    got = measure(db, &t, &has);
    want = sql_value(db, "SELECT avg(s) FROM (SELECT sum(e.incentive) / 65535.0 AS s " HELD
                         "WHERE n.group_name = 'premium-focus' AND e.epoch >= 10 "
                         "GROUP BY e.epoch)");
    ASSERT_NEAR(got, want, 1e-12);
    /* The copier's uid: only the epochs after it registered count. */
    report_threshold cp = {.metric = "incentive", .group = "copier", .epochs = REPORT_E_MAX};
    got = measure(db, &cp, &has);
    want = sql_value(db, "SELECT max(s) FROM (SELECT sum(e.incentive) / 65535.0 AS s " HELD
                         "WHERE n.group_name = 'copier' GROUP BY e.epoch)");
    ASSERT_NEAR(got, want, 1e-12);
    ASSERT(got > 0);
    /* Min across validators, min over epochs from 5. */
    report_threshold vt = {.metric = "validator_trust", .group = "validators",
                           .neurons = REPORT_N_MIN, .epochs = REPORT_E_MIN, .from_epoch = 5};
    got = measure(db, &vt, &has);
    want = sql_value(db, "SELECT min(validator_trust) / 65535.0 FROM epoch_neuron "
                         "WHERE uid < 3 AND epoch >= 5");
    ASSERT_NEAR(got, want, 1e-12);
    /* One neuron's stake in TAO, and everyone's emission in rao. */
    report_threshold st = {.metric = "stake", .hotkey = "validator-2"};
    got = measure(db, &st, &has);
    want = sql_value(db, "SELECT stake / 1e9 FROM epoch_neuron WHERE uid = 2 AND epoch = "
                         LAST_EPOCH);
    ASSERT_NEAR(got, want, 1e-9);
    report_threshold em = {.metric = "emission", .neurons = REPORT_N_MEAN,
                           .epochs = REPORT_E_MEAN};
    got = measure(db, &em, &has);
    want = sql_value(db, "SELECT avg(s) FROM (SELECT avg(emission) AS s FROM epoch_neuron "
                         "GROUP BY epoch)");
    ASSERT_NEAR(got, want, 1e-6);
    /* Naming nobody gives no data: a failure, not a 0 that might pass. */
    report_threshold nobody = {.metric = "incentive", .group = "premium-focs"};
    measure(db, &nobody, &has);
    ASSERT(!has);
}

TEST_IMPL(thresholds_library_call_and_print)
{
    char db[1024];
    snprintf(db, sizeof db, "%s/run.db", test_tmpdir());
    make_db(db, NULL);
    sqlite3 *h;
    err e = {0};
    ASSERT_OK(report_db_open(db, &h, &e));
    report_threshold t[2] = {
        {.metric = "incentive", .group = "stale", .op = REPORT_LE, .value = 0.5,
         .origin = "x.json: thresholds[0]"},
        {.metric = "incentive", .group = "stale", .op = REPORT_GE, .value = 0.5,
         .origin = "x.json: thresholds[1]"},
    };
    report_threshold_result r[2];
    size_t failed = 99;
    ASSERT_OK(report_thresholds_evaluate(h, 1, fams, 1, t, 2, r, &failed, &e));
    ASSERT_EQ_INT(failed, 1);
    ASSERT(r[0].pass && !r[1].pass);
    ASSERT(r[0].has_value && r[0].measured > 0 && r[0].measured < 0.5);
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    ASSERT_EQ_INT(report_threshold_results_print(mem, t, r, 2, false), 1);
    fclose(mem);
    ASSERT_CONTAINS(text, "threshold failed: incentive{group=stale} >= 0.5: measured 0.");
    ASSERT_CONTAINS(text, " (x.json: thresholds[1])\n");
    ASSERT(!strstr(text, "passed"));
    free(text);
    /* A bad one is an input error before anything is measured. */
    t[1].metric = "nonsense";
    ASSERT_EQ_INT(report_thresholds_evaluate(h, 1, fams, 1, t, 2, r, &failed, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "x.json: thresholds[1]: threshold nonsense");
    sqlite3_close(h);
}

/* The acceptance test: a failing threshold makes `run` exit 1 and name it, and
 * shows as a failed case in thresholds.xml; a passing one does not. */
TEST_IMPL(thresholds_from_run_to_junit)
{
    const char *dir = test_tmpdir();
    char cmd[8192], *out;
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' run '%s/scenarios/weights/honest-basic.json' "
             "--db run.db --quiet --set 'thresholds[1].value=0.01'", dir, test_binary(),
             test_source_dir());
    ASSERT_EQ_INT(test_run(cmd, &out), 1);
    ASSERT_CONTAINS(out, "threshold failed: incentive{group=poor} < 0.01: measured 0.0");
    ASSERT_CONTAINS(out, "honest-basic.json: thresholds[1])");
    ASSERT(!strstr(out, "thresholds[0]"));   /* --quiet: passes are not listed */
    free(out);
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' report run.db -o out --quiet", dir, test_binary());
    ASSERT_EQ_INT(test_run(cmd, &out), 0);
    ASSERT_CONTAINS(out, "thresholds: 1 pass, 1 fail");
    free(out);
    char rep[1100];
    snprintf(rep, sizeof rep, "%s/out", dir);
    char *xml = check_read(rep, "thresholds.xml");
    ASSERT_CONTAINS(xml, "<testsuites name=\"subnetsim\" tests=\"2\" failures=\"1\"");
    /* The passing one: a test case without a failure. */
    const char *pass = strstr(xml, "name=\"incentive{group=good, epochs=mean, from_epoch=10} "
                                   "&gt; 0.5\">");
    ASSERT(pass);
    const char *end = strstr(pass, "</testcase>"), *next = strstr(pass, "<failure");
    ASSERT(end && (!next || next > end));
    /* The failing one: a failure with the measured value and where it is set. */
    const char *fail = strstr(xml, "name=\"incentive{group=poor} &lt; 0.01\">");
    ASSERT(fail);
    ASSERT_CONTAINS(fail, "<failure type=\"threshold\" message=\"measured 0.0");
    ASSERT_CONTAINS(fail, "thresholds[1]</failure>");
    size_t failures = 0;
    for (const char *p = strstr(xml, "<failure"); p; p = strstr(p + 1, "<failure"))
        failures++;
    ASSERT_EQ_INT(failures, 1);
    free(xml);
    char *md = check_read(rep, "summary.md");
    ASSERT_CONTAINS(md, "❌ 1 of 2 thresholds failed");
    ASSERT_CONTAINS(md, "| ✅ pass | `incentive{group=good, epochs=mean, from_epoch=10} > 0.5` |");
    ASSERT_CONTAINS(md, "| ❌ fail | `incentive{group=poor} < 0.01` | 0.0");
    free(md);
    char *html = check_read(rep, "index.html");
    ASSERT_CONTAINS(html, "1 of 2 thresholds pass");
    ASSERT_CONTAINS(html, "<tr class=\"failed\"><td><span class=\"badge fail\">fail</span>");
    free(html);
    /* Without the override every threshold passes and run exits 0. */
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' run '%s/scenarios/weights/honest-basic.json' "
             "--db ok.db", dir, test_binary(), test_source_dir());
    ASSERT_EQ_INT(test_run(cmd, &out), 0);
    ASSERT_CONTAINS(out, "threshold passed: incentive{group=poor} < 0.1: measured 0.0");
    free(out);
}

TEST_IMPL(report_reads_thresholds_from_the_stored_scenario)
{
    char db[1024], dir[1024], cmd[4096], *out;
    snprintf(db, sizeof db, "%s/run.db", test_tmpdir());
    snprintf(dir, sizeof dir, "%s/out", test_tmpdir());
    make_db(db, FIXTURE_SMALL_SCENARIO(
        "{\"metric\": \"incentive\", \"where\": {\"group\": \"premium-focus\"}, \"op\": \">=\", "
        "\"value\": 0.05},\n {\"metric\": \"validator_trust\", \"where\": {\"group\": "
        "\"validators\"}, \"neurons\": \"min\", \"op\": \">\", \"value\": 0.999}"));
    snprintf(cmd, sizeof cmd, "'%s' report '%s' -o '%s' --quiet", test_binary(), db, dir);
    ASSERT_EQ_INT(test_run(cmd, &out), 0);
    ASSERT_CONTAINS(out, "thresholds: 1 pass, 1 fail");
    free(out);
    /* A scenario this build cannot read: the report says so and goes on. */
    sqlite3 *h;
    ASSERT_EQ_INT(sqlite3_open(db, &h), SQLITE_OK);
    ASSERT_EQ_INT(sqlite3_exec(h, "UPDATE run SET scenario_text = '{\"epochs\": \"many\"}'",
                               NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
    ASSERT_EQ_INT(test_run(cmd, &out), 0);
    free(out);
    char *html = check_read(dir, "index.html");
    ASSERT_CONTAINS(html, "The scenario's thresholds could not be read: run 1 scenario:1:12: epochs");
    free(html);
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
