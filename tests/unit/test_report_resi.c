/* report, the real-estate family: a small resi run (3 simulated hours, two
 * validators, four miners, well under a second) rendered and checked against
 * the database: files and image headers, the map's covered zips and holder
 * counts, each threshold metric against hand-written SQL, the summary's
 * findings, thresholds into JUnit, compare, and bad thresholds refused at
 * load time with file:line:column. */
#include "test.h"
#include "support/report_check.h"

#include "report/report_internal.h"

#include <sqlite3.h>

#define SMALL_HEAD                                                                               \
    "{\"name\": \"resi-small\", \"duration\": \"3h\", \"seed\": 7,\n"                            \
    " \"subnets\": [{\"netuid\": 1, \"tempo\": 99, \"validator_permit_stake\": 1e6,"              \
    "  \"commit_reveal\": false}],\n"                                                            \
    " \"resi\": {\"coverage_every\": \"20m\", \"desirability\": \"%s\"},\n"                      \
    " \"validators\": [{\"name\": \"val\", \"count\": 2, \"stake\": 2e6,\n"                      \
    "   \"policy\": {\"kind\": \"resi\", \"eval_period\": \"5m\", \"api_plan\": \"basic\",\n"     \
    "     \"weights_after_batches\": 2, \"score_snapshot\": \"0s\"}}],\n"                        \
    " \"miners\": [{\"name\": \"prem\", \"strategy\": \"premium-focus\"},\n"                     \
    "   {\"name\": \"wide\", \"count\": 2, \"strategy\": \"broad\"},\n"                          \
    "   {\"name\": \"dup\", \"strategy\": {\"kind\": \"duplicator\", \"select\": \"broad\","       \
    "    \"p_duplicate\": 0.05}}],\n"

/* The small run into dir/NAME.db; thresholds is the scenario's list. */
static void small_run(const char *name, const char *desirability, const char *thresholds)
{
    char path[1200], text[4096], cmd[4096];
    snprintf(path, sizeof path, "%s/%s.json", test_tmpdir(), name);
    int n = snprintf(text, sizeof text, SMALL_HEAD, desirability);
    snprintf(text + n, sizeof text - (size_t)n, " \"thresholds\": [%s]}\n",
             thresholds ? thresholds : "");
    FILE *f = fopen(path, "w");
    ASSERT(f);
    fputs(text, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' run %s.json --db %s.db --quiet", test_tmpdir(),
             test_binary(), name, name);
    char *out;
    int st = test_run(cmd, &out);
    if (st != 0 && st != 1)
        fprintf(stderr, "%s\n", out);
    ASSERT(st == 0 || st == 1);
    free(out);
}

static int render(const char *name, const char *extra, char **out)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' report %s.db -o rep-%s --quiet %s", test_tmpdir(),
             test_binary(), name, name, extra ? extra : "");
    return test_run(cmd, out);
}

static void dbpath(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s.db", test_tmpdir(), name);
}

