/* The listings API actor over the virtual runtime: answers, quotas, rate
 * limits, latency, injected failures and api_usage records. */
#include "net/net.h"
#include "world/world.h"
#include "test.h"

/* api_usage rows as the sink saw them. */
typedef struct usage_row {
    int64_t time_us, caller, calls, ok, not_found, quota_used, quota;
    char endpoint[8], plan[12];
} usage_row;

typedef struct sink {
    usage_row rows[64];
    int nusage, nfault;
} sink;

static int sink_write(void *ctx, const rt_table *t, const rt_val *v)
{
    sink *s = ctx;
    if (!strcmp(t->name, "api_fault"))
        s->nfault++;
    if (strcmp(t->name, "api_usage"))
        return 0;
    ASSERT(s->nusage < 64);
    usage_row *u = &s->rows[s->nusage++];
    *u = (usage_row){.time_us = v[0].u.i, .caller = v[1].u.i, .calls = v[4].u.i, .ok = v[5].u.i,
                     .not_found = v[6].u.i, .quota_used = v[14].u.i, .quota = v[15].u.i};
    snprintf(u->endpoint, sizeof u->endpoint, "%s", v[2].u.s);
    snprintf(u->plan, sizeof u->plan, "%s", v[3].u.s);
    return 0;
}

static rt_msg search_msg(const char *zip, int page)
{
    proto_resi_search_req *q = proto_resi_search_new(zip, page);
    return (rt_msg){PROTO_RESI_SEARCH, q, NULL, proto_resi_wire_bytes(PROTO_RESI_SEARCH, q)};
}

static rt_msg lookup_msg(uint64_t zpid)
{
    proto_resi_lookup_req *q = proto_resi_lookup_new(zpid);
    return (rt_msg){PROTO_RESI_LOOKUP, q, NULL, proto_resi_wire_bytes(PROTO_RESI_LOOKUP, q)};
}

typedef struct env {
    rt *r;
    world *w;
    world_api *api;
    rt_actor a, b;
    net_model net;
    sink s;
} env;

static const rt_actor_def client_def = {"validator", NULL, NULL, NULL};

/* A world and its API, two clients, links of exactly 1 ms. */
static env *setup(uint64_t seed, const world_api_params *ap)
{
    env *x = calloc(1, sizeof *x);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/data", test_source_dir());
    world_params wp = world_profile_find("resi-2025-09")->world;
    wp.data_dir = dir;
    err e;
    if (world_new(&wp, seed, &x->w, &e))
        TEST_FAIL_("world_new: %s", e.msg);
    net_model_default(&x->net);
    x->net.dflt = (net_link_params){.latency_median_us = 1000};
    rt_virtual_opts o = {.seed = seed, .net = &x->net, .sink = {&x->s, sink_write}};
    ASSERT_OK(rt_virtual_new(&o, &x->r, &e));
    ASSERT_OK(rt_actor_add(x->r, "validator-a", &client_def, NULL, &x->a));
    ASSERT_OK(rt_actor_add(x->r, "validator-b", &client_def, NULL, &x->b));
    world_api_params p = ap ? *ap : world_profile_find("resi-2025-09")->api;
    if (world_api_new(x->r, x->w, &p, &x->api, &e))
        TEST_FAIL_("world_api_new: %s", e.msg);
    return x;
}

static void teardown(env *x)
{
    rt_free(x->r);
    world_api_free(x->api);
    world_free(x->w);
    free(x);
}

static void run(env *x, rt_time until)
{
    err e;
    if (rt_run(x->r, until, &e))
        TEST_FAIL_("rt_run: %s", e.msg);
}

/* What one call came back with (the reply is only valid in the callback). */
typedef struct out {
    int calls, result, status, type;
    int n, total;
    proto_resi_listing first;
    rt_time at;
    rt *r;
} out;

static void on_reply(void *arg, int result, int status, const rt_msg *m)
{
    out *o = arg;
    o->calls++;
    o->result = result;
    o->status = status;
    o->type = m ? m->type : 0;
    o->at = rt_now(o->r);
    if (m && m->type == PROTO_RESI_SEARCH_REPLY) {
        const proto_resi_search_reply *s = m->body;
        o->n = s->n;
        o->total = s->total_results;
        if (s->n)
            o->first = s->props[0];
    } else if (m && m->type == PROTO_RESI_LOOKUP_REPLY) {
        o->first = ((const proto_resi_lookup_reply *)m->body)->listing;
    }
}

