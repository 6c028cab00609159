/* The day-2 plan's questions, a line each in the summary (report_finding):
 * who reached premium zips first, which strategy earned most, did validators
 * agree, how evaluations and API checks went, and what the miners cover at
 * the end. Each answer is a fact read from the database (the tests check
 * them against SQL). */
#include "report/resi_data.h"

#include <math.h>
#include <string.h>

/* ------------------------------------------------------------ premium */

/* The first snapshot that shows a premium zip held, and how many each miner
 * held then (0 for those that held none). */
static int64_t premium_counts(const resi_run *r, int *count)
{
    int64_t t0 = -1;
    for (int64_t a = 0; a <= r->max_actor; a++)
        for (int p = 0; p < r->npremium; p++) {
            int64_t t = resi_pfirst(r, p, a);
            t0 = t >= 0 && (t0 < 0 || t < t0) ? t : t0;
        }
    for (int64_t a = 0; a <= r->max_actor; a++) {
        count[a] = 0;
        for (int p = 0; p < r->npremium; p++)
            count[a] += t0 >= 0 && resi_pfirst(r, p, a) == t0;
    }
    return t0;
}

static void snapshot_step(const resi_run *r, char *out, size_t n)
{
    int64_t step = -1;
    for (size_t i = 1; i < r->cov.t.len; i++) {
        int64_t d = r->cov.t.v[i] - r->cov.t.v[i - 1];
        step = step < 0 || d < step ? d : step;
    }
    char d[32];
    report_fmt_duration(d, sizeof d, (double)step / 1e6);
    if (step > 0)
        snprintf(out, n, "; snapshots every %s", d);
    else
        out[0] = 0;
}

/* Many tied leaders: how many, by strategy ("72 miners: 32 premium-focus,
 * 32 tier-weighted, 8 copier"). */
static void leaders_by_strategy(const resi_run *r, const int *count, int most, int leaders,
                                sbuf *who)
{
    const char *label[RESI_MAX_LINES];
    int n[RESI_MAX_LINES], nl = 0;
    for (int64_t a = 0; a <= r->max_actor; a++) {
        const resi_neuron *m = resi_neuron_of(r, a);
        if (!m || count[a] != most)
            continue;
        const char *l = *m->label ? m->label : "other";
        int k = 0;
        while (k < nl && strcmp(label[k], l))
            k++;
        if (k == nl && nl < RESI_MAX_LINES) {
            label[nl] = l;
            n[nl++] = 0;
        }
        n[k < nl ? k : nl - 1]++;
    }
    who->len = 0;
    if (who->s)
        who->s[0] = 0;
    sbuf_printf(who, "%d miners (", leaders);
    for (int k = 0; k < nl; k++)
        sbuf_printf(who, "%s%d %s", k ? ", " : "", n[k], label[k]);
    sbuf_puts(who, ")");
}

static int premium_first(resi_run *r, err *e)
{
    int *count = calloc((size_t)r->max_actor + 1, sizeof *count);
    if (!count)
        return err_set(e, ERR_NOMEM, "out of memory");
    int64_t t0 = premium_counts(r, count);
    int most = 0, leaders = 0, others = 0;
    for (int64_t a = 0; a <= r->max_actor; a++)
        most = count[a] > most ? count[a] : most;
    sbuf who;
    sbuf_init(&who);
    for (int64_t a = 0; a <= r->max_actor; a++) {
        if (!count[a] || count[a] < most) {
            others += count[a] > 0;
            continue;
        }
        const resi_neuron *n = resi_neuron_of(r, a);
        if (leaders++ < 3)
            sbuf_printf(&who, "%s%s", leaders > 1 ? ", " : "", n ? n->hotkey : "?");
    }
    if (leaders > 3)
        leaders_by_strategy(r, count, most, leaders, &who);
    free(count);
    char answer[700];
    if (t0 < 0) {
        snprintf(answer, sizeof answer,
                 "No miner held listings of a premium zip at any coverage snapshot.");
    } else {
        char when[32], step[64];
        report_fmt_duration(when, sizeof when, (double)t0 / 1e6);
        snapshot_step(r, step, sizeof step);
        int len = snprintf(answer, sizeof answer,
                           "%s, with listings of %d of the %lld premium zips%s at the first "
                           "coverage snapshot that shows any (%s%s)",
                           who.s ? who.s : "", most, (long long)r->class_zips[0],
                           leaders > 1 ? " each" : "", when, step);
        if (len > 0 && (size_t)len < sizeof answer)
            snprintf(answer + len, sizeof answer - (size_t)len,
                     others ? "; %d other miner%s held fewer by then." : ".", others,
                     others == 1 ? "" : "s");
    }
    sbuf_free(&who);
    return report_finding(r->c, "Who reached premium zips first?", answer, e);
}

