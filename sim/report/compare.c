/* `subnetsim compare`: runs side by side. Runs are grouped into arms (by
 * scenario name, or the label the user gave); an arm with several seeds shows
 * the mean and a 95 % confidence interval (Student's t). A measure is marked
 * where an arm differs from the first arm (the baseline) beyond noise, by
 * Welch's two-sided t-test at p < 0.05; with one seed on either side there is
 * no telling noise apart, and nothing is marked. */
#include "report/report_internal.h"

#include <math.h>
#include <string.h>

#define CMP_ALPHA 0.05

typedef struct cmp_run {
    report_run run;
    const char *db_path;
    size_t arm;
    report_measures measures;
    report_series_list series;
} cmp_run;

typedef struct cmp {
    VEC(cmp_run) runs;
    VEC(char *) arms;          /* labels, in order of first appearance */
    VEC(char *) measures;      /* measure names, in order of first appearance */
    VEC(char *) series;        /* series names, likewise */
} cmp;

static void cmp_free(cmp *c)
{
    for (size_t i = 0; i < c->runs.len; i++) {
        report_run_free(&c->runs.v[i].run);
        VEC_FREE(&c->runs.v[i].measures);
        report_series_list_free(&c->runs.v[i].series);
    }
    VEC_FREE(&c->runs);
    for (size_t i = 0; i < c->arms.len; i++)
        free(c->arms.v[i]);
    for (size_t i = 0; i < c->measures.len; i++)
        free(c->measures.v[i]);
    for (size_t i = 0; i < c->series.len; i++)
        free(c->series.v[i]);
    VEC_FREE(&c->arms);
    VEC_FREE(&c->measures);
    VEC_FREE(&c->series);
}

/* The index of name in a list of names, added when new. */
static int intern(void *list, const char *name, size_t *out)
{
    VEC(char *) *l = list;
    for (size_t i = 0; i < l->len; i++)
        if (!strcmp(l->v[i], name)) {
            *out = i;
            return 0;
        }
    char *s = strdup(name);
    if (!s || VEC_PUSH(l, s)) {
        free(s);
        return ERR_NOMEM;
    }
    *out = l->len - 1;
    return 0;
}

static int measure_run(sqlite3 *db, const report_compare_opts *o, cmp_run *r, err *e)
{
    for (size_t f = 0; f < o->nfamilies; f++) {
        const report_family *fam = o->families[f];
        bool present = false;
        int rc = fam->detect(db, r->run.id, &present, e);
        if (!rc && present && fam->compare)
            rc = fam->compare(db, r->run.id, &r->measures, &r->series, e);
        if (rc)
            return err_prefix(e, "%s run %lld", r->db_path, (long long)r->run.id);
    }
    return 0;
}

static int load_input(cmp *c, const report_compare_opts *o, const report_compare_input *in,
                      progress *bar, err *e)
{
    sqlite3 *db;
    int rc = report_db_open(in->db_path, &db, e);
    if (rc)
        return rc;
    int64_t *ids;
    size_t n;
    if ((rc = report_run_ids(db, &ids, &n, e))) {
        sqlite3_close(db);
        return err_prefix(e, "%s", in->db_path);
    }
    if (n == 0)
        rc = err_set(e, ERR_INPUT, "%s: the database holds no run", in->db_path);
    for (size_t i = 0; i < n && !rc; i++) {
        cmp_run r = {.db_path = in->db_path};
        if ((rc = report_run_load(db, ids[i], &r.run, e))) {
            err_prefix(e, "%s", in->db_path);
            break;
        }
        rc = intern(&c->arms, in->label ? in->label : r.run.scenario_name, &r.arm);
        if (rc)
            err_set(e, rc, "out of memory");
        if (!rc)
            rc = measure_run(db, o, &r, e);
        if (!rc && VEC_PUSH(&c->runs, r))
            rc = err_set(e, ERR_NOMEM, "out of memory");
        if (rc) {
            report_run_free(&r.run);
            VEC_FREE(&r.measures);
            report_series_list_free(&r.series);
        }
        progress_update(bar, (double)c->runs.len);
    }
    for (size_t i = 0; i < c->runs.len && !rc; i++) {
        size_t k;
        for (size_t m = 0; m < c->runs.v[i].measures.len && !rc; m++)
            rc = intern(&c->measures, c->runs.v[i].measures.v[m].name, &k);
        for (size_t s = 0; s < c->runs.v[i].series.len && !rc; s++)
            rc = intern(&c->series, c->runs.v[i].series.v[s].name, &k);
        if (rc)
            err_set(e, rc, "out of memory");
    }
    free(ids);
    sqlite3_close(db);
    return rc;
}

