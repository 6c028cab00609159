/* Emission by strategy: the family's subnet's epoch records summed by the
 * miners' strategy (neuron.label) and the validators as one, over epoch
 * buckets (read once, by resi_scan); drawn as stacked areas, and used by the
 * findings and compare too. A uid's row counts for its holder at the epoch: its last
 * registration before the epoch's block (the epoch runs before the block's
 * registrations). */
#include "report/resi_data.h"

#include <math.h>
#include <string.h>

#define MAX_POINTS 400

typedef struct reg {
    int64_t uid, block;
    int k;                     /* strategy index */
} reg;

typedef VEC(reg) regs_vec;

int64_t resi_family_netuid(sqlite3 *db, int64_t run_id)
{
    const char *q[] = {
        "SELECT n.netuid FROM evaluation v JOIN actor a ON a.run_id = v.run_id AND "
        "a.actor = v.validator JOIN neuron n ON n.run_id = a.run_id AND n.hotkey = a.name "
        "WHERE v.run_id = ?1 LIMIT 1",
        "SELECT min(netuid) FROM neuron WHERE run_id = ?1"};
    int64_t netuid = 0;
    for (size_t i = 0; i < 2 && !netuid; i++) {
        sqlite3_stmt *st;
        if (!report_has_table(db, i ? "neuron" : "evaluation") ||
            sqlite3_prepare_v2(db, q[i], -1, &st, NULL) != SQLITE_OK)
            continue;
        sqlite3_bind_int64(st, 1, run_id);
        if (sqlite3_step(st) == SQLITE_ROW)
            netuid = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    return netuid;
}

/* The strategy a registration counts under: its index, added when new. */
static int strategy_index(resi_strategies *s, const char *name, bool validator)
{
    for (int k = 0; k < s->n; k++)
        if (s->validators[k] == validator && !strcmp(s->name[k], name))
            return k;
    if (s->n == RESI_MAX_LINES) {
        snprintf(s->name[s->n - 1], sizeof s->name[0], "others");
        return s->n - 1;
    }
    snprintf(s->name[s->n], sizeof s->name[0], "%s", name);
    s->validators[s->n] = validator;
    return s->n++;
}

static int load_regs(sqlite3 *db, int64_t run_id, int64_t netuid, resi_strategies *s,
                     regs_vec *regs, err *e)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT uid, registered_block, COALESCE(role, ''), "
                           "COALESCE(label, group_name, '') FROM neuron WHERE run_id = ?1 AND "
                           "netuid = ?2 ORDER BY uid, registered_block",
                           -1, &st, NULL) != SQLITE_OK)
        return report_db_error(db, "cannot read neurons", e);
    sqlite3_bind_int64(st, 1, run_id);
    sqlite3_bind_int64(st, 2, netuid);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        bool v = !strcmp((const char *)sqlite3_column_text(st, 2), "validator");
        const char *label = (const char *)sqlite3_column_text(st, 3);
        reg g = {sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                 strategy_index(s, v ? "validators" : *label ? label : "miners", v)};
        s->members[g.k]++;
        if (VEC_PUSH(regs, g)) {
            sqlite3_finalize(st);
            return err_set(e, ERR_NOMEM, "out of memory");
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : report_db_error(db, "cannot read neurons", e);
}

/* The registration holding uid at block: regs are sorted by (uid, block). */
static int holder(const reg *r, size_t n, int64_t uid, int64_t block)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {   /* first entry >= (uid, block) */
        size_t mid = lo + (hi - lo) / 2;
        if (r[mid].uid < uid || (r[mid].uid == uid && r[mid].block < block))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo > 0 && r[lo - 1].uid == uid)
        return r[lo - 1].k;   /* the last registered before the block */
    return lo < n && r[lo].uid == uid ? r[lo].k : -1;   /* a row before any: the first */
}

static int epoch_span(sqlite3 *db, int64_t run_id, int64_t netuid, resi_strategies *s, err *e)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT min(epoch), max(epoch) FROM epoch_neuron WHERE "
                               "run_id = ?1 AND netuid = ?2", -1, &st, NULL) != SQLITE_OK)
        return report_db_error(db, "cannot read epoch_neuron", e);
    sqlite3_bind_int64(st, 1, run_id);
    sqlite3_bind_int64(st, 2, netuid);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        s->lo = sqlite3_column_int64(st, 0);
        s->hi = sqlite3_column_int64(st, 1);
        s->bw = (s->hi - s->lo) / MAX_POINTS + 1;
        s->nb = (int)((s->hi - s->lo) / s->bw + 1);
    }
    sqlite3_finalize(st);
    return 0;
}

