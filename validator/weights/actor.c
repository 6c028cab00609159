/* A weights-family validator on the runtime: one turn per epoch of its subnet.
 *
 * A turn: ask the chain for the metagraph (its header only, unless neurons
 * registered since the last full one, or the policy reads weight rows); if a
 * commit waits for its reveal
 * window and the window is open, reveal it; then compute this epoch's weights
 * and either set them (commit-reveal off) or commit them (on); then sleep until
 * one block (plus a lazy policy's delay) after the next epoch. */
#include "validator/weights/weights.h"

#include "chain/chain.h"

#include <string.h>

struct weights_validator {
    rt *r;
    rt_actor me;
    weights_validator_cfg cfg;
    char hotkey[PROTO_KEY_MAX];
    rng noise;          /* measurement noise */
    rng salts;          /* commit salts */
    rt_timer timer;
    proto_chain_metagraph *mg;     /* the turn's metagraph, until the turn ends */
    /* The neurons as last fetched in full, reused while no one registers: most
     * turns need only the metagraph's header. */
    proto_chain_metagraph *roster;
    int32_t *miner_of_uid;         /* roster's uids -> weights_truth index, or -1 */
    int self_uid;                  /* its own uid in the roster, or -1 */
    /* the commit waiting for its reveal */
    proto_chain_weights *pending;
    uint64_t reveal_first, reveal_last;
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

static int send_chain(weights_validator *v, int type, void *body, const char *kind, rt_reply_cb cb)
{
    rt_msg m = {.type = type, .body = body, .wire_bytes = proto_chain_wire_bytes(type, body)};
    rt_call_opts o = {.timeout = RT_SEC(60), .kind = kind};
    return rt_call(v->r, v->me, v->cfg.chain, m, &o, cb, v, NULL);
}

static void on_submitted(void *arg, int result, int status, const rt_msg *reply)
{
    weights_validator *v = arg;
    if (result || status != RT_OK) {
        const proto_chain_result *res = reply ? reply->body : NULL;
        log_debug("%s: weights refused (%s, status %d): %s", v->hotkey, err_name(result), status,
                  res ? res->message : "");
        free(v->pending);   /* a refused commit has nothing to reveal */
        v->pending = NULL;
    } else if (v->pending) {
        const proto_chain_result *res = reply->body;
        v->reveal_first = res->reveal_first_block;
        v->reveal_last = res->reveal_last_block;
    }
    end_turn(v);
}

static proto_chain_weights *weights_msg(weights_validator *v, const uint16_t *uids,
                                        const uint16_t *values, size_t n)
{
    proto_chain_weights *w = proto_chain_weights_new((uint32_t)n);
    if (!w)
        return NULL;
    w->netuid = v->cfg.netuid;
    proto_key_set(w->hotkey, v->hotkey);
    memcpy(w->data, uids, n * sizeof *uids);
    memcpy(w->data + n, values, n * sizeof *values);
    return w;
}

static void set_or_commit(weights_validator *v)
{
    /* The turn's header with the roster's neurons (the same registrations). */
    proto_chain_metagraph view = *v->mg;
    if (!view.neurons) {
        view.neurons = v->roster->neurons;
        view.n = v->roster->n;
    }
    const proto_chain_metagraph *mg = &view;
    weights_ctx ctx = {v->cfg.sc, v->cfg.truth, v->miner_of_uid, v->self_uid};
    uint16_t *uids = malloc((mg->n + 1) * sizeof *uids), *vals = malloc((mg->n + 1) * sizeof *vals);
    size_t n = 0;
    bool act = false;
    err e;
    int rc = !uids || !vals ? ERR_NOMEM
                            : weights_policy(&ctx, v->cfg.policy, mg, mg->epochs,
                                             &v->noise, uids, vals, &n, &act, &e);
    proto_chain_weights *w = rc || !act ? NULL : weights_msg(v, uids, vals, n);
    free(uids);
    free(vals);
    if (rc) {
        rt_fail(v->r, rc, "%s: %s", v->hotkey, rc == ERR_NOMEM ? "out of memory" : e.msg);
        return;
    }
    if (!act) {
        end_turn(v);
        return;
    }
    if (!w) {
        rt_fail(v->r, ERR_NOMEM, "%s: out of memory", v->hotkey);
        return;
    }
    if (!mg->commit_reveal) {
        if (send_chain(v, PROTO_CHAIN_SET_WEIGHTS, w, "set_weights", on_submitted))
            rt_fail(v->r, ERR_NOMEM, "%s: cannot send weights", v->hotkey);
        return;
    }
    proto_chain_commit *c = calloc(1, sizeof *c);
    if (!c) {
        free(w);
        rt_fail(v->r, ERR_NOMEM, "%s: out of memory", v->hotkey);
        return;
    }
    w->salt = rng_u64(&v->salts);
    c->netuid = v->cfg.netuid;
    proto_key_set(c->hotkey, v->hotkey);
    chain_commit_hash(v->hotkey, w->netuid, w->data, w->data + w->n, w->n, w->salt,
                      w->version_key, c->hash);
    v->pending = w;   /* kept to reveal next turn */
    if (send_chain(v, PROTO_CHAIN_COMMIT_WEIGHTS, c, "commit_weights", on_submitted))
        rt_fail(v->r, ERR_NOMEM, "%s: cannot send a commit", v->hotkey);
}

static void on_revealed(void *arg, int result, int status, const rt_msg *reply)
{
    weights_validator *v = arg;
    (void)reply;
    if (result || status != RT_OK)
        log_debug("%s: reveal refused (%s, status %d)", v->hotkey, err_name(result), status);
    set_or_commit(v);
}

static void ask_metagraph(weights_validator *v, bool full);

/* Keep a full metagraph as the roster and map its uids to miners. */
static int take_roster(weights_validator *v, proto_chain_metagraph *mg)
{
    int32_t *map = malloc(((size_t)mg->n + 1) * sizeof *map);
    if (!map)
        return ERR_NOMEM;
    v->self_uid = -1;
    for (uint16_t u = 0; u < mg->n; u++) {
        map[u] = (int32_t)weights_truth_find(v->cfg.truth, mg->neurons[u].hotkey);
        if (!strcmp(mg->neurons[u].hotkey, v->hotkey))
            v->self_uid = u;
    }
    if (v->roster != v->mg)
        free(v->roster);
    free(v->miner_of_uid);
    v->roster = mg;
    v->miner_of_uid = map;
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
    if (v->pending && mg->block >= v->reveal_first && mg->block <= v->reveal_last) {
        proto_chain_weights *w = v->pending;
        v->pending = NULL;
        if (send_chain(v, PROTO_CHAIN_REVEAL_WEIGHTS, w, "reveal_weights", on_revealed))
            rt_fail(v->r, ERR_NOMEM, "%s: cannot send a reveal", v->hotkey);
        return;
    }
    if (v->pending && mg->block > v->reveal_last) {
        free(v->pending);   /* its window passed: the commit never counts */
        v->pending = NULL;
    }
    set_or_commit(v);
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
    if (send_chain(v, PROTO_CHAIN_METAGRAPH, q, "metagraph", on_metagraph))
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
    if (!proto_key_set(v->hotkey, cfg->hotkey)) {
        free(v);
        return err_set(e, ERR_INPUT, "hotkey '%s' is too long", cfg->hotkey);
    }
    v->cfg.hotkey = v->hotkey;
    rt_rng(r, v->hotkey, "measure", &v->noise);
    rt_rng(r, v->hotkey, "salt", &v->salts);
    int rc = rt_actor_add(r, v->hotkey, &validator_def, v, &v->me);
    if (rc) {
        free(v);
        return err_set(e, rc, "cannot add validator '%s' (a duplicate name?)", cfg->hotkey);
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
    free(v->pending);
    if (v->mg != v->roster)
        free(v->mg);
    free(v->roster);
    free(v->miner_of_uid);
    free(v);
}
