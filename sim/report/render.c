/* `subnetsim report`: one run, from its database, into a folder of its own.
 * Order: find gnuplot (fail before any work), read the run, measure its
 * thresholds, let each family present in the run write its sections and
 * charts, draw the charts, write index.html, summary.md and thresholds.xml
 * last, and rename the folder into place. */
#include "report/report_internal.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------ context */

void report_ctx_init(report_ctx *c, sqlite3 *db, const report_run *run, const char *dir,
                     unsigned formats, bool quiet)
{
    *c = (report_ctx){.db = db, .run = run, .formats = formats, .quiet = quiet};
    snprintf(c->dir, sizeof c->dir, "%s", dir);
    sbuf_init(&c->html);
}

void report_ctx_free(report_ctx *c)
{
    sbuf_free(&c->html);
    VEC_FREE(&c->sections);
    for (size_t i = 0; i < c->charts.len; i++)
        free(c->charts.v[i]);
    VEC_FREE(&c->charts);
    for (size_t i = 0; i < c->findings.len; i++) {
        free(c->findings.v[i].question);
        free(c->findings.v[i].answer);
    }
    VEC_FREE(&c->findings);
    report_earners_free(&c->earnings);
}

sqlite3 *report_ctx_db(const report_ctx *c) { return c->db; }
const report_run *report_ctx_run(const report_ctx *c) { return c->run; }
sbuf *report_ctx_html(report_ctx *c) { return &c->html; }

progress *report_ctx_progress(report_ctx *c, const char *label, double total)
{
    progress_finish(&c->bar);
    progress_start(&c->bar, label, total, c->quiet);
    return &c->bar;
}

void report_ctx_end_section(report_ctx *c)
{
    progress_finish(&c->bar);
    if (c->in_section)
        sbuf_puts(&c->html, "</section>\n");
    c->in_section = false;
}

void report_note(report_ctx *c, const char *text)
{
    sbuf_puts(&c->html, "<p class=\"muted\">");
    report_html_escape(&c->html, text);
    sbuf_puts(&c->html, "</p>\n");
}

int report_section(report_ctx *c, const char *id, const char *title, err *e)
{
    report_ctx_end_section(c);
    report_section_rec s = {0};
    snprintf(s.id, sizeof s.id, "%s", id);
    snprintf(s.title, sizeof s.title, "%s", title);
    if (VEC_PUSH(&c->sections, s))
        return err_set(e, ERR_NOMEM, "out of memory");
    sbuf_puts(&c->html, "<section id=\"");
    report_html_escape(&c->html, id);
    sbuf_puts(&c->html, "\">\n<h2>");
    report_html_escape(&c->html, title);
    sbuf_puts(&c->html, "</h2>\n");
    c->in_section = true;
    return 0;
}

