/* The real-estate section's charts over time and its bars: coverage by zip
 * class, API-check success per miner and per validator, failed evaluations by
 * reason, credibility and score per miner. */
#include "report/resi_data.h"

#include <math.h>
#include <string.h>

/* A chart of a grid's lines over time. */
typedef struct grid_spec {
    const char *name, *title, *ylabel, *caption, *setup;
    double scale;              /* value = num / den * scale */
    bool log;                  /* log y (falls back to linear with no positive value) */
} grid_spec;

static int grid_chart(resi_run *r, const resi_lines *l, const resi_grid *g, const grid_spec *gs,
                      err *e)
{
    if (l->n == 0)
        return 0;
    sbuf dat, plot, cap, setup;
    sbuf_init(&dat);
    sbuf_init(&plot);
    sbuf_init(&cap);
    sbuf_init(&setup);
    resi_dat_header(&dat, r->x_label, l);
    bool any = false, positive = false;
    for (int b = 0; b < g->nb; b++) {
        sbuf_printf(&dat, "%.4g", resi_bucket_x(r, b));
        for (int s = 0; s < l->n; s++) {
            double v = resi_grid_value(g, b, s, gs->scale);
            any |= !isnan(v);
            positive |= v > 0;
            sbuf_printf(&dat, isnan(v) ? "\tNaN" : "\t%.6g", v);
        }
        sbuf_puts(&dat, "\n");
    }
    int rc = 0;
    if (!any) {
        char note[200];
        snprintf(note, sizeof note, "%s: nothing was recorded.", gs->title);
        report_note(r->c, note);
        goto out;
    }
    resi_plot_lines(&plot, l, g->nb <= 30 ? "linespoints" : "lines");
    char bucket[32];
    resi_fmt_bucket(r, bucket, sizeof bucket);
    sbuf_printf(&cap, "%s %s Each point covers %s.", gs->caption, resi_lines_how(l), bucket);
    sbuf_printf(&setup, "%s\nset xrange [0:%.4g]\n", gs->setup ? gs->setup : "",
                (double)r->end_us / r->x_div);
    if (gs->log && positive)
        sbuf_puts(&setup, "set logscale y 10\nset format y '%.0s%c'\n");
    else if (!gs->setup || !strstr(gs->setup, "yrange"))
        sbuf_puts(&setup, "set yrange [0:*]\n");
    report_chart ch = {.name = gs->name, .title = gs->title, .xlabel = r->x_label,
                       .ylabel = gs->ylabel, .caption = cap.s, .setup = setup.s,
                       .plot = plot.s, .data = dat.s};
    rc = dat.oom || plot.oom || cap.oom || setup.oom ? err_set(e, ERR_NOMEM, "out of memory")
                                                     : report_chart_add(r->c, &ch, e);
out:
    sbuf_free(&dat);
    sbuf_free(&plot);
    sbuf_free(&cap);
    sbuf_free(&setup);
    return rc;
}

/* ------------------------------------------------------------ coverage */

