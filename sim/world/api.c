/* The listings API as an rt actor: quotas, rate limits, latency, injected
 * failures, and api_usage records aggregated per caller, endpoint and hour. */
#include "world/world_internal.h"

#include <math.h>
#include <string.h>

enum { EP_SEARCH, EP_LOOKUP, EP_OTHER, EP_COUNT };
static const char *const ep_names[EP_COUNT] = {"search", "lookup", "other"};

enum {
    C_CALLS, C_OK, C_NOT_FOUND, C_BAD, C_QUOTA, C_RATE,
    C_I404, C_I429, C_I5XX, C_ITIMEOUT, NCOUNT
};

typedef struct bucket {
    int64_t start;
    int64_t c[NCOUNT];
} bucket;

typedef struct caller {
    bool ready;
    world_plan plan;
    int64_t interval_us;      /* GCRA emission interval; 0: no rate limit */
    int64_t tolerance_us;     /* (burst - 1) intervals */
    int64_t tat;              /* theoretical arrival time of the next call */
    int64_t period, used;     /* quota period index and calls counted in it */
    rng r;                    /* this caller's latency and failure draws */
    bucket b[EP_COUNT];
    int64_t total[NCOUNT];
} caller;

/* An answer waiting out its service time. */
typedef struct pending {
    struct pending *prev, *next;
    world_api *api;
    rt_request *req;
    int status;
    rt_msg msg;
} pending;

struct world_api {
    rt *r;
    world *w;
    world_api_params p;
    char *name;
    rt_actor me;
    world_api_faults faults;
    VEC(caller) callers;      /* by actor id */
    pending *live;            /* doubly linked: stopping the actor frees them */
};

static const rt_column usage_cols[] = {
    {"time_us", RT_COL_INT, "start of the hour (usage bucket) the row counts"},
    {"caller", RT_COL_INT, "calling actor (actor.actor)"},
    {"endpoint", RT_COL_TEXT, "search, lookup or other"},
    {"plan", RT_COL_TEXT, "the caller's plan: basic, premium, unlimited"},
    {"calls", RT_COL_INT, "requests received"},
    {"ok", RT_COL_INT, "answered 200"},
    {"not_found", RT_COL_INT, "genuine 404: unknown zip or zpid, or a listing gone"},
    {"bad_request", RT_COL_INT, "400: page < 1 or an unreadable request"},
    {"quota_exceeded", RT_COL_INT, "429: the plan's quota for the period was spent"},
    {"rate_limited", RT_COL_INT, "429: over the per-caller rate limit"},
    {"injected_404", RT_COL_INT, "404 injected by the fault parameters"},
    {"injected_429", RT_COL_INT, "429 injected by the fault parameters"},
    {"injected_5xx", RT_COL_INT, "5xx injected by the fault parameters"},
    {"injected_timeout", RT_COL_INT, "never answered (the caller times out)"},
    {"quota_used", RT_COL_INT, "calls counted against the quota this period, at the row's last call"},
    {"quota", RT_COL_INT, "the plan's quota per period, 0 = unlimited"},
};
static const char *const usage_idx[] = {"caller, time_us", NULL};
const rt_table world_api_usage_table = {"api_usage",
                                        "listings API calls per caller, endpoint and hour",
                                        usage_cols, 16, usage_idx, NULL};

static const rt_column fault_cols[] = {
    {"time_us", RT_COL_INT, "when the API's injected failures changed"},
    {"actor", RT_COL_INT, "the API (actor.actor)"},
    {"p_404", RT_COL_REAL, "share of counted calls answered with a spurious 404"},
    {"p_429", RT_COL_REAL, "share answered with a spurious 429"},
    {"p_5xx", RT_COL_REAL, "share answered with status_5xx"},
    {"p_timeout", RT_COL_REAL, "share never answered"},
    {"status_5xx", RT_COL_INT, "the 5xx status used"},
};
const rt_table world_api_fault_table = {"api_fault", "changes of the listings API's injected failures",
                                        fault_cols, 7, NULL, NULL};

