/* Load-time checks of the resi family that look across the scenario: the
 * section's own consistency, each resi miner's plan against its quota, its
 * zips and states against the zip universe (read once, only when a miner
 * names any), and copier targets. Run as the root table's check hook, so
 * every error carries file:line:column and the path. */
#include "runner/family_resi.h"

#include <string.h>

bool resi_is_miner_kind(const scenario_kind *k)
{
    /* the family's kinds are copies of miner/resi's: the tables are shared */
    for (size_t i = 0; k && i < resi_miner_nkinds; i++)
        if (k->table == resi_miner_kinds[i].table)
            return true;
    return false;
}

/* ------------------------------------------------------------- parameters */

static void world_from(const resi_section *s, world_params *wp)
{
    const resi_world_cfg *c = &s->world;
    wp->data_dir = s->data_dir;
    wp->zip_file = c->zip_file;
    wp->epoch_unix_s = c->epoch_unix_s;
    wp->top_n = (int)c->top_n;
    for (size_t i = 0; i < c->tier_max_rank.n && i < WORLD_TIERS - 1; i++)
        wp->tier_max_rank[i] = (int)c->tier_max_rank.v[i];
    for (size_t i = 0; i < c->tier_weights.n && i < WORLD_TIERS; i++)
        wp->tier_weight[i] = c->tier_weights.v[i];
    wp->npremium = (int)(c->premium.n < WORLD_PREMIUM_MAX ? c->premium.n : WORLD_PREMIUM_MAX);
    for (int i = 0; i < wp->npremium; i++)
        snprintf(wp->premium[i], sizeof wp->premium[i], "%s", c->premium.v[i]);
    wp->premium_weight = c->premium_weight;
    wp->listings_per_1000 = c->listings_per_1000;
    wp->for_sale_mean_days = c->for_sale_mean_days;
    wp->for_sale_max_days = c->for_sale_max_days;
    wp->p_withdrawn = c->p_withdrawn;
    wp->pending_mean_days = c->pending_mean_days;
    wp->sold_visible_days = c->sold_visible_days;
    wp->price_changes_per_day = c->price_changes_per_day;
    wp->p_price_cut = c->p_price_cut;
    wp->zip_price_median = c->zip_price_median;
    wp->rent_yield = c->rent_yield;
    wp->page_size = (int)c->page_size;
    wp->max_pages = (int)c->max_pages;
    wp->cache_mb = c->cache_mb;
}

int resi_section_params(const resi_section *s, world_params *wp, world_api_params *ap,
                        world_s3_params *sp, err *e)
{
    const world_profile *prof = world_profile_find("resi-2025-09");
    if (!prof)
        return err_set(e, ERR_INTERNAL, "the world profile resi-2025-09 is missing");
    *wp = prof->world;
    *ap = prof->api;
    world_from(s, wp);
    const resi_api_cfg *a = &s->api;
    for (int p = 0; p < WORLD_PLAN_COUNT; p++) {
        const resi_plan_cfg *pl = resi_plan_get(&s->plans, p);
        ap->plans[p] = (world_plan_params){pl->quota, pl->rate_per_s, pl->burst};
    }
    ap->quota_period_us = a->quota_period_us;
    ap->search_latency_us = a->search_latency_us;
    ap->lookup_latency_us = a->lookup_latency_us;
    ap->latency_sigma = a->latency_sigma;
    ap->hang_release_us = a->hang_release_us;
    ap->faults = (world_api_faults){a->faults.p_404, a->faults.p_429, a->faults.p_5xx,
                                    a->faults.p_timeout, (int)a->faults.status_5xx};
    *sp = (world_s3_params){"s3", s->s3.latency_us, s->s3.latency_sigma};
    int rc = world_params_check(wp, e);
    if (!rc)
        rc = world_api_params_check(ap, e);
    return rc;
}

/* ----------------------------------------------------------- the section */