/* The values of a measure in an arm's runs; *unit from the first. */
static size_t arm_values(const cmp *c, size_t arm, const char *measure, double *out,
                         const char **unit)
{
    size_t n = 0;
    for (size_t i = 0; i < c->runs.len; i++) {
        const cmp_run *r = &c->runs.v[i];
        if (r->arm != arm)
            continue;
        for (size_t m = 0; m < r->measures.len; m++)
            if (!strcmp(r->measures.v[m].name, measure)) {
                out[n++] = r->measures.v[m].value;
                *unit = r->measures.v[m].unit;
            }
    }
    return n;
}

static size_t arm_runs(const cmp *c, size_t arm)
{
    size_t n = 0;
    for (size_t i = 0; i < c->runs.len; i++)
        n += c->runs.v[i].arm == arm;
    return n;
}

/* ------------------------------------------------------------- tables */

static void cell(sbuf *h, sbuf *md, const double *v, size_t n, const char *unit, double p,
                 const char *baseline)
{
    double mean, half;
    char a[64], b[64];
    report_mean_ci95(v, n, &mean, &half);
    report_fmt_num(a, sizeof a, mean, unit);
    bool differs = !isnan(p) && p < CMP_ALPHA;
    sbuf_printf(h, "<td class=\"num%s\" data-value=\"%.17g\" data-n=\"%zu\"", differs ? " diff" : "",
                mean, n);
    if (!isnan(p)) {
        sbuf_printf(h, " title=\"Welch t-test against ");
        report_html_escape(h, baseline);
        sbuf_printf(h, ": p = %.3g\"", p);
    }
    sbuf_printf(h, ">%s", n ? a : "—");
    sbuf_printf(md, " %s", n ? a : "—");
    if (!isnan(half)) {
        /* The half-width to the mean's last shown digit: noise below it
         * would read as precision. */
        const char *dot = strchr(a, '.');
        int decimals = dot ? (int)strspn(dot + 1, "0123456789") : 0;
        snprintf(b, sizeof b, "%.*f", decimals, half);
        sbuf_printf(h, " <span class=\"muted\">± %s</span>", b);
        sbuf_printf(md, " ± %s", b);
    }
    if (differs) {
        sbuf_puts(h, " <span class=\"badge fail\">differs</span>");
        sbuf_puts(md, " **(differs)**");
    }
    sbuf_puts(h, "</td>");
    sbuf_puts(md, " |");
}

static void measures_table(const cmp *c, sbuf *h, sbuf *md, double *buf, double *base)
{
    sbuf_puts(h, "<table id=\"measures\">\n<tr><th>measure</th>");
    sbuf_puts(md, "| measure |");
    for (size_t a = 0; a < c->arms.len; a++) {
        sbuf_puts(h, "<th class=\"num\">");
        report_html_escape(h, c->arms.v[a]);
        sbuf_printf(h, " <span class=\"muted\">(%zu run%s)</span></th>", arm_runs(c, a),
                    arm_runs(c, a) == 1 ? "" : "s");
        sbuf_printf(md, " %s (%zu) |", c->arms.v[a], arm_runs(c, a));
    }
    sbuf_puts(h, "</tr>\n");
    sbuf_puts(md, "\n|---|");
    for (size_t a = 0; a < c->arms.len; a++)
        sbuf_puts(md, "---:|");
    sbuf_puts(md, "\n");
    for (size_t m = 0; m < c->measures.len; m++) {
        const char *unit = "";
        size_t nb = arm_values(c, 0, c->measures.v[m], base, &unit);
        sbuf_puts(h, "<tr><th>");
        report_html_escape(h, c->measures.v[m]);
        sbuf_printf(h, "</th>");
        sbuf_printf(md, "| %s |", c->measures.v[m]);
        for (size_t a = 0; a < c->arms.len; a++) {
            size_t n = arm_values(c, a, c->measures.v[m], buf, &unit);
            double p = a > 0 ? report_welch_p(base, nb, buf, n) : NAN;
            cell(h, md, buf, n, unit, p, c->arms.v[0]);
        }
        sbuf_puts(h, "</tr>\n");
        sbuf_puts(md, "\n");
    }
    sbuf_puts(h, "</table>\n");
}