/* ---------------------------------------------------------------- callers */

/* GCRA, the token bucket as one timestamp: a call conforms unless the
 * theoretical arrival time runs more than (burst - 1) intervals ahead. */
static void caller_rate(caller *c, double rate, double burst)
{
    c->interval_us = rate > 0 ? llround(1e6 / rate) : 0;
    c->tolerance_us = rate > 0 ? llround((burst - 1) * 1e6 / rate) : 0;
}

static caller *caller_get(world_api *api, rt_actor a)
{
    if (a >= api->callers.len) {
        size_t old = api->callers.len;
        if (VEC_RESERVE(&api->callers, (size_t)a + 1))
            return NULL;
        memset(api->callers.v + old, 0, ((size_t)a + 1 - old) * sizeof *api->callers.v);
        api->callers.len = (size_t)a + 1;
    }
    caller *c = &api->callers.v[a];
    if (!c->ready) {
        c->ready = true;
        c->plan = api->p.default_plan;
        const world_plan_params *pl = &api->p.plans[c->plan];
        caller_rate(c, pl->rate_per_s, pl->burst);
        c->tat = INT64_MIN / 2;
        rt_rng(api->r, rt_actor_name(api->r, a), api->name, &c->r);
    }
    return c;
}

static void flush_bucket(world_api *api, rt_actor a, caller *c, int ep)
{
    bucket *b = &c->b[ep];
    if (!b->c[C_CALLS])
        return;
    rt_val v[16] = {RT_I(b->start), RT_I(a), RT_S(ep_names[ep]), RT_S(world_plan_name(c->plan))};
    for (int k = 0; k < NCOUNT; k++)
        v[4 + k] = RT_I(b->c[k]);
    v[14] = RT_I(c->used);
    v[15] = RT_I(api->p.plans[c->plan].quota);
    rt_record(api->r, &world_api_usage_table, v);
    memset(b->c, 0, sizeof b->c);
}

static void count(world_api *api, rt_actor a, caller *c, int ep, int what, rt_time now)
{
    bucket *b = &c->b[ep];
    int64_t start = now - now % api->p.usage_bucket_us;
    if (b->c[C_CALLS] && b->start != start)
        flush_bucket(api, a, c, ep);
    b->start = start;
    b->c[what]++;
    c->total[what]++;
}

/* Quota, then rate limit: 0 to go on, or the counter that refused the call. */
static int admit(world_api *api, caller *c, rt_time now)
{
    int64_t period = now / api->p.quota_period_us;
    if (period != c->period) {
        c->period = period;
        c->used = 0;
    }
    int64_t quota = api->p.plans[c->plan].quota;
    if (quota > 0 && c->used >= quota)
        return C_QUOTA;
    if (c->interval_us) {
        if (c->tat - now > c->tolerance_us)
            return C_RATE;
        c->tat = (c->tat > now ? c->tat : now) + c->interval_us;
    }
    c->used++;
    return 0;
}

/* --------------------------------------------------------------- answers */

static void answer_now(void *arg)
{
    pending *pd = arg;
    world_api *api = pd->api;
    DLIST_UNLINK(&api->live, pd);
    rt_reply(api->r, pd->req, pd->status, pd->msg);
    free(pd);
}

static void answer(world_api *api, rt_request *req, int status, rt_msg msg, rt_time delay)
{
    pending *pd = malloc(sizeof *pd);
    if (!pd) {
        if (msg.body)
            free(msg.body);
        rt_fail(api->r, ERR_NOMEM, "listings api: out of memory");
        return;
    }
    *pd = (pending){.api = api, .req = req, .status = status, .msg = msg};
    DLIST_PUSH(&api->live, pd);
    if (delay <= 0 || rt_timer_start(api->r, api->me, delay, answer_now, pd, NULL))
        answer_now(pd);
}

static void drop_pending(world_api *api)
{
    while (api->live) {
        pending *pd = api->live;
        api->live = pd->next;
        free(pd->msg.body);
        free(pd);
    }
}

