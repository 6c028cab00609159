/* report: rendering a run from its database (files, image headers, links,
 * numbers equal to SQL), gnuplot missing or failing, atomic folders. */
#include "test.h"
#include "support/chain_fixture.h"
#include "support/report_check.h"

#include "report/report.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const chain_charts[] = {
    "chain-incentive", "chain-dividends", "chain-emission", "chain-emission-groups",
    "chain-consensus", "chain-vtrust", "chain-bonds", "chain-weights",
};
#define NCHARTS (sizeof chain_charts / sizeof chain_charts[0])

static void small_db(const char *path, const char *scenario)
{
    fixture_opts o = {.scenario_name = "core-small", .scenario_text = scenario, .seed = 42,
                      .epochs = 40, .tempo = 99, .validators = 3, .miners = 9,
                      .snapshot_every = 5, .newcomer = true};
    ASSERT_OK(fixture_chain_db(path, &o));
}

static int report(const char *db, const char *dir, const char *extra, char **out)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "'%s' report '%s' -o '%s' --quiet %s", test_binary(), db, dir,
             extra ? extra : "");
    return test_run(cmd, out);
}

TEST_IMPL(report_writes_every_file)
{
    char db[1024], dir[1024];
    snprintf(db, sizeof db, "%s/run.db", test_tmpdir());
    snprintf(dir, sizeof dir, "%s/out", test_tmpdir());
    small_db(db, NULL);
    char *out;
    int st = report(db, dir, "--format both", &out);
    if (st != 0)
        fprintf(stderr, "%s\n", out);
    ASSERT_EQ_INT(st, 0);
    ASSERT_CONTAINS(out, "index.html: 8 charts");
    free(out);
    const char *files[] = {"index.html", "summary.md", "thresholds.xml", ".subnetsim-report"};
    for (size_t i = 0; i < 4; i++)
        ASSERT(check_file_exists(dir, files[i]));
    for (size_t i = 0; i < NCHARTS; i++) {
        char name[128];
        snprintf(name, sizeof name, "%s.dat", chain_charts[i]);
        ASSERT(check_file_exists(dir, name));
        snprintf(name, sizeof name, "%s.gp", chain_charts[i]);
        ASSERT(check_file_exists(dir, name));
        snprintf(name, sizeof name, "%s.svg", chain_charts[i]);
        ASSERT(check_svg(dir, name));
        snprintf(name, sizeof name, "%s.png", chain_charts[i]);
        ASSERT(check_png(dir, name, 1200));
    }
    /* Nothing of the drawing is left behind, and no temporary folder. */
    ASSERT(!check_file_exists(dir, ".draw-0.gp"));
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s.tmp-", dir);
    ASSERT(!check_glob_exists(tmp));
}

TEST_IMPL(report_links_resolve)
{
    char db[1024], dir[1024];
    snprintf(db, sizeof db, "%s/run.db", test_tmpdir());
    snprintf(dir, sizeof dir, "%s/out", test_tmpdir());
    small_db(db, NULL);
    ASSERT_EQ_INT(report(db, dir, "--format both", NULL), 0);
    size_t refs = 0;
    char bad[1024] = "";
    ASSERT(check_html_refs(dir, "index.html", &refs, bad, sizeof bad) || (fprintf(stderr, "%s\n", bad), 0));
    /* Every chart: an image, its data and its script, plus the PNG link. */
    ASSERT(refs >= NCHARTS * 4);
    /* Self-contained: nothing fetched from elsewhere. */
    char *html = check_read(dir, "index.html");
    ASSERT(!strstr(html, "http://") && !strstr(html, "https://"));
    free(html);
}

TEST_IMPL(report_replots_from_its_folder)
{
    char db[1024], dir[1024];
    snprintf(db, sizeof db, "%s/run.db", test_tmpdir());
    snprintf(dir, sizeof dir, "%s/out", test_tmpdir());
    small_db(db, NULL);
    ASSERT_EQ_INT(report(db, dir, NULL, NULL), 0);
    /* A user re-plots one chart with nothing but the folder. */
    char cmd[8192], *out;
    snprintf(cmd, sizeof cmd, "cd '%s' && rm chain-incentive.svg && gnuplot chain-incentive.gp",
             dir);
    int st = test_run(cmd, &out);
    if (st)
        fprintf(stderr, "%s\n", out);
    ASSERT_EQ_INT(st, 0);
    free(out);
    ASSERT(check_svg(dir, "chain-incentive.svg"));
}