static double sql_value(const char *name, const char *sql)
{
    char db[1200];
    dbpath(db, sizeof db, name);
    sqlite3 *h;
    sqlite3_stmt *st;
    ASSERT_EQ_INT(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
        TEST_FAIL_("%s: %s", sql, sqlite3_errmsg(h));
    ASSERT_EQ_INT(sqlite3_step(st), SQLITE_ROW);
    double v = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return v;
}

static const report_metric *resi_metric(const char *name)
{
    for (size_t i = 0; i < report_family_resi.nmetrics; i++)
        if (!strcmp(report_family_resi.metrics[i].name, name))
            return &report_family_resi.metrics[i];
    for (size_t i = 0; i < report_family_chain.nmetrics; i++)
        if (!strcmp(report_family_chain.metrics[i].name, name))
            return &report_family_chain.metrics[i];
    TEST_FAIL_("no metric %s", name);
    return NULL;
}

static double measure(const char *name, const report_threshold *t)
{
    char db[1200];
    dbpath(db, sizeof db, name);
    sqlite3 *h;
    err e = {0};
    ASSERT_OK(report_db_open(db, &h, &e));
    bool has = false;
    double v = 0;
    if (report_metric_measure(h, 1, resi_metric(t->metric), t, &has, &v, &e))
        TEST_FAIL_("%s", e.msg);
    ASSERT(has);
    sqlite3_close(h);
    return v;
}

/* ------------------------------------------------------------ rendering */

static const char *const resi_charts[] = {
    "resi-map",         "resi-coverage",   "resi-eval-failed", "resi-api-miners",
    "resi-api-validators", "resi-api-made", "resi-credibility", "resi-score",
    "resi-strategies",  "resi-quota"};
#define NRESI (sizeof resi_charts / sizeof resi_charts[0])

TEST_IMPL(report_resi_renders_its_section)
{
    small_run("s", "as_deployed", NULL);
    char *out;
    int st = render("s", "--format both", &out);
    if (st)
        fprintf(stderr, "%s\n", out);
    ASSERT_EQ_INT(st, 0);
    free(out);
    char dir[1200];
    snprintf(dir, sizeof dir, "%s/rep-s", test_tmpdir());
    for (size_t i = 0; i < NRESI; i++) {
        char name[128];
        snprintf(name, sizeof name, "%s.svg", resi_charts[i]);
        ASSERT(check_svg(dir, name) || (fprintf(stderr, "%s\n", name), 0));
        snprintf(name, sizeof name, "%s.png", resi_charts[i]);
        ASSERT(check_png(dir, name, 0) || (fprintf(stderr, "%s\n", name), 0));
        snprintf(name, sizeof name, "%s.dat", resi_charts[i]);
        ASSERT(check_file_exists(dir, name));
    }
    size_t refs;
    char bad[1024] = "";
    ASSERT(check_html_refs(dir, "index.html", &refs, bad, sizeof bad) ||
           (fprintf(stderr, "%s\n", bad), 0));
    ASSERT(refs >= NRESI * 4);
    char *html = check_read(dir, "index.html");
    ASSERT_CONTAINS(html, "<section id=\"resi\">");
    ASSERT_CONTAINS(html, "<a href=\"#resi\">Real estate</a>");
    ASSERT_CONTAINS(html, "id=\"findings\"");
    ASSERT_CONTAINS(html, "id=\"resi-premium\"");
    ASSERT_CONTAINS(html, "id=\"resi-duplicates\"");
    ASSERT_CONTAINS(html, "id=\"resi-quota\"");
    ASSERT(!strstr(html, "http://") && !strstr(html, "https://"));
    free(html);
    char *md = check_read(dir, "summary.md");
    ASSERT_CONTAINS(md, "### Findings");
    ASSERT_CONTAINS(md, "**Who reached premium zips first?**");
    ASSERT_CONTAINS(md, "**Which strategy earned most?**");
    ASSERT_CONTAINS(md, "**Did validators agree?**");
    free(md);
}

/* A chain-only run has no resi section (detect says no). */
TEST_IMPL(report_resi_absent_without_its_records)
{
    char cmd[4096], *out;
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' run '%s/scenarios/weights/honest-basic.json' "
             "--db w.db --quiet; '%s' report w.db -o rep-w --quiet",
             test_tmpdir(), test_binary(), test_source_dir(), test_binary());
    ASSERT_EQ_INT(test_run(cmd, &out), 0);
    free(out);
    char dir[1200];
    snprintf(dir, sizeof dir, "%s/rep-w", test_tmpdir());
    char *html = check_read(dir, "index.html");
    ASSERT(!strstr(html, "id=\"resi\""));
    ASSERT(!check_file_exists(dir, "resi-map.dat"));
    free(html);
}

/* The map's points: every zip of the universe once; the held ones with as
 * many miners as the last coverage snapshot has rows for them. */