/* Serve a counted, unfailed request from the world as it is now. */
static int serve(world_api *api, const rt_msg *m, rt_time now, rt_msg *out, int *what)
{
    *out = (rt_msg){0};
    int rc;
    if (m->type == PROTO_RESI_SEARCH && m->body) {
        const proto_resi_search_req *q = m->body;
        int ps = world_get_params(api->w)->page_size;
        proto_resi_search_reply *rep = malloc(sizeof *rep + (size_t)ps * sizeof(proto_resi_listing));
        if (!rep)
            return ERR_NOMEM;
        world_page pg;
        char zip[6];
        memcpy(zip, q->zip, 6);
        zip[5] = 0;
        rc = world_search(api->w, zip, q->page, now, rep->props, &pg);
        memcpy(rep->zip, zip, 6);
        rep->page = q->page;
        rep->total_results = pg.total_results;
        rep->total_pages = pg.total_pages;
        rep->n = pg.n;
        if (rc) {
            free(rep);
        } else {
            *out = (rt_msg){PROTO_RESI_SEARCH_REPLY, rep, NULL,
                            proto_resi_wire_bytes(PROTO_RESI_SEARCH_REPLY, rep)};
        }
    } else if (m->type == PROTO_RESI_LOOKUP && m->body) {
        proto_resi_lookup_reply *rep = malloc(sizeof *rep);
        if (!rep)
            return ERR_NOMEM;
        rc = world_lookup(api->w, ((const proto_resi_lookup_req *)m->body)->zpid, now, &rep->listing);
        if (rc)
            free(rep);
        else
            *out = (rt_msg){PROTO_RESI_LOOKUP_REPLY, rep, NULL,
                            proto_resi_wire_bytes(PROTO_RESI_LOOKUP_REPLY, rep)};
    } else {
        rc = ERR_INPUT;
    }
    *what = rc == 0 ? C_OK : rc == ERR_NOTFOUND ? C_NOT_FOUND : C_BAD;
    return rc == ERR_NOMEM ? rc : 0;
}

static int status_of(int what)
{
    return what == C_OK ? RT_OK : what == C_NOT_FOUND ? RT_NOT_FOUND : RT_BAD_REQUEST;
}

static void on_request(void *self, rt_request *req, const rt_msg *msg)
{
    world_api *api = self;
    rt_time now = rt_now(api->r);
    rt_actor from = rt_request_from(req);
    caller *c = caller_get(api, from);
    if (!c) {
        rt_fail(api->r, ERR_NOMEM, "listings api: out of memory");
        return;
    }
    int ep = msg->type == PROTO_RESI_SEARCH ? EP_SEARCH : msg->type == PROTO_RESI_LOOKUP ? EP_LOOKUP
                                                                                     : EP_OTHER;
    int64_t median = ep == EP_LOOKUP ? api->p.lookup_latency_us : api->p.search_latency_us;
    count(api, from, c, ep, C_CALLS, now);
    int refused = admit(api, c, now);
    if (refused) {
        /* the gateway refuses before the backend: a tenth of the usual time */
        count(api, from, c, ep, refused, now);
        answer(api, req, RT_TOO_MANY, (rt_msg){0}, median / 10);
        return;
    }
    /* two draws per counted call, always, so one outcome never shifts the next */
    double u = rng_uniform(&c->r);
    rt_time delay = (rt_time)llround(rng_lognormal(&c->r, (double)median, api->p.latency_sigma));
    const world_api_faults *f = &api->faults;
    if (u < f->p_timeout) {
        count(api, from, c, ep, C_ITIMEOUT, now);   /* hung: the caller times out */
        if (api->p.hang_release_us > 0)
            answer(api, req, 504, (rt_msg){0}, api->p.hang_release_us);
        return;
    }
    u -= f->p_timeout;
    int injected = u < f->p_5xx ? C_I5XX : u - f->p_5xx < f->p_429 ? C_I429
                 : u - f->p_5xx - f->p_429 < f->p_404 ? C_I404 : 0;
    if (injected) {
        count(api, from, c, ep, injected, now);
        int st = injected == C_I5XX ? f->status_5xx : injected == C_I429 ? RT_TOO_MANY : RT_NOT_FOUND;
        answer(api, req, st, (rt_msg){0}, delay);
        return;
    }
    rt_msg out;
    int what;
    if (serve(api, msg, now, &out, &what)) {
        rt_fail(api->r, ERR_NOMEM, "listings api: out of memory");
        return;
    }
    count(api, from, c, ep, what, now);
    answer(api, req, status_of(what), out, delay);
}

