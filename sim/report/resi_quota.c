/* Listings API usage against quota: each caller's quota used (the API's own
 * count, carried forward through hours without calls), averaged over a line's
 * callers; and a table of calls, 429s and how long the quota lasts at the
 * run's pace. Miners' and validators' lines share the chart. */
#include "report/resi_data.h"

#include <math.h>
#include <string.h>

typedef struct qline {
    char name[96];
    bool others;
    int callers;
    double calls, counted, rate_limited, quota_exceeded, quota;
    char plan[16];
} qline;

typedef struct qcaller {
    int line;                  /* -1: not drawn */
    bool seen;
    double used_pct;           /* last quota_used / quota, % (NAN: unlimited) */
} qcaller;

/* A caller's line: miners' lines first, then validators' (at most 12). */
static int line_of(const resi_run *r, int64_t actor)
{
    const resi_neuron *n = resi_neuron_of(r, actor);
    if (!n)
        return -1;
    const resi_lines *l = n->validator ? &r->validators : &r->miners;
    int k = resi_line_of(r, l, actor);
    int at = k < 0 ? -1 : n->validator ? r->miners.n + k : k;
    return at < RESI_MAX_LINES ? at : -1;
}

static void name_lines(const resi_run *r, qline *q)
{
    for (int k = 0; k < r->miners.n && k < RESI_MAX_LINES; k++) {
        snprintf(q[k].name, sizeof q[k].name, "%s", r->miners.name[k]);
        q[k].others = r->miners.others[k];
    }
    for (int k = 0; k < r->validators.n && r->miners.n + k < RESI_MAX_LINES; k++) {
        snprintf(q[r->miners.n + k].name, sizeof q[0].name, "%s", r->validators.name[k]);
        q[r->miners.n + k].others = r->validators.others[k];
    }
}

/* Each caller's totals into its line, and its line into c. */
static int totals(resi_run *r, qline *q, qcaller *c, size_t nc, err *e)
{
    sqlite3_stmt *st;
    int rc = resi_prepare(r,
                          "SELECT caller, max(quota), min(plan), max(plan), sum(calls), "
                          "sum(rate_limited), sum(quota_exceeded) FROM api_usage "
                          "WHERE run_id = ?1 GROUP BY caller",
                          &st, e);
    if (rc)
        return rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t a = sqlite3_column_int64(st, 0);
        int k = line_of(r, a);
        if (k < 0 || a < 0 || (size_t)a >= nc)
            continue;
        c[a].line = k;
        qline *l = &q[k];
        const char *lo = (const char *)sqlite3_column_text(st, 2);
        const char *hi = (const char *)sqlite3_column_text(st, 3);
        bool same = lo && hi && !strcmp(lo, hi) && (!l->callers || !strcmp(l->plan, lo));
        snprintf(l->plan, sizeof l->plan, "%s", same ? lo : "mixed");
        l->callers++;
        l->quota = fmax(l->quota, sqlite3_column_double(st, 1));
        double calls = sqlite3_column_double(st, 4), rl = sqlite3_column_double(st, 5),
               qe = sqlite3_column_double(st, 6);
        l->calls += calls;
        l->rate_limited += rl;
        l->quota_exceeded += qe;
        l->counted += calls - rl - qe;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : report_db_error(r->db, "cannot read api_usage", e);
}

/* One row of the chart: each drawn line's mean over its callers seen so far. */
static void hour_row(sbuf *dat, double x, const qcaller *c, size_t nc, const int *drawn, int nd)
{
    sbuf_printf(dat, "%.4g", x);
    for (int i = 0; i < nd; i++) {
        double sum = 0;
        int k = 0;
        for (size_t a = 0; a < nc; a++)
            if (c[a].line == drawn[i] && c[a].seen && !isnan(c[a].used_pct)) {
                sum += c[a].used_pct;
                k++;
            }
        sbuf_printf(dat, k ? "\t%.5g" : "\tNaN", k ? sum / k : 0.0);
    }
    sbuf_puts(dat, "\n");
}

/* The hours in order, each caller's quota used carried forward. */
static int hours(resi_run *r, qcaller *c, size_t nc, const int *drawn, int nd, sbuf *dat,
                 int *points, err *e)
{
    sqlite3_stmt *st;
    int rc = resi_prepare(r,
                          "SELECT time_us, caller, max(quota_used), max(quota) FROM api_usage "
                          "WHERE run_id = ?1 GROUP BY time_us, caller ORDER BY time_us",
                          &st, e);
    if (rc)
        return rc;
    int64_t t = -1;
    for (;;) {
        int step = sqlite3_step(st);
        int64_t now = step == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -2;
        if (now != t && t >= 0) {   /* an hour ends */
            hour_row(dat, (double)(t + 3600000000LL) / r->x_div, c, nc, drawn, nd);
            (*points)++;
        }
        if (step != SQLITE_ROW) {
            rc = step == SQLITE_DONE ? 0 : report_db_error(r->db, "cannot read api_usage", e);
            break;
        }
        t = now;
        int64_t a = sqlite3_column_int64(st, 1);
        if (a < 0 || (size_t)a >= nc || c[a].line < 0)
            continue;
        double quota = sqlite3_column_double(st, 3);
        c[a].seen = true;
        c[a].used_pct = quota > 0 ? 100.0 * sqlite3_column_double(st, 2) / quota : NAN;
    }
    sqlite3_finalize(st);
    return rc;
}