static void call(env *x, rt_actor from, rt_msg m, out *o)
{
    o->r = x->r;
    rt_call_opts opts = {.timeout = RT_SEC(15), .kind = "api"};
    ASSERT_OK(rt_call(x->r, from, world_api_actor(x->api), m, &opts, on_reply, o, NULL));
}

TEST_IMPL(search_and_lookup_answer_over_the_runtime)
{
    env *x = setup(42, NULL);
    out s = {0}, l = {0}, bogus = {0}, page0 = {0}, far = {0}, odd = {0}, empty = {0};
    call(x, x->a, search_msg("77494", 1), &s);
    run(x, RT_SEC(5));
    ASSERT_EQ_INT(s.calls, 1);
    ASSERT_EQ_INT(s.status, RT_OK);
    ASSERT_EQ_INT(s.type, PROTO_RESI_SEARCH_REPLY);
    ASSERT_EQ_INT(s.n, 41);
    /* the answer is the world as it was when the request arrived (1 ms link) */
    proto_resi_listing page[41];
    world_page pg;
    ASSERT_OK(world_search(x->w, "77494", 1, RT_MS(1), page, &pg));
    ASSERT_EQ_INT(s.total, pg.total_results);
    ASSERT(!memcmp(&s.first, &page[0], sizeof page[0]));
    ASSERT(s.at > RT_MS(2));
    /* one a second, under the rate limit */
    rt_msg m[] = {lookup_msg(page[3].zpid), lookup_msg(12345),
                  search_msg("77494", 0), search_msg("15009", 1), {.type = 999},
                  {.type = PROTO_RESI_SEARCH}};
    out *o[] = {&l, &bogus, &page0, &far, &odd, &empty};
    for (int i = 0; i < 6; i++) {
        call(x, x->a, m[i], o[i]);
        run(x, RT_SEC(6 + i));
    }
    ASSERT_EQ_INT(l.status, RT_OK);
    ASSERT_EQ_INT(l.type, PROTO_RESI_LOOKUP_REPLY);
    proto_resi_listing truth;
    ASSERT_OK(world_lookup(x->w, page[3].zpid, RT_SEC(5) + RT_MS(1), &truth));
    ASSERT(!memcmp(&l.first, &truth, sizeof truth));
    ASSERT_EQ_INT(bogus.status, RT_NOT_FOUND);
    ASSERT_EQ_INT(bogus.type, 0);
    ASSERT_EQ_INT(page0.status, RT_BAD_REQUEST);
    ASSERT_EQ_INT(far.status, RT_NOT_FOUND);
    ASSERT_EQ_INT(odd.status, RT_BAD_REQUEST);
    ASSERT_EQ_INT(empty.status, RT_BAD_REQUEST);
    world_api_counts c;
    ASSERT_OK(world_api_counts_get(x->api, x->a, &c));
    ASSERT_EQ_INT(c.calls, 7);
    ASSERT_EQ_INT(c.ok, 2);
    ASSERT_EQ_INT(c.not_found, 2);
    ASSERT_EQ_INT(c.bad_request, 3);
    ASSERT_EQ_INT(c.quota_used, 7);
    ASSERT_EQ_INT(c.quota, 13000);
    ASSERT_EQ_INT(world_api_counts_get(x->api, x->b, &c), ERR_NOTFOUND);
    teardown(x);
}

/* A client that sends one look-up every `every`, n times. */
typedef struct pacer {
    env *x;
    rt_actor from;
    rt_time every;
    int n, sent;
    out *outs;
} pacer;

static void pace(void *arg)
{
    pacer *p = arg;
    call(p->x, p->from, lookup_msg(12345), &p->outs[p->sent]);
    if (++p->sent < p->n)
        ASSERT_OK(rt_timer_start(p->x->r, p->from, p->every, pace, p, NULL));
}

static void start_pacer(pacer *p, env *x, rt_actor from, rt_time at, rt_time every, int n)
{
    *p = (pacer){x, from, every, n, 0, calloc((size_t)n, sizeof(out))};
    ASSERT_OK(rt_timer_start(x->r, from, at - rt_now(x->r), pace, p, NULL));
}