/* ------------------------------------------------------------ earnings */

/* An organic miner's most played arm: " mostly playing premium (12 of 20 rounds)". */
static void organic_arm(const resi_run *r, const char *hotkey, char *out, size_t n)
{
    out[0] = 0;
    int64_t actor = -1;
    for (size_t i = 0; i < r->neurons.len; i++)
        if (!strcmp(r->neurons.v[i].hotkey, hotkey))
            actor = r->neurons.v[i].actor;
    sqlite3_stmt *st;
    if (actor < 0 || !report_has_table(r->db, "miner_learn") ||
        resi_prepare(r,
                     "SELECT arm, count(*), (SELECT count(*) FROM miner_learn WHERE run_id = ?1 "
                     "AND miner = ?2 AND round > 0) FROM miner_learn WHERE run_id = ?1 AND "
                     "miner = ?2 AND round > 0 GROUP BY arm ORDER BY 2 DESC, arm LIMIT 1",
                     &st, NULL))
        return;
    sqlite3_bind_int64(st, 2, actor);
    if (sqlite3_step(st) == SQLITE_ROW)
        snprintf(out, n, ", playing %s in %lld of its %lld rounds",
                 (const char *)sqlite3_column_text(st, 0), (long long)sqlite3_column_int64(st, 1),
                 (long long)sqlite3_column_int64(st, 2));
    sqlite3_finalize(st);
}

/* The miner who earned most, from the chain family's earnings when read. */
static void top_miner(const resi_run *r, char *out, size_t n)
{
    out[0] = 0;
    const report_ctx *c = r->c;
    double total = 0;
    const report_earner *best = NULL;
    for (size_t i = 0; c->earnings_known && i < c->earnings.len; i++) {
        const report_earner *x = &c->earnings.v[i];
        if (strcmp(x->role, "miner"))
            continue;
        total += (double)x->emission_rao;
        if (!best || x->emission_rao > best->emission_rao)
            best = x;
    }
    if (!best || total <= 0)
        return;
    char arm[160];
    organic_arm(r, best->hotkey, arm, sizeof arm);
    snprintf(out, n, "; %s earned most, %.1f %% of the miners' emission%s",
             best->hotkey, 100.0 * (double)best->emission_rao / total, arm);
}

static int strategy_most(resi_run *r, err *e)
{
    const resi_strategies *s = &r->strat;
    int best = -1, miners = 0;
    for (int k = 0; k < s->n; k++)
        if (!s->validators[k]) {
            miners++;
            if (best < 0 || s->run_em[k] > s->run_em[best])
                best = k;
        }
    char answer[600];
    if (best < 0 || s->miner_total <= 0) {
        snprintf(answer, sizeof answer, "No miner earned any emission.");
    } else {
        double share = 100.0 * s->run_em[best] / s->miner_total;
        if (miners == 1) {
            char top[300];
            top_miner(r, top, sizeof top);
            snprintf(answer, sizeof answer, "Every miner is %s, the run's only strategy%s.",
                     s->name[best], top);
        } else {
            char each[48] = "";
            if (s->members[best] > 1)
                snprintf(each, sizeof each, ", %.2f %% each", share / s->members[best]);
            snprintf(answer, sizeof answer,
                     "%s: %.1f %% of the miners' emission over the run (%.1f %% of all "
                     "emission), %d miner%s%s.",
                     s->name[best], share, 100.0 * s->run_em[best] / s->run_total,
                     s->members[best], s->members[best] == 1 ? "" : "s", each);
        }
    }
    return report_finding(r->c, "Which strategy earned most?", answer, e);
}

/* ------------------------------------------------------------ agreement */

/* Validator trust, the chain's measure: the share of a validator's weight
 * that survives clipping at consensus, so 1 means it agrees with consensus
 * everywhere, and a validator earns dividends in proportion to it. */
