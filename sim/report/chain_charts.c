/* The chain charts that read beyond epoch_neuron: bonds (sampled epochs) and
 * the weights heatmaps (validators x miners at the first, middle and last
 * epoch). Either table may be missing from a run: the chart is then left out
 * with a note. */
#include "report/chain_data.h"

#include <math.h>
#include <string.h>

/* Whether a snapshot row recorded at row_block belongs to registration i: a
 * uid's rows from before its holder registered were its predecessor's. */
static bool row_is_holders(const chain_data *d, int64_t i, int64_t row_block)
{
    return i >= 0 && (d->first[d->nrec.v[i].uid] == i || row_block > d->nrec.v[i].reg);
}

/* The block of a bucket's last recorded epoch (-1 when none). */
static int64_t bucket_block(const chain_data *d, int b, int64_t *epoch)
{
    int64_t hi = d->lo + (int64_t)(b + 1) * d->bw - 1;
    hi = hi > d->hi ? d->hi : hi;
    for (int64_t ep = hi; ep >= d->lo + (int64_t)b * d->bw; ep--)
        if (d->block_of[ep - d->lo] >= 0) {
            *epoch = ep;
            return d->block_of[ep - d->lo];
        }
    *epoch = hi;
    return -1;
}

typedef struct bond_state {
    double *sum;               /* [maxuid + 1] the last row's sum of bonds (/65535) */
    int64_t *block;            /* its block; -1 none yet */
    uint16_t *buf;             /* a decoded row */
} bond_state;

/* One bucket's point: the mean, over each line's validators, of the bonds
 * they held at the bucket's last epoch. */
static void bond_point(const chain_data *d, const chain_groups *g, const bond_state *bs, int b,
                       sbuf *dat)
{
    int64_t ep, blk = bucket_block(d, b, &ep);
    if (blk < 0)
        return;
    double val[CHAIN_MAX_SERIES] = {0};
    int cnt[CHAIN_MAX_SERIES] = {0};
    for (int64_t u = 0; u <= d->maxuid; u++) {
        int64_t i = chain_data_neuron_at(d, u, blk);
        int s = i >= 0 ? g->series[i] : -1;
        if (s < 0 || bs->block[u] < 0 || !row_is_holders(d, i, bs->block[u]))
            continue;
        val[s] += bs->sum[u];
        cnt[s]++;
    }
    sbuf_printf(dat, "%lld", (long long)ep);
    for (int s = 0; s < g->n; s++)
        sbuf_printf(dat, cnt[s] ? "\t%.6g" : "\tNaN", cnt[s] ? val[s] / cnt[s] : 0.0);
    sbuf_puts(dat, "\n");
}

/* Read the snapshots in epoch order, carrying each uid's last row forward,
 * and write a point at the end of every bucket. */
