/* The real-estate family on the runner: when a scenario has resi miners or
 * validators, it builds the world (zip and listings universe), the listings
 * API, the object store, a supervisor for flaky miners' restarts, and the
 * neurons of the groups whose kinds are the family's. */
#include "runner/family_resi.h"

#include <string.h>

typedef struct resi_state {
    world *w;
    world_api *api;
    world_s3 *s3;
    resi_sizes *sizes;
    VEC(resi_miner *) miners;
    VEC(resi_validator *) validators;
    VEC(resi_val_params *) params;   /* each group's policy, desirability resolved */
} resi_state;

extern const runner_family runner_resi_family;

static bool uses_family(const scenario *sc)
{
    for (size_t g = 0; g < sc->miners.n; g++)
        if (runner_owns_kind(&runner_resi_family, sc->miners.v[g].strategy.kind))
            return true;
    for (size_t g = 0; g < sc->validators.n; g++)
        if (runner_owns_kind(&runner_resi_family, sc->validators.v[g].policy.kind))
            return true;
    return false;
}

static bool any_flaky(const scenario *sc)
{
    for (size_t g = 0; g < sc->miners.n; g++) {
        const scenario_miner *m = &sc->miners.v[g];
        if (runner_owns_kind(&runner_resi_family, m->strategy.kind) &&
            m->strategy.kind->id == RESI_STRATEGY_FLAKY)
            return true;
    }
    return false;
}

/* The world, the listings API and the object store. */
static int build_world(resi_state *st, const runner_ctx *ctx, const resi_section *s, err *e)
{
    world_params wp;
    world_api_params ap;
    world_s3_params sp;
    int rc = resi_section_params(s, &wp, &ap, &sp, e);
    if (rc)
        return err_prefix(e, "resi");
    rng r;
    rt_rng(ctx->r, "world", "listings", &r);   /* the run's seed, nobody's actor stream */
    if ((rc = world_new(&wp, rng_u64(&r), &st->w, e)))
        return rc;
    /* the universe goes to the database: reports read it from there */
    if ((rc = world_record_zips(st->w, ctx->r)))
        return err_set(e, rc, "cannot record the zipcode universe");
    if ((rc = world_api_new(ctx->r, st->w, &ap, &st->api, e)))
        return rc;
    return world_s3_new(ctx->r, st->w, &sp, &st->s3, e);
}

static const rt_actor_def supervisor_def = {"supervisor", NULL, NULL, NULL};

static int add_miners(resi_state *st, const runner_ctx *ctx, const resi_section *s, err *e)
{
    const scenario *sc = ctx->sc;
    resi_miner_env env = {
        .w = st->w, .api = st->api, .s3 = world_s3_actor(st->s3),
        .chain = chain_actor_id(ctx->ca), .supervisor = RT_NO_ACTOR,
        .block_time = ctx->block_time, .as_designed = s->desirability == RESI_AS_DESIGNED,
        .coverage_every_us = s->coverage_every_us, .page_size = (int)s->world.page_size};
    for (int p = 0; p < WORLD_PLAN_COUNT; p++) {
        const resi_plan_cfg *pl = resi_plan_get(&s->plans, p);
        env.plans[p] = (resi_plan_schedule){pl->scrape_every_us, pl->entities};
    }
    /* 2^19 slots, 20 MB: the listings a day's scraping touches, mostly */
    int rc = resi_sizes_new(19, &st->sizes);
    if (rc)
        return err_set(e, rc, "out of memory");
    env.sizes = st->sizes;
    if (any_flaky(sc) &&
        (rc = rt_actor_add(ctx->r, "resi-supervisor", &supervisor_def, NULL, &env.supervisor)))
        return err_set(e, rc, "cannot add the resi supervisor actor");
    for (size_t g = 0; g < sc->miners.n; g++) {
        const scenario_miner *m = &sc->miners.v[g];
        if (!runner_owns_kind(&runner_resi_family, m->strategy.kind) ||
            !resi_is_miner_kind(m->strategy.kind))
            continue;
        env.netuid = (uint16_t)m->subnet;
        rt_time start = (rt_time)runner_register_block(&m->register_at, ctx->block_time) *
                        ctx->block_time;
        for (int64_t i = 0; i < m->count; i++) {
            char hk[64];
            scenario_hotkey(m->name, m->count, i, hk, sizeof hk);
            resi_miner *rm;
            if ((rc = resi_miner_new(ctx->r, &env, hk, &m->strategy, start, &rm, e)))
                return rc;
            if (VEC_PUSH(&st->miners, rm)) {
                resi_miner_free(rm);
                return err_set(e, ERR_NOMEM, "out of memory");
            }
        }
    }
    return 0;
}

