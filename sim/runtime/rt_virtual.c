/* The virtual-time runtime: a discrete-event loop over core's evq. A run is a
 * pure function of (scenario, seed, program): events at the same instant run in
 * the order they were scheduled, and every random draw comes from a stream
 * keyed by (seed, actor name, purpose).
 *
 * Calls are objects with two sides. The caller's side ends when its callback
 * runs (reply, transport error, timeout) or it is cancelled; the server's side
 * ends when the handler replies, or the request never reaches a handler. A call
 * is recycled once both sides have ended. Events refer to calls and timers by
 * (slot, generation), so an event for a recycled slot is recognised and skipped. */
#include "runtime/rt_internal.h"

#include "net/net.h"

#include <string.h>

enum { EV_TIMER, EV_DELIVER, EV_REPLY, EV_TIMEOUT };

static void *ev_arg(int kind, uint32_t idx, uint32_t gen)
{
    return (void *)(uintptr_t)(((uint64_t)gen << 32) | ((uint64_t)idx << 2) | (uint64_t)kind);
}

static void ev_decode(void *arg, int *kind, uint32_t *idx, uint32_t *gen)
{
    uint64_t x = (uint64_t)(uintptr_t)arg;
    *kind = (int)(x & 3);
    *idx = (uint32_t)(x & 0xffffffffu) >> 2;
    *gen = (uint32_t)(x >> 32);
}

static int schedule(rt *r, rt_time at, int kind, uint32_t idx, uint32_t gen)
{
    if (evq_push(&r->q, at, NULL, ev_arg(kind, idx, gen))) {
        rt_fail(r, ERR_NOMEM, "out of memory scheduling an event");
        return ERR_NOMEM;
    }
    return 0;
}

/* --------------------------------------------------------------- timers */

int rt_timer_start(rt *r, rt_actor owner, rt_time delay, rt_timer_cb cb, void *arg, rt_timer *out)
{
    if (delay < 0 || !cb)
        return ERR_INPUT;
    uint32_t idx;
    if (r->timer_free.len) {
        idx = r->timer_free.v[--r->timer_free.len];
    } else {
        idx = (uint32_t)r->timers.len;
        if (idx >= (1u << 29) || VEC_PUSH(&r->timers, ((rt_timer_slot){0})))
            return ERR_NOMEM;
    }
    rt_timer_slot *t = &r->timers.v[idx];
    t->gen++;
    t->live = true;
    t->owner = owner;
    t->cb = cb;
    t->arg = arg;
    if (schedule(r, r->now + delay, EV_TIMER, idx, t->gen)) {
        t->live = false;
        VEC_PUSH(&r->timer_free, idx);
        return ERR_NOMEM;
    }
    if (out)
        *out = ((uint64_t)t->gen << 32) | idx;
    return 0;
}

static void timer_release(rt *r, uint32_t idx)
{
    r->timers.v[idx].live = false;
    r->timers.v[idx].gen++;   /* the pending event no longer matches */
    if (VEC_PUSH(&r->timer_free, idx))
        rt_fail(r, ERR_NOMEM, "out of memory");
}

void rt_timer_stop(rt *r, rt_timer id)
{
    uint32_t idx = (uint32_t)id, gen = (uint32_t)(id >> 32);
    if (id && idx < r->timers.len && r->timers.v[idx].live && r->timers.v[idx].gen == gen)
        timer_release(r, idx);
}

static void run_timer(rt *r, uint32_t idx, uint32_t gen)
{
    rt_timer_slot *t = &r->timers.v[idx];
    if (!t->live || t->gen != gen)
        return;
    rt_timer_cb cb = t->cb;
    void *arg = t->arg;
    timer_release(r, idx);
    cb(arg);
}

void rtv_stop_actor_timers(rt *r, rt_actor a)
{
    for (uint32_t i = 0; i < r->timers.len; i++)
        if (r->timers.v[i].live && r->timers.v[i].owner == a)
            timer_release(r, i);
}

/* ---------------------------------------------------------------- calls */

static rt_call_obj *call_get(rt *r, uint32_t idx, uint32_t gen)
{
    if (idx >= r->calls.len)
        return NULL;
    rt_call_obj *c = r->calls.v[idx];
    return c && c->gen == gen ? c : NULL;
}

static void msg_release(rt_msg *m)
{
    if (m->body)
        (m->free_body ? m->free_body : free)(m->body);
    m->body = NULL;
}

static void call_maybe_recycle(rt *r, rt_call_obj *c)
{
    if (c->caller_waiting || c->in_flight || c->server_holds || c->zombie)
        return;
    msg_release(&c->req);
    msg_release(&c->reply);
    c->gen++;
    c->in_use = false;
    if (VEC_PUSH(&r->call_free, c->idx))
        rt_fail(r, ERR_NOMEM, "out of memory");
}