TEST_IMPL(the_basic_plan_answers_429_at_exactly_13000_calls)
{
    env *x = setup(42, NULL);
    pacer p;
    /* two a second: exactly the rate limit, so only the quota can refuse */
    start_pacer(&p, x, x->a, 0, RT_MS(500), 13002);
    run(x, RT_HOUR(5));
    for (int i = 0; i < 13000; i++)
        if (p.outs[i].status != RT_NOT_FOUND)
            TEST_FAIL_("call %d: status %d", i + 1, p.outs[i].status);
    ASSERT_EQ_INT(p.outs[13000].status, RT_TOO_MANY);
    ASSERT_EQ_INT(p.outs[13001].status, RT_TOO_MANY);
    world_api_counts c;
    ASSERT_OK(world_api_counts_get(x->api, x->a, &c));
    ASSERT_EQ_INT(c.quota_used, 13000);
    ASSERT_EQ_INT(c.quota_exceeded, 2);
    ASSERT_EQ_INT(c.rate_limited, 0);
    /* the next 30-day period starts afresh */
    out later = {0};
    run(x, RT_HOUR(24 * 30) - RT_MS(1));
    call(x, x->a, lookup_msg(12345), &later);
    run(x, RT_HOUR(24 * 30) + RT_SEC(5));
    ASSERT_EQ_INT(later.status, RT_NOT_FOUND);
    ASSERT_OK(world_api_counts_get(x->api, x->a, &c));
    ASSERT_EQ_INT(c.quota_used, 1);
    free(p.outs);
    teardown(x);
}

static int count_status(const out *o, int n, int status)
{
    int k = 0;
    for (int i = 0; i < n; i++)
        k += o[i].status == status;
    return k;
}

TEST_IMPL(the_rate_limit_is_two_a_second_per_caller)
{
    env *x = setup(42, NULL);
    out burst[5] = {{0}}, other = {0};
    for (int i = 0; i < 5; i++)
        call(x, x->a, lookup_msg(12345), &burst[i]);
    call(x, x->b, lookup_msg(12345), &other);
    run(x, RT_SEC(5));
    ASSERT_EQ_INT(count_status(burst, 5, RT_NOT_FOUND), 2);   /* a burst of 2 */
    ASSERT_EQ_INT(count_status(burst, 5, RT_TOO_MANY), 3);
    ASSERT_EQ_INT(burst[0].status, RT_NOT_FOUND);
    ASSERT_EQ_INT(burst[2].status, RT_TOO_MANY);
    ASSERT_EQ_INT(other.status, RT_NOT_FOUND);               /* b has its own bucket */
    /* four a second for ten seconds: the first three, then one each 500 ms */
    pacer p, q;
    start_pacer(&p, x, x->a, RT_SEC(10), RT_MS(250), 40);
    ASSERT_OK(world_api_set_caller(x->api, x->b, WORLD_PLAN_PREMIUM, 10));
    start_pacer(&q, x, x->b, RT_SEC(10), RT_MS(250), 40);
    run(x, RT_SEC(30));
    ASSERT_EQ_INT(count_status(p.outs, 40, RT_NOT_FOUND), 21);
    ASSERT_EQ_INT(count_status(p.outs, 40, RT_TOO_MANY), 19);
    ASSERT_EQ_INT(count_status(q.outs, 40, RT_NOT_FOUND), 40);
    world_api_counts c;
    ASSERT_OK(world_api_counts_get(x->api, x->a, &c));
    ASSERT_EQ_INT(c.rate_limited, 3 + 19);
    ASSERT_EQ_INT(c.quota_used, 2 + 21);   /* refusals do not count */
    ASSERT_OK(world_api_counts_get(x->api, x->b, &c));
    ASSERT_EQ_INT(c.quota, 198000);
    ASSERT_EQ_INT(world_api_set_caller(x->api, 99, WORLD_PLAN_BASIC, 0), ERR_INPUT);
    free(p.outs);
    free(q.outs);
    teardown(x);
}

/* 4000 look-ups of a listing for sale from a, optionally interleaved with b's. */
static void fault_run(uint64_t seed, bool with_b, int *st, world_api_counts *c)
{
    world_api_params ap = world_profile_find("resi-2025-09")->api;
    ap.default_plan = WORLD_PLAN_UNLIMITED;
    ap.faults = (world_api_faults){.p_404 = 0.1, .p_429 = 0.05, .p_5xx = 0.1, .p_timeout = 0.05,
                                   .status_5xx = 503};
    env *x = setup(seed, &ap);
    proto_resi_listing page[41];
    world_page pg;
    ASSERT_OK(world_search(x->w, "08701", 1, 0, page, &pg));
    enum { N = 4000 };
    out *oa = calloc(N, sizeof *oa), *ob = calloc(N, sizeof *ob);
    for (int i = 0; i < N; i++) {
        call(x, x->a, lookup_msg(page[0].zpid), &oa[i]);
        if (with_b)
            call(x, x->b, lookup_msg(page[1].zpid), &ob[i]);
    }
    run(x, RT_SEC(60));
    for (int i = 0; i < N; i++) {
        ASSERT_EQ_INT(oa[i].calls, 1);
        st[i] = oa[i].result == ERR_TIMEOUT ? -1 : oa[i].status;
    }
    ASSERT_OK(world_api_counts_get(x->api, x->a, c));
    free(oa);
    free(ob);
    teardown(x);
}