static int validators_agree(resi_run *r, err *e)
{
    char sql[900];
    snprintf(sql, sizeof sql,
             "SELECT n.hotkey, e.validator_trust / 65535.0 FROM epoch_neuron e JOIN neuron n "
             "ON n.run_id = e.run_id AND n.netuid = e.netuid AND n.uid = e.uid "
             "WHERE e.run_id = ?1 AND e.netuid = %lld AND n.role = 'validator' AND e.permit "
             "AND e.epoch = (SELECT max(epoch) FROM epoch_neuron WHERE run_id = ?1 AND "
             "netuid = %lld) ORDER BY 2, n.hotkey",
             (long long)r->netuid, (long long)r->netuid);
    sqlite3_stmt *st;
    int rc = resi_prepare(r, sql, &st, e);
    if (rc)
        return rc;
    int n = 0;
    double sum = 0, low = 0;
    char lowest[96] = "";
    while (sqlite3_step(st) == SQLITE_ROW) {
        double v = sqlite3_column_double(st, 1);
        if (!n) {
            low = v;
            snprintf(lowest, sizeof lowest, "%s", (const char *)sqlite3_column_text(st, 0));
        }
        sum += v;
        n++;
    }
    sqlite3_finalize(st);
    char answer[600];
    if (n == 0)
        snprintf(answer, sizeof answer, "No validator held a permit at the last epoch.");
    else if (n == 1)
        snprintf(answer, sizeof answer,
                 "One validator (%s): its weights are the consensus, validator trust %.2f at "
                 "the last epoch. Run several validators to see them disagree.",
                 lowest, low);
    else
        snprintf(answer, sizeof answer,
                 "By validator trust at the last epoch (the share of a validator's weight that "
                 "survives clipping at consensus: 1 agrees everywhere): mean %.3f over %d "
                 "validators, lowest %.3f (%s).",
                 sum / n, n, low, lowest);
    return report_finding(r->c, "Did validators agree?", answer, e);
}

/* ------------------------------------------------------------ checks */

/* A pooled rate over the miners (ok / n of their totals, by field offset):
 * overall and the lowest line's. */
typedef double (*tot_field)(const resi_tot *t, bool den);

static double f_eval(const resi_tot *t, bool den) { return den ? t->m.evals : t->m.eval_ok; }
static double f_valid(const resi_tot *t, bool den) { return den ? t->m.answered : t->m.valid; }
static double f_made(const resi_tot *t, bool den) { return den ? t->m.checks : t->m.answered; }

/* Overall: every evaluation or check (each names one miner, which may be a
 * validator without a permit); lowest: of the miners' lines. */
static void rates(const resi_run *r, tot_field f, double *all, double *low, int *lowline)
{
    double ok[RESI_MAX_LINES] = {0}, n[RESI_MAX_LINES] = {0}, tok = 0, tn = 0;
    for (size_t i = 0; i < r->neurons.len; i++) {
        int l = r->miners.of[i];
        const resi_tot *t = &r->tot[r->neurons.v[i].actor];
        tok += f(t, false);
        tn += f(t, true);
        if (l < 0)
            continue;
        ok[l] += f(t, false);
        n[l] += f(t, true);
    }
    *all = tn > 0 ? 100 * tok / tn : NAN;
    *low = NAN;
    *lowline = -1;
    for (int l = 0; l < r->miners.n; l++)
        if (n[l] > 0 && (*lowline < 0 || 100 * ok[l] / n[l] < *low)) {
            *low = 100 * ok[l] / n[l];
            *lowline = l;
        }
}

/* Miners no longer evaluated over the last quarter of the run, into out: a
 * validator skips a uid that holds a validator permit with enough stake, and
 * a miner's emission is its stake. */
static void stalled(const resi_run *r, char *out, size_t n)
{
    out[0] = 0;
    int64_t cut = r->end_us - r->end_us / 4;
    VEC(const resi_neuron *) late = {0};
    for (size_t i = 0; i < r->neurons.len; i++) {
        const resi_neuron *m = &r->neurons.v[i];
        int64_t t = r->tot[m->actor].last_eval;
        if (!m->validator && t >= 0 && t < cut && VEC_PUSH(&late, m))
            break;
    }
    /* earliest first */
    for (size_t i = 1; i < late.len; i++)
        for (size_t j = i; j > 0 && r->tot[late.v[j]->actor].last_eval <
                                        r->tot[late.v[j - 1]->actor].last_eval;
             j--) {
            const resi_neuron *x = late.v[j];
            late.v[j] = late.v[j - 1];
            late.v[j - 1] = x;
        }
    size_t len = 0;
    int permits = 0;
    char sql[300];
    snprintf(sql, sizeof sql,
             "SELECT permit FROM epoch_neuron WHERE run_id = ?1 AND netuid = %lld AND uid = ?2 "
             "ORDER BY epoch DESC LIMIT 1",
             (long long)r->netuid);
    sqlite3_stmt *st = NULL;
    if (late.len && report_has_table(r->db, "epoch_neuron"))
        resi_prepare(r, sql, &st, NULL);
    for (size_t i = 0; i < late.len && len < n; i++) {
        if (st) {
            sqlite3_bind_int64(st, 2, late.v[i]->uid);
            permits += sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
            sqlite3_reset(st);
        }
        if (i < 4) {
            char t[32];
            report_fmt_duration(t, sizeof t, (double)r->tot[late.v[i]->actor].last_eval / 1e6);
            len += (size_t)snprintf(out + len, n - len, "%s%s (last at %s)",
                                    i ? ", " : " Not evaluated in the last quarter of the run: ",
                                    late.v[i]->hotkey, t);
        }
    }
    sqlite3_finalize(st);
    if (late.len > 4 && len < n)
        len += (size_t)snprintf(out + len, n - len, " and %zu more", late.len - 4);
    if (late.len && len < n)
        snprintf(out + len, n - len,
                 permits ? "; %d of them hold a validator permit at the end (a validator "
                           "skips uids with a permit and enough stake, and a miner's emission "
                           "adds to its stake)."
                         : ".",
                 permits);
    VEC_FREE(&late);
}