static int bonds_data(sqlite3 *db, int64_t run_id, const chain_data *d, const chain_groups *g,
                      sbuf *dat, int *points, err *e)
{
    sqlite3_stmt *st;
    int rc = report_prepare(db, REPORT_Q_CHAIN_BOND_ROWS, &st, e);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, run_id);
    sqlite3_bind_int64(st, 2, d->netuid);
    size_t nu = (size_t)d->maxuid + 1;
    bond_state bs = {calloc(nu, sizeof *bs.sum), malloc(nu * sizeof *bs.block),
                     malloc(65536 * sizeof *bs.buf)};
    if (!bs.sum || !bs.block || !bs.buf)
        rc = err_set(e, ERR_NOMEM, "out of memory");
    for (size_t u = 0; !rc && u < nu; u++)
        bs.block[u] = -1;
    int b = 0;
    bool any = false;
    while (!rc && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t ep = sqlite3_column_int64(st, 0), uid = sqlite3_column_int64(st, 2);
        for (; b < d->nb && ep >= d->lo + (int64_t)(b + 1) * d->bw; b++)
            if (any) {
                bond_point(d, g, &bs, b, dat);
                (*points)++;
            }
        /* Decode exactly the row's entries: filling 65536 every time costs. */
        size_t bytes = (size_t)sqlite3_column_bytes(st, 3);
        long len = bytes / 2 <= 65536
                       ? chain_row_decode(sqlite3_column_blob(st, 3), bytes, bs.buf, bytes / 2)
                       : -1;
        if (uid < 0 || uid > d->maxuid || len < 0)
            continue;   /* not a row this subnet's neurons explain */
        double sum = 0;
        for (long k = 0; k < len; k++)
            sum += bs.buf[k];
        bs.sum[uid] = sum / 65535.0;
        bs.block[uid] = sqlite3_column_int64(st, 1);
        any = true;
        rc = 0;
    }
    if (rc == SQLITE_DONE) {
        rc = 0;
        for (; any && b < d->nb; b++, (*points)++)
            bond_point(d, g, &bs, b, dat);
    } else if (rc > 0) {
        rc = report_db_error(db, "cannot read the bond table", e);
    }
    sqlite3_finalize(st);
    free(bs.sum);
    free(bs.block);
    free(bs.buf);
    return rc;
}

int chain_bonds_chart(report_ctx *c, const chain_data *d, const char *suffix, const char *where,
                      err *e)
{
    sqlite3 *db = report_ctx_db(c);
    if (!report_has_table(db, "bond")) {
        report_note(c, "No bond table in this run: bonds are not shown.");
        return 0;
    }
    chain_groups g;
    int rc = chain_groups_make(d, CHAIN_POP_VALIDATORS, false, &g, e);
    if (rc || g.n == 0) {
        chain_groups_free(&g);
        return rc;
    }
    sbuf dat, plot;
    sbuf_init(&dat);
    sbuf_init(&plot);
    sbuf_puts(&dat, "# bonds held: sum over miners of bond/65535, mean over a line's validators,\n"
                    "# at the last epoch of each stretch of epochs\n");
    chain_dat_header(&dat, &g);
    int points = 0;
    rc = bonds_data(db, report_ctx_run(c)->id, d, &g, &dat, &points, e);
    chain_plot_lines(&plot, &g, points <= 30 ? "linespoints" : "lines");
    char name[96], title[192], cap[320], setup[96];
    snprintf(name, sizeof name, "chain-bonds%s", suffix);
    snprintf(title, sizeof title, "Bonds held by validators%s", where);
    char how[160];
    snprintf(how, sizeof how, g.how, "validators");
    snprintf(cap, sizeof cap, "Sum of each validator's stored bonds over all miners (a bond of "
                              "65535 counts 1), from the bond snapshots. %s", how);
    chain_x_range(d, "set yrange [0:*]", setup, sizeof setup);
    report_chart ch = {.name = name, .title = title, .xlabel = "epoch",
                       .ylabel = "bonds held (sum over miners)", .caption = cap,
                       .setup = setup, .plot = plot.s, .data = dat.s};
    if (!rc && points == 0)
        report_note(c, "No bonds were recorded: the bonds chart is left out.");
    else if (!rc)
        rc = dat.oom || plot.oom ? err_set(e, ERR_NOMEM, "out of memory")
                                 : report_chart_add(c, &ch, e);
    sbuf_free(&dat);
    sbuf_free(&plot);
    chain_groups_free(&g);
    return rc;
}

/* ------------------------------------------------------------ weights */

/* One validator's weights row in force at epoch, as % of the row, into
 * row[0..maxuid] (zeros when it had none, or only its predecessor's). */
