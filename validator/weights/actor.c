/* A weights-family validator on the runtime: one turn per epoch of its subnet.
 *
 * A turn: ask the chain for the metagraph (its header only, unless neurons
 * registered since the last full one, or the policy reads weight rows);
 * compute this epoch's weights; hand them to the weights client, which reveals
 * a waiting commit when its window is open and then sets the weights
 * (commit-reveal off) or commits them (on); then sleep until the next turn:
 * one block (plus a lazy policy's delay) after the next epoch, or for a copier
 * late in the tempo. */
#include "validator/weights/weights.h"

#include "validator/wclient/wclient.h"

#include <string.h>

struct weights_validator {
    rt *r;
    rt_actor me;
    weights_validator_cfg cfg;
    char hotkey[PROTO_KEY_MAX];
    rng noise;                     /* measurement noise */
    rt_timer timer;
    proto_chain_metagraph *mg;     /* the turn's metagraph, until the turn ends */
    /* The neurons as last fetched in full, reused while no one registers: most
     * turns need only the metagraph's header. */
    proto_chain_metagraph *roster;
    VEC(uint16_t) miner_uid;       /* the roster's miners by uid: their uids, */
    VEC(int32_t) miner_truth;      /* their weights_truth indices */
    int self_uid;                  /* its own uid in the roster, or -1 */
    /* per-turn scratch, sized to the roster: weights, flags, noise, uids, values */
    VEC(double) w;
    VEC(bool) named;
    VEC(double) z;
    VEC(uint16_t) uids, vals;
    wclient chainw;                /* set, or commit and reveal */
};

static const rt_actor_def validator_def = {"validator", NULL, NULL, NULL};

static void turn(void *arg);

static const scenario_policy_copier *copier(const weights_validator *v)
{
    return v->cfg.policy->kind->id == SCENARIO_POLICY_COPIER ? v->cfg.policy->cfg : NULL;
}

/* The block of the next turn: one block after the next epoch (plus a lazy
 * policy's delay), or for a copier late_blocks before the epoch after this one,
 * when the tempo's fresh rows are on chain. Block b starts at b * block_time. */
static uint64_t next_turn_block(const weights_validator *v, const proto_chain_metagraph *mg)
{
    const scenario_policy_copier *cp = copier(v);
    if (cp) {
        uint64_t b = mg->next_epoch_block - (uint64_t)cp->late_blocks;
        if (mg->next_epoch_block <= (uint64_t)cp->late_blocks || b <= mg->block)
            b += (uint64_t)mg->tempo + 1;
        return b;
    }
    uint64_t delay = 0;
    if (v->cfg.policy->kind->id == SCENARIO_POLICY_LAZY)
        delay = (uint64_t)((const scenario_policy_lazy *)v->cfg.policy->cfg)->delay_blocks;
    return mg->next_epoch_block + 1 + delay;
}

static void sleep_until_next(weights_validator *v, const proto_chain_metagraph *mg)
{
    if (mg->next_epoch_block == UINT64_MAX)
        return;
    uint64_t b = next_turn_block(v, mg);
    rt_time at = (rt_time)b * v->cfg.block_time;
    rt_time d = at - rt_now(v->r);
    if (rt_timer_start(v->r, v->me, d > 0 ? d : 0, turn, v, &v->timer))
        rt_fail(v->r, ERR_NOMEM, "%s: cannot schedule its next turn", v->hotkey);
}

static void end_turn(weights_validator *v)
{
    if (v->mg) {
        sleep_until_next(v, v->mg);
        if (v->mg != v->roster)
            free(v->mg);
        v->mg = NULL;
    }
}

static void on_turn_done(void *arg, bool ok)
{
    (void)ok;
    end_turn(arg);
}

/* This epoch's weights as a message, or *w = NULL when the policy sets none.
 * The policy sees the turn's header with the roster's neurons. */
