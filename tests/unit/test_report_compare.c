/* compare: arms by label or scenario name, means and intervals over seeds
 * equal to the runs' own measures, differences marked only beyond noise. */
#include "test.h"
#include "support/chain_fixture.h"
#include "support/report_check.h"

#include "report/report.h"

static void arm_db(const char *path, const char *name, uint64_t seed, double bias, int64_t run)
{
    fixture_opts o = {.scenario_name = name, .seed = seed, .epochs = 24, .tempo = 49,
                      .validators = 3, .miners = 12, .strategy_bias = bias, .run_id = run};
    ASSERT_OK(fixture_chain_db(path, &o));
}

/* The data-value of the cell of `measure` in arm column `col` (0-based). */
static double cell_value(const char *html, const char *measure, int col, int *n)
{
    char th[256];
    snprintf(th, sizeof th, "<tr><th>%s</th>", measure);
    const char *p = strstr(html, th);
    ASSERT(p);
    for (int k = 0; k <= col; k++) {
        p = strstr(p + 1, "<td class=\"num");
        ASSERT(p);
    }
    const char *v = strstr(p, "data-value=\"");
    const char *c = strstr(p, "data-n=\"");
    ASSERT(v && c);
    *n = atoi(c + 8);
    return strtod(v + 12, NULL);
}

static char *cell_html(const char *html, const char *measure, int col)
{
    char th[256];
    snprintf(th, sizeof th, "<tr><th>%s</th>", measure);
    const char *p = strstr(html, th);
    ASSERT(p);
    for (int k = 0; k <= col; k++)
        p = strstr(p + 1, "<td class=\"num");
    const char *end = strstr(p, "</td>");
    char *s = malloc((size_t)(end - p) + 1);
    memcpy(s, p, (size_t)(end - p));
    s[end - p] = 0;
    return s;
}

/* The premium-focus group's share of the run's emission, by SQL alone. */
static double premium_share(const char *db)
{
    sqlite3 *h;
    sqlite3_stmt *st;
    ASSERT_EQ_INT(sqlite3_open(db, &h), SQLITE_OK);
    ASSERT_EQ_INT(sqlite3_prepare_v2(h,
        "SELECT 100.0 * total(CASE WHEN n.group_name = 'premium-focus' THEN e.emission END) / "
        "total(e.emission) FROM epoch_neuron e JOIN neuron n ON n.uid = e.uid", -1, &st, NULL),
        SQLITE_OK);
    ASSERT_EQ_INT(sqlite3_step(st), SQLITE_ROW);
    double v = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return v;
}

TEST_IMPL(compare_arms_with_seeds)
{
    const char *dir = test_tmpdir();
    char cmd[8192] = "", dbs[6][1024], out_dir[1024];
    double shares[6];
    for (int i = 0; i < 6; i++) {
        snprintf(dbs[i], sizeof dbs[i], "%s/r%d.db", dir, i);
        arm_db(dbs[i], "strategies", (uint64_t)(i + 1), i < 3 ? 1.0 : 0.3, 1);
        shares[i] = premium_share(dbs[i]);
    }
    snprintf(out_dir, sizeof out_dir, "%s/cmp", dir);
    snprintf(cmd, sizeof cmd, "'%s' compare --quiet -o '%s' --label sharp '%s' '%s' '%s' "
             "--label flat '%s' '%s' '%s'", test_binary(), out_dir, dbs[0], dbs[1], dbs[2],
             dbs[3], dbs[4], dbs[5]);
    char *out;
    int st = test_run(cmd, &out);
    if (st)
        fprintf(stderr, "%s\n", out);
    ASSERT_EQ_INT(st, 0);
    free(out);
    char *html = check_read(out_dir, "index.html");
    ASSERT_CONTAINS(html, "sharp <span class=\"muted\">(3 runs)</span>");
    ASSERT_CONTAINS(html, "flat <span class=\"muted\">(3 runs)</span>");
    /* Each arm's mean is the mean of its runs' measure, as SQL measures it. */
    int n;
    double m0 = cell_value(html, "emission share: premium-focus", 0, &n);
    ASSERT_EQ_INT(n, 3);
    ASSERT_NEAR(m0, (shares[0] + shares[1] + shares[2]) / 3, 1e-9);
    double m1 = cell_value(html, "emission share: premium-focus", 1, &n);
    ASSERT_NEAR(m1, (shares[3] + shares[4] + shares[5]) / 3, 1e-9);
    ASSERT(m1 < m0);
    /* Beyond noise: marked, with the interval and the test's p. */
    char *cell = cell_html(html, "emission share: premium-focus", 1);
    ASSERT_CONTAINS(cell, "class=\"num diff\"");
    ASSERT_CONTAINS(cell, "title=\"Welch t-test against sharp: p = ");
    ASSERT_CONTAINS(cell, "<span class=\"muted\">± ");
    free(cell);
    /* The baseline is never marked against itself. */
    cell = cell_html(html, "emission share: premium-focus", 0);
    ASSERT(!strstr(cell, "diff"));
    free(cell);
    free(html);
    size_t refs;
    char bad[1024] = "";
    ASSERT(check_html_refs(out_dir, "index.html", &refs, bad, sizeof bad) ||
           (fprintf(stderr, "%s\n", bad), 0));
    ASSERT(check_svg(out_dir, "compare-1.svg"));
    char *md = check_read(out_dir, "compare.md");
    ASSERT_CONTAINS(md, "| measure | sharp (3) | flat (3) |");
    ASSERT_CONTAINS(md, "**(differs)**");
    free(md);
}

