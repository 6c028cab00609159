/* The copier: every copy period it asks its target for the index, as a
 * validator would, and fetches the buckets that are new or changed since the
 * last round (newest hours first, at most copy_buckets), one at a time. What
 * it receives it stores as its own, by URI like any miner storage: the
 * target's content, scrape times and alterations unchanged. */
#include "miner/resi/resi_internal.h"

#include <string.h>

/* SPEC 2.3: the validators' index and bucket timeouts; a copier asks the way
 * they do */
#define INDEX_TIMEOUT RT_SEC(120)
#define BUCKET_TIMEOUT RT_SEC(140)

static void fetch_next(resi_miner *m);

static void store_copy(resi_miner *m, uint16_t zi, const proto_resi_entity *w)
{
    int64_t unix_s = w->scraped_ms / 1000;
    if (unix_s < m->st.epoch_s)
        return;
    rs_entity e = {.zpid = w->src_zpid, .t = (uint32_t)(unix_s - m->st.epoch_s),
                   .size = (uint16_t)w->content_size, .alter = w->alter};
    bool replaced;
    int rc = rs_store_put(&m->st, zi, world_zip_at(m->env.w, zi)->zip, &e,
                          !(w->alter & PROTO_RESI_ALTER_INVENTED), &replaced);
    if (rc)
        rt_fail(m->r, rc, "%s: cannot store a copied entity", m->hotkey);
    else
        rs_count(m, ACT_COPIED, 1);
}

static void on_bucket(void *arg, int result, int status, const rt_msg *reply)
{
    resi_miner *m = arg;
    if (!result && status == RT_OK && reply && reply->type == PROTO_RESI_BUCKET_REPLY) {
        const proto_resi_bucket_reply *b = reply->body;
        int zi = world_zip_find(m->env.w, b->id.zip);
        for (uint32_t i = 0; zi >= 0 && i < b->n; i++)
            store_copy(m, (uint16_t)zi, &b->e[i]);
    }
    fetch_next(m);
}

static void fetch_next(resi_miner *m)
{
    if (!m->copy_queue.len) {
        m->copying = false;
        return;
    }
    proto_resi_bucket_id id = m->copy_queue.v[--m->copy_queue.len];
    proto_resi_bucket_req *q = proto_resi_bucket_req_new(&id);
    if (!q) {
        rt_fail(m->r, ERR_NOMEM, "%s: out of memory", m->hotkey);
        return;
    }
    rt_msg msg = {PROTO_RESI_BUCKET, q, NULL, proto_resi_wire_bytes(PROTO_RESI_BUCKET, q)};
    rt_call_opts o = {.timeout = BUCKET_TIMEOUT, .kind = "bucket", .attempt = 1};
    if (rt_call(m->r, m->me, m->target, msg, &o, on_bucket, m, NULL))
        rt_fail(m->r, ERR_NOMEM, "%s: cannot ask for a bucket", m->hotkey);
}

/* Oldest first, so popping from the end takes the newest. */
static int by_hour(const void *a, const void *b)
{
    const proto_resi_bucket_id *x = a, *y = b;
    if (x->hour != y->hour)
        return x->hour < y->hour ? -1 : 1;
    return proto_resi_bucket_id_cmp(x, y);
}

static int plan_fetches(resi_miner *m, const proto_resi_index *x)
{
    m->copy_queue.len = 0;
    for (uint32_t i = 0; i < x->n; i++) {
        const proto_resi_index_entry *old = proto_resi_index_find(m->copy_prev, &x->b[i].id);
        if (old && old->size_bytes == x->b[i].size_bytes)
            continue;
        if (VEC_PUSH(&m->copy_queue, x->b[i].id))
            return ERR_NOMEM;
    }
    if (m->copy_queue.len > 1)
        qsort(m->copy_queue.v, m->copy_queue.len, sizeof *m->copy_queue.v, by_hour);
    size_t keep = (size_t)m->cfg->copy_buckets;
    if (m->copy_queue.len > keep) {   /* keep the newest */
        size_t drop = m->copy_queue.len - keep;
        memmove(m->copy_queue.v, m->copy_queue.v + drop, keep * sizeof *m->copy_queue.v);
        m->copy_queue.len = keep;
    }
    return 0;
}

static void on_index(void *arg, int result, int status, const rt_msg *reply)
{
    resi_miner *m = arg;
    if (result || status != RT_OK || !reply || reply->type != PROTO_RESI_INDEX_REPLY) {
        m->copying = false;
        return;
    }
    proto_resi_index *x = rt_take_body(reply);   /* one reference, ours */
    int rc = plan_fetches(m, x);
    proto_resi_index_release(m->copy_prev);
    m->copy_prev = x;
    if (rc) {
        rt_fail(m->r, rc, "%s: out of memory", m->hotkey);
        return;
    }
    fetch_next(m);
}

static void copy_round(void *arg)
{
    resi_miner *m = arg;
    m->copy_timer = 0;
    if (m->target == RT_NO_ACTOR)   /* a target added after the copier */
        m->target = rt_actor_find(m->r, m->cfg->target);
    if (!m->copying && m->target != RT_NO_ACTOR) {
        m->copying = true;
        rt_msg msg = {PROTO_RESI_INDEX, NULL, NULL, proto_resi_wire_bytes(PROTO_RESI_INDEX, NULL)};
        rt_call_opts o = {.timeout = INDEX_TIMEOUT, .kind = "index", .attempt = 1};
        if (rt_call(m->r, m->me, m->target, msg, &o, on_index, m, NULL))
            rt_fail(m->r, ERR_NOMEM, "%s: cannot ask for an index", m->hotkey);
    }
    rs_copy_schedule(m, m->cfg->copy_every_us);
}

void rs_copy_schedule(resi_miner *m, rt_time delay)
{
    if (m->kind != RESI_STRATEGY_COPIER)
        return;
    if (rt_timer_start(m->r, m->me, delay, copy_round, m, &m->copy_timer))
        rt_fail(m->r, ERR_NOMEM, "%s: cannot schedule its copy round", m->hotkey);
}

void rs_copy_stop(resi_miner *m)
{
    m->copy_timer = 0;
    m->copying = false;
    m->copy_queue.len = 0;
}