int resi_coverage_chart(resi_run *r, err *e)
{
    const resi_cov *cov = &r->cov;
    if (!cov->t.len) {
        report_note(r->c, "Coverage by tier: no coverage snapshots were recorded.");
        return 0;
    }
    sbuf dat;
    sbuf_init(&dat);
    sbuf_printf(&dat, "# %% of each class's zips held by at least one miner, per snapshot; "
                      "x: %s\n\"time\"\t\"premium\"\t\"tier 1\"\t\"tier 2\"\t\"tier 3\"\t"
                      "\"tier 4\"\t\"all zips\"\n",
                r->x_label);
    for (size_t i = 0; i < cov->t.len; i++) {
        sbuf_printf(&dat, "%.4g", (double)cov->t.v[i] / r->x_div);
        for (int k = 0; k <= RESI_NCLASS; k++) {   /* the classes, then all zips */
            double v = resi_cov_pct(r, i, k < RESI_NCLASS ? k : -1);
            sbuf_printf(&dat, isnan(v) ? "\tNaN" : "\t%.4g", v);
        }
        sbuf_puts(&dat, "\n");
    }
    static const char plot[] =
        "plot for [k=2:6] dat using 1:k with linespoints lt (k-1) title columnheader(k), \\\n"
        "     dat using 1:7 with lines lc rgb '#222222' dt 2 lw 2 title columnheader(7)";
    static const char plot_lines[] =
        "plot for [k=2:6] dat using 1:k with lines lt (k-1) title columnheader(k), \\\n"
        "     dat using 1:7 with lines lc rgb '#222222' dt 2 lw 2 title columnheader(7)";
    char setup[128];
    snprintf(setup, sizeof setup, "set yrange [0:105]\nset xrange [0:%.4g]",
             (double)r->end_us / r->x_div);
    report_chart ch = {
        .name = "resi-coverage", .title = "Coverage by zip class", .xlabel = r->x_label,
        .ylabel = "zips held by a miner (% of the class)",
        .caption = "Share of each class's zips that at least one miner holds listings of, at "
                   "each coverage snapshot. Premium: the ten premium zips; tiers by population "
                   "rank (1: the 100 largest, 2: to 500, 3: to 2,000, 4: the rest), premium "
                   "zips apart.",
        .setup = setup, .plot = cov->t.len <= 30 ? plot : plot_lines, .data = dat.s};
    int rc = dat.oom ? err_set(e, ERR_NOMEM, "out of memory") : report_chart_add(r->c, &ch, e);
    sbuf_free(&dat);
    return rc;
}

/* ------------------------------------------------------------ API checks */

#define NOT_MADE "('rate_limited', 'error', 'timeout')"

int resi_api_charts(resi_run *r, err *e)
{
    if (!report_has_table(r->db, "api_sample")) {
        report_note(r->c, "No API checks were recorded (no api_sample table).");
        return 0;
    }
    grid_spec per_miner = {
        "resi-api-miners", "API-check success per miner", "checks that passed (% of answered)",
        "Listings the validators looked up in the listings API that matched what the miner "
        "served (spot checks and S3 checks), as a share of the checks that got an answer.",
        "set yrange [0:105]", 100, false};
    grid_spec per_val = {
        "resi-api-validators", "API-check success per validator",
        "checks that passed (% of answered)",
        "Each validator's API checks that matched, as a share of those that got an answer.",
        "set yrange [0:105]", 100, false};
    grid_spec made = {
        "resi-api-made", "API checks that got an answer, per validator",
        "checks answered (% of checks)",
        "A check refused by the rate limit (429), failed (5xx) or timed out is not made; as "
        "deployed it counts as valid (SPEC 2.3).",
        "set yrange [0:105]", 100, false};
    int rc = grid_chart(r, &r->miners, &r->api_m, &per_miner, e);
    if (!rc)
        rc = grid_chart(r, &r->validators, &r->api_v, &per_val, e);
    if (!rc)
        rc = grid_chart(r, &r->validators, &r->api_made, &made, e);
    return rc;
}

/* ------------------------------------------------------------ evaluations */

/* How the chart names the evaluation table's reasons (resi_reasons). */
static const char *const reason_titles[RESI_NREASONS + 1] = {
    "no index",          "no bucket worth scoring", "bucket not served",
    "basic check: time", "basic check: size",       "duplicates", "other"};

