/* Serving validators: the index (a shared snapshot) and buckets. A flaky
 * miner ignores a share of requests: the caller's timeout fires; the request
 * is closed with 504 long after, so ignored requests hold no runtime memory
 * for the rest of the run (as the listings API does with hung calls). */
#include "miner/resi/resi_internal.h"

#include <string.h>

/* model: far beyond validators' 120 s and 140 s timeouts (SPEC 2.3) */
#define IGNORED_CLOSE RT_MIN(10)

/* An ignored request waiting to be closed; kept in the miner's list so a
 * stop (whose timers the runtime cancels) can free it. */
typedef struct rs_ignored {
    struct rs_ignored *prev, *next;
    resi_miner *m;
    rt_request *req;
} rs_ignored;

static void close_now(void *arg)
{
    rs_ignored *ig = arg;
    DLIST_UNLINK(&ig->m->ignored, ig);
    rt_reply(ig->m->r, ig->req, 504, (rt_msg){0});
    free(ig);
}

void rs_ignored_free(resi_miner *m)
{
    while (m->ignored) {
        rs_ignored *ig = m->ignored;
        m->ignored = ig->next;
        free(ig);
    }
}

/* Returns true when the request was ignored. */
static bool ignore(resi_miner *m, rt_request *req)
{
    if (m->kind != RESI_STRATEGY_FLAKY || !rng_chance(&m->r_serve, m->cfg->p_drop))
        return false;
    rs_count(m, ACT_DROPPED, 1);
    rs_ignored *ig = malloc(sizeof *ig);
    if (!ig) {
        rt_fail(m->r, ERR_NOMEM, "%s: out of memory", m->hotkey);
        return true;
    }
    *ig = (rs_ignored){.m = m, .req = req};
    DLIST_PUSH(&m->ignored, ig);
    if (rt_timer_start(m->r, m->me, IGNORED_CLOSE, close_now, ig, NULL))
        close_now(ig);
    return true;
}

static void reply_index(resi_miner *m, rt_request *req)
{
    proto_resi_index *x = rs_store_index(&m->st);
    if (!x) {
        rt_reply(m->r, req, RT_SERVER_ERROR, (rt_msg){0});
        return;
    }
    rs_count(m, ACT_INDEX, 1);
    rt_msg out = {PROTO_RESI_INDEX_REPLY, x, proto_resi_index_release,
                  proto_resi_wire_bytes(PROTO_RESI_INDEX_REPLY, x)};
    rt_reply(m->r, req, RT_OK, out);
}

proto_resi_bucket_reply *resi_miner_bucket(resi_miner *m, const proto_resi_bucket_id *id)
{
    const rs_bucket *b = rs_store_find(&m->st, id);
    if (!b)
        return NULL;
    proto_resi_bucket_reply *rep = proto_resi_bucket_reply_alloc(id, b->n);
    for (uint32_t i = 0; rep && i < b->n; i++)
        rs_wire(&m->st, &b->e[i], &rep->e[i]);
    return rep;
}

static void reply_bucket(resi_miner *m, rt_request *req, const proto_resi_bucket_req *q)
{
    proto_resi_bucket_reply *rep = resi_miner_bucket(m, &q->id);
    if (!rep)   /* a bucket it does not have: an empty one, as data-universe answers */
        rep = proto_resi_bucket_reply_new(&q->id, 0);
    if (!rep) {
        rt_reply(m->r, req, RT_SERVER_ERROR, (rt_msg){0});
        return;
    }
    rs_count(m, ACT_BUCKET, 1);
    rt_msg out = {PROTO_RESI_BUCKET_REPLY, rep, NULL,
                  proto_resi_wire_bytes(PROTO_RESI_BUCKET_REPLY, rep)};
    rt_reply(m->r, req, RT_OK, out);
}

void rs_on_request(void *self, rt_request *req, const rt_msg *msg)
{
    resi_miner *m = self;
    if (ignore(m, req))
        return;
    if (msg->type == PROTO_RESI_INDEX)
        reply_index(m, req);
    else if (msg->type == PROTO_RESI_BUCKET && msg->body)
        reply_bucket(m, req, msg->body);
    else
        rt_reply(m->r, req, RT_BAD_REQUEST, (rt_msg){0});
}
