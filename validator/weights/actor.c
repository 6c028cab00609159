/* A weights-family validator on the runtime: one turn per epoch of its subnet.
 *
 * A turn: ask the chain for the metagraph; if a commit waits for its reveal
 * window and the window is open, reveal it; then compute this epoch's weights
 * and either set them (commit-reveal off) or commit them (on); then sleep until
 * one block (plus a lazy policy's delay) after the next epoch. */
#include "validator/weights/weights.h"

#include "validator/wclient/wclient.h"

#include <string.h>

struct weights_validator {
    rt *r;
    rt_actor me;
    weights_validator_cfg cfg;
    char hotkey[PROTO_KEY_MAX];
    rng noise;          /* measurement noise */
    rt_timer timer;
    proto_chain_metagraph *mg;     /* the turn's metagraph, until the turn ends */
    wclient chainw;     /* set, or commit and reveal */
};

static const rt_actor_def validator_def = {"validator", NULL, NULL, NULL};

static void turn(void *arg);

static uint64_t delay_blocks(const weights_validator *v)
{
    if (v->cfg.policy->kind->id == SCENARIO_POLICY_LAZY)
        return (uint64_t)((const scenario_policy_lazy *)v->cfg.policy->cfg)->delay_blocks;
    return 0;
}

/* Sleep until one block after the next epoch (block b starts at b * block_time). */
static void sleep_until_next(weights_validator *v, const proto_chain_metagraph *mg)
{
    if (mg->next_epoch_block == UINT64_MAX)
        return;
    uint64_t b = mg->next_epoch_block + 1 + delay_blocks(v);
    rt_time at = (rt_time)b * v->cfg.block_time;
    rt_time d = at - rt_now(v->r);
    if (rt_timer_start(v->r, v->me, d > 0 ? d : 0, turn, v, &v->timer))
        rt_fail(v->r, ERR_NOMEM, "%s: cannot schedule its next turn", v->hotkey);
}

static void end_turn(weights_validator *v)
{
    if (v->mg) {
        sleep_until_next(v, v->mg);
        free(v->mg);
        v->mg = NULL;
    }
}

static void on_turn_done(void *arg, bool ok)
{
    (void)ok;
    end_turn(arg);
}

/* This epoch's weights as a message, or *w = NULL when the policy sets none. */
static int policy_weights(weights_validator *v, proto_chain_weights **w, err *e)
{
    const proto_chain_metagraph *mg = v->mg;
    uint16_t *uids = malloc((mg->n + 1) * sizeof *uids), *vals = malloc((mg->n + 1) * sizeof *vals);
    size_t n = 0;
    bool act = false;
    int rc = !uids || !vals ? err_set(e, ERR_NOMEM, "out of memory")
                            : weights_policy(v->cfg.sc, v->cfg.policy, v->hotkey, mg, mg->epochs,
                                             &v->noise, uids, vals, &n, &act, e);
    *w = NULL;
    if (!rc && act && !(*w = wclient_weights_new(&v->chainw, uids, vals, n)))
        rc = err_set(e, ERR_NOMEM, "out of memory");
    free(uids);
    free(vals);
    return rc;
}

static void on_metagraph(void *arg, int result, int status, const rt_msg *reply)
{
    weights_validator *v = arg;
    if (result || status != RT_OK || !reply) {
        /* The chain did not answer: try again in a block. */
        if (rt_timer_start(v->r, v->me, v->cfg.block_time, turn, v, &v->timer))
            rt_fail(v->r, ERR_NOMEM, "%s: cannot schedule a retry", v->hotkey);
        return;
    }
    v->mg = rt_take_body(reply);   /* kept for the rest of the turn */
    proto_chain_weights *w;
    err e;
    int rc = policy_weights(v, &w, &e);
    if (rc) {
        rt_fail(v->r, rc, "%s: %s", v->hotkey, e.msg);
        return;
    }
    rc = wclient_turn(&v->chainw, v->mg, w, on_turn_done, v);
    if (rc == 1)
        end_turn(v);
    else if (rc)
        rt_fail(v->r, rc, "%s: cannot send weights", v->hotkey);
}

static void turn(void *arg)
{
    weights_validator *v = arg;
    v->timer = 0;
    proto_chain_metagraph_req *q = calloc(1, sizeof *q);
    if (!q) {
        rt_fail(v->r, ERR_NOMEM, "%s: out of memory", v->hotkey);
        return;
    }
    q->netuid = v->cfg.netuid;
    rt_msg m = {.type = PROTO_CHAIN_METAGRAPH, .body = q,
                .wire_bytes = proto_chain_wire_bytes(PROTO_CHAIN_METAGRAPH, q)};
    rt_call_opts o = {.timeout = RT_SEC(60), .kind = "metagraph"};
    if (rt_call(v->r, v->me, v->cfg.chain, m, &o, on_metagraph, v, NULL))
        rt_fail(v->r, ERR_NOMEM, "%s: cannot ask for the metagraph", v->hotkey);
}

int weights_validator_new(rt *r, const weights_validator_cfg *cfg, weights_validator **out, err *e)
{
    weights_validator *v = calloc(1, sizeof *v);
    if (!v)
        return err_set(e, ERR_NOMEM, "out of memory");
    v->r = r;
    v->cfg = *cfg;
    if (!proto_key_set(v->hotkey, cfg->hotkey)) {
        free(v);
        return err_set(e, ERR_INPUT, "hotkey '%s' is too long", cfg->hotkey);
    }
    v->cfg.hotkey = v->hotkey;
    rt_rng(r, v->hotkey, "measure", &v->noise);
    int rc = rt_actor_add(r, v->hotkey, &validator_def, v, &v->me);
    if (rc) {
        free(v);
        return err_set(e, rc, "cannot add validator '%s' (a duplicate name?)", cfg->hotkey);
    }
    if ((rc = wclient_init(&v->chainw, r, v->me, cfg->chain, cfg->netuid, v->hotkey, e))) {
        free(v);
        return rc;
    }
    rt_time at = (rt_time)cfg->first_block * cfg->block_time;
    rt_time d = at - rt_now(r);
    if ((rc = rt_timer_start(r, v->me, d > 0 ? d : 0, turn, v, &v->timer))) {
        free(v);
        return err_set(e, rc, "out of memory");
    }
    *out = v;
    return 0;
}

void weights_validator_free(weights_validator *v)
{
    if (!v)
        return;
    wclient_free(&v->chainw);
    free(v->mg);
    free(v);
}