int resi_evaluation_charts(resi_run *r, err *e)
{
    if (!report_has_table(r->db, "evaluation") || r->miners.n == 0) {
        report_note(r->c, "No evaluations were recorded.");
        return 0;
    }
    double total[RESI_MAX_LINES] = {0}, failed[RESI_MAX_LINES][RESI_NREASONS + 1] = {{0}};
    for (size_t i = 0; i < r->neurons.len; i++) {
        int l = r->miners.of[i];
        const resi_tot *t = &r->tot[r->neurons.v[i].actor];
        if (l < 0)
            continue;
        total[l] += t->m.evals;
        for (int k = 0; k <= RESI_NREASONS; k++)
            failed[l][k] += t->reason[k];
    }
    int rc = 0;
    sbuf dat, plot;
    sbuf_init(&dat);
    sbuf_init(&plot);
    sbuf_puts(&dat, "# % of each line's evaluations that failed, by reason; its evaluations\n"
                    "\"miners\"");
    for (int k = 0; k <= RESI_NREASONS; k++)
        sbuf_printf(&dat, "\t\"%s\"", reason_titles[k]);
    sbuf_puts(&dat, "\t\"evaluations\"\n");
    double top = 0;
    for (int l = 0; l < r->miners.n; l++) {
        sbuf_puts(&dat, "\"");
        for (const char *p = r->miners.name[l]; *p; p++)
            sbuf_add(&dat, *p == '"' ? "'" : p, 1);
        sbuf_puts(&dat, "\"");
        double sum = 0;
        for (int k = 0; k <= RESI_NREASONS; k++) {
            double v = total[l] > 0 ? 100.0 * failed[l][k] / total[l] : 0;
            sum += v;
            sbuf_printf(&dat, "\t%.4g", v);
        }
        top = sum > top ? sum : top;
        sbuf_printf(&dat, "\t%.0f\n", total[l]);
    }
    sbuf_puts(&plot, "plot for [k=2:8] dat using k:xtic(1) lt (k-1) title columnheader(k)");
    char setup[512];
    snprintf(setup, sizeof setup,
             "set style data histograms\nset style histogram rowstacked\n"
             "set boxwidth 0.6 relative\nset style fill solid 0.9 border rgb '#ffffff'\n"
             "set grid noxtics ytics\nset yrange [0:%.4g]\nset xtics rotate by -30 left\n"
             "set bmargin 7\nset autoscale xfix\n"
             "set offsets 0.5, 0.5, 0, 0\n",
             top > 0 ? fmin(100, top * 1.15 + 1) : 10);
    report_chart ch = {
        .name = "resi-eval-failed", .title = "Failed evaluations by reason",
        .xlabel = r->miners.by_group ? "miner group (members)" : "miner",
        .ylabel = "evaluations that failed (% of the miner's)",
        .caption = "Why validators' evaluations of each miner (or group) failed, as a share of "
                   "its evaluations: no index, no bucket worth scoring, the bucket not served, "
                   "a basic check (time, size) or duplicates. A failed evaluation lowers "
                   "credibility.",
        .setup = setup, .plot = plot.s, .data = dat.s};
    rc = dat.oom || plot.oom ? err_set(e, ERR_NOMEM, "out of memory")
                             : report_chart_add(r->c, &ch, e);
    sbuf_free(&dat);
    sbuf_free(&plot);
    return rc;
}

/* ------------------------------------------------------------ scores */

int resi_score_charts(resi_run *r, err *e)
{
    if (!report_has_table(r->db, "evaluation"))
        return 0;
    grid_spec c = {"resi-credibility", "Credibility per miner", "credibility (0–1)",
                   "Each miner's credibility after its evaluations (an EMA of the share of "
                   "its data that checked out), averaged over validators.",
                   "set yrange [0:1.05]", 1, false};
    grid_spec s = {"resi-score", "Score per miner", "score (log scale)",
                   "The score validators held for each miner when setting weights (buckets' "
                   "value plus S3 boost, times credibility^2.5), averaged over validators; "
                   "weights are these scores normalised.",
                   NULL, 1, true};
    int rc = grid_chart(r, &r->miners, &r->cred, &c, e);
    if (!rc)
        rc = grid_chart(r, &r->miners, &r->score, &s, e);
    return rc;
}
