/* The chain charts that read beyond epoch_neuron: bonds (sampled epochs) and
 * the weights heatmaps (validators x miners at the first, middle and last
 * epoch). Either table may be missing from a run: the chart is then left out
 * with a note. */
#include "report/chain_data.h"

#include <math.h>
#include <string.h>

/* At most this many epochs are read for the bonds chart: bonds are
 * validators x miners per epoch, too many rows to read whole in a long run. */
#define BOND_SAMPLES 200

static void note(report_ctx *c, const char *text)
{
    sbuf *h = report_ctx_html(c);
    sbuf_puts(h, "<p class=\"muted\">");
    report_html_escape(h, text);
    sbuf_puts(h, "</p>\n");
}

static int64_t sample_epoch(const chain_data *d, int k, int n)
{
    int64_t span = d->hi - d->lo;
    return n <= 1 ? d->lo : d->lo + (int64_t)llround((double)k * (double)span / (n - 1));
}

/* Sum of each validator's bonds at one epoch into val[series], counted in cnt. */
static int bonds_at(sqlite3 *db, sqlite3_stmt *st, const chain_data *d, const chain_groups *g,
                    int64_t epoch, double *val, int *cnt, err *e)
{
    int64_t block = d->block_of[epoch - d->lo];
    sqlite3_bind_int64(st, 3, epoch);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t i = chain_data_neuron_at(d, sqlite3_column_int64(st, 0), block < 0 ? 0 : block);
        int s = i >= 0 ? g->series[i] : -1;
        if (s >= 0) {
            val[s] += sqlite3_column_double(st, 1);
            cnt[s]++;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : report_db_error(db, "cannot read the bond table", e);
}

int chain_bonds_chart(report_ctx *c, const chain_data *d, const char *suffix, const char *where,
                      err *e)
{
    sqlite3 *db = report_ctx_db(c);
    if (!report_has_table(db, "bond")) {
        note(c, "No bond table in this run: bonds are not shown.");
        return 0;
    }
    chain_groups g;
    int rc = chain_groups_make(d, CHAIN_POP_VALIDATORS, false, &g, e);
    if (rc || g.n == 0) {
        chain_groups_free(&g);
        return rc;
    }
    sqlite3_stmt *st;
    if ((rc = report_prepare(db, REPORT_Q_CHAIN_BONDS_AT, &st, e))) {
        chain_groups_free(&g);
        return rc;
    }
    sqlite3_bind_int64(st, 1, report_ctx_run(c)->id);
    sqlite3_bind_int64(st, 2, d->netuid);
    int64_t span = d->hi - d->lo + 1;
    int n = span < BOND_SAMPLES ? (int)span : BOND_SAMPLES;
    sbuf dat, plot;
    sbuf_init(&dat);
    sbuf_init(&plot);
    sbuf_puts(&dat, "# bonds held: sum over miners of bond/65535, mean over a line's validators\n");
    sbuf_printf(&dat, "# epoch");
    for (int s = 0; s < g.n; s++)
        sbuf_printf(&dat, "\t\"%s\"", g.name[s]);
    sbuf_puts(&dat, "\n");
    for (int k = 0; k < n && !rc; k++) {
        double val[CHAIN_MAX_SERIES] = {0};
        int cnt[CHAIN_MAX_SERIES] = {0};
        int64_t ep = sample_epoch(d, k, n);
        rc = bonds_at(db, st, d, &g, ep, val, cnt, e);
        sbuf_printf(&dat, "%lld", (long long)ep);
        for (int s = 0; s < g.n; s++)
            sbuf_printf(&dat, cnt[s] ? "\t%.6g" : "\tNaN", cnt[s] ? val[s] / cnt[s] : 0.0);
        sbuf_puts(&dat, "\n");
    }
    sqlite3_finalize(st);
    sbuf_puts(&plot, "plot ");
    for (int s = 0; s < g.n; s++) {
        sbuf_printf(&plot, "%s%s using 1:%d with %s lt %d title ", s ? ", \\\n     " : "",
                    s ? "''" : "dat", s + 2, n <= 30 ? "linespoints" : "lines",
                    g.others[s] ? REPORT_OTHERS_LT : s + 1);
        report_gp_key(&plot, g.name[s], REPORT_KEY_CHARS);
    }
    char name[96], title[192], cap[320];
    snprintf(name, sizeof name, "chain-bonds%s", suffix);
    snprintf(title, sizeof title, "Bonds held by validators%s", where);
    snprintf(cap, sizeof cap, "Sum of each validator's stored bonds over all miners (a bond of "
                              "65535 counts 1). Validators %s; read at %d epochs.",
             g.how, n);
    char setup[96];
    snprintf(setup, sizeof setup, "set yrange [0:*]\nset xrange [%lld:%lld]", (long long)d->lo,
             (long long)(d->hi > d->lo ? d->hi : d->lo + 1));
    report_chart ch = {.name = name, .title = title, .xlabel = "epoch",
                       .ylabel = "bonds held (sum over miners)", .caption = cap,
                       .setup = setup, .plot = plot.s, .data = dat.s};
    if (!rc)
        rc = dat.oom || plot.oom ? err_set(e, ERR_NOMEM, "out of memory")
                                 : report_chart_add(c, &ch, e);
    sbuf_free(&dat);
    sbuf_free(&plot);
    chain_groups_free(&g);
    return rc;
}

/* ------------------------------------------------------------ weights */

/* One validator's weights row in force before block, as % of the row, into
 * row[0..maxuid]. */
static int weight_row(sqlite3 *db, sqlite3_stmt *last, sqlite3_stmt *get, int64_t uid,
                      int64_t block, double *row, int64_t maxuid, err *e)
{
    sqlite3_bind_int64(last, 3, uid);
    sqlite3_bind_int64(last, 4, block);
    int rc = sqlite3_step(last);
    bool has = rc == SQLITE_ROW && sqlite3_column_type(last, 0) != SQLITE_NULL;
    int64_t at = has ? sqlite3_column_int64(last, 0) : 0;
    sqlite3_reset(last);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return report_db_error(db, "cannot read the weight table", e);
    if (!has)
        return 0;
    sqlite3_bind_int64(get, 3, uid);
    sqlite3_bind_int64(get, 4, at);
    double sum = 0;
    while ((rc = sqlite3_step(get)) == SQLITE_ROW) {
        int64_t m = sqlite3_column_int64(get, 0);
        double v = sqlite3_column_double(get, 1);
        if (m >= 0 && m <= maxuid && m != uid) {   /* Yuma drops self-weights */
            row[m] += v;
            sum += v;
        }
    }
    sqlite3_reset(get);
    if (rc != SQLITE_DONE)
        return report_db_error(db, "cannot read the weight table", e);
    for (int64_t m = 0; m <= maxuid && sum > 0; m++)
        row[m] = row[m] / sum * 100.0;
    return 0;
}

/* Validators registered at block, by uid. */
static size_t validators_at(const chain_data *d, int64_t block, int64_t *uids)
{
    size_t n = 0;
    for (size_t i = 0; i < d->nrec.len; i++) {
        const chain_nrec *r = &d->nrec.v[i];
        if (r->validator && r->reg <= block && block < r->dereg)
            uids[n++] = r->uid;
    }
    return n;
}

static int heatmap_block(sqlite3 *db, sqlite3_stmt *last, sqlite3_stmt *get, const chain_data *d,
                         int64_t block, sbuf *dat, size_t *nrows, int64_t *uids, double *row,
                         double *max, err *e)
{
    size_t nv = validators_at(d, block, uids);
    *nrows = nv;
    int rc = 0;
    for (size_t v = 0; v < nv && !rc; v++) {
        for (int64_t m = 0; m <= d->maxuid; m++)
            row[m] = 0;
        rc = weight_row(db, last, get, uids[v], block, row, d->maxuid, e);
        for (int64_t m = 0; m <= d->maxuid; m++) {
            sbuf_printf(dat, m ? " %.4g" : "%.4g", row[m]);
            *max = row[m] > *max ? row[m] : *max;
        }
        sbuf_puts(dat, "\n");
    }
    sbuf_puts(dat, "\n\n");
    return rc;
}

/* y tics naming the validators' uids (every k-th when many). */
static void ytics(sbuf *p, const int64_t *uids, size_t n)
{
    size_t step = n <= 24 ? 1 : (n + 23) / 24;
    sbuf_puts(p, "set ytics (");
    for (size_t v = 0; v < n; v += step)
        sbuf_printf(p, "%s'%lld' %zu", v ? ", " : "", (long long)uids[v], v);
    sbuf_puts(p, ")\n");
}

int chain_weights_chart(report_ctx *c, const chain_data *d, const char *suffix, const char *where,
                        err *e)
{
    sqlite3 *db = report_ctx_db(c);
    if (!report_has_table(db, "weight")) {
        note(c, "No weight table in this run: weights are not shown.");
        return 0;
    }
    sqlite3_stmt *last = NULL, *get = NULL;
    int rc = report_prepare(db, REPORT_Q_CHAIN_WEIGHT_LAST, &last, e);
    if (!rc)
        rc = report_prepare(db, REPORT_Q_CHAIN_WEIGHT_ROW, &get, e);
    int64_t *uids = malloc((d->nrec.len + 1) * sizeof *uids);
    double *row = malloc((size_t)(d->maxuid + 2) * sizeof *row);
    if (!rc && (!uids || !row))
        rc = err_set(e, ERR_NOMEM, "out of memory");
    int64_t epochs[3] = {d->lo, d->lo + (d->hi - d->lo) / 2, d->hi};
    const char *which[3] = {"first", "middle", "last"};
    sbuf dat, plot;
    sbuf_init(&dat);
    sbuf_init(&plot);
    double max = 0;
    for (int k = 0; k < 2 && !rc; k++) {
        sqlite3_bind_int64(k ? get : last, 1, report_ctx_run(c)->id);
        sqlite3_bind_int64(k ? get : last, 2, d->netuid);
    }
    char name[96], title[192], setup[512];
    snprintf(name, sizeof name, "chain-weights%s", suffix);
    snprintf(title, sizeof title, "Weights: validators x uids%s", where);
    sbuf_printf(&plot, "set multiplot layout 3,1 title ");
    report_gp_quote(&plot, title);
    sbuf_puts(&plot, " font ',15'\n");
    sbuf_puts(&dat, "# weights in force (% of each validator's row): rows = validators, "
                    "columns = uids 0..n-1; one block per epoch (first, middle, last)\n");
    for (int k = 0; k < 3 && !rc; k++) {
        int64_t block = d->block_of[epochs[k] - d->lo];
        size_t nv = 0;
        rc = heatmap_block(db, last, get, d, block, &dat, &nv, uids, row, &max, e);
        if (rc)
            break;
        sbuf_printf(&plot, "set title '%s epoch: %lld (block %lld)' font ',13'\n", which[k],
                    (long long)epochs[k], (long long)block);
        sbuf_printf(&plot, "set yrange [-0.5:%zu.5]\n", nv ? nv - 1 : 0);
        ytics(&plot, uids, nv);
        sbuf_printf(&plot, "plot dat index %d matrix using 1:2:3 with image notitle\n", k);
    }
    sbuf_puts(&plot, "unset multiplot");
    sqlite3_finalize(last);
    sqlite3_finalize(get);
    free(uids);
    free(row);
    bool any = max > 0;
    if (!rc && !any)
        note(c, "No validator had set weights by the epochs shown: no weights heatmap.");
    /* One colour scale for the three panels, so they compare. */
    snprintf(setup, sizeof setup,
             "unset grid\nunset key\nset tics out\nset rmargin\nset offsets 0, 0, 0, 0\n"
             "set xrange [-0.5:%lld.5]\n"
             "set cblabel \"share of the validator's weights (%%)\"\nset cbrange [0:%.4g]\n"
             "set palette defined (0 '#f7fbff', 0.2 '#c6dbef', 0.45 '#6baed6', "
             "0.7 '#2171b5', 1 '#08306b')\n",
             (long long)d->maxuid, max > 0 ? max : 1);
    report_chart ch = {.name = name, .title = title, .xlabel = "uid (weights to)",
                       .ylabel = "validator uid", .height = 900, .raster = true, .setup = setup,
                       .plot = plot.s, .data = dat.s,
                       .caption = "The weights each validator had set before the epoch's block, "
                                  "as a share of its row (self-weights left out, as Yuma does)."};
    if (!rc && any)
        rc = dat.oom || plot.oom ? err_set(e, ERR_NOMEM, "out of memory")
                                 : report_chart_add(c, &ch, e);
    sbuf_free(&dat);
    sbuf_free(&plot);
    return rc;
}