TEST_IMPL(report_groups_many_uids)
{
    char db[1024], dir[1024];
    snprintf(db, sizeof db, "%s/run.db", test_tmpdir());
    snprintf(dir, sizeof dir, "%s/out", test_tmpdir());
    fixture_opts o = {.scenario_name = "many", .seed = 1, .epochs = 12, .tempo = 49,
                      .validators = 16, .miners = 240, .weights_every = 3};
    ASSERT_OK(fixture_chain_db(db, &o));
    ASSERT_EQ_INT(report(db, dir, NULL, NULL), 0);
    /* 240 miners in four strategies: four lines, named with their counts. */
    char *dat = check_read(dir, "chain-incentive.dat");
    ASSERT_CONTAINS(dat, "\"premium-focus (60)\"");
    ASSERT_CONTAINS(dat, "\"stale (60)\"");
    free(dat);
    /* 16 validators with one label: the top 11 and "others", per member. */
    char *vt = check_read(dir, "chain-vtrust.dat");
    ASSERT_CONTAINS(vt, "\"others (mean of 5)\"");
    free(vt);
}

/* The page's top earners against SQL alone, without the report's queries:
 * each row's uid, emission (rao) and share. */
static void check_top_earners(const char *db, const char *html)
{
    sqlite3 *h;
    ASSERT_EQ_INT(sqlite3_open(db, &h), SQLITE_OK);
    sqlite3_stmt *st;
    ASSERT_EQ_INT(sqlite3_prepare_v2(h,
        "SELECT uid, sum(emission), sum(emission) * 100.0 / (SELECT sum(emission) FROM "
        "epoch_neuron) FROM epoch_neuron GROUP BY uid ORDER BY 2 DESC LIMIT 5", -1, &st, NULL),
        SQLITE_OK);
    const char *p = strstr(html, "id=\"top-earners\"");
    ASSERT(p);
    int rows = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        /* Each row: uid cell, then data-value = rao, then data-value = share. */
        p = strstr(p, "<tr><td class=\"num\"");
        ASSERT(p);
        const char *u = strstr(p, "\">") + 2;
        ASSERT_EQ_INT(strtoll(u, NULL, 10), sqlite3_column_int64(st, 0));
        const char *v = strstr(p, "data-value=\"");
        ASSERT_EQ_INT(strtoll(v + 12, NULL, 10), sqlite3_column_int64(st, 1));
        const char *s = strstr(v + 12, "data-value=\"");
        ASSERT_NEAR(strtod(s + 12, NULL), sqlite3_column_double(st, 2), 1e-9);
        p = s;
        rows++;
    }
    ASSERT_EQ_INT(rows, 5);
    sqlite3_finalize(st);
    sqlite3_close(h);
}

TEST_IMPL(report_summary_equals_database)
{
    char db[1024], dir[1024];
    snprintf(db, sizeof db, "%s/run.db", test_tmpdir());
    snprintf(dir, sizeof dir, "%s/out", test_tmpdir());
    small_db(db, NULL);
    ASSERT_EQ_INT(report(db, dir, NULL, NULL), 0);
    char *html = check_read(dir, "index.html");
    check_top_earners(db, html);
    sqlite3 *h;
    ASSERT_EQ_INT(sqlite3_open(db, &h), SQLITE_OK);
    sqlite3_stmt *st;
    /* Run facts: seed and digest as stored. */
    ASSERT_EQ_INT(sqlite3_prepare_v2(h, "SELECT seed, digest, wall_seconds FROM run", -1, &st,
                                     NULL), SQLITE_OK);
    ASSERT_EQ_INT(sqlite3_step(st), SQLITE_ROW);
    char want[256];
    snprintf(want, sizeof want, "<tr><th>seed</th><td>%lld</td>", sqlite3_column_int64(st, 0));
    ASSERT_CONTAINS(html, want);
    snprintf(want, sizeof want, "<code>%s</code>", sqlite3_column_text(st, 1));
    ASSERT_CONTAINS(html, want);
    snprintf(want, sizeof want, "<tr><th>wall clock</th><td data-value=\"%.17g\">",
             sqlite3_column_double(st, 2));
    ASSERT_CONTAINS(html, want);
    sqlite3_finalize(st);
    sqlite3_close(h);
    free(html);
}

