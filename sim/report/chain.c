/* The chain's report family: per subnet, incentive, dividends, emission share,
 * consensus, validator trust and bonds over epochs (a line per uid, or per
 * group when there are many), emission by group as stacked areas, and weights
 * heatmaps at the first, middle and last epoch. Its metrics for thresholds are
 * in queries.c. */
#include "report/chain_data.h"

#include <math.h>
#include <string.h>

/* Charts of one subnet. */
typedef struct chain_sec {
    report_ctx *c;
    const chain_data *d;
    char suffix[24];           /* "-n1" */
    char where[32];            /* " · netuid 1" or "" */
} chain_sec;

int chain_detect(sqlite3 *db, int64_t run_id, bool *present, err *e)
{
    *present = false;
    if (!report_has_table(db, "epoch_neuron") || !report_has_table(db, "neuron"))
        return 0;
    sqlite3_stmt *st;
    int rc = report_prepare(db, REPORT_Q_CHAIN_PRESENT, &st, e);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, run_id);
    rc = sqlite3_step(st);
    *present = rc == SQLITE_ROW;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : report_db_error(db, "epoch_neuron", e);
}

/* "Each point averages 18 epochs." when it does. */
static void bucket_note(const chain_data *d, char *out, size_t n)
{
    if (d->bw > 1)
        snprintf(out, n, " Each point averages %lld epochs.", (long long)d->bw);
    else
        out[0] = 0;
}

void chain_x_range(const chain_data *d, const char *setup, char *out, size_t n)
{
    snprintf(out, n, "%s\nset xrange [%lld:%lld]", setup ? setup : "", (long long)d->lo,
             (long long)(d->hi > d->lo ? d->hi : d->lo + 1));
}

static const char *style_for(const chain_data *d)
{
    return d->nb <= 30 ? "linespoints" : "lines";
}

void chain_plot_lines(sbuf *plot, const chain_groups *g, const char *style)
{
    report_plot_lines(plot, g->n, g->name, g->others, style);
}

void chain_dat_header(sbuf *dat, const chain_groups *g)
{
    report_dat_header(dat, "epoch", g->n, g->name);
}

static void dat_value(sbuf *dat, double v)
{
    if (isnan(v))
        sbuf_puts(dat, "\tNaN");
    else
        sbuf_printf(dat, "\t%.6g", v);
}

typedef struct line_spec {
    const char *name, *title, *ylabel, *caption;
    chain_pop pop;
    int metric;
    chain_agg agg;
    const char *setup;
} line_spec;

static int line_chart(chain_sec *cs, const line_spec *ls, err *e)
{
    const chain_data *d = cs->d;
    chain_groups g;
    int rc = chain_groups_make(d, ls->pop, false, &g, e);
    if (rc)
        return rc;
    if (g.n == 0) {
        chain_groups_free(&g);
        return 0;   /* no such neurons (no validators, say): nothing to draw */
    }
    sbuf dat, plot, cap;
    sbuf_init(&dat);
    sbuf_init(&plot);
    sbuf_init(&cap);
    chain_dat_header(&dat, &g);
    for (int b = 0; b < d->nb; b++) {
        sbuf_printf(&dat, "%.1f", chain_data_x(d, b));
        for (int s = 0; s < g.n; s++)
            dat_value(&dat, chain_value(d, &g, s, b, ls->metric, ls->agg));
        sbuf_puts(&dat, "\n");
    }
    chain_plot_lines(&plot, &g, style_for(d));
    char note[64], name[96], title[192];
    bucket_note(d, note, sizeof note);
    sbuf_printf(&cap, "%s ", ls->caption);
    sbuf_printf(&cap, g.how, ls->pop == CHAIN_POP_VALIDATORS ? "validators"
                             : ls->pop == CHAIN_POP_MINERS   ? "miners"
                                                             : "neurons");
    sbuf_puts(&cap, note);
    snprintf(name, sizeof name, "%s%s", ls->name, cs->suffix);
    snprintf(title, sizeof title, "%s%s", ls->title, cs->where);
    char setup[256];
    chain_x_range(d, ls->setup, setup, sizeof setup);
    report_chart ch = {.name = name, .title = title, .xlabel = "epoch", .ylabel = ls->ylabel,
                       .caption = cap.s, .setup = setup, .plot = plot.s, .data = dat.s};
    if (dat.oom || plot.oom || cap.oom)
        rc = err_set(e, ERR_NOMEM, "out of memory");
    else
        rc = report_chart_add(cs->c, &ch, e);
    sbuf_free(&dat);
    sbuf_free(&plot);
    sbuf_free(&cap);
    chain_groups_free(&g);
    return rc;
}