static void quota_table(resi_run *r, const qline *q, int n)
{
    double days = (double)r->end_us / 86400e6;
    sbuf *h = report_ctx_html(r->c);
    sbuf_puts(h, "<table id=\"resi-quota\">\n<tr><th>callers</th><th>plan</th>"
                 "<th class=\"num\">calls a day (each)</th>"
                 "<th class=\"num\">429: rate limit</th><th class=\"num\">429: quota spent</th>"
                 "<th class=\"num\">quota used at the end</th>"
                 "<th class=\"num\">days the quota lasts at this pace</th></tr>\n");
    for (int i = 0; i < n; i++) {
        if (!q[i].callers)
            continue;
        sbuf_puts(h, "<tr><td>");
        report_html_escape(h, q[i].name);
        sbuf_puts(h, "</td><td>");
        report_html_escape(h, q[i].plan);
        sbuf_puts(h, "</td>");
        resi_td_num(h, days > 0 ? round(q[i].calls / q[i].callers / days) : NAN, "");
        resi_td_num(h, q[i].rate_limited, "");
        resi_td_num(h, q[i].quota_exceeded, "");
        double per_day = days > 0 ? q[i].counted / q[i].callers / days : 0;
        if (q[i].quota > 0) {
            resi_td_num(h, 100.0 * q[i].counted / q[i].callers / q[i].quota, "%");
            resi_td_num(h, per_day > 0 ? round(q[i].quota / per_day) : NAN, "");
        } else {
            sbuf_puts(h, "<td class=\"num\">unlimited</td><td class=\"num\">–</td>");
        }
        sbuf_puts(h, "</tr>\n");
    }
    sbuf_puts(h, "</table>\n<p class=\"muted\">Calls that count against the quota exclude the "
                 "429s; the quota period is the API's (30 days as deployed), so a run longer "
                 "than one shows its use since the last reset.</p>\n");
}

int resi_quota_chart(resi_run *r, err *e)
{
    if (!report_has_table(r->db, "api_usage")) {
        report_note(r->c, "No listings API usage was recorded.");
        return 0;
    }
    qline q[RESI_MAX_LINES];
    memset(q, 0, sizeof q);
    name_lines(r, q);
    size_t nc = (size_t)r->max_actor + 1;
    qcaller *c = calloc(nc ? nc : 1, sizeof *c);
    if (!c)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (size_t a = 0; a < nc; a++)
        c[a] = (qcaller){.line = -1};
    int rc = totals(r, q, c, nc, e);
    /* lines of callers with a quota: unlimited plans have nothing to draw */
    int drawn[RESI_MAX_LINES], nd = 0, points = 0;
    resi_lines ql = {0};
    for (int i = 0; i < RESI_MAX_LINES; i++)
        if (q[i].callers && q[i].quota > 0) {
            drawn[nd] = i;
            memcpy(ql.name[nd], q[i].name, sizeof ql.name[nd]);
            ql.others[nd++] = q[i].others;
        }
    ql.n = nd;
    sbuf dat, plot;
    sbuf_init(&dat);
    sbuf_init(&plot);
    resi_dat_header(&dat, r->x_label, &ql);
    if (!rc && nd)
        rc = hours(r, c, nc, drawn, nd, &dat, &points, e);
    free(c);
    if (!rc && points) {
        resi_plot_lines(&plot, &ql, points <= 30 ? "linespoints" : "lines");
        char setup[96];
        snprintf(setup, sizeof setup, "set yrange [0:*]\nset xrange [0:%.4g]",
                 (double)r->end_us / r->x_div);
        report_chart ch = {
            .name = "resi-quota", .title = "Listings API quota used",
            .xlabel = r->x_label, .ylabel = "quota used (% of the plan's)",
            .caption = "Calls counted against each caller's plan quota for the period, at the "
                       "end of each hour, as a share of the quota (the mean of a line's "
                       "callers; unlimited plans have no line).",
            .setup = setup, .plot = plot.s, .data = dat.s};
        rc = dat.oom || plot.oom ? err_set(e, ERR_NOMEM, "out of memory")
                                 : report_chart_add(r->c, &ch, e);
    } else if (!rc) {
        report_note(r->c, "Every caller of the listings API is on an unlimited plan: no quota "
                          "to draw.");
    }
    if (!rc)
        quota_table(r, q, RESI_MAX_LINES);
    sbuf_free(&dat);
    sbuf_free(&plot);
    return rc;
}
