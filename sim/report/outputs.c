/* The run's summary three ways: the top of index.html, summary.md (a CI job
 * summary) and thresholds.xml (JUnit: one test case per threshold). */
#include "report/report_internal.h"

#include <math.h>
#include <string.h>

int report_check_load(const report_threshold_source *src, const report_run *run,
                      const report_family *const *fams, size_t nfam, report_checked *out,
                      err *e)
{
    *out = (report_checked){0};
    if (!src || !src->load)
        return 0;
    err why = {0};
    if (src->load(src->ctx, run, &out->t, &out->n, &why)) {
        snprintf(out->error, sizeof out->error, "%s", why.msg);
        log_warn("run %lld: thresholds not read: %s", (long long)run->id, why.msg);
        out->t = NULL;
        out->n = 0;
        return 0;
    }
    for (size_t i = 0; i < out->n; i++) {
        int rc = report_threshold_check(fams, nfam, &out->t[i], e);
        if (rc)
            return rc;
    }
    out->results = calloc(out->n ? out->n : 1, sizeof *out->results);
    return out->results ? 0 : err_set(e, ERR_NOMEM, "out of memory");
}

int report_check_measure(sqlite3 *db, const report_run *run, const report_family *const *fams,
                         size_t nfam, report_checked *c, err *e)
{
    return report_thresholds_evaluate(db, run->id, fams, nfam, c->t, c->n, c->results, &c->failed,
                                      e);
}

void report_checked_free(report_checked *c)
{
    free(c->results);
    *c = (report_checked){0};
}

static void measured_str(const report_threshold_result *r, char *out, size_t n)
{
    if (r->has_value)
        report_fmt_num(out, n, r->measured, r->unit);
    else
        snprintf(out, n, "no data");   /* no neuron matched: a failure */
}

/* ------------------------------------------------------------ markdown */

/* Table cells: a | would split the cell, a newline the row. */
static void md_cell(sbuf *b, const char *s)
{
    for (; s && *s; s++)
        sbuf_puts(b, *s == '|' ? "\\|" : *s == '\n' ? " " : (char[2]){*s, 0});
}

int report_write_summary_md(const char *dir, const report_run *run, const report_checked *c,
                            const report_earners *top, const report_findings *f, err *e)
{
    sbuf b;
    sbuf_init(&b);
    char wall[32], sim[32];
    report_fmt_duration(wall, sizeof wall, run->wall_seconds);
    report_fmt_duration(sim, sizeof sim, run->sim_seconds);
    sbuf_puts(&b, "## subnetsim: ");
    md_cell(&b, run->name);
    if (c->n == 0)
        sbuf_puts(&b, " (no thresholds)\n\n");
    else if (c->failed)
        sbuf_printf(&b, " — ❌ %zu of %zu thresholds failed\n\n", c->failed, c->n);
    else
        sbuf_printf(&b, " — ✅ all %zu thresholds pass\n\n", c->n);
    sbuf_puts(&b, "| run | scenario | seed | mode | status | simulated | wall | digest |\n"
                  "|---|---|---:|---|---|---:|---:|---|\n");
    sbuf_printf(&b, "| %lld | ", (long long)run->id);
    md_cell(&b, run->scenario_name);
    sbuf_printf(&b, " | %lld | ", (long long)run->seed);
    md_cell(&b, run->mode);
    sbuf_puts(&b, " | ");
    md_cell(&b, run->status);
    sbuf_printf(&b, " | %s | %s | `%.16s` |\n", sim, wall, run->digest);
    if (f->len) {
        sbuf_puts(&b, "\n### Findings\n\n");
        for (size_t i = 0; i < f->len; i++) {
            sbuf_puts(&b, "- **");
            md_cell(&b, f->v[i].question);
            sbuf_puts(&b, "** ");
            md_cell(&b, f->v[i].answer);
            sbuf_puts(&b, "\n");
        }
    }
    if (c->n) {
        sbuf_puts(&b, "\n### Thresholds\n\n| result | threshold | measured |\n|---|---|---:|\n");
        for (size_t i = 0; i < c->n; i++) {
            char m[64];
            measured_str(&c->results[i], m, sizeof m);
            sbuf_printf(&b, "| %s | `", c->results[i].pass ? "✅ pass" : "❌ fail");
            md_cell(&b, c->results[i].label);
            sbuf_printf(&b, "` | %s |\n", m);
        }
    }
    if (top->len) {
        sbuf_puts(&b, "\n### Top earners\n\n| netuid | uid | hotkey | role | group | emission "
                      "(α) | share |\n|---:|---:|---|---|---|---:|---:|\n");
        for (size_t i = 0; i < top->len; i++) {
            const report_earner *r = &top->v[i];
            char em[64], sh[32];
            report_fmt_num(em, sizeof em, r->emission_rao / 1e9, "");
            report_fmt_num(sh, sizeof sh, r->share, "%");
            sbuf_printf(&b, "| %lld | %lld | ", (long long)r->netuid, (long long)r->uid);
            md_cell(&b, r->hotkey);
            sbuf_puts(&b, " | ");
            md_cell(&b, r->role);
            sbuf_puts(&b, " | ");
            md_cell(&b, r->group);
            sbuf_printf(&b, " | %s | %s |\n", em, sh);
        }
    }
    int rc = b.oom ? err_set(e, ERR_NOMEM, "out of memory")
                   : report_write_file(dir, "summary.md", b.s, b.len, e);
    sbuf_free(&b);
    return rc;
}

