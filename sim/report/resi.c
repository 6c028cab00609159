/* The real-estate report family (SPEC 2): a run's coverage of the zipcode
 * universe (map, by tier over time, uncovered premium and tier-1 zips),
 * evaluations and API checks, credibility and score, emission by strategy and
 * API usage against quota, with a line each in the summary for the day-2
 * plan's questions. Everything is read from the run's database; only the
 * state outlines of the map come from the data folder (data/us_states.dat).
 * This file: the run's neurons and lines, time buckets, the section's order,
 * and the family's descriptor with its threshold metrics. */
#include "report/resi_data.h"

#include <math.h>
#include <string.h>

const char *const resi_class[RESI_NCLASS] = {"premium", "tier1", "tier2", "tier3", "tier4"};

int resi_class_index(const char *name)
{
    for (int i = 0; name && i < RESI_NCLASS; i++)
        if (!strcmp(name, resi_class[i]))
            return i;
    return -1;
}

/* ------------------------------------------------------------ helpers */

int resi_prepare(const resi_run *r, const char *sql, sqlite3_stmt **st, err *e)
{
    if (sqlite3_prepare_v2(r->db, sql, -1, st, NULL) != SQLITE_OK)
        return report_db_error(r->db, "resi report query", e);
    sqlite3_bind_int64(*st, 1, r->run_id);
    return 0;
}

void resi_td_num(sbuf *h, double v, const char *unit)
{
    char s[64];
    report_fmt_num(s, sizeof s, v, unit);
    sbuf_printf(h, "<td class=\"num\" data-value=\"%.17g\">%s</td>", isnan(v) ? 0.0 : v, s);
}

const resi_neuron *resi_neuron_of(const resi_run *r, int64_t actor)
{
    if (actor < 0 || actor > r->max_actor || r->by_actor[actor] < 0)
        return NULL;
    return &r->neurons.v[r->by_actor[actor]];
}

int resi_line_of(const resi_run *r, const resi_lines *l, int64_t actor)
{
    if (actor < 0 || actor > r->max_actor || r->by_actor[actor] < 0)
        return -1;
    return l->of[r->by_actor[actor]];
}

double resi_bucket_x(const resi_run *r, int b)
{
    return ((double)b + 0.5) * (double)r->bucket_us / r->x_div;
}

void resi_fmt_bucket(const resi_run *r, char *out, size_t n)
{
    int64_t m = r->bucket_us / 60000000;
    if (m < 60)
        snprintf(out, n, "%lld minutes", (long long)m);
    else if (m < 1440)
        snprintf(out, n, m == 60 ? "an hour" : "%lld hours", (long long)(m / 60));
    else
        snprintf(out, n, m == 1440 ? "a day" : "%lld days", (long long)(m / 1440));
}

const char *resi_lines_how(const resi_lines *l)
{
    return l->by_group ? "A line per group (its size in brackets) averages its members."
                       : "A line per neuron.";
}

/* ------------------------------------------------------------ neurons */

static void neuron_free(resi_neuron *n)
{
    free(n->hotkey);
    free(n->group);
    free(n->label);
    free(n->role);
}

/* Every neuron with an actor (its hotkey), in actor order; a hotkey
 * registered twice keeps its first registration's row. */
static int load_neurons(resi_run *r, err *e)
{
    sqlite3_stmt *st;
    int rc = resi_prepare(r,
                          "SELECT a.actor, n.netuid, n.uid, n.hotkey, COALESCE(n.group_name, ''), "
                          "COALESCE(n.label, ''), COALESCE(n.role, '') FROM actor a JOIN neuron n "
                          "ON n.run_id = a.run_id AND n.hotkey = a.name WHERE a.run_id = ?1 "
                          "ORDER BY a.actor, n.registered_block",
                          &st, e);
    if (rc)
        return rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t actor = sqlite3_column_int64(st, 0);
        if (r->neurons.len && r->neurons.v[r->neurons.len - 1].actor == actor)
            continue;
        resi_neuron n = {.actor = actor, .netuid = sqlite3_column_int64(st, 1),
                         .uid = sqlite3_column_int64(st, 2), .hotkey = report_col_strdup(st, 3),
                         .group = report_col_strdup(st, 4), .label = report_col_strdup(st, 5),
                         .role = report_col_strdup(st, 6)};
        n.validator = !strcmp(n.role, "validator");
        if (!n.hotkey || !n.group || !n.label || !n.role || VEC_PUSH(&r->neurons, n)) {
            neuron_free(&n);
            sqlite3_finalize(st);
            return err_set(e, ERR_NOMEM, "out of memory");
        }
        r->max_actor = actor > r->max_actor ? actor : r->max_actor;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return report_db_error(r->db, "cannot read the neurons", e);
    r->by_actor = malloc((size_t)(r->max_actor + 1) * sizeof *r->by_actor);
    if (!r->by_actor)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (int64_t a = 0; a <= r->max_actor; a++)
        r->by_actor[a] = -1;
    for (size_t i = 0; i < r->neurons.len; i++)
        r->by_actor[r->neurons.v[i].actor] = (int)i;
    return 0;
}