static int weight_row(sqlite3 *db, sqlite3_stmt *st, const chain_data *d, int64_t i,
                      int64_t epoch, double *row, uint16_t *buf, err *e)
{
    int64_t uid = d->nrec.v[i].uid;
    sqlite3_bind_int64(st, 3, uid);
    sqlite3_bind_int64(st, 4, epoch);
    int rc = sqlite3_step(st);
    double sum = 0;
    if (rc == SQLITE_ROW && row_is_holders(d, i, sqlite3_column_int64(st, 0))) {
        size_t bytes = (size_t)sqlite3_column_bytes(st, 1);
        long len = bytes / 2 <= 65536
                       ? chain_row_decode(sqlite3_column_blob(st, 1), bytes, buf, bytes / 2)
                       : -1;
        for (long m = 0; m < len && m <= d->maxuid; m++)
            if (m != uid) {   /* Yuma drops self-weights */
                row[m] = buf[m];
                sum += buf[m];
            }
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return report_db_error(db, "cannot read the weight table", e);
    for (int64_t m = 0; m <= d->maxuid && sum > 0; m++)
        row[m] = row[m] / sum * 100.0;
    return 0;
}

/* Validators holding their uid at block, by uid: their registrations. */
static size_t validators_at(const chain_data *d, int64_t block, int64_t *who)
{
    size_t n = 0;
    for (int64_t u = 0; u <= d->maxuid; u++) {
        int64_t i = chain_data_neuron_at(d, u, block);
        if (i >= 0 && d->nrec.v[i].validator)
            who[n++] = i;
    }
    return n;
}

static int heatmap_block(sqlite3 *db, sqlite3_stmt *st, const chain_data *d, int64_t epoch,
                         sbuf *dat, size_t *nrows, int64_t *who, double *row, uint16_t *buf,
                         double *max, err *e)
{
    size_t nv = validators_at(d, d->block_of[epoch - d->lo], who);
    *nrows = nv;
    int rc = 0;
    for (size_t v = 0; v < nv && !rc; v++) {
        for (int64_t m = 0; m <= d->maxuid; m++)
            row[m] = 0;
        rc = weight_row(db, st, d, who[v], epoch, row, buf, e);
        for (int64_t m = 0; m <= d->maxuid; m++) {
            sbuf_printf(dat, m ? " %.4g" : "%.4g", row[m]);
            *max = row[m] > *max ? row[m] : *max;
        }
        sbuf_puts(dat, "\n");
    }
    sbuf_puts(dat, "\n\n");
    return rc;
}

/* Pixels of plot per panel for n validator rows: enough to tell rows apart. */
static int panel_px(size_t n)
{
    size_t px = n * 5;
    return px < 100 ? 100 : px > 400 ? 400 : (int)px;
}

/* y tics naming the validators' uids: every k-th, at least 18 pixels apart. */
static void ytics(sbuf *p, const chain_data *d, const int64_t *who, size_t n)
{
    double per_row = n ? (double)panel_px(n) / (double)n : 18;
    size_t step = per_row >= 18 ? 1 : (size_t)ceil(18 / per_row);
    sbuf_puts(p, "set ytics (");
    for (size_t v = 0; v < n; v += step)
        sbuf_printf(p, "%s'%lld' %zu", v ? ", " : "", (long long)d->nrec.v[who[v]].uid, v);
    sbuf_puts(p, ")\n");
}

/* The recorded epoch nearest to target (block_of known). */
static int64_t seen_epoch(const chain_data *d, int64_t target)
{
    for (int64_t k = 0; k <= d->hi - d->lo; k++) {
        if (target - k >= d->lo && d->block_of[target - k - d->lo] >= 0)
            return target - k;
        if (target + k <= d->hi && d->block_of[target + k - d->lo] >= 0)
            return target + k;
    }
    return d->lo;
}

/* The first epoch with weights, so the first panel is not empty: validators
 * set none before the first epoch. */
static int64_t first_weights_epoch(sqlite3 *db, int64_t run_id, const chain_data *d)
{
    sqlite3_stmt *st;
    int64_t ep = d->lo;
    if (report_prepare(db, REPORT_Q_CHAIN_WEIGHT_FIRST, &st, NULL))
        return ep;
    sqlite3_bind_int64(st, 1, run_id);
    sqlite3_bind_int64(st, 2, d->netuid);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        ep = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return ep < d->lo ? d->lo : ep > d->hi ? d->hi : ep;
}

int chain_weights_chart(report_ctx *c, const chain_data *d, const char *suffix, const char *where,
                        err *e)
{
    sqlite3 *db = report_ctx_db(c);
    if (!report_has_table(db, "weight")) {
        report_note(c, "No weight table in this run: weights are not shown.");
        return 0;
    }
    sqlite3_stmt *st = NULL;
    int rc = report_prepare(db, REPORT_Q_CHAIN_WEIGHT_AT, &st, e);
    int64_t *who = malloc((d->nrec.len + 1) * sizeof *who);
    double *row = malloc((size_t)(d->maxuid + 2) * sizeof *row);
    uint16_t *buf = malloc(65536 * sizeof *buf);
    if (!rc && (!who || !row || !buf))
        rc = err_set(e, ERR_NOMEM, "out of memory");
    int64_t first = seen_epoch(d, first_weights_epoch(db, report_ctx_run(c)->id, d));
    int64_t epochs[3] = {first, seen_epoch(d, first + (d->hi - first) / 2), d->hi};
    const char *which[3] = {"first epoch with weights", "middle epoch", "last epoch"};
    sbuf dat, plot;
    sbuf_init(&dat);
    sbuf_init(&plot);
    double max = 0;
    size_t most = 0;   /* validators in the fullest panel */
    if (!rc) {
        sqlite3_bind_int64(st, 1, report_ctx_run(c)->id);
        sqlite3_bind_int64(st, 2, d->netuid);
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
        size_t nv = 0;
        rc = heatmap_block(db, st, d, epochs[k], &dat, &nv, who, row, buf, &max, e);
        if (rc)
            break;
        most = nv > most ? nv : most;
        sbuf_printf(&plot, "set title '%s: %lld (block %lld)' font ',13'\n", which[k],
                    (long long)epochs[k], (long long)d->block_of[epochs[k] - d->lo]);
        sbuf_printf(&plot, "set yrange [-0.5:%zu.5]\n", nv ? nv - 1 : 0);
        ytics(&plot, d, who, nv);
        sbuf_printf(&plot, "plot dat index %d matrix using 1:2:3 with image notitle\n", k);
    }
    sbuf_puts(&plot, "unset multiplot");
    sqlite3_finalize(st);
    free(who);
    free(row);
    free(buf);
    bool any = max > 0;
    if (!rc && !any)
        report_note(c, "No validator had weights recorded: no weights heatmap.");
    /* One colour scale for the three panels, so they compare. */
    snprintf(setup, sizeof setup,
             "unset grid\nunset key\nset tics out\nset rmargin\nset offsets 0, 0, 0, 0\n"
             "set xrange [-0.5:%lld.5]\n"
             "set cblabel \"share of the validator's weights (%%)\"\nset cbrange [0:%.4g]\n"
             "set palette defined (0 '#f7fbff', 0.2 '#c6dbef', 0.45 '#6baed6', "
             "0.7 '#2171b5', 1 '#08306b')\n",
             (long long)d->maxuid, max > 0 ? max : 1);
    report_chart ch = {.name = name, .title = title, .xlabel = "uid (weights to)",
                       .ylabel = "validator uid", .height = 3 * (150 + panel_px(most)),
                       .raster = true, .setup = setup,
                       .plot = plot.s, .data = dat.s,
                       .caption = "The weights row each validator had in force at the epoch (its "
                                  "last snapshot), as a share of the row; self-weights left out, "
                                  "as Yuma does."};
    if (!rc && any)
        rc = dat.oom || plot.oom ? err_set(e, ERR_NOMEM, "out of memory")
                                 : report_chart_add(c, &ch, e);
    sbuf_free(&dat);
    sbuf_free(&plot);
    return rc;
}