static void runs_table(const cmp *c, sbuf *h)
{
    sbuf_puts(h, "<details><summary>Runs compared</summary>\n<table id=\"runs\">\n<tr><th>arm</th>"
                 "<th>file</th><th class=\"num\">run</th><th class=\"num\">seed</th>"
                 "<th>status</th><th>digest</th><th class=\"num\">wall clock</th></tr>\n");
    for (size_t i = 0; i < c->runs.len; i++) {
        const cmp_run *r = &c->runs.v[i];
        char wall[32];
        report_fmt_duration(wall, sizeof wall, r->run.wall_seconds);
        sbuf_puts(h, "<tr><td>");
        report_html_escape(h, c->arms.v[r->arm]);
        sbuf_puts(h, "</td><td><code>");
        report_html_escape(h, r->db_path);
        sbuf_printf(h, "</code></td><td class=\"num\">%lld</td><td class=\"num\">%lld</td><td>",
                    (long long)r->run.id, (long long)r->run.seed);
        report_html_escape(h, r->run.status);
        sbuf_printf(h, "</td><td><code>%.16s</code></td><td class=\"num\">%s</td></tr>\n",
                    r->run.digest, wall);
    }
    sbuf_puts(h, "</table></details>\n");
}

/* ------------------------------------------------------------- charts */

/* An arm's runs' values of a series at index i (same x as the first run). */
static size_t series_at(const cmp *c, size_t arm, const char *name, size_t i, double *x,
                        double *out)
{
    size_t n = 0;
    bool have_x = false;
    for (size_t r = 0; r < c->runs.len; r++) {
        if (c->runs.v[r].arm != arm)
            continue;
        const report_series_list *l = &c->runs.v[r].series;
        for (size_t s = 0; s < l->len; s++) {
            const report_series *se = &l->v[s];
            if (strcmp(se->name, name) || i >= se->x.len || isnan(se->y.v[i]))
                continue;
            if (have_x && se->x.v[i] != *x)
                continue;   /* a run of another length: not the same epoch */
            *x = se->x.v[i];
            have_x = true;
            out[n++] = se->y.v[i];
        }
    }
    return n;
}

static const report_series *series_any(const cmp *c, const char *name, size_t *maxlen)
{
    const report_series *found = NULL;
    *maxlen = 0;
    for (size_t r = 0; r < c->runs.len; r++)
        for (size_t s = 0; s < c->runs.v[r].series.len; s++) {
            const report_series *se = &c->runs.v[r].series.v[s];
            if (strcmp(se->name, name))
                continue;
            found = found ? found : se;
            *maxlen = se->x.len > *maxlen ? se->x.len : *maxlen;
        }
    return found;
}