TEST_IMPL(compare_single_runs_mark_nothing)
{
    const char *dir = test_tmpdir();
    char a[1024], b[1024], out_dir[1024], cmd[4096];
    snprintf(a, sizeof a, "%s/a.db", dir);
    snprintf(b, sizeof b, "%s/b.db", dir);
    snprintf(out_dir, sizeof out_dir, "%s/cmp", dir);
    arm_db(a, "baseline", 1, 1.0, 1);
    arm_db(b, "flatter", 2, 0.3, 1);
    /* Arms of different scenarios need not have the same groups: a series one
     * arm lacks is drawn for the other alone, without complaint. */
    sqlite3 *h;
    ASSERT_EQ_INT(sqlite3_open(b, &h), SQLITE_OK);
    ASSERT_EQ_INT(sqlite3_exec(h, "UPDATE neuron SET group_name = 'idle' WHERE group_name = "
                               "'stale'", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
    snprintf(cmd, sizeof cmd, "'%s' compare --quiet -o '%s' '%s' '%s'", test_binary(), out_dir, a,
             b);
    char *out;
    ASSERT_EQ_INT(test_run(cmd, &out), 0);
    ASSERT(!strstr(out, "warning"));
    free(out);
    char *html = check_read(out_dir, "index.html");
    /* Arms named by scenario; one run each: no interval, nothing marked. */
    ASSERT_CONTAINS(html, "baseline <span class=\"muted\">(1 run)</span>");
    ASSERT_CONTAINS(html, "flatter <span class=\"muted\">(1 run)</span>");
    ASSERT(!strstr(html, "class=\"num diff\""));
    ASSERT(!strstr(html, "<span class=\"muted\">± "));
    free(html);
}

TEST_IMPL(compare_reads_every_run_of_a_file)
{
    const char *dir = test_tmpdir();
    char db[1024], out_dir[1024], cmd[4096];
    snprintf(db, sizeof db, "%s/sweep.db", dir);
    snprintf(out_dir, sizeof out_dir, "%s/cmp", dir);
    for (int r = 1; r <= 3; r++)
        arm_db(db, "sweep", (uint64_t)r, 1.0, r);
    snprintf(cmd, sizeof cmd, "'%s' compare --quiet -o '%s' '%s'", test_binary(), out_dir, db);
    ASSERT_EQ_INT(test_run(cmd, NULL), 0);
    char *html = check_read(out_dir, "index.html");
    ASSERT_CONTAINS(html, "sweep <span class=\"muted\">(3 runs)</span>");
    free(html);
    /* And report picks one of them with --run. */
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' report sweep.db --run 2 --quiet", dir,
             test_binary());
    char *out;
    ASSERT_EQ_INT(test_run(cmd, &out), 0);
    ASSERT_CONTAINS(out, "reports/sweep-s2/index.html");
    free(out);
}

TEST_IMPL(compare_bad_input_exits_2)
{
    char cmd[4096], *out;
    snprintf(cmd, sizeof cmd, "'%s' compare --quiet", test_binary());
    ASSERT_EQ_INT(test_run(cmd, &out), 2);
    ASSERT_CONTAINS(out, "usage: subnetsim compare");
    free(out);
    snprintf(cmd, sizeof cmd, "'%s' compare --quiet '%s/none.db'", test_binary(), test_tmpdir());
    ASSERT_EQ_INT(test_run(cmd, &out), 2);
    ASSERT_CONTAINS(out, "cannot open");
    free(out);
}
