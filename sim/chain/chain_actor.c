/* The chain as an rt actor: serves sim/net/protocol.h's chain messages and runs
 * epochs on the runtime's clock. */
#include "chain/chain_internal.h"
#include "net/protocol.h"

#include <string.h>

struct chain_actor {
    rt *r;
    chain *c;
    rt_actor id;
    rt_time block_time, base_time;
    uint64_t base_block;
    rt_timer timer;
};

static int sink_write(void *ctx, const rt_table *t, const rt_val *vals)
{
    return rt_record(ctx, t, vals);
}

rt_sink chain_rt_sink(rt *r) { return (rt_sink){r, sink_write}; }

uint64_t chain_actor_block_at(const chain_actor *a, rt_time t)
{
    if (t <= a->base_time)
        return a->base_block;
    return a->base_block + (uint64_t)((t - a->base_time) / a->block_time);
}

rt_time chain_actor_time_of(const chain_actor *a, uint64_t block)
{
    if (block <= a->base_block)
        return a->base_time;
    return a->base_time + (rt_time)(block - a->base_block) * a->block_time;
}

rt_actor chain_actor_id(const chain_actor *a) { return a->id; }

static void on_timer(void *arg);

static int arm(chain_actor *a)
{
    rt_timer_stop(a->r, a->timer);
    a->timer = 0;
    uint64_t nb = chain_next_epoch_block(a->c);
    if (nb == UINT64_MAX)
        return 0;
    rt_time delay = chain_actor_time_of(a, nb) - rt_now(a->r);
    return rt_timer_start(a->r, a->id, delay > 0 ? delay : 0, on_timer, a, &a->timer);
}

int chain_actor_sync(chain_actor *a, err *e)
{
    int rc = chain_advance_to(a->c, chain_actor_block_at(a, rt_now(a->r)), e);
    if (rc)
        return rc;
    rc = arm(a);
    return rc ? err_set(e, rc, "chain: cannot arm the epoch timer") : 0;
}

static void on_timer(void *arg)
{
    chain_actor *a = arg;
    a->timer = 0;
    err e;
    if (chain_actor_sync(a, &e))
        rt_fail(a->r, e.code, "%s", e.msg);
}

/* -------------------------------------------------------------- replies */

static int status_of(int code)
{
    switch (code) {
    case 0: return RT_OK;
    case ERR_INPUT: return RT_BAD_REQUEST;
    case ERR_NOTFOUND: return RT_NOT_FOUND;
    case ERR_BUSY: return RT_TOO_MANY;
    }
    return RT_SERVER_ERROR;
}

static void reply_result(chain_actor *a, rt_request *req, int code, const err *e, uint16_t uid,
                         uint64_t rfirst, uint64_t rlast)
{
    proto_chain_result *res = calloc(1, sizeof *res);
    if (!res) {
        rt_reply(a->r, req, RT_SERVER_ERROR, (rt_msg){0});
        return;
    }
    res->code = code;
    res->block = chain_block(a->c);
    res->uid = uid;
    res->reveal_first_block = rfirst;
    res->reveal_last_block = rlast;
    if (code) {
        size_t len = strnlen(e->msg, sizeof res->message - 1);
        memcpy(res->message, e->msg, len);   /* calloc'd: stays NUL-terminated */
    }
    rt_msg m = {PROTO_CHAIN_RESULT, res, NULL, sizeof *res};
    rt_reply(a->r, req, status_of(code), m);
}

/* get_reveal_blocks: the first and last block of the epoch index a commit made
 * now may be revealed in. */
static void reveal_window(const chain *c, uint16_t netuid, uint64_t *first, uint64_t *last)
{
    const chain_subnet_params *p = chain_subnet_get_params(c, netuid);
    uint64_t t1 = (uint64_t)p->tempo + 1, n1 = (uint64_t)netuid + 1;
    uint64_t re = chain_epoch_index(netuid, p->tempo, chain_block(c)) + p->reveal_period_epochs;
    *first = re * t1 > n1 ? re * t1 - n1 : 0;
    *last = *first + p->tempo;
}

static bool keys_ok(chain_actor *a, rt_request *req, const char *k1, const char *k2)
{
    if (memchr(k1, 0, PROTO_KEY_MAX) && (!k2 || memchr(k2, 0, PROTO_KEY_MAX)))
        return true;
    err e;
    err_set(&e, ERR_INPUT, "chain: a key in the request is not NUL-terminated");
    reply_result(a, req, ERR_INPUT, &e, 0, 0, 0);
    return false;
}