static void on_stop(void *self) { drop_pending(self); }

static const rt_actor_def api_def = {"api", on_request, on_stop, NULL};

/* ------------------------------------------------------------- interface */

int world_api_new(rt *r, world *w, const world_api_params *p, world_api **out, err *e)
{
    *out = NULL;
    int rc = world_api_params_check(p, e);
    if (rc)
        return rc;
    world_api *api = calloc(1, sizeof *api);
    if (!api || !(api->name = strdup(p->name))) {
        free(api);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    api->r = r;
    api->w = w;
    api->p = *p;
    api->p.name = api->name;
    api->faults = p->faults;
    if ((rc = rt_actor_add(r, api->name, &api_def, api, &api->me))) {
        world_api_free(api);
        return err_set(e, rc, "cannot add the listings api actor '%s'%s", p->name,
                       rc == ERR_INPUT ? ": the name is taken" : "");
    }
    *out = api;
    return 0;
}

void world_api_free(world_api *api)
{
    if (!api)
        return;
    drop_pending(api);
    VEC_FREE(&api->callers);
    free(api->name);
    free(api);
}

rt_actor world_api_actor(const world_api *api) { return api->me; }

int world_api_set_caller(world_api *api, rt_actor caller_id, world_plan plan, double rate_per_s)
{
    if (plan < 0 || plan >= WORLD_PLAN_COUNT || caller_id >= rt_actor_count(api->r))
        return ERR_INPUT;
    caller *c = caller_get(api, caller_id);
    if (!c)
        return ERR_NOMEM;
    c->plan = plan;
    const world_plan_params *pl = &api->p.plans[plan];
    double rate = rate_per_s > 0 ? rate_per_s : pl->rate_per_s;
    caller_rate(c, rate, pl->burst >= 1 ? pl->burst : 1);
    return 0;
}

int world_api_set_faults(world_api *api, const world_api_faults *f)
{
    world_api_params check = api->p;
    check.faults = *f;
    int rc = world_api_params_check(&check, NULL);
    if (rc)
        return rc;
    api->faults = *f;
    rt_val v[] = {RT_I(rt_now(api->r)), RT_I(api->me), RT_D(f->p_404), RT_D(f->p_429),
                  RT_D(f->p_5xx), RT_D(f->p_timeout), RT_I(f->status_5xx)};
    return rt_record(api->r, &world_api_fault_table, v);
}

void world_api_flush(world_api *api)
{
    for (size_t a = 0; a < api->callers.len; a++)
        if (api->callers.v[a].ready)
            for (int ep = 0; ep < EP_COUNT; ep++)
                flush_bucket(api, (rt_actor)a, &api->callers.v[a], ep);
}

int world_api_counts_get(const world_api *api, rt_actor a, world_api_counts *out)
{
    *out = (world_api_counts){0};
    if (a >= api->callers.len || !api->callers.v[a].ready)
        return ERR_NOTFOUND;
    const caller *c = &api->callers.v[a];
    const int64_t *t = c->total;
    *out = (world_api_counts){t[C_CALLS], t[C_OK], t[C_NOT_FOUND], t[C_BAD], t[C_QUOTA],
                              t[C_RATE], t[C_I404], t[C_I429], t[C_I5XX], t[C_ITIMEOUT],
                              c->used, api->p.plans[c->plan].quota};
    return 0;
}