int resi_strategies_load(sqlite3 *db, int64_t run_id, int64_t netuid, resi_strategies *s,
                         err *e)
{
    *s = (resi_strategies){0};
    regs_vec regs = {0};
    int rc = load_regs(db, run_id, netuid, s, &regs, e);
    if (!rc)
        rc = epoch_span(db, run_id, netuid, s, e);
    if (!rc && s->nb) {
        s->em = calloc((size_t)s->nb * RESI_MAX_LINES, sizeof *s->em);
        s->total = calloc((size_t)s->nb, sizeof *s->total);
        if (!s->em || !s->total)
            rc = err_set(e, ERR_NOMEM, "out of memory");
    }
    sqlite3_stmt *st = NULL;
    if (!rc && s->nb &&
        sqlite3_prepare_v2(db, "SELECT epoch, block, uid, emission FROM epoch_neuron WHERE "
                               "run_id = ?1 AND netuid = ?2", -1, &st, NULL) != SQLITE_OK)
        rc = report_db_error(db, "cannot read epoch_neuron", e);
    if (st) {
        sqlite3_bind_int64(st, 1, run_id);
        sqlite3_bind_int64(st, 2, netuid);
        int step;
        while ((step = sqlite3_step(st)) == SQLITE_ROW) {
            int k = holder(regs.v, regs.len, sqlite3_column_int64(st, 2),
                           sqlite3_column_int64(st, 1));
            int64_t b = (sqlite3_column_int64(st, 0) - s->lo) / s->bw;
            double em = (double)sqlite3_column_int64(st, 3);
            if (k < 0 || b < 0 || b >= s->nb)
                continue;
            s->em[b * RESI_MAX_LINES + k] += em;
            s->total[b] += em;
            s->run_em[k] += em;
            s->run_total += em;
            s->miner_total += s->validators[k] ? 0 : em;
        }
        if (step != SQLITE_DONE)
            rc = report_db_error(db, "cannot read epoch_neuron", e);
        sqlite3_finalize(st);
    }
    VEC_FREE(&regs);
    if (rc)
        resi_strategies_free(s);
    return rc;
}

void resi_strategies_free(resi_strategies *s)
{
    free(s->em);
    free(s->total);
    *s = (resi_strategies){0};
}

/* ------------------------------------------------------------ the chart */

int resi_strategy_chart(resi_run *r, err *e)
{
    const resi_strategies *s = &r->strat;
    if (!s->nb || s->run_total <= 0) {
        report_note(r->c, "Emission by strategy: no emission was recorded.");
        return 0;
    }
    /* miners' strategies by what they earned, validators on top */
    int order[RESI_MAX_LINES], n = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int k = 0; k < s->n; k++)
            if (s->validators[k] == (pass == 1))
                order[n++] = k;
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && !s->validators[order[j]] &&
                        s->run_em[order[j]] > s->run_em[order[j - 1]];
             j--) {
            int t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    sbuf dat, plot;
    sbuf_init(&dat);
    sbuf_init(&plot);
    sbuf_puts(&dat, "# running sums of the emission share (%) by strategy, in this order\n# epoch");
    for (int i = 0; i < n; i++)
        sbuf_printf(&dat, "\t\"%s (%d)\"", s->name[order[i]], s->members[order[i]]);
    sbuf_puts(&dat, "\n");
    for (int b = 0; b < s->nb; b++) {
        if (s->total[b] <= 0)
            continue;
        double run = 0;
        sbuf_printf(&dat, "%.1f", (double)s->lo + ((double)b + 0.5) * (double)s->bw - 0.5);
        for (int i = 0; i < n; i++) {
            run += 100.0 * s->em[b * RESI_MAX_LINES + order[i]] / s->total[b];
            sbuf_printf(&dat, "\t%.6g", run);
        }
        sbuf_puts(&dat, "\n");
    }
    sbuf_puts(&plot, "plot ");
    for (int i = n - 1; i >= 0; i--) {
        char name[96];
        snprintf(name, sizeof name, "%s (%d)", s->name[order[i]], s->members[order[i]]);
        sbuf_printf(&plot, "%s using 1:", i == n - 1 ? "dat" : "''");
        if (i)
            sbuf_printf(&plot, "%d:%d", i + 1, i + 2);
        else
            sbuf_puts(&plot, "(0):2");
        sbuf_printf(&plot, " with filledcurves lt %d title ",
                    s->validators[order[i]] ? REPORT_OTHERS_LT : i + 1);
        report_gp_key(&plot, name, REPORT_KEY_CHARS);
        sbuf_puts(&plot, i ? ", \\\n     " : "");
    }
    char setup[160], cap[300];
    snprintf(setup, sizeof setup, "set yrange [0:100]\nset ytics 0,20,100\nset grid front\n"
                                  "set xrange [%lld:%lld]",
             (long long)s->lo, (long long)(s->hi > s->lo ? s->hi : s->lo + 1));
    snprintf(cap, sizeof cap, "Share of each epoch's emission paid to the miners of each "
                              "strategy (their count in brackets) and to the validators "
                              "(dividends, grey); the areas add up to 100 %%.%s",
             s->bw > 1 ? " Each point averages several epochs." : "");
    report_chart ch = {.name = "resi-strategies", .title = "Emission share by strategy",
                       .xlabel = "epoch", .ylabel = "share of emission (%)", .caption = cap,
                       .setup = setup, .plot = plot.s, .data = dat.s};
    int rc = dat.oom || plot.oom ? err_set(e, ERR_NOMEM, "out of memory")
                                 : report_chart_add(r->c, &ch, e);
    sbuf_free(&dat);
    sbuf_free(&plot);
    return rc;
}