static void serve_weights(chain_actor *a, rt_request *req, const rt_msg *msg)
{
    const proto_chain_weights *w = msg->body;
    if (!keys_ok(a, req, w->hotkey, NULL))
        return;
    err e;
    const uint16_t *uids = w->data, *values = w->data + w->n;
    int rc = msg->type == PROTO_CHAIN_SET_WEIGHTS
                 ? chain_set_weights(a->c, w->netuid, w->hotkey, uids, values, w->n,
                                     w->version_key, &e)
                 : chain_reveal_weights(a->c, w->netuid, w->hotkey, uids, values, w->n, w->salt,
                                        w->version_key, &e);
    reply_result(a, req, rc, &e, 0, 0, 0);
}

static void serve_commit(chain_actor *a, rt_request *req, const proto_chain_commit *m)
{
    if (!keys_ok(a, req, m->hotkey, NULL))
        return;
    err e;
    uint64_t first = 0, last = 0;
    int rc = chain_commit_weights(a->c, m->netuid, m->hotkey, m->hash, &e);
    if (!rc)
        reveal_window(a->c, m->netuid, &first, &last);
    reply_result(a, req, rc, &e, 0, first, last);
}

/* --------------------------------------------------------------- metagraph */

static void fill_neuron(const chain *c, const chain_nstate *ns, proto_chain_neuron *o)
{
    const chain_neuron *nr = &ns->pub;
    *o = (proto_chain_neuron){
        .uid = nr->uid, .stake = c->stakes.v[ns->slot], .axon_ip = nr->axon_ip,
        .axon_port = nr->axon_port, .registered_at = nr->registered_at,
        .last_update = nr->last_update, .validator_permit = nr->validator_permit,
        .active = nr->active, .consensus = nr->consensus, .incentive = nr->incentive,
        .dividends = nr->dividends, .validator_trust = nr->validator_trust,
        .emission = nr->emission,
    };
    /* Keys too long for the wire are cut; names the runner gives fit. */
    snprintf(o->hotkey, sizeof o->hotkey, "%s", nr->hotkey);
    snprintf(o->coldkey, sizeof o->coldkey, "%s", nr->coldkey);
}

static proto_chain_metagraph *build_metagraph(const chain *c, const chain_subnet *s,
                                              bool with_weights, bool header_only)
{
    uint16_t n = s->n;
    with_weights = with_weights && !header_only;
    size_t nnz = 0;
    for (uint16_t u = 0; with_weights && u < n; u++)
        nnz += s->nrn[u].weights.len;
    size_t size = sizeof(proto_chain_metagraph) +
                  (header_only ? 0 : (size_t)n * sizeof(proto_chain_neuron));
    if (with_weights)
        size += ((size_t)n + 1) * sizeof(uint32_t) + nnz * sizeof(proto_chain_went);
    proto_chain_metagraph *m = calloc(1, size);
    if (!m)
        return NULL;
    m->netuid = s->p.netuid;
    m->block = c->block;
    m->tempo = s->p.tempo;
    m->next_epoch_block = s->next_epoch;   /* UINT64_MAX when tempo is 0 */
    m->last_epoch_block = s->last_epoch;
    m->epochs = s->t.epochs;
    m->registrations = s->t.registrations;
    m->commit_reveal = s->p.commit_reveal;
    m->n = n;
    if (header_only)
        return m;
    m->neurons = (proto_chain_neuron *)(m + 1);
    for (uint16_t u = 0; u < n; u++)
        fill_neuron(c, &s->nrn[u], &m->neurons[u]);
    if (with_weights) {
        m->row_start = (uint32_t *)(m->neurons + n);
        m->weights = (proto_chain_went *)(m->row_start + n + 1);
        uint32_t k = 0;
        for (uint16_t u = 0; u < n; u++) {
            const chain_row *row = &s->nrn[u].weights;
            m->row_start[u] = k;
            for (uint32_t j = 0; j < row->len; j++, k++)
                m->weights[k] = (proto_chain_went){row->uid[j], row->val[j]};
        }
        m->row_start[n] = k;
    }
    return m;
}

