/* Neurons: the chain's subnets from the scenario, and every validator and miner
 * registered with its stake, at genesis or at its register_at. */
#include "runner/runner_internal.h"

#include <math.h>
#include <string.h>

void runner_coldkey(const char *group_coldkey, const char *hotkey, char *out, size_t n)
{
    if (group_coldkey)
        snprintf(out, n, "%s", group_coldkey);
    else
        snprintf(out, n, "%s.cold", hotkey);
}

uint64_t runner_register_block(const scenario_moment *m, rt_time block_time)
{
    if (m->at_block)
        return (uint64_t)m->block;
    return (uint64_t)((m->us + block_time - 1) / block_time);
}

static void subnet_params(const scenario *sc, const scenario_subnet *s, chain_subnet_params *p)
{
    chain_subnet_params_default(p, (uint16_t)s->netuid);
    p->tempo = (uint16_t)s->tempo;
    p->block_emission = (uint64_t)sc->chain.block_emission_rao;
    p->owner_cut = (uint16_t)sc->chain.owner_cut;
    p->burn = (uint64_t)s->burn_rao;
    p->max_allowed_uids = (uint16_t)s->max_allowed_uids;
    p->immunity_period = (uint64_t)s->immunity_period;
    p->min_non_immune_uids = (uint16_t)s->min_non_immune_uids;
    p->max_allowed_validators = (uint16_t)s->max_allowed_validators;
    p->min_allowed_weights = (uint16_t)s->min_allowed_weights;
    p->weights_rate_limit = (uint64_t)s->weights_rate_limit;
    p->commit_reveal = s->commit_reveal;
    p->reveal_period_epochs = (uint32_t)s->reveal_period_epochs;
    p->activity_cutoff = (uint64_t)s->activity_cutoff;
    p->kappa = (uint16_t)s->kappa;
    p->bonds_penalty = (uint16_t)s->bonds_penalty;
    p->bonds_moving_average = (uint64_t)s->bonds_moving_average;
    p->yuma3 = s->yuma3;
    p->liquid_alpha = s->liquid_alpha;
    p->alpha_low = (uint16_t)s->alpha_low;
    p->alpha_high = (uint16_t)s->alpha_high;
    p->alpha_sigmoid_steepness = (int32_t)s->alpha_sigmoid_steepness;
    p->owner_hotkey = s->owner;
}

/* The owner's coldkey is its neuron's: find the group that holds the hotkey. */
static void owner_coldkey(const scenario *sc, const char *owner, char *out, size_t n)
{
    scenario_target t;
    *out = 0;
    if (!owner || scenario_target_find(sc, owner, &t) || t.kind != SCENARIO_TARGET_HOTKEY)
        return;
    const char *gc = t.is_miner ? sc->miners.v[t.group].coldkey : sc->validators.v[t.group].coldkey;
    runner_coldkey(gc, owner, out, n);
}

int runner_add_subnets(runner_state *st, err *e)
{
    const scenario *sc = st->ctx.sc;
    for (size_t i = 0; i < sc->subnets.n; i++) {
        chain_subnet_params p;
        subnet_params(sc, &sc->subnets.v[i], &p);
        char ock[128];
        owner_coldkey(sc, p.owner_hotkey, ock, sizeof ock);
        p.owner_coldkey = *ock ? ock : NULL;
        int rc = chain_add_subnet(st->ctx.c, &p, e);
        if (rc)
            return err_prefix(e, "subnets[%zu]", i);
    }
    return 0;
}

/* Fund, register and stake one neuron now (the chain at the current block). */
static int register_one(runner_state *st, const runner_neuron *nr, err *e)
{
    chain *c = st->ctx.c;
    const chain_subnet_params *p = chain_subnet_get_params(c, nr->netuid);
    uint64_t stake = (uint64_t)llround(nr->stake_tao * 1e9);
    int rc = chain_fund(c, nr->coldkey, p->burn + stake, e);
    if (!rc)
        rc = chain_register(c, nr->netuid, nr->hotkey, nr->coldkey, NULL, e);
    if (!rc && stake)
        rc = chain_add_stake(c, nr->coldkey, nr->hotkey, nr->netuid, stake, e);
    return rc;
}

static void on_register_timer(void *arg)
{
    runner_neuron *nr = arg;
    runner_state *st = nr->st;
    err e;
    int rc = chain_actor_sync(st->ctx.ca, &e);
    if (!rc && (rc = register_one(st, nr, &e)) == ERR_NOMEM) {
        rt_fail(st->ctx.r, rc, "%s", e.msg);
        return;
    }
    if (rc)   /* the chain refused: the run goes on without it, as on testnet */
        log_warn("%s could not register: %s", nr->hotkey, e.msg);
    if ((rc = chain_actor_sync(st->ctx.ca, &e)))
        rt_fail(st->ctx.r, rc, "%s", e.msg);
}

static int add_group(runner_state *st, const char *role, const char *group, int64_t count,
                     double stake, int64_t netuid, const char *coldkey,
                     const scenario_moment *at, const scenario_kind *kind, err *e)
{
    for (int64_t i = 0; i < count; i++) {
        runner_neuron *nr = calloc(1, sizeof *nr);
        if (!nr || VEC_PUSH(&st->neurons, nr)) {
            free(nr);
            return err_set(e, ERR_NOMEM, "out of memory");
        }
        nr->st = st;
        scenario_hotkey(group, count, i, nr->hotkey, sizeof nr->hotkey);
        runner_coldkey(coldkey, nr->hotkey, nr->coldkey, sizeof nr->coldkey);
        nr->netuid = (uint16_t)netuid;
        nr->stake_tao = stake;
        nr->block = runner_register_block(at, st->ctx.block_time);
        if (chain_recorder_label(st->rec, nr->hotkey, role, group, kind ? kind->name : NULL))
            return err_set(e, ERR_NOMEM, "out of memory");
    }
    return 0;
}

/* Validators first, then miners, each in file order: the uids follow. */
int runner_register_all(runner_state *st, err *e)
{
    const scenario *sc = st->ctx.sc;
    int rc = 0;
    for (size_t i = 0; !rc && i < sc->validators.n; i++) {
        const scenario_validator *g = &sc->validators.v[i];
        rc = add_group(st, "validator", g->name, g->count, g->stake, g->subnet, g->coldkey,
                       &g->register_at, g->policy.kind, e);
    }
    for (size_t i = 0; !rc && i < sc->miners.n; i++) {
        const scenario_miner *g = &sc->miners.v[i];
        rc = add_group(st, "miner", g->name, g->count, g->stake, g->subnet, g->coldkey,
                       &g->register_at, g->strategy.kind, e);
    }
    for (size_t i = 0; !rc && i < st->neurons.len; i++) {
        runner_neuron *nr = st->neurons.v[i];
        if (nr->block == 0) {
            if ((rc = register_one(st, nr, e)))
                return err_prefix(e, "registering %s at genesis", nr->hotkey);
        } else {
            rt_time at = (rt_time)nr->block * st->ctx.block_time;
            rc = rt_timer_start(st->ctx.r, RT_NO_ACTOR, at, on_register_timer, nr, NULL);
            if (rc)
                return err_set(e, rc, "out of memory");
        }
    }
    return rc;
}