/* A neuron's group, as lines are named: the scenario's group, else the label. */
static const char *group_of(const resi_neuron *n)
{
    return *n->group ? n->group : *n->label ? n->label : n->role;
}

static int lines_make(resi_run *r, bool validators, bool groups, resi_lines *l, err *e)
{
    *l = (resi_lines){0};
    size_t nn = r->neurons.len;
    l->of = malloc((nn ? nn : 1) * sizeof *l->of);
    if (!l->of)
        return err_set(e, ERR_NOMEM, "out of memory");
    size_t pop = 0;
    for (size_t i = 0; i < nn; i++) {
        l->of[i] = -1;
        pop += r->neurons.v[i].validator == validators;
    }
    l->by_group = groups || pop > RESI_MAX_LINES;
    for (size_t i = 0; i < nn; i++) {
        const resi_neuron *n = &r->neurons.v[i];
        if (n->validator != validators)
            continue;
        const char *name = l->by_group ? group_of(n) : n->hotkey;
        int k = 0;
        while (k < l->n && (l->others[k] || strncmp(l->name[k], name, 64)))
            k++;
        if (k == l->n) {
            if (l->n == RESI_MAX_LINES - 1 && l->by_group) {
                k = l->n++;   /* the last line holds the rest */
                snprintf(l->name[k], sizeof l->name[k], "others");
                l->others[k] = true;
            } else if (l->n == RESI_MAX_LINES) {
                k = l->n - 1;
            } else {
                k = l->n++;
                snprintf(l->name[k], sizeof l->name[k], "%.64s", name);
            }
        }
        l->of[i] = k;
        l->members[k]++;
    }
    if (l->by_group)
        for (int k = 0; k < l->n; k++) {
            char base[96];
            snprintf(base, sizeof base, "%s", l->name[k]);
            snprintf(l->name[k], sizeof l->name[k], "%.64s (%d)", base, l->members[k]);
        }
    return 0;
}

/* The bucket: a nice duration giving at most about 48 points. */
static int64_t pick_bucket(int64_t end_us)
{
    static const int64_t m = 60000000;
    static const int64_t steps[] = {5 * m, 10 * m, 15 * m, 30 * m, 60 * m, 120 * m, 180 * m,
                                    360 * m, 720 * m, 1440 * m, 2880 * m, 10080 * m};
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++)
        if (end_us / steps[i] <= 48)
            return steps[i];
    return steps[sizeof steps / sizeof *steps - 1];
}