/* Emission share by group, stacked: the columns hold running sums. */
static int stacked_chart(chain_sec *cs, err *e)
{
    const chain_data *d = cs->d;
    chain_groups g;
    int rc = chain_groups_make(d, CHAIN_POP_ALL, true, &g, e);
    if (rc || g.n == 0) {
        chain_groups_free(&g);
        return rc;
    }
    sbuf dat, plot;
    sbuf_init(&dat);
    sbuf_init(&plot);
    sbuf_puts(&dat, "# running sums of the emission share (%) of the groups, in this order:\n");
    chain_dat_header(&dat, &g);
    for (int b = 0; b < d->nb; b++) {
        double run = 0;
        sbuf_printf(&dat, "%.1f", chain_data_x(d, b));
        for (int s = 0; s < g.n; s++) {
            double v = chain_value(d, &g, s, b, CM_EMISSION, CHAIN_EMISSION_PCT);
            run += isnan(v) ? 0 : v;
            sbuf_printf(&dat, "\t%.6g", run);
        }
        sbuf_puts(&dat, "\n");
    }
    /* Top of the stack first, so the legend reads in the order of the areas. */
    sbuf_puts(&plot, "plot ");
    for (int s = g.n - 1; s >= 0; s--) {
        if (s == 0)
            sbuf_printf(&plot, "%s using 1:(0):2", s == g.n - 1 ? "dat" : "''");
        else
            sbuf_printf(&plot, "%s using 1:%d:%d", s == g.n - 1 ? "dat" : "''", s + 1, s + 2);
        sbuf_printf(&plot, " with filledcurves lt %d title ", g.others[s] ? REPORT_OTHERS_LT : s + 1);
        report_gp_key(&plot, g.name[s], REPORT_KEY_CHARS);
        sbuf_puts(&plot, s ? ", \\\n     " : "");
    }
    char note[64], name[96], title[192], cap[256];
    bucket_note(d, note, sizeof note);
    snprintf(cap, sizeof cap, "Share of each epoch's emission paid to each group (by the scenario's "
                              "group); the areas add up to 100 %%.%s",
             note);
    snprintf(name, sizeof name, "chain-emission-groups%s", cs->suffix);
    snprintf(title, sizeof title, "Emission share by group%s", cs->where);
    char setup[256];
    chain_x_range(d, "set yrange [0:100]\nset ytics 0,20,100\nset grid front", setup,
                  sizeof setup);
    report_chart ch = {.name = name, .title = title, .xlabel = "epoch",
                       .ylabel = "share of emission (%)", .caption = cap, .setup = setup,
                       .plot = plot.s, .data = dat.s};
    rc = dat.oom || plot.oom ? err_set(e, ERR_NOMEM, "out of memory")
                             : report_chart_add(cs->c, &ch, e);
    sbuf_free(&dat);
    sbuf_free(&plot);
    chain_groups_free(&g);
    return rc;
}

static const line_spec lines[] = {
    {"chain-incentive", "Miner incentive", "incentive (% of the epoch's total)",
     "Each line's share of the epoch's incentive (all miners add up to 100 %).",
     CHAIN_POP_MINERS, CM_INCENTIVE, CHAIN_SHARE_U16, "set yrange [0:*]"},
    {"chain-dividends", "Validator dividends", "dividends (% of the epoch's total)",
     "Each line's share of the epoch's dividends.", CHAIN_POP_VALIDATORS, CM_DIVIDENDS,
     CHAIN_SHARE_U16, "set yrange [0:*]"},
    {"chain-emission", "Emission share", "share of emission (%)",
     "Each line's share of the emission paid at the epoch.", CHAIN_POP_ALL, CM_EMISSION,
     CHAIN_EMISSION_PCT, "set yrange [0:*]"},
    {"chain-consensus", "Miner consensus", "consensus (0–1)",
     "Stake-weighted median weight each miner got (a group shows its members' mean).",
     CHAIN_POP_MINERS, CM_CONSENSUS, CHAIN_MEAN_U16, "set yrange [0:*]"},
    {"chain-vtrust", "Validator trust", "validator trust (0–1)",
     "How much of each validator's weight survived clipping to consensus (a group shows its "
     "members' mean).",
     CHAIN_POP_VALIDATORS, CM_VTRUST, CHAIN_MEAN_U16, "set yrange [0:1.05]"},
};