static int checks(resi_run *r, err *e)
{
    if (!report_has_table(r->db, "evaluation") || !report_has_table(r->db, "api_sample"))
        return 0;
    double ev, evlow, ok, oklow, made, madelow;
    int evl, okl, madel;
    rates(r, f_eval, &ev, &evlow, &evl);
    rates(r, f_valid, &ok, &oklow, &okl);
    rates(r, f_made, &made, &madelow, &madel);
    char answer[1400], stall[600], vals[300] = "";
    stalled(r, stall, sizeof stall);
    double of_val = 0, of_val_ok = 0, all = 0;
    for (size_t i = 0; i < r->neurons.len; i++) {
        const resi_tot *t = &r->tot[r->neurons.v[i].actor];
        all += t->m.evals;
        if (r->neurons.v[i].validator) {
            of_val += t->m.evals;
            of_val_ok += t->m.eval_ok;
        }
    }
    if (of_val > 0)
        snprintf(vals, sizeof vals,
                 " %.1f %% of the evaluations were of validators taken for miners (no "
                 "validator permit, or less stake than the permit limit); %.1f %% of those ran "
                 "to the end.",
                 100 * of_val / all, 100 * of_val_ok / of_val);
    snprintf(answer, sizeof answer,
             "%.1f %% of evaluations ran to the end (lowest: %s, %.1f %%); %.1f %% of API "
             "checks got an answer, and %.1f %% of those matched the listing (lowest: %s, "
             "%.1f %%; the plan's bar is 60 %%).%s%s",
             ev, evl >= 0 ? r->miners.name[evl] : "none", evlow, made, ok,
             okl >= 0 ? r->miners.name[okl] : "none", oklow, vals, stall);
    return report_finding(r->c, "Did evaluations and API checks work?", answer, e);
}

/* ------------------------------------------------------------ coverage */

static int coverage_end(resi_run *r, err *e)
{
    if (!r->cov.t.len)
        return 0;
    size_t last = r->cov.t.len - 1;
    const int64_t *held = r->cov.held.v[last].n;
    char h[RESI_NCLASS][24], of[RESI_NCLASS + 1][24];
    for (int k = 0; k < RESI_NCLASS; k++) {
        report_fmt_num(h[k], sizeof h[k], (double)held[k], "");
        report_fmt_num(of[k], sizeof of[k], (double)r->class_zips[k], "");
    }
    report_fmt_num(of[RESI_NCLASS], sizeof of[0], (double)r->zips, "");
    char answer[500];
    snprintf(answer, sizeof answer,
             "At the end miners hold listings of %s of %s premium zips, %s of %s tier-1, %s of "
             "%s tier-2, %s of %s tier-3 and %s of %s tier-4 zips: %.1f %% of the %s in the "
             "universe.",
             h[0], of[0], h[1], of[1], h[2], of[2], h[3], of[3], h[4], of[4],
             resi_cov_pct(r, last, -1), of[RESI_NCLASS]);
    return report_finding(r->c, "How much of the US do miners cover?", answer, e);
}

int resi_findings(resi_run *r, err *e)
{
    int rc = 0;
    if (r->cov.t.len)
        rc = premium_first(r, e);
    if (!rc && report_has_table(r->db, "epoch_neuron"))
        rc = strategy_most(r, e);
    if (!rc && report_has_table(r->db, "epoch_neuron"))
        rc = validators_agree(r, e);
    if (!rc)
        rc = checks(r, e);
    if (!rc)
        rc = coverage_end(r, e);
    return rc;
}
