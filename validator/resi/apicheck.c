/* One entity against the listings API (rapid_zillow_scraper.py validate):
 * the zpid from the URI, a look-up paced like one scraper instance (500 ms
 * apart), the status decides 404/429/errors, and a 200 compares the fields.
 * Every check is an api_sample row. */
#include "validator/resi/internal.h"

#include <string.h>

struct rv_call {
    rv_call *prev, *next;   /* the validator's calls in flight */
    rv_check_ctx c;
    proto_resi_entity e;
    char zip[6];
    rv_check_cb done;
    void *arg;
    rt_time sent;
    int result;
    rt_timer t;
};

void rv_checks_free(resi_validator *v)
{
    while (v->calls) {
        rv_call *k = v->calls;
        v->calls = k->next;
        free(k);
    }
}

static void record(const rv_call *k, int result, int field, bool answered, int status,
                   rt_time latency)
{
    resi_validator *v = k->c.v;
    if (!v->p->record_api_samples)
        return;
    rt_val vals[] = {
        RT_I(rt_now(v->r)),
        RT_I(v->me),
        k->c.miner == RT_NO_ACTOR ? RT_NULL : RT_I(k->c.miner),
        RT_I(k->c.uid),
        RT_S(k->c.kind),
        k->zip[0] ? RT_S(k->zip) : RT_NULL,
        RT_I((int64_t)k->e.zpid),
        RT_S(resi_api_result_name(result)),
        RT_I(resi_api_counts_valid(v->p, result)),
        field ? RT_S(resi_field_name(field)) : RT_NULL,
        answered ? RT_I(status) : RT_NULL,
        latency >= 0 ? RT_I(latency) : RT_NULL,
    };
    rt_record(v->r, &resi_table_api_sample, vals);
}

/* The miner's content as served: the source listing as the world had it at
 * the scrape, with the entity's alterations (what the bytes would say). */
static bool rebuild(resi_validator *v, const proto_resi_entity *e, proto_resi_listing *out)
{
    if (world_lookup(v->cfg.w, e->src_zpid, world_rt_time(v->cfg.w, e->scraped_ms), out))
        return false;
    proto_resi_entity_apply(e, out);
    return true;
}

static void finish(void *arg)
{
    rv_call *k = arg;
    rv_check_cb done = k->done;
    void *darg = k->arg;
    proto_resi_entity e = k->e;
    int result = k->result;
    DLIST_UNLINK(&k->c.v->calls, k);
    free(k);
    done(darg, result, &e);
}

static void on_answer(void *arg, int result, int status, const rt_msg *reply)
{
    rv_call *k = arg;
    resi_validator *v = k->c.v;
    int r = resi_api_classify(result, status);
    int field = RESI_FIELD_NONE;
    if (r == RESI_API_VALID) {
        const proto_resi_lookup_reply *lr = reply ? reply->body : NULL;
        proto_resi_listing mine;
        if (!lr) {
            r = RESI_API_ERROR;   /* a 200 without a listing: an exception, "assumed valid" */
        } else if (!rebuild(v, &k->e, &mine)) {
            r = RESI_API_MISMATCH;   /* content that was never a listing cannot match */
        } else {
            /* no bucket (an S3 row): the label is the content's own */
            const char *zip = k->zip[0] ? k->zip : lr->listing.zip;
            field = resi_api_compare(&v->p->tol, k->e.claimed_size, &mine, zip, &lr->listing);
            r = field ? RESI_API_MISMATCH : RESI_API_VALID;
        }
    }
    record(k, r, field, !result, status, rt_now(v->r) - k->sent);
    k->result = r;
    /* "Rate limited during validation": the scraper sleeps 60 s */
    if (r == RESI_API_RATE_LIMITED && v->p->api_429_sleep_us > 0 &&
        !rt_timer_start(v->r, v->me, v->p->api_429_sleep_us, finish, k, &k->t))
        return;
    finish(k);
}

static void send_call(void *arg)
{
    rv_call *k = arg;
    resi_validator *v = k->c.v;
    k->sent = rt_now(v->r);
    proto_resi_lookup_req *q = proto_resi_lookup_new(k->e.zpid);
    if (!q) {
        rv_fail_nomem(v);
        return;
    }
    rt_msg m = {PROTO_RESI_LOOKUP, q, NULL, proto_resi_wire_bytes(PROTO_RESI_LOOKUP, q)};
    rt_call_opts o = {.timeout = v->p->api_timeout_us, .kind = "lookup", .attempt = 1};
    if (rt_call(v->r, v->me, world_api_actor(v->cfg.api), m, &o, on_answer, k, NULL))
        on_answer(k, ERR_REFUSED, 0, NULL);
}

void rv_check(const rv_check_ctx *c, const proto_resi_entity *e, const char *zip,
              rv_check_cb done, void *arg)
{
    rv_call *k = calloc(1, sizeof *k);
    if (!k) {
        rv_fail_nomem(c->v);
        return;
    }
    k->c = *c;
    k->e = *e;
    if (zip) {
        memcpy(k->zip, zip, 6);
        k->zip[5] = 0;
    }
    k->done = done;
    k->arg = arg;
    DLIST_PUSH(&k->c.v->calls, k);
    resi_validator *v = c->v;
    if (!e->zpid || !v->cfg.api) {
        /* "Could not extract zpid from URI": invalid, and no call; without an
         * API at all every check is an error */
        k->result = e->zpid ? RESI_API_ERROR : RESI_API_NO_ZPID;
        record(k, k->result, RESI_FIELD_NONE, false, 0, -1);
        finish(k);
        return;
    }
    rt_time now = rt_now(v->r);
    rt_time at = *c->next_call > now ? *c->next_call : now;
    *c->next_call = at + v->p->api_interval_us;
    if (at == now) {
        send_call(k);
    } else if (rt_timer_start(v->r, v->me, at - now, send_call, k, &k->t)) {
        rv_fail_nomem(v);
    }
}