TEST_IMPL(injected_failures_hit_at_their_rates_per_caller)
{
    static int st[4000], st2[4000], st3[4000];
    world_api_counts c, c2;
    fault_run(5, false, st, &c);
    int n404 = 0, n429 = 0, n503 = 0, hang = 0, ok = 0;
    for (int i = 0; i < 4000; i++) {
        n404 += st[i] == RT_NOT_FOUND;
        n429 += st[i] == RT_TOO_MANY;
        n503 += st[i] == 503;
        hang += st[i] == -1;
        ok += st[i] == RT_OK;
    }
    ASSERT_EQ_INT(n404 + n429 + n503 + hang + ok, 4000);
    ASSERT_NEAR(n404, 400, 80);
    ASSERT_NEAR(n429, 200, 60);
    ASSERT_NEAR(n503, 400, 80);
    ASSERT_NEAR(hang, 200, 60);
    ASSERT_EQ_INT(c.injected_404, n404);
    ASSERT_EQ_INT(c.injected_429, n429);
    ASSERT_EQ_INT(c.injected_5xx, n503);
    ASSERT_EQ_INT(c.injected_timeout, hang);
    ASSERT_EQ_INT(c.ok, ok);
    /* b's calls draw from b's stream: a's outcomes do not move */
    fault_run(5, true, st2, &c2);
    ASSERT(!memcmp(st, st2, sizeof st));
    fault_run(6, false, st3, &c2);
    ASSERT(memcmp(st, st3, sizeof st) != 0);
}

TEST_IMPL(service_time_is_lognormal_around_the_median)
{
    world_api_params ap = world_profile_find("resi-2025-09")->api;
    ap.default_plan = WORLD_PLAN_UNLIMITED;
    ap.latency_sigma = 0;
    env *x = setup(1, &ap);
    out fixed = {0};
    call(x, x->a, lookup_msg(12345), &fixed);
    run(x, RT_SEC(5));
    ASSERT_EQ_INT(fixed.at, RT_MS(300) + RT_MS(2));   /* service + two 1 ms hops */
    teardown(x);
    ap.latency_sigma = 0.5;
    x = setup(1, &ap);
    enum { N = 2001 };
    static out o[N];
    memset(o, 0, sizeof o);
    for (int i = 0; i < N; i++)
        call(x, x->a, search_msg("08701", 1), &o[i]);
    run(x, RT_SEC(30));
    static double lat[N];
    for (int i = 0; i < N; i++)
        lat[i] = (double)(o[i].at - RT_MS(2));
    for (int i = 1; i < N; i++)   /* insertion sort: small n, test code */
        for (int j = i; j > 0 && lat[j - 1] > lat[j]; j--) {
            double t = lat[j];
            lat[j] = lat[j - 1];
            lat[j - 1] = t;
        }
    ASSERT_NEAR(lat[N / 2], 450000, 450000 * 0.06);
    /* p84 of a lognormal is median x e^sigma */
    ASSERT_NEAR(lat[(int)(N * 0.8413)], 450000 * exp(0.5), 450000 * exp(0.5) * 0.1);
    teardown(x);
}