static int call_alloc(rt *r, rt_call_obj **out)
{
    rt_call_obj *c;
    if (r->call_free.len) {
        c = r->calls.v[r->call_free.v[--r->call_free.len]];
    } else {
        if (r->calls.len >= (1u << 29))
            return ERR_NOMEM;
        c = calloc(1, sizeof *c);
        if (!c || VEC_PUSH(&r->calls, c)) {
            free(c);
            return ERR_NOMEM;
        }
        c->idx = (uint32_t)(r->calls.len - 1);
    }
    uint32_t idx = c->idx, gen = c->gen + 1;
    *c = (rt_call_obj){.idx = idx, .gen = gen, .in_use = true, .r = r};
    *out = c;
    return 0;
}

static const char *result_class(int result, int status)
{
    if (result == ERR_TIMEOUT)
        return "timeout";
    if (result == ERR_REFUSED)
        return "refused";
    if (result == ERR_PROTOCOL)
        return "malformed";
    if (result)
        return "error";
    if (status >= 500)
        return "http_5xx";
    if (status >= 400)
        return "http_4xx";
    return "ok";
}

/* End the caller's side: run its callback (unless cancelled) and record it. */
static void call_complete(rt *r, rt_call_obj *c, int result, int status, const rt_msg *reply)
{
    if (!c->caller_waiting)
        return;
    c->caller_waiting = false;
    if (r->record_requests) {
        rt_val v[] = {RT_I(c->sent), RT_I(c->from), RT_I(c->to), RT_S(c->kind ? c->kind : ""),
                      RT_I(c->attempt), RT_S(result_class(result, status)), RT_I(status),
                      RT_I(r->now - c->sent)};
        rt_record(r, &rtv_request_table, v);
    }
    if (!c->cancelled)
        c->cb(c->arg, result, status, reply);
    call_maybe_recycle(r, c);
}

/* Send the answer (or a transport failure) back over the link. */
static void send_back(rt *r, rt_call_obj *c, int result, int status, rt_time extra)
{
    c->reply_result = result;
    c->reply_status = status;
    int64_t delay = 0;
    rng *nr = &r->actors.v[c->to].net_rng;
    const rt_actor_slot *from = &r->actors.v[c->to], *to = &r->actors.v[c->from];
    net_fate f = net_send(r->net, r->now, from->def->kind, from->name, to->def->kind, to->name,
                          c->reply.wire_bytes, nr, &delay);
    if (f == NET_LOST)
        return;   /* the caller's timeout will fire */
    if (f == NET_REFUSED && !result)
        c->reply_result = ERR_REFUSED;
    schedule(r, r->now + delay + extra, EV_REPLY, c->idx, c->gen);
}

int rt_call(rt *r, rt_actor from, rt_actor to, rt_msg msg, const rt_call_opts *opts,
            rt_reply_cb cb, void *arg, rt_call_id *out)
{
    if (from >= r->actors.len || to >= r->actors.len || !cb) {
        msg_release(&msg);
        return ERR_INPUT;
    }
    rt_call_obj *c;
    if (call_alloc(r, &c)) {
        msg_release(&msg);
        return ERR_NOMEM;
    }
    c->from = from;
    c->to = to;
    c->req = msg;
    c->cb = cb;
    c->arg = arg;
    c->sent = r->now;
    c->kind = opts ? opts->kind : NULL;
    c->attempt = opts && opts->attempt ? opts->attempt : 1;
    c->caller_waiting = true;
    const rt_actor_slot *fa = &r->actors.v[from], *ta = &r->actors.v[to];
    int64_t delay = 0;
    net_fate f = net_send(r->net, r->now, fa->def->kind, fa->name, ta->def->kind, ta->name,
                          msg.wire_bytes, &r->actors.v[from].net_rng, &delay);
    int rc = 0;
    if (f == NET_DELIVER) {
        c->in_flight = true;
        rc = schedule(r, r->now + delay, EV_DELIVER, c->idx, c->gen);
    }
    else if (f == NET_REFUSED) {
        c->reply_result = ERR_REFUSED;
        rc = schedule(r, r->now + delay, EV_REPLY, c->idx, c->gen);
    }
    if (!rc && opts && opts->timeout > 0)
        rc = schedule(r, r->now + opts->timeout, EV_TIMEOUT, c->idx, c->gen);
    if (rc) {
        c->caller_waiting = c->in_flight = false;
        call_maybe_recycle(r, c);
        return rc;
    }
    if (out)
        *out = ((uint64_t)c->gen << 32) | c->idx;
    return 0;
}