/* A library caller may render without the chain family: the summary's top
 * earners then come from a read of their own, and equal SQL as well. */
TEST_IMPL(report_top_earners_without_the_chain_section)
{
    char db[1024], dir[1024];
    snprintf(db, sizeof db, "%s/run.db", test_tmpdir());
    snprintf(dir, sizeof dir, "%s/out", test_tmpdir());
    small_db(db, NULL);
    const report_family *const fams[] = {&report_family_resi};
    report_opts o = {.db_path = db, .out_dir = dir, .quiet = true, .families = fams,
                     .nfamilies = 1};
    report_outcome res;
    err e = {0};
    ASSERT_OK(report_render(&o, &res, &e));
    ASSERT_EQ_INT(res.charts, 0);   /* no section drew: the resi family is absent */
    char *html = check_read(dir, "index.html");
    ASSERT(!strstr(html, "id=\"chain-n"));
    check_top_earners(db, html);
    free(html);
}

TEST_IMPL(report_default_folder_is_named_after_the_run)
{
    char db[1024];
    snprintf(db, sizeof db, "%s/run.db", test_tmpdir());
    small_db(db, NULL);
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' report run.db --quiet", test_tmpdir(),
             test_binary());
    ASSERT_EQ_INT(test_run(cmd, NULL), 0);
    char dir[1100];
    snprintf(dir, sizeof dir, "%s/reports/core-small-s42", test_tmpdir());
    ASSERT(check_file_exists(dir, "index.html"));
}

TEST_IMPL(report_without_gnuplot_exits_2)
{
    char db[1024], dir[1024];
    snprintf(db, sizeof db, "%s/run.db", test_tmpdir());
    snprintf(dir, sizeof dir, "%s/out", test_tmpdir());
    small_db(db, NULL);
    char cmd[8192], *out;
    snprintf(cmd, sizeof cmd, "PATH=/nonexistent '%s' report '%s' -o '%s' --quiet",
             test_binary(), db, dir);
    ASSERT_EQ_INT(test_run(cmd, &out), 2);
    ASSERT_CONTAINS(out, "gnuplot not found: install the Debian package gnuplot-nox");
    free(out);
    struct stat sb;
    ASSERT(stat(dir, &sb) != 0);
}

TEST_IMPL(report_broken_gnuplot_exits_3)
{
    char db[1024], dir[1024], bin[1024];
    snprintf(db, sizeof db, "%s/run.db", test_tmpdir());
    snprintf(dir, sizeof dir, "%s/out", test_tmpdir());
    snprintf(bin, sizeof bin, "%s/bin", test_tmpdir());
    small_db(db, NULL);
    char cmd[8192], *out;
    snprintf(cmd, sizeof cmd, "mkdir -p '%s' && printf '#!/bin/sh\\necho \"fake gnuplot: "
             "cannot draw $1\" >&2\\nexit 1\\n' > '%s/gnuplot' && chmod +x '%s/gnuplot'",
             bin, bin, bin);
    ASSERT_EQ_INT(test_run(cmd, NULL), 0);
    snprintf(cmd, sizeof cmd, "PATH='%s':/usr/bin:/bin '%s' report '%s' -o '%s' --quiet", bin,
             test_binary(), db, dir);
    ASSERT_EQ_INT(test_run(cmd, &out), 3);
    ASSERT_CONTAINS(out, "gnuplot failed (exit 1): fake gnuplot: cannot draw .draw-");
    free(out);
    struct stat sb;
    ASSERT(stat(dir, &sb) != 0);
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s.tmp-", dir);
    ASSERT(!check_glob_exists(tmp));
}