static int policy_weights(weights_validator *v, proto_chain_weights **w, err *e)
{
    proto_chain_metagraph view = *v->mg;
    if (!view.neurons) {
        view.neurons = v->roster->neurons;
        view.n = v->roster->n;
    }
    weights_ctx ctx = {v->cfg.sc, v->cfg.truth, v->miner_uid.v, v->miner_truth.v,
                       v->miner_uid.len, v->self_uid, v->w.v, v->named.v, v->z.v};
    size_t n = 0;
    bool act = false;
    int rc = weights_policy(&ctx, v->cfg.policy, &view, view.epochs, &v->noise, v->uids.v,
                            v->vals.v, &n, &act, e);
    *w = NULL;
    if (!rc && act && !(*w = wclient_weights_new(&v->chainw, v->uids.v, v->vals.v, n)))
        rc = err_set(e, ERR_NOMEM, "out of memory");
    return rc;
}

static void ask_metagraph(weights_validator *v, bool full);

/* Keep a full metagraph as the roster and list its miners. */
static int take_roster(weights_validator *v, proto_chain_metagraph *mg)
{
    size_t cap = (size_t)mg->n + 1;
    if (VEC_RESERVE(&v->miner_uid, cap) || VEC_RESERVE(&v->miner_truth, cap) ||
        VEC_RESERVE(&v->w, cap) || VEC_RESERVE(&v->named, cap) || VEC_RESERVE(&v->z, cap) ||
        VEC_RESERVE(&v->uids, cap) || VEC_RESERVE(&v->vals, cap))
        return ERR_NOMEM;
    v->self_uid = -1;
    size_t miners = 0;
    for (uint16_t u = 0; u < mg->n; u++) {
        long t = weights_truth_find(v->cfg.truth, mg->neurons[u].hotkey);
        if (t >= 0) {
            v->miner_uid.v[miners] = u;
            v->miner_truth.v[miners++] = (int32_t)t;
        }
        if (!strcmp(mg->neurons[u].hotkey, v->hotkey))
            v->self_uid = u;
    }
    v->miner_uid.len = v->miner_truth.len = miners;
    if (v->roster != v->mg)
        free(v->roster);
    v->roster = mg;
    return 0;
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
    proto_chain_metagraph *mg = rt_take_body(reply);
    if (!mg->neurons && (!v->roster || v->roster->registrations != mg->registrations)) {
        free(mg);   /* someone registered: fetch the neurons before acting */
        ask_metagraph(v, true);
        return;
    }
    v->mg = mg;
    if (mg->neurons && take_roster(v, mg)) {
        rt_fail(v->r, ERR_NOMEM, "%s: out of memory", v->hotkey);
        return;
    }
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

static void ask_metagraph(weights_validator *v, bool full)
{
    proto_chain_metagraph_req *q = calloc(1, sizeof *q);
    if (!q) {
        rt_fail(v->r, ERR_NOMEM, "%s: out of memory", v->hotkey);
        return;
    }
    q->netuid = v->cfg.netuid;
    const scenario_policy_copier *cp = copier(v);
    q->with_weights = cp && cp->source == SCENARIO_COPY_WEIGHTS;
    /* A copier reads stakes, permits and rows every turn; the others need only
     * the header while the roster is current. */
    q->header_only = !full && !cp && v->roster;
    rt_msg m = {.type = PROTO_CHAIN_METAGRAPH, .body = q,
                .wire_bytes = proto_chain_wire_bytes(PROTO_CHAIN_METAGRAPH, q)};
    rt_call_opts o = {.timeout = RT_SEC(60), .kind = "metagraph"};
    if (rt_call(v->r, v->me, v->cfg.chain, m, &o, on_metagraph, v, NULL))
        rt_fail(v->r, ERR_NOMEM, "%s: cannot ask for the metagraph", v->hotkey);
}

static void turn(void *arg)
{
    weights_validator *v = arg;
    v->timer = 0;
    ask_metagraph(v, false);
}

int weights_validator_new(rt *r, const weights_validator_cfg *cfg, weights_validator **out, err *e)
{
    weights_validator *v = calloc(1, sizeof *v);
    if (!v)
        return err_set(e, ERR_NOMEM, "out of memory");
    v->r = r;
    v->cfg = *cfg;
    v->self_uid = -1;
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
        wclient_free(&v->chainw);
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
    if (v->mg != v->roster)
        free(v->mg);
    free(v->roster);
    VEC_FREE(&v->miner_uid);
    VEC_FREE(&v->miner_truth);
    VEC_FREE(&v->w);
    VEC_FREE(&v->named);
    VEC_FREE(&v->z);
    VEC_FREE(&v->uids);
    VEC_FREE(&v->vals);
    free(v);
}