static int check_section(scenario_ctx *c, const resi_section *s)
{
    const resi_world_cfg *w = &s->world;
    if (w->tier_max_rank.n != WORLD_TIERS - 1)
        return scenario_fail(c, "resi.world.tier_max_rank", "give 3 ranks (the last of tiers "
                             "1, 2 and 3), got %zu", w->tier_max_rank.n);
    for (size_t i = 1; i < w->tier_max_rank.n; i++)
        if (w->tier_max_rank.v[i] <= w->tier_max_rank.v[i - 1])
            return scenario_fail(c, "resi.world.tier_max_rank", "ranks must increase");
    if (w->tier_weights.n != WORLD_TIERS)
        return scenario_fail(c, "resi.world.tier_weights", "give 4 weights (tiers 1..4), got %zu",
                             w->tier_weights.n);
    for (size_t i = 0; i < w->premium.n; i++) {
        const char *z = w->premium.v[i];
        bool ok = strlen(z) == 5 && strspn(z, "0123456789") == 5;
        if (!ok) {
            char rel[48];
            snprintf(rel, sizeof rel, "resi.world.premium[%zu]", i);
            return scenario_fail(c, rel, "a zipcode is 5 digits, got \"%s\"", z);
        }
    }
    if (w->for_sale_mean_days > w->for_sale_max_days * 100)
        return scenario_fail(c, "resi.world.for_sale_mean_days", "is far beyond for_sale_max_days");
    for (int p = 0; p < WORLD_PLAN_COUNT; p++) {
        const resi_plan_cfg *pl = resi_plan_get(&s->plans, p);
        if (pl->rate_per_s > 0 && pl->burst < 1) {
            char rel[48];
            snprintf(rel, sizeof rel, "resi.plans.%s.burst", world_plan_name(p));
            return scenario_fail(c, rel, "a rate limit needs a burst of at least 1 call");
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- miners */

/* A miner's schedule against its plan's quota (an unlimited quota always fits). */
static int check_quota(scenario_ctx *c, const resi_section *s, const scenario_miner *g, size_t gi)
{
    const resi_miner_cfg *m = g->strategy.cfg;
    if (m->allow_over_quota || (g->strategy.kind->id == RESI_STRATEGY_COPIER && !m->also_scrape))
        return 0;
    const resi_plan_cfg *pl = resi_plan_get(&s->plans, m->plan);
    int64_t every = m->scrape_every_us ? m->scrape_every_us : pl->scrape_every_us;
    int64_t entities = m->entities ? m->entities : pl->entities;
    int64_t calls = (entities + s->world.page_size - 1) / s->world.page_size;
    int64_t period = s->api.quota_period_us;
    int64_t need = ((period + every - 1) / every) * calls;
    if (pl->quota == 0 || need <= pl->quota)
        return 0;
    char rel[64], ev[32], per[32];
    snprintf(rel, sizeof rel, "miners[%zu].strategy.%s", gi,
             m->scrape_every_us ? "scrape_every" : m->entities ? "entities" : "plan");
    duration_format(every, ev, sizeof ev);
    duration_format(period, per, sizeof per);
    return scenario_fail(c, rel,
                         "plan %s allows %lld calls every %s, but %lld listings every %s need "
                         "%lld (a larger plan, a longer scrape_every, or allow_over_quota: true "
                         "to run out on purpose)",
                         world_plan_name(m->plan), (long long)pl->quota, per,
                         (long long)entities, ev, (long long)need);
}

static int check_places(scenario_ctx *c, world *w, const scenario_miner *g, size_t gi)
{
    const resi_miner_cfg *m = g->strategy.cfg;
    char rel[80];
    for (size_t i = 0; i < m->zips.n; i++)
        if (world_zip_find(w, m->zips.v[i]) < 0) {
            snprintf(rel, sizeof rel, "miners[%zu].strategy.zips[%zu]", gi, i);
            return scenario_fail(c, rel, "zip \"%s\" is not in the universe (the %zu most "
                                 "populous zipcodes)", m->zips.v[i], world_zip_count(w));
        }
    for (size_t i = 0; i < m->states.n; i++) {
        const uint32_t *idx;
        if (world_state_zips(w, m->states.v[i], &idx))
            continue;
        const char *names[64];
        size_t n = world_state_count(w) < 64 ? world_state_count(w) : 64;
        for (size_t k = 0; k < n; k++)
            names[k] = world_state_at(w, k);
        const char *near = scenario_suggest(m->states.v[i], names, n);
        snprintf(rel, sizeof rel, "miners[%zu].strategy.states[%zu]", gi, i);
        if (near)
            return scenario_fail(c, rel, "no state \"%s\" in the universe; did you mean \"%s\"?",
                                 m->states.v[i], near);
        return scenario_fail(c, rel, "no state \"%s\" in the universe", m->states.v[i]);
    }
    return 0;
}

/* An unknown target, with the closest miner hotkey when one is near. */
static int target_unknown(scenario_ctx *c, const scenario *sc, const char *rel, const char *t)
{
    enum { MAXN = 512 };
    char(*keys)[64] = malloc(MAXN * sizeof *keys);
    const char **names = malloc(MAXN * sizeof *names);
    size_t n = 0;
    for (size_t g = 0; keys && names && g < sc->miners.n; g++)
        for (int64_t i = 0; i < sc->miners.v[g].count && n < MAXN; i++, n++) {
            scenario_hotkey(sc->miners.v[g].name, sc->miners.v[g].count, i, keys[n], 64);
            names[n] = keys[n];
        }
    const char *near = names ? scenario_suggest(t, names, n) : NULL;
    int rc = near ? scenario_fail(c, rel, "\"%s\" is not the hotkey of a miner in this scenario; "
                                  "did you mean \"%s\"?", t, near)
                  : scenario_fail(c, rel, "\"%s\" is not the hotkey of a miner in this scenario", t);
    free(keys);
    free(names);
    return rc;
}

static int check_target(scenario_ctx *c, const scenario *sc, const scenario_miner *g, size_t gi)
{
    const resi_miner_cfg *m = g->strategy.cfg;
    scenario_target t;
    char rel[64];
    snprintf(rel, sizeof rel, "miners[%zu].strategy.target", gi);
    if (scenario_target_find(sc, m->target, &t) || !t.is_miner ||
        t.kind == SCENARIO_TARGET_UID ||
        (t.kind == SCENARIO_TARGET_GROUP && sc->miners.v[t.group].count != 1))
        return target_unknown(c, sc, rel, m->target);
    const scenario_miner *tg = &sc->miners.v[t.group];
    if (!resi_is_miner_kind(tg->strategy.kind))
        return scenario_fail(c, rel, "\"%s\" is not a real-estate miner (its strategy is %s)",
                             m->target, tg->strategy.kind->name);
    if (tg == g && (t.kind == SCENARIO_TARGET_GROUP || g->count == 1))
        return scenario_fail(c, rel, "a copier cannot copy itself");
    return 0;
}

/* The universe, read once when a miner first needs it. */
static int universe(scenario_ctx *c, const resi_section *s, world **w)
{
    if (*w)
        return 0;
    world_params wp;
    world_api_params ap;
    world_s3_params sp;
    err e;
    int rc = resi_section_params(s, &wp, &ap, &sp, &e);
    if (!rc)
        rc = world_new(&wp, 0, w, &e);
    if (rc)
        return scenario_fail(c, s->data_dir ? "resi.data_dir" : "resi.world.zip_file",
                             "cannot load the zip universe: %s", e.msg);
    return 0;
}

/* A resi validator's extra jobs name zips of the universe. */
static int check_jobs(scenario_ctx *c, world *w, const scenario_validator *g, size_t gi)
{
    const resi_val_params *p = g->policy.cfg;
    for (size_t i = 0; i < p->jobs.n; i++) {
        const char *k = p->jobs.v[i].key;   /* "zip:NNNNN": the policy's own check */
        if (world_zip_find(w, k + 4) >= 0)
            continue;
        char rel[96];
        snprintf(rel, sizeof rel, "validators[%zu].policy.jobs.%s", gi, k);
        return scenario_fail_key(c, rel, "zip \"%s\" is not in the universe (the %zu most "
                                 "populous zipcodes)", k + 4, world_zip_count(w));
    }
    return 0;
}

/* where.tier belongs to the family: a zip class, on a metric over zips. */
static int check_thresholds(scenario_ctx *c, const scenario *sc)
{
    for (size_t i = 0; i < sc->thresholds.n; i++) {
        const scenario_threshold *t = &sc->thresholds.v[i];
        if (!t->where.tier)
            continue;
        char rel[64];
        snprintf(rel, sizeof rel, "thresholds[%zu].where.tier", i);
        bool known = false;
        for (int k = 0; resi_class_names[k]; k++)
            known |= !strcmp(resi_class_names[k], t->where.tier);
        if (!known)
            return scenario_fail(c, rel, "unknown zip class \"%s\" (expected premium, tier1, "
                                 "tier2, tier3 or tier4)", t->where.tier);
        if (!t->metric || t->metric->id < RESI_METRIC_COVERAGE ||
            t->metric->id > RESI_METRIC_API_CHECK_MADE ||
            !scenario_kind_is(t->metric, &runner_resi_scenario, t->metric->id))
            return scenario_fail(c, rel, "metric \"%s\" is not over zips: tier applies to "
                                 "coverage, evaluation_success, api_check_success and "
                                 "api_check_made", t->metric ? t->metric->name : "");
    }
    return 0;
}

int resi_check_root(scenario_ctx *c, void *obj)
{
    const resi_section *s = &((const resi_root *)obj)->resi;
    const scenario *sc = scenario_ctx_scenario(c);
    int rc = check_section(c, s);
    if (!rc && sc)
        rc = check_thresholds(c, sc);
    world *w = NULL;
    for (size_t gi = 0; !rc && sc && gi < sc->miners.n; gi++) {
        const scenario_miner *g = &sc->miners.v[gi];
        if (!resi_is_miner_kind(g->strategy.kind))
            continue;
        const resi_miner_cfg *m = g->strategy.cfg;
        rc = check_quota(c, s, g, gi);
        if (!rc && (m->zips.n || m->states.n) && !(rc = universe(c, s, &w)))
            rc = check_places(c, w, g, gi);
        if (!rc && g->strategy.kind->id == RESI_STRATEGY_COPIER)
            rc = check_target(c, sc, g, gi);
    }
    for (size_t gi = 0; !rc && sc && gi < sc->validators.n; gi++) {
        const scenario_validator *g = &sc->validators.v[gi];
        if (g->policy.kind && g->policy.kind->table == &resi_val_policy_table &&
            ((const resi_val_params *)g->policy.cfg)->jobs.n && !(rc = universe(c, s, &w)))
            rc = check_jobs(c, w, g, gi);
    }
    world_free(w);
    return rc;
}