/* One arm's block of the .dat: x, mean, CI low, high. Returns the points. */
static size_t arm_block(const cmp *c, size_t a, size_t k, size_t len, double *buf, sbuf *dat,
                        bool *band, double *ymax)
{
    size_t points = 0;
    sbuf_printf(dat, "# %s\n", c->arms.v[a]);
    for (size_t i = 0; i < len; i++) {
        double x = 0, mean, half;
        size_t n = series_at(c, a, c->series.v[k], i, &x, buf);
        if (n == 0)
            continue;
        report_mean_ci95(buf, n, &mean, &half);
        *band = *band || !isnan(half);
        *ymax = fmax(*ymax, isnan(half) ? mean : mean + half);
        sbuf_printf(dat, "%.6g\t%.6g\t%.6g\t%.6g\n", x, mean, mean - half, mean + half);
        points++;
    }
    sbuf_puts(dat, "\n\n");
    return points;
}

static int overlay_chart(report_ctx *ctx, const cmp *c, size_t k, double *buf, err *e)
{
    size_t len;
    const report_series *proto = series_any(c, c->series.v[k], &len);
    sbuf dat, plot;
    sbuf_init(&dat);
    sbuf_init(&plot);
    sbuf_puts(&dat, "# one block per arm: x, mean, 95 % CI low, high (NaN with one run)\n");
    sbuf_puts(&plot, "plot ");
    double ymax = 0;
    size_t drawn = 0;   /* blocks written: gnuplot's index counts only those */
    for (size_t a = 0; a < c->arms.len; a++) {
        bool band = false;
        sbuf block;
        sbuf_init(&block);
        size_t points = arm_block(c, a, k, len, buf, &block, &band, &ymax);
        /* An arm without this series (another scenario's groups) is left out. */
        if (points && block.s)
            sbuf_add(&dat, block.s, block.len);
        sbuf_free(&block);
        if (!points)
            continue;
        int lt = (int)(a % REPORT_NCOLORS) + 1;
        const char *sep = drawn ? ", \\\n     " : "";
        if (band)
            sbuf_printf(&plot, "%sdat index %zu using 1:3:4 with filledcurves lt %d "
                               "fs transparent solid 0.18 notitle",
                        sep, drawn, lt);
        sbuf_printf(&plot, "%sdat index %zu using 1:2 with lines lt %d title ",
                    band ? ", \\\n     " : sep, drawn, lt);
        report_gp_key(&plot, c->arms.v[a], REPORT_KEY_CHARS);
        drawn++;
    }
    char name[32], cap[256], title[96];
    snprintf(name, sizeof name, "compare-%zu", k + 1);
    snprintf(title, sizeof title, "%s", proto->name);
    if (title[0] >= 'a' && title[0] <= 'z')
        title[0] = (char)(title[0] - 'a' + 'A');
    snprintf(cap, sizeof cap, "Mean over each arm's runs; the shaded band is the 95 %% "
                              "confidence interval where an arm has several seeds.");
    report_chart ch = {.name = name, .title = title, .xlabel = proto->xlabel,
                       .ylabel = proto->ylabel, .caption = cap,
                       /* all zero: a range gnuplot need not invent */
                       .setup = ymax > 0 ? "set yrange [0:*]" : "set yrange [0:1]",
                       .plot = plot.s, .data = dat.s};
    int rc = dat.oom || plot.oom ? err_set(e, ERR_NOMEM, "out of memory")
                                 : report_chart_add(ctx, &ch, e);
    sbuf_free(&dat);
    sbuf_free(&plot);
    return rc;
}

/* ------------------------------------------------------------- output */

static int write_pages(report_ctx *ctx, const cmp *c, double *buf, double *base, err *e)
{
    sbuf *h = report_ctx_html(ctx), md;
    sbuf_init(&md);
    int rc = report_section(ctx, "measures", "Key measures", e);
    sbuf_puts(&md, "## subnetsim compare\n\n");
    if (!rc) {
        sbuf_puts(h, "<p>Mean of each arm's runs, ± the half-width of the 95 % confidence "
                     "interval (Student's t) when an arm has several. <span class=\"badge "
                     "fail\">differs</span> marks an arm whose mean differs from the first arm's "
                     "by Welch's t-test at p &lt; 0.05 (hover for p); with a single run on "
                     "either side nothing can be told from noise and nothing is marked.</p>\n");
        measures_table(c, h, &md, buf, base);
        runs_table(c, h);
    }
    if (!rc && c->series.len)
        rc = report_section(ctx, "series", "Over time", e);
    for (size_t k = 0; k < c->series.len && !rc; k++)
        rc = overlay_chart(ctx, c, k, buf, e);
    report_ctx_end_section(ctx);
    if (!rc)
        rc = md.oom ? err_set(e, ERR_NOMEM, "out of memory")
                    : report_write_file(ctx->dir, "compare.md", md.s, md.len, e);
    sbuf_free(&md);
    return rc;
}

