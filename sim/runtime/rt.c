/* The runtime's actor registry, records, randomness and run control. */
#include "runtime/rt_internal.h"

#include "net/net.h"

#include <string.h>

static const rt_column actor_cols[] = {
    {"actor", RT_COL_INT, "actor id, dense from 0, used by request and fault rows"},
    {"name", RT_COL_TEXT, "unique actor name (a hotkey for neurons)"},
    {"kind", RT_COL_TEXT, "chain, validator, miner, api, ..."},
};
static const rt_table actor_table = {"actor", "every actor of the run", actor_cols, 3, NULL, NULL};

static const rt_column request_cols[] = {
    {"time_us", RT_COL_INT, "when the call was made (simulated microseconds)"},
    {"from_actor", RT_COL_INT, "caller (actor.actor)"},
    {"to_actor", RT_COL_INT, "server (actor.actor)"},
    {"kind", RT_COL_TEXT, "endpoint: index, bucket, search, pull_task, ..."},
    {"attempt", RT_COL_INT, "1 for a first try, counting up on retries"},
    {"result", RT_COL_TEXT, "ok, http_4xx, http_5xx, timeout, refused, malformed"},
    {"status", RT_COL_INT, "HTTP-like status of the answer, 0 when none came"},
    {"latency_us", RT_COL_INT, "from call to answer or failure"},
};
static const char *const request_idx[] = {"to_actor, time_us", NULL};
const rt_table rtv_request_table = {"request", "every request between actors, with its outcome",
                                    request_cols, 8, request_idx, NULL};

static const rt_column fault_cols[] = {
    {"time_us", RT_COL_INT, "when the fault was set or cleared"},
    {"actor", RT_COL_INT, "target (actor.actor)"},
    {"action", RT_COL_TEXT, "set or clear"},
    {"p_error", RT_COL_REAL, "share of requests answered with error_status"},
    {"error_status", RT_COL_INT, "the status those requests get"},
    {"p_hang", RT_COL_REAL, "share of requests never answered"},
    {"p_malformed", RT_COL_REAL, "share answered with an undecodable body"},
    {"extra_delay_us", RT_COL_INT, "added to every answer"},
};
static const rt_table fault_table = {"fault", "faults injected into actors' transports", fault_cols, 8,
                                     NULL, NULL};

int rt_virtual_new(const rt_virtual_opts *o, rt **out, err *e)
{
    rt *r = calloc(1, sizeof *r);
    if (!r)
        return err_set(e, ERR_NOMEM, "out of memory");
    r->seed = o->seed;
    r->sink = o->sink;
    r->record_requests = o->record_requests;
    evq_init(&r->q);
    if (o->net) {
        r->net = o->net;
    } else {
        r->net_owned = malloc(sizeof *r->net_owned);
        if (!r->net_owned) {
            free(r);
            return err_set(e, ERR_NOMEM, "out of memory");
        }
        net_model_default(r->net_owned);
        r->net = r->net_owned;
    }
    *out = r;
    return 0;
}

void rt_free(rt *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->calls.len; i++) {
        rt_call_obj *c = r->calls.v[i];
        if (c->in_use) {
            if (c->req.body)
                (c->req.free_body ? c->req.free_body : free)(c->req.body);
            if (c->reply.body)
                (c->reply.free_body ? c->reply.free_body : free)(c->reply.body);
        }
        free(c);
    }
    for (size_t i = 0; i < r->actors.len; i++)
        free(r->actors.v[i].name);
    VEC_FREE(&r->calls);
    VEC_FREE(&r->call_free);
    VEC_FREE(&r->timers);
    VEC_FREE(&r->timer_free);
    VEC_FREE(&r->actors);
    evq_free(&r->q);
    free(r->net_owned);
    free(r);
}

/* ---------------------------------------------------------------- actors */