void rt_call_cancel(rt *r, rt_call_id id)
{
    rt_call_obj *c = call_get(r, (uint32_t)id, (uint32_t)(id >> 32));
    if (c && c->caller_waiting) {
        c->cancelled = true;
        c->caller_waiting = false;
        call_maybe_recycle(r, c);
    }
}

static void deliver(rt *r, rt_call_obj *c)
{
    rt_actor_slot *a = &r->actors.v[c->to];
    c->in_flight = false;
    if (!a->up || !a->def->on_request) {
        send_back(r, c, ERR_REFUSED, 0, 0);   /* down, or serves nothing */
        return;
    }
    const rt_fault *f = a->has_fault ? &a->fault : NULL;
    if (f && f->p_hang > 0 && rng_chance(&a->fault_rng, f->p_hang)) {
        msg_release(&c->req);   /* swallowed: only the caller's timeout ends it */
        call_maybe_recycle(r, c);
        return;
    }
    if (f && f->p_error > 0 && rng_chance(&a->fault_rng, f->p_error)) {
        send_back(r, c, 0, f->error_status ? f->error_status : RT_SERVER_ERROR, f->extra_delay);
        return;
    }
    if (f && f->p_malformed > 0 && rng_chance(&a->fault_rng, f->p_malformed)) {
        send_back(r, c, ERR_PROTOCOL, 0, f->extra_delay);
        return;
    }
    c->server_holds = true;
    a->def->on_request(a->self, (rt_request *)c, &c->req);
}

void rt_reply(rt *r, rt_request *req, int status, rt_msg reply)
{
    rt_call_obj *c = (rt_call_obj *)req;
    if (!c->server_holds || c->zombie) {
        msg_release(&reply);   /* a reply from a stopped actor's past: dropped */
        return;
    }
    c->server_holds = false;
    msg_release(&c->req);
    c->reply = reply;
    rt_actor_slot *a = &r->actors.v[c->to];
    send_back(r, c, 0, status, a->has_fault ? a->fault.extra_delay : 0);
    call_maybe_recycle(r, c);
}

/* The reply handed to a callback is the call's own `reply` member, which the
 * runtime owns: clearing its body there is how ownership moves. */
void *rt_take_body(const rt_msg *reply)
{
    rt_msg *m = (rt_msg *)reply;
    void *b = m->body;
    m->body = NULL;
    return b;
}

rt_actor rt_request_from(const rt_request *req) { return ((const rt_call_obj *)req)->from; }

/* A stopped actor's calls: requests it was serving are refused; its own
 * outstanding calls end silently (nobody is left to hear the answer). */
void rtv_stop_actor_calls(rt *r, rt_actor a)
{
    for (uint32_t i = 0; i < r->calls.len; i++) {
        rt_call_obj *c = r->calls.v[i];
        if (!c->in_use)
            continue;
        if (c->to == a && c->server_holds) {
            c->server_holds = false;
            c->zombie = true;   /* the handler's pointer may still be used: keep it */
            msg_release(&c->req);
            send_back(r, c, ERR_REFUSED, 0, 0);
        }
        if (c->from == a && c->caller_waiting) {
            c->cancelled = true;
            c->caller_waiting = false;
            call_maybe_recycle(r, c);
        }
    }
}

/* ------------------------------------------------------------- the loop */

static void dispatch(rt *r, void *arg)
{
    int kind;
    uint32_t idx, gen;
    ev_decode(arg, &kind, &idx, &gen);
    if (kind == EV_TIMER) {
        run_timer(r, idx, gen);
        return;
    }
    rt_call_obj *c = call_get(r, idx, gen);
    if (!c)
        return;
    if (kind == EV_DELIVER) {
        deliver(r, c);
    } else if (kind == EV_REPLY) {
        bool bodyless = !c->reply.body && !c->reply.type;
        call_complete(r, c, c->reply_result, c->reply_result ? 0 : c->reply_status,
                      c->reply_result || bodyless ? NULL : &c->reply);
        /* a zombie (its server stopped) stays out of the free list even now:
         * the stopped handler may still hold its request pointer */
    } else if (kind == EV_TIMEOUT) {
        call_complete(r, c, ERR_TIMEOUT, 0, NULL);
    }
}

int rt_run(rt *r, rt_time until, err *e)
{
    if (!r->started) {
        r->started = true;
        rtv_record_actors(r);
    }
    evq_event ev;
    int64_t t;
    while (!r->stop && evq_peek_time(&r->q, &t) && t <= until) {
        evq_pop(&r->q, &ev);
        r->now = ev.time;
        r->events++;
        dispatch(r, ev.arg);
    }
    if (!r->stop && r->now < until && until != INT64_MAX)
        r->now = until;
    if (r->fail.code) {
        if (e)
            *e = r->fail;
        return r->fail.code;
    }
    if (r->stop) {
        r->stop = false;
        return r->stop_code;
    }
    return 0;
}