int report_finding(report_ctx *c, const char *question, const char *answer, err *e)
{
    report_finding_rec f = {strdup(question), strdup(answer)};
    if (!f.question || !f.answer || VEC_PUSH(&c->findings, f)) {
        free(f.question);
        free(f.answer);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    return 0;
}

static bool chart_name_ok(const char *s)
{
    if (!s || !*s || strlen(s) > 80)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
            return false;
    return true;
}

static void figure_html(sbuf *b, const report_chart *ch, unsigned formats)
{
    const char *ext = formats & REPORT_SVG && !ch->raster ? "svg" : "png";
    sbuf_printf(b, "<figure id=\"fig-%s\">\n<img src=\"%s.%s\" alt=\"", ch->name, ch->name, ext);
    report_html_escape(b, ch->title);
    sbuf_puts(b, "\">\n<figcaption><span>");
    report_html_escape(b, ch->caption ? ch->caption : "");
    sbuf_printf(b, "</span><span class=\"files\"><a href=\"%s.dat\">data</a> · "
                   "<a href=\"%s.gp\">gnuplot script</a>", ch->name, ch->name);
    if ((formats & REPORT_SVG) && (formats & REPORT_PNG))
        sbuf_printf(b, " · <a href=\"%s.%s\">%s</a>", ch->name, ch->raster ? "svg" : "png",
                    ch->raster ? "SVG" : "PNG");
    sbuf_puts(b, "</span>");
    sbuf_puts(b, "</figcaption>\n</figure>\n");
}

int report_chart_add(report_ctx *c, const report_chart *ch, err *e)
{
    if (!chart_name_ok(ch->name))
        return err_set(e, ERR_INTERNAL, "chart name '%s' is not [a-z0-9-]", ch->name ? ch->name : "");
    for (size_t i = 0; i < c->charts.len; i++)
        if (!strcmp(c->charts.v[i], ch->name))
            return err_set(e, ERR_INTERNAL, "two charts named '%s'", ch->name);
    sbuf gp;
    sbuf_init(&gp);
    int rc = report_gp_script(&gp, ch, c->formats);
    if (rc == ERR_INTERNAL)
        rc = err_set(e, rc, "chart '%s' lacks a title, axis labels, plot or data", ch->name);
    else if (rc)
        rc = err_set(e, rc, "out of memory");
    char file[128];
    snprintf(file, sizeof file, "%s.gp", ch->name);
    if (!rc)
        rc = report_write_file(c->dir, file, gp.s, gp.len, e);
    sbuf_free(&gp);
    snprintf(file, sizeof file, "%s.dat", ch->name);
    if (!rc)
        rc = report_write_file(c->dir, file, ch->data, strlen(ch->data), e);
    char *name = rc ? NULL : strdup(ch->name);
    if (!rc && (!name || VEC_PUSH(&c->charts, name))) {
        free(name);
        rc = err_set(e, ERR_NOMEM, "out of memory");
    }
    if (!rc)
        figure_html(&c->html, ch, c->formats);
    return rc;
}

/* ------------------------------------------------------------ the page */

static void page_header(sbuf *b, const report_run *run, const report_checked *chk)
{
    sbuf_puts(b, "<header><div class=\"wrap\">\n<h1>");
    report_html_escape(b, run->scenario_name);
    sbuf_printf(b, " <span class=\"muted\">seed %lld · run %lld</span></h1>\n<div>",
                (long long)run->seed, (long long)run->id);
    bool complete = !strcmp(run->status, "complete");
    sbuf_printf(b, "<span class=\"badge %s\">", complete ? "pass" : "warn");
    report_html_escape(b, run->status);
    sbuf_puts(b, "</span> ");
    if (chk->n)
        sbuf_printf(b, "<span class=\"badge %s\">%zu of %zu thresholds pass</span> ",
                    chk->failed ? "fail" : "pass", chk->n - chk->failed, chk->n);
    sbuf_puts(b, "<span class=\"muted\">");
    report_html_escape(b, run->mode);
    sbuf_puts(b, " mode · digest <code>");
    sbuf_printf(b, "%.16s", run->digest);
    sbuf_puts(b, "</code></span></div>\n");
    if (!strcmp(run->status, "failed")) {
        sbuf_puts(b, "<div class=\"banner fail\">This run failed");
        if (*run->error) {
            sbuf_puts(b, ": ");
            report_html_escape(b, run->error);
        }
        sbuf_puts(b, ". The report shows what was recorded before it stopped.</div>\n");
    } else if (!complete) {
        sbuf_puts(b, "<div class=\"banner warn\">This run did not finish: the report shows what "
                     "was recorded up to its last commit.</div>\n");
    }
    sbuf_puts(b, "</div></header>\n");
}

static void page_toc(sbuf *b, const report_ctx *c)
{
    sbuf_puts(b, "<nav class=\"toc\"><div class=\"wrap\"><a href=\"#summary\">Summary</a>"
                 "<a href=\"#thresholds\">Thresholds</a>");
    for (size_t i = 0; i < c->sections.len; i++) {
        sbuf_puts(b, "<a href=\"#");
        report_html_escape(b, c->sections.v[i].id);
        sbuf_puts(b, "\">");
        report_html_escape(b, c->sections.v[i].title);
        sbuf_puts(b, "</a>");
    }
    sbuf_puts(b, "<a href=\"#files\">Files</a></div></nav>\n");
}

static void page_files(sbuf *b, sqlite3 *db, const report_run *run)
{
    sbuf_puts(b, "<section id=\"files\">\n<h2>Files</h2>\n<p><a href=\"summary.md\">summary.md"
                 "</a> (for CI job summaries) · <a href=\"thresholds.xml\">thresholds.xml</a> "
                 "(JUnit)</p>\n");
    sqlite3_stmt *st;
    if (report_has_table(db, "run_param") && !report_prepare(db, REPORT_Q_RUN_PARAMS, &st, NULL)) {
        sqlite3_bind_int64(st, 1, run->id);
        bool any = false;
        while (sqlite3_step(st) == SQLITE_ROW) {
            if (!any)
                sbuf_puts(b, "<details><summary>Run parameters</summary>\n<table>\n");
            any = true;
            sbuf_puts(b, "<tr><th>");
            report_html_escape(b, (const char *)sqlite3_column_text(st, 0));
            sbuf_puts(b, "</th><td><code>");
            report_html_escape(b, (const char *)sqlite3_column_text(st, 1));
            sbuf_puts(b, "</code></td></tr>\n");
        }
        if (any)
            sbuf_puts(b, "</table></details>\n");
        sqlite3_finalize(st);
    }
    sbuf_puts(b, "<details><summary>Scenario as run</summary>\n<pre>");
    report_html_escape(b, run->scenario_text);
    sbuf_puts(b, "</pre></details>\n</section>\n");
}

static int write_index(const report_ctx *c, const report_checked *chk, const report_earners *top,
                       err *e)
{
    sbuf b;
    sbuf_init(&b);
    char title[512];
    snprintf(title, sizeof title, "%s — subnetsim report", c->run->name);
    report_html_begin(&b, title);
    page_header(&b, c->run, chk);
    page_toc(&b, c);
    sbuf_puts(&b, "<main class=\"wrap\">\n");
    report_html_summary(&b, c->run, chk, top, &c->findings);
    if (c->html.s)
        sbuf_add(&b, c->html.s, c->html.len);
    page_files(&b, c->db, c->run);
    sbuf_puts(&b, "</main>\n");
    report_html_end(&b);
    int rc = b.oom ? err_set(e, ERR_NOMEM, "out of memory")
                   : report_write_file(c->dir, "index.html", b.s, b.len, e);
    sbuf_free(&b);
    return rc;
}

/* ------------------------------------------------------------ render */

static int render_families(report_ctx *c, const report_opts *o, err *e)
{
    for (size_t i = 0; i < o->nfamilies; i++) {
        const report_family *f = o->families[i];
        bool present = false;
        int rc = f->detect(c->db, c->run->id, &present, e);
        if (!rc && present)
            rc = f->render(c, e);
        report_ctx_end_section(c);
        if (rc)
            return err_prefix(e, "%s section", f->name);
    }
    return c->html.oom ? err_set(e, ERR_NOMEM, "out of memory") : 0;
}

/* CPU seconds of the calling thread, for the stage times. */
static double thread_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Thresholds are measured on a thread of their own, with its own connection,
 * while the families read the records: each is a scan of the run, and on a
 * machine with a core to spare the two overlap. */
typedef struct check_job {
    const char *db_path;
    const report_run *run;
    const report_opts *o;
    report_checked *chk;
    err e;
    int rc;
} check_job;

static void *check_main(void *arg)
{
    check_job *j = arg;
    sqlite3 *db;
    double t0 = clock_monotonic(), c0 = thread_cpu();
    j->rc = report_db_open(j->db_path, &db, &j->e);
    if (!j->rc) {
        j->rc = report_check_measure(db, j->run, j->o->families, j->o->nfamilies, j->chk, &j->e);
        sqlite3_close(db);
    }
    log_debug("report: thresholds %.2f s (cpu %.2f s)", clock_monotonic() - t0,
              thread_cpu() - c0);
    return NULL;
}

static int render_into(const report_opts *o, const char *gnuplot, sqlite3 *db,
                       const report_run *run, const char *tmp, report_outcome *res, err *e)
{
    /* Bad thresholds are input errors: found before any work starts. */
    report_checked chk;
    int rc = report_check_load(&o->thresholds, run, o->families, o->nfamilies, &chk, e);
    if (rc) {
        report_checked_free(&chk);
        return rc;
    }
    check_job job = {.db_path = o->db_path, .run = run, .o = o, .chk = &chk};
    pthread_t th;
    bool threaded = pthread_create(&th, NULL, check_main, &job) == 0;
    report_earners top = {0};
    report_ctx c;
    report_ctx_init(&c, db, run, tmp, o->formats ? o->formats : REPORT_SVG, o->quiet);
    double t0 = clock_monotonic(), c0 = thread_cpu();
    rc = render_families(&c, o, e);
    log_debug("report: sections %.2f s (cpu %.2f s)", clock_monotonic() - t0, thread_cpu() - c0);
    if (threaded)
        pthread_join(th, NULL);
    else
        check_main(&job);
    if (!rc && job.rc) {
        rc = job.rc;
        if (e)
            *e = job.e;
    }
    if (!rc && c.earnings_known)
        rc = report_earners_top(&c.earnings, c.emission_total, 5, &top, e);
    else if (!rc)
        rc = report_top_earners(db, run->id, 5, &top, e);
    t0 = clock_monotonic();
    if (!rc)
        rc = report_gnuplot_run(gnuplot, tmp, c.charts.v, c.charts.len, o->quiet,
                                "drawing charts", e);
    log_debug("report: gnuplot %.2f s", clock_monotonic() - t0);
    if (!rc)
        rc = report_write_summary_md(tmp, run, &chk, &top, &c.findings, e);
    if (!rc)
        rc = report_write_junit(tmp, run, &chk, e);
    /* index.html last: a folder with it is a folder that got to the end. */
    if (!rc)
        rc = write_index(&c, &chk, &top, e);
    res->charts = c.charts.len;
    res->thresholds = chk.n;
    res->failed = chk.failed;
    report_checked_free(&chk);
    report_earners_free(&top);
    report_ctx_free(&c);
    return rc;
}

int report_render(const report_opts *o, report_outcome *res, err *e)
{
    report_outcome dummy;
    res = res ? res : &dummy;
    *res = (report_outcome){0};
    char gnuplot[4096];
    int rc = report_gnuplot_find(gnuplot, sizeof gnuplot, e);
    if (rc)
        return rc;
    sqlite3 *db;
    if ((rc = report_db_open(o->db_path, &db, e)))
        return rc;
    report_run run;
    if ((rc = report_run_load(db, o->run_id, &run, e))) {
        sqlite3_close(db);
        return err_prefix(e, "%s", o->db_path);
    }
    if (o->out_dir)
        snprintf(res->out_dir, sizeof res->out_dir, "%s", o->out_dir);
    else
        snprintf(res->out_dir, sizeof res->out_dir, "reports/%s", run.name);
    char tmp[4200];
    rc = report_dir_begin(res->out_dir, tmp, sizeof tmp, e);
    if (!rc) {
        rc = render_into(o, gnuplot, db, &run, tmp, res, e);
        if (!rc)
            rc = report_dir_commit(tmp, res->out_dir, e);
        if (rc)
            report_dir_remove(tmp);
    }
    report_run_free(&run);
    sqlite3_close(db);
    return rc;
}