int rt_actor_add(rt *r, const char *name, const rt_actor_def *def, void *self, rt_actor *out)
{
    if (!name || !*name || !def || !def->kind)
        return ERR_INPUT;
    if (rt_actor_find(r, name) != RT_NO_ACTOR)
        return ERR_INPUT;
    rt_actor_slot a = {.def = def, .self = self, .up = true};
    if (!(a.name = strdup(name)))
        return ERR_NOMEM;
    rng_stream(&a.net_rng, r->seed, name, "net");
    rng_stream(&a.fault_rng, r->seed, name, "faults");
    if (VEC_PUSH(&r->actors, a)) {
        free(a.name);
        return ERR_NOMEM;
    }
    if (out)
        *out = (rt_actor)(r->actors.len - 1);
    if (r->started) {
        rt_val v[] = {RT_I(r->actors.len - 1), RT_S(a.name), RT_S(def->kind)};
        rt_record(r, &actor_table, v);
    }
    return 0;
}

void rtv_record_actors(rt *r)
{
    for (size_t i = 0; i < r->actors.len; i++) {
        rt_val v[] = {RT_I(i), RT_S(r->actors.v[i].name), RT_S(r->actors.v[i].def->kind)};
        rt_record(r, &actor_table, v);
    }
}

const char *rt_actor_name(const rt *r, rt_actor a)
{
    return a < r->actors.len ? r->actors.v[a].name : "?";
}

/* Linear: called when wiring a scenario, not per event. */
rt_actor rt_actor_find(const rt *r, const char *name)
{
    for (size_t i = 0; i < r->actors.len; i++)
        if (!strcmp(r->actors.v[i].name, name))
            return (rt_actor)i;
    return RT_NO_ACTOR;
}

size_t rt_actor_count(const rt *r) { return r->actors.len; }
bool rt_actor_up(const rt *r, rt_actor a) { return a < r->actors.len && r->actors.v[a].up; }

void rt_actor_stop(rt *r, rt_actor a)
{
    if (a >= r->actors.len || !r->actors.v[a].up)
        return;
    r->actors.v[a].up = false;
    rtv_stop_actor_timers(r, a);
    rtv_stop_actor_calls(r, a);
    if (r->actors.v[a].def->on_stop)
        r->actors.v[a].def->on_stop(r->actors.v[a].self);
}

void rt_actor_start(rt *r, rt_actor a)
{
    if (a >= r->actors.len || r->actors.v[a].up)
        return;
    r->actors.v[a].up = true;
    if (r->actors.v[a].def->on_start)
        r->actors.v[a].def->on_start(r->actors.v[a].self);
}

/* ------------------------------------------------------- clock, randomness */

rt_time rt_now(const rt *r) { return r->now; }
uint64_t rt_seed(const rt *r) { return r->seed; }
uint64_t rt_events(const rt *r) { return r->events; }

void rt_rng(const rt *r, const char *actor, const char *purpose, rng *out)
{
    rng_stream(out, r->seed, actor, purpose);
}

/* --------------------------------------------------------------- records */

int rt_record(rt *r, const rt_table *t, const rt_val *vals)
{
    if (r->fail.code)
        return r->fail.code;
    if (!r->sink.write)
        return 0;
    int rc = r->sink.write(r->sink.ctx, t, vals);
    if (rc)
        rt_fail(r, rc, "cannot record a %s row", t->name);
    return rc;
}

int rt_fault_set(rt *r, rt_actor target, const rt_fault *f)
{
    if (target >= r->actors.len)
        return ERR_INPUT;
    rt_actor_slot *a = &r->actors.v[target];
    a->has_fault = f != NULL;
    a->fault = f ? *f : (rt_fault){0};
    rt_val v[] = {RT_I(r->now), RT_I(target), RT_S(f ? "set" : "clear"), RT_D(a->fault.p_error),
                  RT_I(a->fault.error_status), RT_D(a->fault.p_hang), RT_D(a->fault.p_malformed),
                  RT_I(a->fault.extra_delay)};
    return rt_record(r, &fault_table, v);
}

/* ------------------------------------------------------------ run control */

void rt_stop(rt *r, int code)
{
    r->stop = true;
    r->stop_code = code;
}

void rt_fail(rt *r, int code, const char *fmt, ...)
{
    if (r->fail.code)
        return;   /* the first failure is the one worth reporting */
    r->fail.code = code ? code : ERR_INTERNAL;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->fail.msg, sizeof r->fail.msg, fmt, ap);
    va_end(ap);
    r->stop = true;
    r->stop_code = r->fail.code;
}