TEST_IMPL(report_failure_keeps_the_earlier_report)
{
    char db[1024], dir[1024];
    snprintf(db, sizeof db, "%s/run.db", test_tmpdir());
    snprintf(dir, sizeof dir, "%s/out", test_tmpdir());
    small_db(db, NULL);
    ASSERT_EQ_INT(report(db, dir, NULL, NULL), 0);
    char cmd[8192];
    /* A second report into the same folder replaces it... */
    snprintf(cmd, sizeof cmd, "touch '%s/stale-file'", dir);
    ASSERT_EQ_INT(test_run(cmd, NULL), 0);
    ASSERT_EQ_INT(report(db, dir, NULL, NULL), 0);
    ASSERT(!check_file_exists(dir, "stale-file"));
    /* ...one that fails leaves the earlier one as it was. */
    snprintf(cmd, sizeof cmd, "touch '%s/stale-file' && PATH=/nonexistent '%s' report '%s' "
             "-o '%s' --quiet", dir, test_binary(), db, dir);
    ASSERT_EQ_INT(test_run(cmd, NULL), 2);
    ASSERT(check_file_exists(dir, "stale-file"));
    ASSERT(check_file_exists(dir, "index.html"));
}

TEST_IMPL(report_refuses_to_replace_other_folders)
{
    char db[1024], dir[1024];
    snprintf(db, sizeof db, "%s/run.db", test_tmpdir());
    snprintf(dir, sizeof dir, "%s/mine", test_tmpdir());
    small_db(db, NULL);
    char cmd[8192], *out;
    snprintf(cmd, sizeof cmd, "mkdir -p '%s' && echo keep > '%s/notes.txt'", dir, dir);
    ASSERT_EQ_INT(test_run(cmd, NULL), 0);
    ASSERT_EQ_INT(report(db, dir, NULL, &out), 2);
    ASSERT_CONTAINS(out, "exists and is not a subnetsim report");
    free(out);
    ASSERT(check_file_exists(dir, "notes.txt"));
}

TEST_IMPL(report_bad_database_exits_2)
{
    char db[1024], dir[1024], *out;
    snprintf(db, sizeof db, "%s/missing.db", test_tmpdir());
    snprintf(dir, sizeof dir, "%s/out", test_tmpdir());
    ASSERT_EQ_INT(report(db, dir, NULL, &out), 2);
    ASSERT_CONTAINS(out, "cannot open");
    free(out);
    small_db(db, NULL);
    ASSERT_EQ_INT(report(db, dir, "--run 7", &out), 2);
    ASSERT_CONTAINS(out, "no run 7 in the database");
    free(out);
}

TEST_IMPL(report_incomplete_run_says_so)
{
    char db[1024], dir[1024];
    snprintf(db, sizeof db, "%s/run.db", test_tmpdir());
    snprintf(dir, sizeof dir, "%s/out", test_tmpdir());
    small_db(db, NULL);
    sqlite3 *h;
    ASSERT_EQ_INT(sqlite3_open(db, &h), SQLITE_OK);
    ASSERT_EQ_INT(sqlite3_exec(h, "UPDATE run SET status = 'incomplete'", NULL, NULL, NULL),
                  SQLITE_OK);
    sqlite3_close(h);
    ASSERT_EQ_INT(report(db, dir, NULL, NULL), 0);
    char *html = check_read(dir, "index.html");
    ASSERT_CONTAINS(html, "This run did not finish");
    free(html);
}

/* Look at the page as a person would: headless Chromium at 1280 px. Skipped
 * (exit 77) where Debian's chromium is not installed. What it checks by
 * itself is that the page draws (a blank page compresses to ~11 KB); the
 * screenshot stays in the test folder for a person to look at. */