TEST_IMPL(report_resi_map_equals_sql)
{
    small_run("s", "as_deployed", NULL);
    ASSERT_EQ_INT(render("s", NULL, NULL), 0);
    char dir[1200];
    snprintf(dir, sizeof dir, "%s/rep-s", test_tmpdir());
    char *dat = check_read(dir, "resi-map.dat");
    const char *held = strstr(dat, "# zips held");
    const char *none = strstr(dat, "# zips no miner holds");
    ASSERT(held && none);
    int nheld = 0, nnone = 0, holders = 0, premium = 0;
    for (const char *p = strchr(none, '\n') + 1; *p && *p != '\n'; p = strchr(p, '\n') + 1)
        nnone += strncmp(p, "NaN", 3) != 0;
    char db[1200];
    dbpath(db, sizeof db, "s");
    sqlite3 *h;
    ASSERT_EQ_INT(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    ASSERT_EQ_INT(sqlite3_prepare_v2(h,
        "SELECT count(DISTINCT miner), (SELECT premium FROM zipcode z WHERE z.zip = c.zip) "
        "FROM coverage c WHERE listings > 0 AND time_us = (SELECT max(time_us) FROM coverage) "
        "AND zip = ?1", -1, &st, NULL), SQLITE_OK);
    for (const char *p = strchr(held, '\n') + 1; *p && *p != '\n'; p = strchr(p, '\n') + 1) {
        double x, y, size;
        int k;
        char zip[8];
        if (sscanf(p, "%lf %lf %d %lf %7s", &x, &y, &k, &size, zip) != 5)
            continue;   /* the NaN row that ends the block */
        sqlite3_bind_text(st, 1, zip, -1, SQLITE_TRANSIENT);
        ASSERT_EQ_INT(sqlite3_step(st), SQLITE_ROW);
        ASSERT_EQ_INT(k, sqlite3_column_int(st, 0));
        premium += sqlite3_column_int(st, 1);
        sqlite3_reset(st);
        nheld++;
        holders += k;
    }
    sqlite3_finalize(st);
    sqlite3_close(h);
    free(dat);
    const char *last = "(SELECT max(time_us) FROM coverage)";
    char q[600];
    snprintf(q, sizeof q, "SELECT count(DISTINCT zip) FROM coverage WHERE listings > 0 AND "
             "time_us = %s AND zip IN (SELECT zip FROM zipcode)", last);
    ASSERT_EQ_INT(nheld, (int)sql_value("s", q));
    snprintf(q, sizeof q, "SELECT count(*) FROM coverage WHERE listings > 0 AND time_us = %s",
             last);
    ASSERT_EQ_INT(holders, (int)sql_value("s", q));
    ASSERT_EQ_INT(nheld + nnone, (int)sql_value("s", "SELECT count(*) FROM zipcode"));
    ASSERT(nheld > 10 && premium > 0);
}

/* ------------------------------------------------------------ metrics */

/* A row's epoch by SQL alone: the last epoch at or before its time, else the
 * first. */
#define EPOCH_OF(t)                                                                              \
    "COALESCE((SELECT max(epoch) FROM chain_epoch WHERE block * 12000000 <= " t "), "             \
    "(SELECT min(epoch) FROM chain_epoch))"
#define HOTKEY_OF(a) "(SELECT name FROM actor WHERE actor = " a ")"

TEST_IMPL(report_resi_metrics_equal_sql)
{
    small_run("s", "as_deployed", NULL);
    ASSERT_NEAR(sql_value("s", "SELECT value FROM run_param WHERE key = 'block_time_us'"), 12e6,
                0);
    /* evaluation success of the duplicator: pooled per epoch, mean over epochs */
    report_threshold t = {.metric = "evaluation_success", .strategy = "duplicator",
                          .epochs = REPORT_E_MEAN};
    double want = sql_value("s",
        "WITH r AS (SELECT " EPOCH_OF("e.time_us") " AS ep, e.outcome = 'ok' AS ok "
        "FROM evaluation e JOIN neuron n ON n.hotkey = " HOTKEY_OF("e.miner") " "
        "WHERE n.label = 'duplicator'), per AS (SELECT ep, avg(ok) AS v FROM r GROUP BY ep) "
        "SELECT avg(v) FROM per");
    ASSERT(want < 0.5);
    ASSERT_NEAR(measure("s", &t), want, 1e-12);
    /* API checks that passed, of the answered, everyone pooled, the last epoch */
    t = (report_threshold){.metric = "api_check_success"};
    want = sql_value("s",
        "WITH r AS (SELECT " EPOCH_OF("e.time_us") " AS ep, e.result = 'valid' AS v, e.result "
        "NOT IN ('rate_limited', 'error', 'timeout') AS d FROM api_sample e), "
        "per AS (SELECT ep, sum(v) * 1.0 / sum(d) AS v FROM r GROUP BY ep) "
        "SELECT v FROM per WHERE v IS NOT NULL ORDER BY ep DESC LIMIT 1");
    ASSERT_NEAR(measure("s", &t), want, 1e-12);
    /* checks answered for the validators' group: each validator's rate (rows
     * naming it as validator or as miner), the worst, mean over epochs >= 2 */
    t = (report_threshold){.metric = "api_check_made", .group = "val", .neurons = REPORT_N_MIN,
                           .epochs = REPORT_E_MEAN, .from_epoch = 2};
    want = sql_value("s",
        "WITH me AS (SELECT a.actor FROM actor a JOIN neuron n ON n.hotkey = a.name WHERE "
        "n.group_name = 'val'), r AS (SELECT " EPOCH_OF("e.time_us") " AS ep, me.actor AS who, "
        "e.result NOT IN ('rate_limited', 'error', 'timeout') AS v FROM api_sample e JOIN me "
        "ON me.actor = e.validator UNION ALL SELECT " EPOCH_OF("e.time_us") ", me.actor, "
        "e.result NOT IN ('rate_limited', 'error', 'timeout') FROM api_sample e JOIN me ON "
        "me.actor = e.miner), pn AS (SELECT ep, who, avg(v) AS v FROM r WHERE ep >= 2 GROUP BY "
        "ep, who), per AS (SELECT ep, min(v) AS v FROM pn GROUP BY ep) SELECT avg(v) FROM per");
    ASSERT(want > 0 && want < 1);   /* the basic plan's rate limit refuses some */
    ASSERT_NEAR(measure("s", &t), want, 1e-12);
    /* premium coverage: zips held in the last epoch with premium rows, of ten */
    t = (report_threshold){.metric = "coverage", .tier = "premium"};
    want = sql_value("s",
        "WITH r AS (SELECT " EPOCH_OF("c.time_us") " AS ep, c.zip, c.listings FROM coverage c "
        "WHERE c.zip IN (SELECT zip FROM zipcode WHERE class = 'premium')) "
        "SELECT count(DISTINCT zip) / 10.0 FROM r WHERE listings > 0 AND ep = (SELECT max(ep) "
        "FROM r)");
    ASSERT(want >= 0.3);
    ASSERT_NEAR(measure("s", &t), want, 1e-12);
    /* the broad miners' best single coverage of all zips */
    t = (report_threshold){.metric = "coverage", .group = "wide", .neurons = REPORT_N_MAX};
    want = sql_value("s",
        "WITH r AS (SELECT " EPOCH_OF("c.time_us") " AS ep, c.miner, c.zip FROM coverage c "
        "JOIN neuron n ON n.hotkey = " HOTKEY_OF("c.miner") " WHERE n.group_name = 'wide' AND "
        "c.listings > 0), per AS (SELECT ep, miner, count(DISTINCT zip) * 1.0 / (SELECT "
        "count(*) FROM zipcode) AS v FROM r GROUP BY ep, miner) "
        "SELECT max(v) FROM per WHERE ep = (SELECT max(ep) FROM per)");
    ASSERT_NEAR(measure("s", &t), want, 1e-12);
    /* evaluations whose bucket was a premium zip, pooled, mean over epochs */
    t = (report_threshold){.metric = "evaluation_success", .tier = "premium",
                           .epochs = REPORT_E_MEAN};
    want = sql_value("s",
        "WITH r AS (SELECT " EPOCH_OF("e.time_us") " AS ep, e.outcome = 'ok' AS ok FROM "
        "evaluation e WHERE e.bucket_zip IN (SELECT zip FROM zipcode WHERE premium)), "
        "per AS (SELECT ep, avg(ok) AS v FROM r GROUP BY ep) SELECT avg(v) FROM per");
    ASSERT_NEAR(measure("s", &t), want, 1e-12);
    /* emission share of a strategy: the chain's metric, by neuron.label */
    t = (report_threshold){.metric = "emission_share", .strategy = "premium-focus",
                           .epochs = REPORT_E_MEAN};
    want = sql_value("s",
        "WITH per AS (SELECT e.epoch, sum(e.emission) * 1.0 / (SELECT c.emission FROM "
        "chain_epoch c WHERE c.epoch = e.epoch) AS v FROM epoch_neuron e JOIN neuron n ON "
        "n.uid = e.uid WHERE n.label = 'premium-focus' GROUP BY e.epoch) SELECT avg(v) FROM per");
    ASSERT(want > 0.1);
    ASSERT_NEAR(measure("s", &t), want, 1e-12);
}

/* where.tier on a metric without zips is refused before any measuring. */
TEST_IMPL(report_resi_tier_needs_a_zip_metric)
{
    const report_family *fams[] = {&report_family_chain, &report_family_resi};
    report_threshold t = {.metric = "incentive", .tier = "premium", .origin = "x.json"};
    err e = {0};
    ASSERT_EQ_INT(report_threshold_check(fams, 2, &t, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "x.json: threshold incentive{tier=premium}");
    ASSERT_CONTAINS(e.msg, "not over zips");
    t.metric = "coverage";
    ASSERT_OK(report_threshold_check(fams, 2, &t, &e));
}

static void check_refused(const char *where, const char *metric, const char *want)
{
    char path[1200], cmd[4096], *out;
    snprintf(path, sizeof path, "%s/bad.json", test_tmpdir());
    FILE *f = fopen(path, "w");
    ASSERT(f);
    fprintf(f, SMALL_HEAD, "as_deployed");
    fprintf(f, " \"thresholds\": [\n  {\"metric\": \"%s\", \"where\": %s, \"op\": \">\", "
               "\"value\": 0}]}\n", metric, where);
    fclose(f);
    snprintf(cmd, sizeof cmd, "'%s' check '%s'", test_binary(), path);
    ASSERT_EQ_INT(test_run(cmd, &out), 2);
    ASSERT_CONTAINS(out, want);
    free(out);
}

TEST_IMPL(report_resi_bad_thresholds_exit_2)
{
    check_refused("{\"tier\": \"premium\"}", "incentive",
                  "bad.json:11:45: thresholds[0].where.tier: metric \"incentive\" is not over "
                  "zips");
    check_refused("{\"tier\": \"tier9\"}", "coverage", "unknown zip class \"tier9\"");
    check_refused("{\"strategy\": \"copier\"}", "emission_share",
                  "thresholds[0].where.strategy: no group's strategy or policy is \"copier\"");
}

/* ------------------------------------------------------------ findings */

static char *finding(const char *md, const char *question)
{
    const char *p = strstr(md, question);
    ASSERT(p);
    const char *end = strchr(p, '\n');
    char *s = malloc((size_t)(end - p) + 1);
    memcpy(s, p, (size_t)(end - p));
    s[end - p] = 0;
    return s;
}

TEST_IMPL(report_resi_findings_equal_sql)
{
    small_run("s", "as_deployed", NULL);
    ASSERT_EQ_INT(render("s", NULL, NULL), 0);
    char dir[1200], want[256];
    snprintf(dir, sizeof dir, "%s/rep-s", test_tmpdir());
    char *md = check_read(dir, "summary.md");
    /* coverage at the end */
    char *f = finding(md, "How much of the US do miners cover?");
    snprintf(want, sizeof want, "hold listings of %d of 10 premium zips",
             (int)sql_value("s", "SELECT count(DISTINCT zip) FROM coverage WHERE listings > 0 "
                                 "AND time_us = (SELECT max(time_us) FROM coverage) AND zip IN "
                                 "(SELECT zip FROM zipcode WHERE premium)"));
    ASSERT_CONTAINS(f, want);
    free(f);
    /* premium first: the time of the first snapshot showing a premium zip */
    f = finding(md, "Who reached premium zips first?");
    char when[32];
    report_fmt_duration(when, sizeof when,
                        sql_value("s", "SELECT min(time_us) FROM coverage WHERE listings > 0 AND "
                                       "zip IN (SELECT zip FROM zipcode WHERE premium)") / 1e6);
    snprintf(want, sizeof want, "(%s;", when);
    ASSERT_CONTAINS(f, want);
    ASSERT_CONTAINS(f, "prem,");   /* the only miner on premium zips */
    free(f);
    /* the strategy that earned most and its share of the miners' emission */
    f = finding(md, "Which strategy earned most?");
    snprintf(want, sizeof want, "premium-focus: %.1f %% of the miners' emission",
             sql_value("s", "SELECT 100.0 * total(CASE WHEN n.label = 'premium-focus' THEN "
                            "e.emission END) / total(e.emission) FROM epoch_neuron e JOIN neuron "
                            "n ON n.uid = e.uid WHERE n.role = 'miner'"));
    ASSERT_CONTAINS(f, want);
    free(f);
    /* validators: the mean validator trust at the last epoch */
    f = finding(md, "Did validators agree?");
    snprintf(want, sizeof want, "mean %.3f over 2 validators",
             sql_value("s", "SELECT avg(validator_trust / 65535.0) FROM epoch_neuron e JOIN "
                            "neuron n ON n.uid = e.uid WHERE n.role = 'validator' AND e.permit "
                            "AND e.epoch = (SELECT max(epoch) FROM epoch_neuron)"));
    ASSERT_CONTAINS(f, want);
    free(f);
    /* evaluations: every one, whoever was evaluated */
    f = finding(md, "Did evaluations and API checks work?");
    snprintf(want, sizeof want, "%.1f %% of evaluations ran to the end",
             sql_value("s", "SELECT 100.0 * avg(outcome = 'ok') FROM evaluation"));
    ASSERT_CONTAINS(f, want);
    ASSERT_CONTAINS(f, "lowest: dup,");
    free(f);
    free(md);
}

/* ------------------------------------------------------------ thresholds */

TEST_IMPL(report_resi_thresholds_into_junit)
{
    small_run("t", "as_deployed",
              "{\"name\": \"premium held\", \"metric\": \"coverage\", \"where\": {\"tier\": "
              "\"premium\"}, \"op\": \">=\", \"value\": 0.3},\n"
              " {\"name\": \"the duplicator passes\", \"metric\": \"evaluation_success\", "
              "\"where\": {\"strategy\": \"duplicator\"}, \"epochs\": \"mean\", \"op\": \">\", "
              "\"value\": 0.9}");
    char *out;
    ASSERT_EQ_INT(render("t", NULL, &out), 0);
    ASSERT_CONTAINS(out, "thresholds: 1 pass, 1 fail");
    free(out);
    char dir[1200];
    snprintf(dir, sizeof dir, "%s/rep-t", test_tmpdir());
    char *xml = check_read(dir, "thresholds.xml");
    ASSERT_CONTAINS(xml, "tests=\"2\" failures=\"1\"");
    const char *fail = strstr(xml, "name=\"the duplicator passes\">");
    ASSERT(fail && strstr(fail, "<failure type=\"threshold\""));
    const char *pass = strstr(xml, "name=\"premium held\">");
    ASSERT(pass);
    const char *measured = strstr(pass, "<system-out>measured");
    ASSERT(measured && measured < strstr(pass, "</testcase>"));
    free(xml);
    /* `run` said the same and exited 1 */
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' run t.json --db t2.db --quiet", test_tmpdir(),
             test_binary());
    ASSERT_EQ_INT(test_run(cmd, &out), 1);
    ASSERT_CONTAINS(out, "threshold failed: the duplicator passes: measured 0.0");
    free(out);
}

/* ------------------------------------------------------------ compare */

TEST_IMPL(report_resi_compare_measures)
{
    small_run("dep", "as_deployed", NULL);
    small_run("des", "as_designed", NULL);
    char cmd[4096], *out;
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' compare --label deployed dep.db --label designed "
             "des.db -o cmp --quiet", test_tmpdir(), test_binary());
    int st = test_run(cmd, &out);
    if (st)
        fprintf(stderr, "%s\n", out);
    ASSERT_EQ_INT(st, 0);
    free(out);
    char dir[1200];
    snprintf(dir, sizeof dir, "%s/cmp", test_tmpdir());
    char *md = check_read(dir, "compare.md");
    ASSERT_CONTAINS(md, "coverage at the end: premium");
    ASSERT_CONTAINS(md, "evaluation success: dup");
    ASSERT_CONTAINS(md, "miners' emission share: premium-focus");
    /* the deployed arm's premium-focus share, as SQL says */
    char want[128];
    snprintf(want, sizeof want, "%.1f",
             sql_value("dep", "SELECT 100.0 * total(CASE WHEN n.label = 'premium-focus' THEN "
                              "e.emission END) / total(e.emission) FROM epoch_neuron e JOIN "
                              "neuron n ON n.uid = e.uid WHERE n.role = 'miner'"));
    const char *row = strstr(md, "miners' emission share: premium-focus");
    ASSERT(row);
    const char *eol = strchr(row, '\n');
    char line[512];
    snprintf(line, sizeof line, "%.*s", (int)(eol - row), row);
    ASSERT_CONTAINS(line, want);
    free(md);
    size_t refs;
    char bad[1024] = "";
    ASSERT(check_html_refs(dir, "index.html", &refs, bad, sizeof bad) ||
           (fprintf(stderr, "%s\n", bad), 0));
}