static void intro(chain_sec *cs)
{
    const chain_data *d = cs->d;
    int nv = 0, nm = 0;
    for (size_t i = 0; i < d->nrec.len; i++)
        d->nrec.v[i].validator ? nv++ : nm++;
    int64_t b0 = d->block_of[0], b1 = d->block_of[d->hi - d->lo];
    char rows[32], e0[32], e1[32];
    report_fmt_num(rows, sizeof rows, (double)d->rows, "");
    report_fmt_num(e0, sizeof e0, (double)d->lo, "");
    report_fmt_num(e1, sizeof e1, (double)d->hi, "");
    sbuf *h = report_ctx_html(cs->c);
    sbuf_printf(h, "<p>netuid %lld: %zu registrations (%d validators, %d miners), epochs %s–%s "
                   "(blocks %lld–%lld), %s epoch records. Proportions are the chain's u16 "
                   "values over 65535; emission and stake are in α (10<sup>9</sup> rao).</p>\n",
                (long long)d->netuid, d->nrec.len, nv, nm, e0, e1, (long long)b0, (long long)b1,
                rows);
}

/* Hand the registrations' earnings to the summary (top earners). */
static int note_earnings(report_ctx *c, const chain_data *d, err *e)
{
    for (size_t i = 0; i < d->nrec.len; i++) {
        const chain_nrec *r = &d->nrec.v[i];
        report_earner x = {.netuid = d->netuid, .uid = r->uid, .hotkey = strdup(r->hotkey),
                           .role = strdup(r->role), .group = strdup(r->group),
                           .emission_rao = r->emission};
        if (!x.hotkey || !x.role || !x.group || VEC_PUSH(&c->earnings, x)) {
            free(x.hotkey);
            free(x.role);
            free(x.group);
            return err_set(e, ERR_NOMEM, "out of memory");
        }
    }
    c->emission_total += d->em_sum;
    c->earnings_known = true;
    return 0;
}

static int render_subnet(report_ctx *c, int64_t netuid, bool single, err *e)
{
    chain_data d;
    char label[64];
    snprintf(label, sizeof label, "reading netuid %lld", (long long)netuid);
    progress *bar = report_ctx_progress(c, label, 1);
    int rc = chain_data_load(report_ctx_db(c), report_ctx_run(c)->id, netuid, &d, bar, e);
    progress_finish(bar);
    if (!rc)
        rc = note_earnings(c, &d, e);
    if (rc) {
        chain_data_free(&d);
        return rc;
    }
    chain_sec cs = {.c = c, .d = &d};
    char id[32], title[64];
    snprintf(id, sizeof id, "chain-n%lld", (long long)netuid);
    snprintf(title, sizeof title, single ? "Chain" : "Chain · netuid %lld", (long long)netuid);
    if (!single) {
        snprintf(cs.suffix, sizeof cs.suffix, "-n%lld", (long long)netuid);
        snprintf(cs.where, sizeof cs.where, " · netuid %lld", (long long)netuid);
    }
    rc = report_section(c, id, title, e);
    if (!rc && d.nb == 0) {
        sbuf_printf(report_ctx_html(c), "<p class=\"muted\">netuid %lld has no epoch records."
                                        "</p>\n", (long long)netuid);
        chain_data_free(&d);
        return 0;
    }
    if (!rc)
        intro(&cs);
    for (size_t i = 0; i < sizeof lines / sizeof lines[0] && !rc; i++) {
        rc = line_chart(&cs, &lines[i], e);
        if (!rc && lines[i].metric == CM_EMISSION)
            rc = stacked_chart(&cs, e);
    }
    if (!rc)
        rc = chain_bonds_chart(c, &d, cs.suffix, cs.where, e);
    if (!rc)
        rc = chain_weights_chart(c, &d, cs.suffix, cs.where, e);
    chain_data_free(&d);
    return rc;
}

int chain_netuids(sqlite3 *db, int64_t run_id, int64_t **out, size_t *n, err *e)
{
    sqlite3_stmt *st;
    *out = NULL;
    *n = 0;
    int rc = report_prepare(db, REPORT_Q_CHAIN_NETUIDS, &st, e);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, run_id);
    VEC(int64_t) v = {0};
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (VEC_PUSH(&v, sqlite3_column_int64(st, 0)))
            break;
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        VEC_FREE(&v);
        return rc == SQLITE_ROW ? err_set(e, ERR_NOMEM, "out of memory")
                                : report_db_error(db, "cannot read the neuron table", e);
    }
    *out = v.v;
    *n = v.len;
    return 0;
}

int chain_render(report_ctx *c, err *e)
{
    int64_t *netuids;
    size_t n;
    int rc = chain_netuids(report_ctx_db(c), report_ctx_run(c)->id, &netuids, &n, e);
    for (size_t i = 0; i < n && !rc; i++)
        rc = render_subnet(c, netuids[i], n == 1, e);
    free(netuids);
    return rc;
}