/* The universe, by rank, and each zip's place in it by its number. */
static int load_universe(resi_run *r, err *e)
{
    r->zip_at = malloc(100000 * sizeof *r->zip_at);
    if (!r->zip_at)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (int i = 0; i < 100000; i++)
        r->zip_at[i] = -1;
    sqlite3_stmt *st;
    int rc = resi_prepare(r,
                          "SELECT zip, class, rank, premium, state, city, lat, lon, "
                          "listings_mean FROM zipcode WHERE run_id = ?1 ORDER BY rank",
                          &st, e);
    if (rc)
        return rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        resi_zip z = {.klass = resi_class_index((const char *)sqlite3_column_text(st, 1)),
                      .rank = sqlite3_column_int64(st, 2),
                      .lat = sqlite3_column_double(st, 6), .lon = sqlite3_column_double(st, 7),
                      .listings_mean = sqlite3_column_double(st, 8), .last_t = -1};
        snprintf(z.zip, sizeof z.zip, "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(z.state, sizeof z.state, "%s", (const char *)sqlite3_column_text(st, 4));
        snprintf(z.city, sizeof z.city, "%s", (const char *)sqlite3_column_text(st, 5));
        int num = atoi(z.zip);
        if (z.klass < 0 || num < 0 || num >= 100000 || r->zip_at[num] >= 0)
            continue;   /* not a zip this report knows how to place */
        if (sqlite3_column_int(st, 3))
            z.premium = ++r->npremium;
        if (VEC_PUSH(&r->uni, z)) {
            sqlite3_finalize(st);
            return err_set(e, ERR_NOMEM, "out of memory");
        }
        r->zip_at[num] = (int32_t)(r->uni.len - 1);
        r->class_zips[z.klass]++;
        r->zips++;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : report_db_error(r->db, "cannot read the zipcode table", e);
}

int resi_run_load(sqlite3 *db, int64_t run_id, double sim_seconds, report_ctx *c, bool groups,
                  resi_run *r, err *e)
{
    *r = (resi_run){.c = c, .db = db, .run_id = run_id, .max_actor = -1};
    r->end_us = (int64_t)llround(sim_seconds * 1e6);
    int rc = load_neurons(r, e);
    if (!rc)
        rc = load_universe(r, e);
    if (!rc)
        rc = lines_make(r, false, groups, &r->miners, e);
    if (!rc)
        rc = lines_make(r, true, groups, &r->validators, e);
    if (rc)
        return rc;
    if (r->end_us <= 0) {   /* an unfinished run: as far as the records go */
        sqlite3_stmt *st;
        if (!resi_prepare(r, "SELECT max(time_us) FROM coverage WHERE run_id = ?1", &st, NULL)) {
            if (sqlite3_step(st) == SQLITE_ROW)
                r->end_us = sqlite3_column_int64(st, 0);
            sqlite3_finalize(st);
        }
        r->end_us = r->end_us > 0 ? r->end_us : 3600000000;
    }
    r->bucket_us = pick_bucket(r->end_us);
    r->nb = (int)((r->end_us + r->bucket_us - 1) / r->bucket_us);
    bool days = r->end_us > 96 * 3600e6;
    r->x_div = days ? 86400e6 : 3600e6;
    r->x_label = days ? "time (days)" : "time (h)";
    r->netuid = resi_family_netuid(r->db, r->run_id);
    return 0;
}

void resi_run_free(resi_run *r)
{
    for (size_t i = 0; i < r->neurons.len; i++)
        neuron_free(&r->neurons.v[i]);
    VEC_FREE(&r->neurons);
    free(r->by_actor);
    free(r->miners.of);
    free(r->validators.of);
    free(r->tot);
    free(r->zip_at);
    free(r->pfirst);
    VEC_FREE(&r->uni);
    for (size_t i = 0; i < r->cov.seen.len; i++)
        free(r->cov.seen.v[i]);
    VEC_FREE(&r->cov.seen);
    VEC_FREE(&r->cov.t);
    VEC_FREE(&r->cov.held);
    resi_grid *g[] = {&r->cred, &r->score, &r->api_m, &r->api_v, &r->api_made};
    for (size_t i = 0; i < sizeof g / sizeof *g; i++)
        resi_grid_free(g[i]);
    resi_strategies_free(&r->strat);
    *r = (resi_run){0};
}

/* ------------------------------------------------------------ grids */

void resi_grid_free(resi_grid *g)
{
    if (!g)
        return;
    free(g->num);
    free(g->den);
    *g = (resi_grid){0};
}

int resi_grid_init(const resi_run *r, const resi_lines *l, resi_grid *g, err *e)
{
    *g = (resi_grid){.nb = r->nb, .nl = l->n};
    size_t cells = (size_t)(r->nb ? r->nb : 1) * (size_t)(l->n ? l->n : 1);
    g->num = calloc(cells, sizeof *g->num);
    g->den = calloc(cells, sizeof *g->den);
    if (!g->num || !g->den) {
        resi_grid_free(g);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    return 0;
}

void resi_grid_add(const resi_run *r, const resi_lines *l, resi_grid *g, int64_t t_us,
                   int64_t actor, double num, double den)
{
    int line = resi_line_of(r, l, actor);
    if (line < 0 || !g->num)
        return;
    int64_t b = t_us / r->bucket_us;
    b = b < 0 ? 0 : b >= r->nb ? r->nb - 1 : b;   /* a row at the very end: the last */
    g->num[b * l->n + line] += num;
    g->den[b * l->n + line] += den;
}

double resi_grid_value(const resi_grid *g, int b, int line, double scale)
{
    size_t k = (size_t)b * (size_t)g->nl + (size_t)line;
    return g->den[k] > 0 ? g->num[k] / g->den[k] * scale : NAN;
}

void resi_dat_header(sbuf *dat, const char *x, const resi_lines *l)
{
    report_dat_header(dat, x, l->n, l->name);
}

void resi_plot_lines(sbuf *plot, const resi_lines *l, const char *style)
{
    report_plot_lines(plot, l->n, l->name, l->others, style);
}

/* ------------------------------------------------------------ the family */

int resi_detect(sqlite3 *db, int64_t run_id, bool *present, err *e)
{
    *present = false;
    if (!report_has_table(db, "zipcode") || !report_has_table(db, "actor") ||
        !report_has_table(db, "neuron"))
        return 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM zipcode WHERE run_id = ?1 LIMIT 1", -1, &st,
                           NULL) != SQLITE_OK)
        return report_db_error(db, "zipcode", e);
    sqlite3_bind_int64(st, 1, run_id);
    int rc = sqlite3_step(st);
    *present = rc == SQLITE_ROW;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : report_db_error(db, "zipcode", e);
}

