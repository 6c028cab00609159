/* The weights client: set, or commit then reveal. */
#include "validator/wclient/wclient.h"

#include "chain/chain.h"

#include <string.h>

int wclient_init(wclient *c, rt *r, rt_actor me, rt_actor chain, uint16_t netuid,
                 const char *hotkey, err *e)
{
    memset(c, 0, sizeof *c);
    if (!proto_key_set(c->hotkey, hotkey))
        return err_set(e, ERR_INPUT, "hotkey '%s' is too long", hotkey);
    c->r = r;
    c->me = me;
    c->chain = chain;
    c->netuid = netuid;
    c->timeout = RT_SEC(60);
    rt_rng(r, c->hotkey, "salt", &c->salts);
    return 0;
}

void wclient_free(wclient *c)
{
    free(c->pending);
    free(c->next);
    c->pending = c->next = NULL;
}

proto_chain_weights *wclient_weights_new(const wclient *c, const uint16_t *uids,
                                         const uint16_t *values, size_t n)
{
    proto_chain_weights *w = proto_chain_weights_new((uint32_t)n);
    if (!w)
        return NULL;
    w->netuid = c->netuid;
    proto_key_set(w->hotkey, c->hotkey);
    if (n) {
        memcpy(w->data, uids, n * sizeof *uids);
        memcpy(w->data + n, values, n * sizeof *values);
    }
    return w;
}

static int send_chain(wclient *c, int type, void *body, const char *kind, rt_reply_cb cb)
{
    rt_msg m = {.type = type, .body = body, .wire_bytes = proto_chain_wire_bytes(type, body)};
    rt_call_opts o = {.timeout = c->timeout, .kind = kind};
    return rt_call(c->r, c->me, c->chain, m, &o, cb, c, NULL);
}

static void finish(wclient *c, bool ok)
{
    wclient_done_cb done = c->done;
    c->done = NULL;
    done(c->arg, ok);
}

static void on_submitted(void *arg, int result, int status, const rt_msg *reply)
{
    wclient *c = arg;
    bool ok = !result && status == RT_OK;
    if (!ok) {
        const proto_chain_result *res = reply ? reply->body : NULL;
        log_debug("%s: weights refused (%s, status %d): %s", c->hotkey, err_name(result), status,
                  res ? res->message : "");
        free(c->pending);   /* a refused commit has nothing to reveal */
        c->pending = NULL;
    } else if (c->pending) {
        const proto_chain_result *res = reply->body;
        c->reveal_first = res->reveal_first_block;
        c->reveal_last = res->reveal_last_block;
    }
    finish(c, ok);
}

/* Set or commit c->next; 1 when there is nothing to send. */
static int submit(wclient *c)
{
    proto_chain_weights *w = c->next;
    c->next = NULL;
    if (!w)
        return 1;
    if (!c->commit_reveal)
        return send_chain(c, PROTO_CHAIN_SET_WEIGHTS, w, "set_weights", on_submitted);
    proto_chain_commit *cm = calloc(1, sizeof *cm);
    if (!cm) {
        free(w);
        return ERR_NOMEM;
    }
    w->salt = rng_u64(&c->salts);
    cm->netuid = c->netuid;
    proto_key_set(cm->hotkey, c->hotkey);
    chain_commit_hash(c->hotkey, w->netuid, w->data, w->data + w->n, w->n, w->salt,
                      w->version_key, cm->hash);
    free(c->pending);
    c->pending = w;   /* kept to reveal at a later turn */
    int rc = send_chain(c, PROTO_CHAIN_COMMIT_WEIGHTS, cm, "commit_weights", on_submitted);
    if (rc) {
        free(c->pending);
        c->pending = NULL;
    }
    return rc;
}

static void on_revealed(void *arg, int result, int status, const rt_msg *reply)
{
    wclient *c = arg;
    (void)reply;
    if (result || status != RT_OK)
        log_debug("%s: reveal refused (%s, status %d)", c->hotkey, err_name(result), status);
    int rc = submit(c);
    if (rc == 1) {
        finish(c, false);
    } else if (rc) {
        c->done = NULL;
        rt_fail(c->r, rc, "%s: cannot send weights", c->hotkey);
    }
}

int wclient_turn(wclient *c, const proto_chain_metagraph *mg, proto_chain_weights *w,
                 wclient_done_cb done, void *arg)
{
    free(c->next);
    c->next = w;
    c->commit_reveal = mg->commit_reveal;
    c->done = done;
    c->arg = arg;
    if (c->pending && mg->block >= c->reveal_first && mg->block <= c->reveal_last) {
        proto_chain_weights *p = c->pending;
        c->pending = NULL;
        int rc = send_chain(c, PROTO_CHAIN_REVEAL_WEIGHTS, p, "reveal_weights", on_revealed);
        if (rc) {
            free(c->next);
            c->next = NULL;
            c->done = NULL;
        }
        return rc;
    }
    if (c->pending && mg->block > c->reveal_last) {
        free(c->pending);   /* its window passed: the commit never counts */
        c->pending = NULL;
    }
    int rc = submit(c);
    if (rc)
        c->done = NULL;
    return rc;
}