TEST_IMPL(report_screenshot_in_chromium)
{
    if (test_run("command -v chromium", NULL) != 0) {
        fprintf(stderr, "chromium not installed: skipped\n");
        exit(77);
    }
    char db[1024], dir[1024], shot[1024], profile[1024];
    snprintf(db, sizeof db, "%s/run.db", test_tmpdir());
    snprintf(dir, sizeof dir, "%s/out", test_tmpdir());
    snprintf(shot, sizeof shot, "%s/screenshot.png", test_tmpdir());
    snprintf(profile, sizeof profile, "%s/chromium-profile", test_tmpdir());
    small_db(db, FIXTURE_SMALL_SCENARIO("{\"metric\": \"incentive\", \"where\": {\"group\": "
                                        "\"stale\"}, \"op\": \"<=\", \"value\": 0.2}"));
    ASSERT_EQ_INT(report(db, dir, NULL, NULL), 0);
    char cmd[8192], *out;
    snprintf(cmd, sizeof cmd,
             "timeout 120 chromium --headless --no-sandbox --disable-gpu "
             "--disable-background-networking --disable-component-update --disable-sync "
             "--no-first-run --hide-scrollbars --user-data-dir='%s' --window-size=1280,2000 "
             "--screenshot='%s' 'file://%s/index.html'",
             profile, shot, dir);
    int st = test_run(cmd, &out);
    if (st)
        fprintf(stderr, "%s\n", out);
    ASSERT_EQ_INT(st, 0);
    free(out);
    ASSERT(check_png(test_tmpdir(), "screenshot.png", 1280));
    size_t n = 0;
    char *png = check_read_n(test_tmpdir(), "screenshot.png", &n);
    free(png);
    ASSERT(n > 60000);
}

/* Every chart a report links: its image (SVG or PNG by the format), data and
 * script, with valid headers. */
static void check_charts(const char *dir)
{
    DIR *d = opendir(dir);
    ASSERT(d);
    struct dirent *de;
    int charts = 0;
    while ((de = readdir(d))) {
        size_t n = strlen(de->d_name);
        if (n < 4 || strcmp(de->d_name + n - 3, ".gp"))
            continue;
        char stem[256], name[300];
        snprintf(stem, sizeof stem, "%.*s", (int)(n - 3), de->d_name);
        snprintf(name, sizeof name, "%s.dat", stem);
        ASSERT(check_file_exists(dir, name));
        snprintf(name, sizeof name, "%s.svg", stem);
        ASSERT(check_svg(dir, name) || (fprintf(stderr, "%s/%s\n", dir, name), 0));
        snprintf(name, sizeof name, "%s.png", stem);
        ASSERT(check_png(dir, name, 0) || (fprintf(stderr, "%s/%s\n", dir, name), 0));
        charts++;
    }
    closedir(d);
    ASSERT(charts >= 6);
}

/* The scenarios in the tree, run and rendered as a user would. */
TEST_IMPL(report_renders_every_scenario)
{
    char sdir[1024];
    snprintf(sdir, sizeof sdir, "%s/scenarios/weights", test_source_dir());
    DIR *d = opendir(sdir);
    ASSERT(d);
    struct dirent *de;
    int n = 0;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len < 6 || strcmp(de->d_name + len - 5, ".json"))
            continue;
        char cmd[8192], *out, dir[1200];
        snprintf(cmd, sizeof cmd, "cd '%s' && '%s' run '%s/%s' --db '%.*s.db' --quiet; "
                 "'%s' report '%.*s.db' -o 'rep-%.*s' --format both --quiet", test_tmpdir(),
                 test_binary(), sdir, de->d_name, (int)(len - 5), de->d_name, test_binary(),
                 (int)(len - 5), de->d_name, (int)(len - 5), de->d_name);
        int st = test_run(cmd, &out);
        if (st)
            fprintf(stderr, "%s: %s\n", de->d_name, out);
        ASSERT_EQ_INT(st, 0);
        free(out);
        snprintf(dir, sizeof dir, "%s/rep-%.*s", test_tmpdir(), (int)(len - 5), de->d_name);
        const char *files[] = {"index.html", "summary.md", "thresholds.xml"};
        for (size_t i = 0; i < 3; i++)
            ASSERT(check_file_exists(dir, files[i]));
        size_t refs;
        char bad[1024] = "";
        ASSERT(check_html_refs(dir, "index.html", &refs, bad, sizeof bad) ||
               (fprintf(stderr, "%s\n", bad), 0));
        check_charts(dir);
        n++;
    }
    closedir(d);
    ASSERT(n >= 9);
}
