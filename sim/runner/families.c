/* The families linked into this binary; the core (weights) family first. A new
 * family adds one line here and its scenario part to cli_families. */
#include "runner/runner_internal.h"

#include "validator/weights/weights.h"

/* ------------------------------------------------ the core weights family */

typedef struct core_state {
    weights_truth *truth;
    VEC(weights_validator *) validators;
} core_state;

static void core_teardown(void *state)
{
    core_state *cs = state;
    if (!cs)
        return;
    for (size_t i = 0; i < cs->validators.len; i++)
        weights_validator_free(cs->validators.v[i]);
    VEC_FREE(&cs->validators);
    weights_truth_free(cs->truth);
    free(cs);
}

static const runner_family core_family;

static int core_setup(const runner_ctx *ctx, void **state, err *e)
{
    core_state *cs = calloc(1, sizeof *cs);
    if (!cs)
        return err_set(e, ERR_NOMEM, "out of memory");
    *state = cs;
    const scenario *sc = ctx->sc;
    if (weights_truth_new(sc, &cs->truth))
        return err_set(e, ERR_NOMEM, "out of memory");
    for (size_t g = 0; g < sc->validators.n; g++) {
        const scenario_validator *v = &sc->validators.v[g];
        if (!runner_owns_kind(&core_family, v->policy.kind))
            continue;
        const chain_subnet_params *p = chain_subnet_get_params(ctx->c, (uint16_t)v->subnet);
        uint64_t reg = runner_register_block(&v->register_at, ctx->block_time);
        for (int64_t i = 0; i < v->count; i++) {
            char hk[64];
            scenario_hotkey(v->name, v->count, i, hk, sizeof hk);
            weights_validator_cfg cfg = {
                .hotkey = hk, .netuid = (uint16_t)v->subnet, .chain = chain_actor_id(ctx->ca),
                .block_time = ctx->block_time, .first_block = reg + p->weights_rate_limit,
                .sc = sc, .truth = cs->truth, .policy = &v->policy};
            weights_validator *wv;
            int rc = weights_validator_new(ctx->r, &cfg, &wv, e);
            if (!rc && VEC_PUSH(&cs->validators, wv)) {
                weights_validator_free(wv);
                rc = err_set(e, ERR_NOMEM, "out of memory");
            }
            if (rc)
                return rc;
        }
    }
    return 0;
}

static const runner_family core_family = {"core", &scenario_core, core_setup, core_teardown, NULL};

extern const runner_family runner_resi_family;   /* family_resi.c */

const runner_family *const runner_families[] = {&core_family, &runner_resi_family};
const size_t runner_nfamilies = sizeof runner_families / sizeof *runner_families;
_Static_assert(sizeof runner_families / sizeof *runner_families <= RUNNER_MAX_FAMILIES,
               "runner_state.fam_state has no room for every family");