/* --------------------------------------------------------------- JUnit */

static void xml_escape(sbuf *b, const char *s)
{
    for (; s && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch < 0x20 && ch != '\n' && ch != '\t')
            continue;   /* not allowed in XML 1.0 */
        report_html_escape(b, (char[2]){*s, 0});
    }
}

int report_write_junit(const char *dir, const report_run *run, const report_checked *c, err *e)
{
    sbuf b;
    sbuf_init(&b);
    sbuf_printf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<testsuites name=\"subnetsim\" tests=\"%zu\" failures=\"%zu\" errors=\"0\">\n"
                    "  <testsuite name=\"thresholds: ",
                c->n, c->failed);
    xml_escape(&b, run->name);
    sbuf_printf(&b, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\">\n", c->n,
                c->failed);
    for (size_t i = 0; i < c->n; i++) {
        const report_threshold_result *r = &c->results[i];
        char m[64];
        measured_str(r, m, sizeof m);
        sbuf_puts(&b, "    <testcase classname=\"subnetsim.thresholds.");
        xml_escape(&b, run->scenario_name);
        sbuf_puts(&b, "\" name=\"");
        xml_escape(&b, r->label);
        if (r->pass) {
            sbuf_printf(&b, "\">\n      <system-out>measured %s</system-out>\n    </testcase>\n",
                        m);
            continue;
        }
        sbuf_printf(&b, "\">\n      <failure type=\"threshold\" message=\"measured %s, needs ", m);
        xml_escape(&b, r->label);
        sbuf_puts(&b, "\">");
        const char *origin = c->t[i].origin;
        if (origin) {
            sbuf_puts(&b, "defined at ");
            xml_escape(&b, origin);
        }
        sbuf_puts(&b, "</failure>\n    </testcase>\n");
    }
    sbuf_puts(&b, "  </testsuite>\n</testsuites>\n");
    int rc = b.oom ? err_set(e, ERR_NOMEM, "out of memory")
                   : report_write_file(dir, "thresholds.xml", b.s, b.len, e);
    sbuf_free(&b);
    return rc;
}

/* ---------------------------------------------------------------- HTML */

static void fact(sbuf *b, const char *name, const char *value, bool code)
{
    sbuf_printf(b, "<tr><th>%s</th><td>%s", name, code ? "<code>" : "");
    report_html_escape(b, value);
    sbuf_printf(b, "%s</td></tr>\n", code ? "</code>" : "");
}

static void html_facts(sbuf *b, const report_run *run)
{
    char buf[128], wall[32], sim[32];
    report_fmt_duration(wall, sizeof wall, run->wall_seconds);
    report_fmt_duration(sim, sizeof sim, run->sim_seconds);
    sbuf_puts(b, "<div><h3>Run</h3>\n<table class=\"facts\" id=\"run-facts\">\n");
    snprintf(buf, sizeof buf, "%lld", (long long)run->id);
    fact(b, "run", buf, false);
    fact(b, "scenario", run->scenario_name, false);
    snprintf(buf, sizeof buf, "%lld", (long long)run->seed);
    fact(b, "seed", buf, false);
    fact(b, "mode", run->mode, false);
    fact(b, "status", run->status, false);
    sbuf_printf(b, "<tr><th>simulated</th><td data-value=\"%.17g\">%s</td></tr>\n",
                run->sim_seconds, sim);
    sbuf_printf(b, "<tr><th>wall clock</th><td data-value=\"%.17g\">%s</td></tr>\n",
                run->wall_seconds, wall);
    fact(b, "started", run->started, false);
    fact(b, "finished", run->finished, false);
    fact(b, "digest", run->digest, true);
    fact(b, "version", run->version, false);
    sbuf_puts(b, "</table></div>\n");
}