static void intro(resi_run *r)
{
    int nm = 0, nv = 0;
    for (size_t i = 0; i < r->neurons.len; i++)
        r->neurons.v[i].validator ? nv++ : nm++;
    char zips[RESI_NCLASS + 1][32], bucket[32];
    for (int k = 0; k < RESI_NCLASS; k++)
        report_fmt_num(zips[k], sizeof zips[k], (double)r->class_zips[k], "");
    report_fmt_num(zips[RESI_NCLASS], sizeof zips[0], (double)r->zips, "");
    resi_fmt_bucket(r, bucket, sizeof bucket);
    sbuf_printf(report_ctx_html(r->c),
                "<p>The real-estate subnet (SPEC 2): %d validator%s and %d miner%s over a "
                "universe of %s zipcodes: %s premium, and by population rank %s in tier 1, %s "
                "in tier 2, %s in tier 3, %s in tier 4. Charts over time put records in "
                "buckets of %s.</p>\n",
                nv, nv == 1 ? "" : "s", nm, nm == 1 ? "" : "s", zips[RESI_NCLASS], zips[0],
                zips[1], zips[2], zips[3], zips[4], bucket);
}

static int sub(resi_run *r, const char *title)
{
    sbuf *h = report_ctx_html(r->c);
    sbuf_puts(h, "<h3>");
    report_html_escape(h, title);
    sbuf_puts(h, "</h3>\n");
    return h->oom ? ERR_NOMEM : 0;
}

int resi_render(report_ctx *c, err *e)
{
    resi_run r;
    int rc = resi_run_load(report_ctx_db(c), report_ctx_run(c)->id,
                           report_ctx_run(c)->sim_seconds, c, false, &r, e);
    if (!rc)
        rc = resi_scan(&r, e);
    if (!rc)
        rc = report_section(c, "resi", "Real estate", e);
    if (!rc) {
        intro(&r);
        rc = resi_findings(&r, e);
    }
    if (!rc && !(rc = sub(&r, "Coverage")))
        rc = resi_map_chart(&r, e);
    if (!rc)
        rc = resi_coverage_chart(&r, e);
    if (!rc)
        rc = resi_premium_tables(&r, e);
    if (!rc && !(rc = sub(&r, "Evaluations and API checks")))
        rc = resi_evaluation_charts(&r, e);
    if (!rc)
        rc = resi_duplicates_table(&r, e);
    if (!rc)
        rc = resi_api_charts(&r, e);
    if (!rc && !(rc = sub(&r, "Scores and rewards")))
        rc = resi_score_charts(&r, e);
    if (!rc)
        rc = resi_strategy_chart(&r, e);
    if (!rc && !(rc = sub(&r, "Listings API usage")))
        rc = resi_quota_chart(&r, e);
    if (rc == ERR_NOMEM && (!e || !*e->msg))
        rc = err_set(e, ERR_NOMEM, "out of memory");
    resi_run_free(&r);
    return rc;
}

/* ------------------------------------------------------------ metrics */

/* The family's threshold metrics (the scenario's "metric" kinds of the resi
 * family, sim/runner/family_resi_schema.c). A row counts for the neurons it
 * names: an evaluation or API check for its miner and its validator. */
#define NOT_MADE "('rate_limited', 'error', 'timeout')"
static const report_metric resi_metrics[] = {
    {"coverage", "",
     "share of the zips (of where.tier; default all) the matching miners hold listings of at the "
     "epoch's coverage snapshots, 0..1; sum: held by any of them",
     "e.listings > 0", REPORT_M_ZIPS, "coverage", {"miner", NULL}, NULL, "zip", NULL},
    {"evaluation_success", "",
     "share of evaluations that ran to the end (outcome ok), of or by the matching neurons, 0..1; "
     "where.tier: of buckets of that class",
     "e.outcome = 'ok'", REPORT_M_RATE, "evaluation", {"miner", "validator"}, "1", "bucket_zip",
     NULL},
    {"api_check_success", "",
     "share of answered API checks (spot and S3) that found the listing as the miner claimed it, "
     "0..1",
     "e.result = 'valid'", REPORT_M_RATE, "api_sample", {"miner", "validator"},
     "e.result NOT IN " NOT_MADE, "zip", NULL},
    {"api_check_made", "",
     "share of API checks that got an answer (not rate limited, failed or timed out), 0..1",
     "e.result NOT IN " NOT_MADE, REPORT_M_RATE, "api_sample", {"miner", "validator"}, "1", "zip",
     NULL},
};

const report_family report_family_resi = {
    .name = "resi",
    .title = "Real estate",
    .detect = resi_detect,
    .render = resi_render,
    .metrics = resi_metrics,
    .nmetrics = sizeof resi_metrics / sizeof resi_metrics[0],
    .compare = resi_compare,
};