static void serve_metagraph(chain_actor *a, rt_request *req, const proto_chain_metagraph_req *q)
{
    const chain_subnet *s = chain_subnet_find(a->c, q->netuid);
    if (!s) {
        err e;
        err_set(&e, ERR_NOTFOUND, "metagraph: subnet %u does not exist (SubnetNotExists)",
                (unsigned)q->netuid);
        reply_result(a, req, ERR_NOTFOUND, &e, 0, 0, 0);
        return;
    }
    proto_chain_metagraph *m = build_metagraph(a->c, s, q->with_weights, q->header_only);
    if (!m) {
        rt_reply(a->r, req, RT_SERVER_ERROR, (rt_msg){0});
        return;
    }
    rt_msg out = {PROTO_CHAIN_METAGRAPH_REPLY, m, NULL,
                  proto_chain_wire_bytes(PROTO_CHAIN_METAGRAPH_REPLY, m)};
    rt_reply(a->r, req, RT_OK, out);
}

/* ---------------------------------------------------------------- serving */

static void serve(chain_actor *a, rt_request *req, const rt_msg *msg)
{
    err e;
    int rc;
    uint16_t uid = 0;
    switch (msg->type) {
    case PROTO_CHAIN_REGISTER: {
        const proto_chain_register *m = msg->body;
        if (!keys_ok(a, req, m->hotkey, m->coldkey))
            return;
        rc = chain_register(a->c, m->netuid, m->hotkey, m->coldkey, &uid, &e);
        reply_result(a, req, rc, &e, uid, 0, 0);
        return;
    }
    case PROTO_CHAIN_SERVE_AXON: {
        const proto_chain_axon *m = msg->body;
        if (!keys_ok(a, req, m->hotkey, NULL))
            return;
        rc = chain_serve_axon(a->c, m->netuid, m->hotkey, m->ip, m->port, &e);
        reply_result(a, req, rc, &e, 0, 0, 0);
        return;
    }
    case PROTO_CHAIN_ADD_STAKE: {
        const proto_chain_stake *m = msg->body;
        if (!keys_ok(a, req, m->hotkey, m->coldkey))
            return;
        rc = chain_add_stake(a->c, m->coldkey, m->hotkey, m->netuid, m->rao, &e);
        reply_result(a, req, rc, &e, 0, 0, 0);
        return;
    }
    case PROTO_CHAIN_SET_WEIGHTS:
    case PROTO_CHAIN_REVEAL_WEIGHTS:
        serve_weights(a, req, msg);
        return;
    case PROTO_CHAIN_COMMIT_WEIGHTS:
        serve_commit(a, req, msg->body);
        return;
    case PROTO_CHAIN_METAGRAPH:
        serve_metagraph(a, req, msg->body);
        return;
    }
    err_set(&e, ERR_INPUT, "chain: unknown message type %d", msg->type);
    reply_result(a, req, ERR_INPUT, &e, 0, 0, 0);
}

static void on_request(void *self, rt_request *req, const rt_msg *msg)
{
    chain_actor *a = self;
    err e;
    /* Blocks up to now happen first: a request is an extrinsic in the current block. */
    if (chain_advance_to(a->c, chain_actor_block_at(a, rt_now(a->r)), &e)) {
        rt_reply(a->r, req, RT_SERVER_ERROR, (rt_msg){0});
        rt_fail(a->r, e.code, "%s", e.msg);
        return;
    }
    if (!msg || !msg->body) {
        err_set(&e, ERR_INPUT, "chain: empty request");
        reply_result(a, req, ERR_INPUT, &e, 0, 0, 0);
        return;
    }
    serve(a, req, msg);
}

/* A restarted chain endpoint catches up (the blocks went on while it was down)
 * and re-arms the epoch timer the runtime cancelled when it stopped. */
static void on_start(void *self)
{
    chain_actor *a = self;
    err e;
    if (chain_actor_sync(a, &e))
        rt_fail(a->r, e.code, "%s", e.msg);
}

static const rt_actor_def chain_actor_def = {"chain", on_request, NULL, on_start};

int chain_actor_new(rt *r, chain *c, const chain_actor_opts *o, chain_actor **out, err *e)
{
    chain_actor *a = calloc(1, sizeof *a);
    if (!a)
        return err_set(e, ERR_NOMEM, "chain actor: out of memory");
    a->r = r;
    a->c = c;
    a->block_time = o && o->block_time > 0 ? o->block_time : RT_MS(12000);
    a->base_time = rt_now(r);
    a->base_block = chain_block(c);
    const char *name = o && o->name ? o->name : "chain";
    int rc = rt_actor_add(r, name, &chain_actor_def, a, &a->id);
    if (rc) {
        free(a);
        return err_set(e, rc, "chain actor: cannot add actor '%s'", name);
    }
    rc = arm(a);
    if (rc) {
        free(a);
        return err_set(e, rc, "chain actor: cannot arm the epoch timer");
    }
    *out = a;
    return 0;
}

void chain_actor_free(chain_actor *a) { free(a); }