static void html_earners(sbuf *b, const report_earners *top)
{
    sbuf_puts(b, "<div><h3>Top earners</h3>\n");
    if (!top->len) {
        sbuf_puts(b, "<p class=\"muted\">No emission recorded.</p></div>\n");
        return;
    }
    sbuf_puts(b, "<table id=\"top-earners\">\n<tr><th class=\"num\">uid</th><th>hotkey</th>"
                 "<th>role</th><th>group</th><th class=\"num\">emission</th>"
                 "<th class=\"num\">share</th></tr>\n");
    for (size_t i = 0; i < top->len; i++) {
        const report_earner *r = &top->v[i];
        char em[64], sh[32];
        report_fmt_num(em, sizeof em, r->emission_rao / 1e9, "α");
        report_fmt_num(sh, sizeof sh, r->share, "%");
        sbuf_printf(b, "<tr><td class=\"num\" data-netuid=\"%lld\">%lld</td><td><code>",
                    (long long)r->netuid, (long long)r->uid);
        report_html_escape(b, r->hotkey);
        sbuf_puts(b, "</code></td><td>");
        report_html_escape(b, r->role);
        sbuf_puts(b, "</td><td>");
        report_html_escape(b, r->group);
        sbuf_printf(b, "</td><td class=\"num\" data-value=\"%lld\">%s</td>"
                       "<td class=\"num\" data-value=\"%.17g\">%s</td></tr>\n",
                    (long long)r->emission_rao, em, r->share, sh);
    }
    sbuf_puts(b, "</table>\n<p class=\"muted\">Emission over the whole run, in α "
                 "(10<sup>9</sup> rao); share of all emission paid to neurons.</p></div>\n");
}

static void html_thresholds(sbuf *b, const report_checked *c)
{
    sbuf_puts(b, "<section id=\"thresholds\">\n<h2>Thresholds</h2>\n");
    if (*c->error) {
        sbuf_puts(b, "<p class=\"banner warn\">The scenario's thresholds could not be read: ");
        report_html_escape(b, c->error);
        sbuf_puts(b, "</p>\n</section>\n");
        return;
    }
    if (c->n == 0) {
        sbuf_puts(b, "<p class=\"muted\">The scenario sets no thresholds.</p>\n</section>\n");
        return;
    }
    sbuf_puts(b, "<table id=\"threshold-table\">\n<tr><th>result</th><th>threshold</th>"
                 "<th class=\"num\">measured</th><th>defined at</th></tr>\n");
    for (size_t i = 0; i < c->n; i++) {
        const report_threshold_result *r = &c->results[i];
        char m[64];
        measured_str(r, m, sizeof m);
        sbuf_printf(b, "<tr class=\"%s\"><td><span class=\"badge %s\">%s</span></td><td><code>",
                    r->pass ? "passed" : "failed", r->pass ? "pass" : "fail",
                    r->pass ? "pass" : "fail");
        report_html_escape(b, r->label);
        sbuf_printf(b, "</code></td><td class=\"num\" data-value=\"%.17g\">%s</td><td "
                       "class=\"muted\">",
                    r->has_value ? r->measured : NAN, m);
        report_html_escape(b, c->t[i].origin ? c->t[i].origin : "");
        sbuf_puts(b, "</td></tr>\n");
    }
    sbuf_puts(b, "</table>\n</section>\n");
}

static void html_findings(sbuf *b, const report_findings *f)
{
    if (!f->len)
        return;
    sbuf_puts(b, "<h3>Findings</h3>\n<dl class=\"findings\" id=\"findings\">\n");
    for (size_t i = 0; i < f->len; i++) {
        sbuf_puts(b, "<dt>");
        report_html_escape(b, f->v[i].question);
        sbuf_puts(b, "</dt><dd>");
        report_html_escape(b, f->v[i].answer);
        sbuf_puts(b, "</dd>\n");
    }
    sbuf_puts(b, "</dl>\n");
}

void report_html_summary(sbuf *b, const report_run *run, const report_checked *c,
                         const report_earners *top, const report_findings *f)
{
    sbuf_puts(b, "<section id=\"summary\">\n<h2>Summary</h2>\n<div class=\"grid\">\n");
    html_facts(b, run);
    html_earners(b, top);
    sbuf_puts(b, "</div>\n");
    html_findings(b, f);
    sbuf_puts(b, "</section>\n");
    html_thresholds(b, c);
}