static const scenario_subnet *subnet_of(const scenario *sc, int64_t netuid)
{
    for (size_t i = 0; i < sc->subnets.n; i++)
        if (sc->subnets.v[i].netuid == netuid)
            return &sc->subnets.v[i];
    return NULL;
}

/* A group's policy with "desirability": "subnet" resolved to the section's. */
static resi_val_params *group_params(resi_state *st, const scenario_validator *g,
                                     const resi_section *s)
{
    resi_val_params *p = malloc(sizeof *p);
    if (!p || VEC_PUSH(&st->params, p)) {
        free(p);
        return NULL;
    }
    *p = *(const resi_val_params *)g->policy.cfg;
    if (p->desirability == RESI_DESIRABILITY_SUBNET)
        p->desirability = s->desirability == RESI_AS_DESIGNED ? RESI_DESIRABILITY_AS_DESIGNED
                                                              : RESI_DESIRABILITY_AS_DEPLOYED;
    return p;
}

/* validator/resi's validators: the groups whose policy is the family's. */
static int add_validators(resi_state *st, const runner_ctx *ctx, const resi_section *s, err *e)
{
    const scenario *sc = ctx->sc;
    for (size_t g = 0; g < sc->validators.n; g++) {
        const scenario_validator *vg = &sc->validators.v[g];
        if (!runner_owns_kind(&runner_resi_family, vg->policy.kind) ||
            vg->policy.kind->id != RESI_POLICY_ID)
            continue;
        const resi_val_params *p = group_params(st, vg, s);
        const scenario_subnet *sn = subnet_of(sc, vg->subnet);
        if (!p)
            return err_set(e, ERR_NOMEM, "out of memory");
        for (int64_t i = 0; i < vg->count; i++) {
            char hk[64];
            scenario_hotkey(vg->name, vg->count, i, hk, sizeof hk);
            resi_validator_cfg cfg = {
                .hotkey = hk, .netuid = (uint16_t)vg->subnet, .chain = chain_actor_id(ctx->ca),
                .block_time = ctx->block_time,
                .first_block = runner_register_block(&vg->register_at, ctx->block_time),
                .permit_stake_tao = sn ? sn->validator_permit_stake : 0, .w = st->w,
                .api = st->api, .s3 = world_s3_actor(st->s3), .params = p};
            resi_validator *v;
            int rc = resi_validator_new(ctx->r, &cfg, &v, e);
            if (!rc && VEC_PUSH(&st->validators, v)) {
                resi_validator_free(v);
                rc = err_set(e, ERR_NOMEM, "out of memory");
            }
            if (rc)
                return rc;
        }
    }
    return 0;
}

static void resi_teardown(void *state)
{
    resi_state *st = state;
    if (!st)
        return;
    for (size_t i = 0; i < st->miners.len; i++)
        resi_miner_free(st->miners.v[i]);
    VEC_FREE(&st->miners);
    for (size_t i = 0; i < st->validators.len; i++)
        resi_validator_free(st->validators.v[i]);
    VEC_FREE(&st->validators);
    for (size_t i = 0; i < st->params.len; i++)
        free(st->params.v[i]);
    VEC_FREE(&st->params);
    world_s3_free(st->s3);
    world_api_free(st->api);
    resi_sizes_free(st->sizes);
    world_free(st->w);
    free(st);
}

static int resi_setup(const runner_ctx *ctx, void **state, err *e)
{
    if (!uses_family(ctx->sc))
        return 0;
    const resi_root *root = scenario_section(ctx->sc, &runner_resi_scenario);
    if (!root)
        return err_set(e, ERR_INTERNAL, "the resi family's section is missing");
    resi_state *st = calloc(1, sizeof *st);
    if (!st)
        return err_set(e, ERR_NOMEM, "out of memory");
    *state = st;
    int rc = build_world(st, ctx, &root->resi, e);
    if (!rc)
        rc = add_miners(st, ctx, &root->resi, e);
    if (!rc)
        rc = add_validators(st, ctx, &root->resi, e);
    return rc;
}

static int resi_finish(void *state, err *e)
{
    resi_state *st = state;
    (void)e;
    if (!st)
        return 0;
    for (size_t i = 0; i < st->miners.len; i++)
        resi_miner_flush(st->miners.v[i]);
    uint64_t hits, misses;
    resi_sizes_counts(st->sizes, &hits, &misses);
    log_debug("resi: size cache %llu hits, %llu misses", (unsigned long long)hits,
              (unsigned long long)misses);
    world_api_flush(st->api);
    return 0;
}

const runner_family runner_resi_family = {"resi", &runner_resi_scenario, resi_setup, resi_teardown,
                                          resi_finish};