TEST_IMPL(api_usage_rows_aggregate_per_caller_endpoint_and_hour)
{
    env *x = setup(42, NULL);
    out o[6] = {{0}};
    call(x, x->a, lookup_msg(12345), &o[0]);
    run(x, RT_SEC(1));
    call(x, x->a, lookup_msg(12345), &o[1]);
    run(x, RT_MIN(70));
    call(x, x->a, lookup_msg(12345), &o[2]);
    call(x, x->b, search_msg("77494", 1), &o[3]);
    call(x, x->b, search_msg("77494", 2), &o[4]);
    run(x, RT_HOUR(3) + RT_MIN(1));
    call(x, x->a, lookup_msg(12345), &o[5]);
    run(x, RT_HOUR(4));
    ASSERT_EQ_INT(x->s.nusage, 2);   /* a's hours 0 and 1, closed by later calls */
    world_api_flush(x->api);
    ASSERT_EQ_INT(x->s.nusage, 4);
    world_api_flush(x->api);         /* nothing left open */
    ASSERT_EQ_INT(x->s.nusage, 4);
    struct { int64_t hour, caller, calls, ok, nf; const char *ep; } want[] = {
        {0, x->a, 2, 0, 2, "lookup"}, {1, x->a, 1, 0, 1, "lookup"},
        {3, x->a, 1, 0, 1, "lookup"}, {1, x->b, 2, 2, 0, "search"},
    };
    for (int i = 0; i < 4; i++) {
        const usage_row *u = &x->s.rows[i];
        ASSERT_EQ_INT(u->time_us, RT_HOUR(want[i].hour));
        ASSERT_EQ_INT(u->caller, want[i].caller);
        ASSERT_EQ_INT(u->calls, want[i].calls);
        ASSERT_EQ_INT(u->ok, want[i].ok);
        ASSERT_EQ_INT(u->not_found, want[i].nf);
        ASSERT_STR_EQ(u->endpoint, want[i].ep);
        ASSERT_STR_EQ(u->plan, "basic");
        ASSERT_EQ_INT(u->quota, 13000);
    }
    ASSERT_EQ_INT(x->s.rows[2].quota_used, 4);
    teardown(x);
}

TEST_IMPL(a_stopped_api_refuses_and_drops_what_it_was_serving)
{
    env *x = setup(42, NULL);
    out o[3] = {{0}}, after = {0};
    for (int i = 0; i < 2; i++)
        call(x, i ? x->b : x->a, search_msg("08701", 1), &o[i]);
    run(x, RT_MS(100));   /* arrived; answers due in ~450 ms */
    rt_actor_stop(x->r, world_api_actor(x->api));
    call(x, x->a, lookup_msg(12345), &o[2]);
    run(x, RT_SEC(5));
    for (int i = 0; i < 3; i++) {
        ASSERT_EQ_INT(o[i].calls, 1);
        ASSERT_EQ_INT(o[i].result, ERR_REFUSED);
    }
    rt_actor_start(x->r, world_api_actor(x->api));
    call(x, x->a, search_msg("08701", 1), &after);
    run(x, RT_SEC(10));
    ASSERT_EQ_INT(after.status, RT_OK);
    ASSERT_EQ_INT(after.n, 41);
    teardown(x);
}

TEST_IMPL(faults_change_over_time_and_are_recorded)
{
    env *x = setup(42, NULL);
    world_api_faults bad = {.p_404 = 0.7, .p_5xx = 0.7, .status_5xx = 500};
    ASSERT_EQ_INT(world_api_set_faults(x->api, &bad), ERR_INPUT);
    world_api_faults down = {.p_5xx = 1, .status_5xx = 503};
    ASSERT_OK(world_api_set_faults(x->api, &down));
    out o = {0}, later = {0};
    call(x, x->a, search_msg("08701", 1), &o);
    run(x, RT_SEC(5));
    ASSERT_EQ_INT(o.status, 503);
    ASSERT_OK(world_api_set_faults(x->api, &(world_api_faults){.status_5xx = 500}));
    call(x, x->a, search_msg("08701", 1), &later);
    run(x, RT_SEC(10));
    ASSERT_EQ_INT(later.status, RT_OK);
    ASSERT_EQ_INT(x->s.nfault, 2);
    /* a hang: a caller's 15 s timeout fires; one without a timeout hears 504
     * when the gateway gives up (10 minutes) */
    ASSERT_OK(world_api_set_faults(x->api, &(world_api_faults){.p_timeout = 1, .status_5xx = 500}));
    out timed = {0}, patient = {0};
    call(x, x->a, search_msg("08701", 1), &timed);
    patient.r = x->r;
    proto_resi_lookup_req *q = proto_resi_lookup_new(12345);
    ASSERT_OK(rt_call(x->r, x->b, world_api_actor(x->api),
                      (rt_msg){PROTO_RESI_LOOKUP, q, NULL, 200}, NULL, on_reply, &patient, NULL));
    run(x, RT_SEC(30));
    ASSERT_EQ_INT(timed.result, ERR_TIMEOUT);
    ASSERT_EQ_INT(patient.calls, 0);
    run(x, RT_SEC(20 + 600));
    ASSERT_EQ_INT(timed.calls, 1);
    ASSERT_EQ_INT(patient.calls, 1);
    ASSERT_EQ_INT(patient.status, 504);
    ASSERT_EQ_INT(patient.at, RT_SEC(10) + RT_MS(1) + RT_SEC(600) + RT_MS(1));
    teardown(x);
}