static int write_index(report_ctx *ctx, const cmp *c, err *e)
{
    sbuf b;
    sbuf_init(&b);
    report_html_begin(&b, "subnetsim compare");
    sbuf_puts(&b, "<header><div class=\"wrap\"><h1>Compare <span class=\"muted\">");
    for (size_t a = 0; a < c->arms.len; a++) {
        sbuf_puts(&b, a ? " · " : "");
        report_html_escape(&b, c->arms.v[a]);
    }
    sbuf_printf(&b, "</span></h1><div class=\"muted\">%zu runs in %zu arms; the first arm is "
                    "the baseline.</div></div></header>\n<nav class=\"toc\"><div class=\"wrap\">",
                c->runs.len, c->arms.len);
    for (size_t i = 0; i < ctx->sections.len; i++)
        sbuf_printf(&b, "<a href=\"#%s\">%s</a>", ctx->sections.v[i].id,
                    ctx->sections.v[i].title);
    sbuf_puts(&b, "<a href=\"compare.md\">compare.md</a></div></nav>\n<main class=\"wrap\">\n");
    if (ctx->html.s)
        sbuf_add(&b, ctx->html.s, ctx->html.len);
    sbuf_puts(&b, "</main>\n");
    report_html_end(&b);
    int rc = b.oom ? err_set(e, ERR_NOMEM, "out of memory")
                   : report_write_file(ctx->dir, "index.html", b.s, b.len, e);
    sbuf_free(&b);
    return rc;
}

int report_compare(const report_compare_opts *o, report_outcome *res, err *e)
{
    report_outcome dummy;
    res = res ? res : &dummy;
    *res = (report_outcome){0};
    char gnuplot[4096];
    int rc = report_gnuplot_find(gnuplot, sizeof gnuplot, e);
    if (rc)
        return rc;
    if (o->ninputs == 0)
        return err_set(e, ERR_INPUT, "compare needs at least one run database");
    cmp c = {0};
    progress bar;
    progress_start(&bar, "reading runs", (double)o->ninputs, o->quiet);
    for (size_t i = 0; i < o->ninputs && !rc; i++)
        rc = load_input(&c, o, &o->inputs[i], &bar, e);
    progress_finish(&bar);
    snprintf(res->out_dir, sizeof res->out_dir, "%s", o->out_dir ? o->out_dir : "reports/compare");
    char tmp[4200];
    double *buf = calloc(c.runs.len + 1, sizeof *buf), *base = calloc(c.runs.len + 1, sizeof *base);
    if (!rc && (!buf || !base))
        rc = err_set(e, ERR_NOMEM, "out of memory");
    if (!rc && !(rc = report_dir_begin(res->out_dir, tmp, sizeof tmp, e))) {
        report_ctx ctx;
        report_ctx_init(&ctx, NULL, NULL, tmp, o->formats ? o->formats : REPORT_SVG, o->quiet);
        rc = write_pages(&ctx, &c, buf, base, e);
        if (!rc)
            rc = report_gnuplot_run(gnuplot, tmp, ctx.charts.v, ctx.charts.len, o->quiet,
                                    "drawing charts", e);
        if (!rc)
            rc = write_index(&ctx, &c, e);
        if (!rc)
            rc = report_dir_commit(tmp, res->out_dir, e);
        if (rc)
            report_dir_remove(tmp);
        res->charts = ctx.charts.len;
        report_ctx_free(&ctx);
    }
    free(buf);
    free(base);
    cmp_free(&c);
    return rc;
}
