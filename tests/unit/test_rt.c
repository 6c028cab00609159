#include "net/net.h"
#include "runtime/rt.h"
#include "test.h"

/* An echo server: answers after `service` with the request's number + 1, or
 * never when `hang` is set. */
typedef struct server {
    rt *r;
    rt_actor me;
    rt_time service;
    bool hang;
    int served;
    rt_request *pending;
    int pending_value;
} server;

static void server_answer(void *arg)
{
    server *s = arg;
    int *body = malloc(sizeof *body);
    *body = s->pending_value + 1;
    rt_request *req = s->pending;
    s->pending = NULL;
    rt_reply(s->r, req, RT_OK, (rt_msg){.type = 1, .body = body});
}

static void server_on_request(void *self, rt_request *req, const rt_msg *msg)
{
    server *s = self;
    s->served++;
    if (s->hang)
        return;
    s->pending = req;
    s->pending_value = *(int *)msg->body;
    if (s->service == 0)
        server_answer(s);
    else
        rt_timer_start(s->r, s->me, s->service, server_answer, s, NULL);
}

static void server_on_stop(void *self) { ((server *)self)->pending = NULL; }

static const rt_actor_def server_def = {"server", server_on_request, server_on_stop, NULL};
static const rt_actor_def client_def = {"client", NULL, NULL, NULL};

typedef struct outcome {
    int calls;
    int result, status, value;
    rt_time at;
} outcome;

static void on_reply(void *arg, int result, int status, const rt_msg *reply)
{
    outcome *o = arg;
    o->calls++;
    o->result = result;
    o->status = status;
    o->value = reply ? *(int *)reply->body : -1;
}

static rt *make(uint64_t seed, net_model *net)
{
    rt *r;
    err e;
    rt_virtual_opts o = {.seed = seed, .net = net};
    ASSERT_OK(rt_virtual_new(&o, &r, &e));
    return r;
}

static rt_msg int_msg(int x)
{
    int *b = malloc(sizeof *b);
    *b = x;
    return (rt_msg){.type = 1, .body = b, .wire_bytes = 100};
}

static net_model fixed_net(void)
{
    net_model m;
    net_model_default(&m);
    m.dflt.latency_median_us = 1000;
    m.dflt.latency_sigma = 0;
    m.dflt.bandwidth_bps = 0;
    return m;
}

static int order[16], norder;
static void note(void *arg) { order[norder++] = (int)(intptr_t)arg; }

TEST_IMPL(timers_run_in_time_then_schedule_order)
{
    rt *r = make(1, NULL);
    norder = 0;
    rt_timer t2;
    ASSERT_OK(rt_timer_start(r, 0, 50, note, (void *)1, NULL));
    ASSERT_OK(rt_timer_start(r, 0, 10, note, (void *)2, &t2));
    ASSERT_OK(rt_timer_start(r, 0, 50, note, (void *)3, NULL));
    ASSERT_OK(rt_timer_start(r, 0, 10, note, (void *)4, NULL));
    rt_timer_stop(r, t2);
    rt_timer_stop(r, t2); /* twice is harmless */
    err e;
    ASSERT_OK(rt_run(r, 1000, &e));
    ASSERT_EQ_INT(norder, 3);
    ASSERT_EQ_INT(order[0], 4);
    ASSERT_EQ_INT(order[1], 1);
    ASSERT_EQ_INT(order[2], 3);
    ASSERT_EQ_INT(rt_now(r), 1000);
    ASSERT_EQ_INT(rt_timer_start(r, 0, -1, note, NULL, NULL), ERR_INPUT);
    rt_free(r);
}

TEST_IMPL(call_and_reply_take_link_latency_and_service_time)
{
    net_model net = fixed_net();
    rt *r = make(1, &net);
    server s = {.r = r, .service = 5000};
    rt_actor sv, cl;
    ASSERT_OK(rt_actor_add(r, "srv", &server_def, &s, &sv));
    ASSERT_OK(rt_actor_add(r, "cli", &client_def, NULL, &cl));
    ASSERT_EQ_INT(rt_actor_add(r, "srv", &server_def, &s, NULL), ERR_INPUT);
    outcome o = {0};
    rt_call_opts opts = {.timeout = RT_SEC(1), .kind = "echo"};
    ASSERT_OK(rt_call(r, cl, sv, int_msg(41), &opts, on_reply, &o, NULL));
    ASSERT_EQ_INT(o.calls, 0); /* never before rt_call returns */
    err e;
    ASSERT_OK(rt_run(r, RT_SEC(10), &e));
    ASSERT_EQ_INT(o.calls, 1);
    ASSERT_EQ_INT(o.result, 0);
    ASSERT_EQ_INT(o.status, RT_OK);
    ASSERT_EQ_INT(o.value, 42);
    ASSERT_EQ_INT(s.served, 1);
    rt_free(r);
}

static void on_reply_at(void *arg, int result, int status, const rt_msg *reply)
{
    on_reply(arg, result, status, reply);
}

TEST_IMPL(hung_server_gives_timeout_exactly_once)
{
    net_model net = fixed_net();
    rt *r = make(1, &net);
    server s = {.r = r, .hang = true};
    rt_actor sv, cl;
    ASSERT_OK(rt_actor_add(r, "srv", &server_def, &s, &sv));
    ASSERT_OK(rt_actor_add(r, "cli", &client_def, NULL, &cl));
    outcome o = {0};
    rt_call_opts opts = {.timeout = RT_SEC(25)};
    ASSERT_OK(rt_call(r, cl, sv, int_msg(1), &opts, on_reply_at, &o, NULL));
    err e;
    ASSERT_OK(rt_run(r, RT_SEC(24), &e));
    ASSERT_EQ_INT(o.calls, 0);
    ASSERT_OK(rt_run(r, RT_SEC(100), &e));
    ASSERT_EQ_INT(o.calls, 1);
    ASSERT_EQ_INT(o.result, ERR_TIMEOUT);
    rt_free(r);
}

TEST_IMPL(stopped_server_refuses_and_pending_requests_fail)
{
    net_model net = fixed_net();
    rt *r = make(1, &net);
    server s = {.r = r, .service = RT_SEC(10)};
    rt_actor sv, cl;
    ASSERT_OK(rt_actor_add(r, "srv", &server_def, &s, &sv));
    s.me = sv;
    ASSERT_OK(rt_actor_add(r, "cli", &client_def, NULL, &cl));
    outcome a = {0}, b = {0};
    rt_call_opts opts = {.timeout = RT_SEC(60)};
    ASSERT_OK(rt_call(r, cl, sv, int_msg(1), &opts, on_reply, &a, NULL));
    err e;
    ASSERT_OK(rt_run(r, RT_SEC(1), &e)); /* delivered, being served */
    rt_actor_stop(r, sv);
    ASSERT(!rt_actor_up(r, sv));
    ASSERT_OK(rt_call(r, cl, sv, int_msg(2), &opts, on_reply, &b, NULL));
    ASSERT_OK(rt_run(r, RT_SEC(100), &e));
    ASSERT_EQ_INT(a.calls, 1);
    ASSERT_EQ_INT(a.result, ERR_REFUSED);
    ASSERT_EQ_INT(b.calls, 1);
    ASSERT_EQ_INT(b.result, ERR_REFUSED);
    rt_actor_start(r, sv);
    outcome c = {0};
    s.service = 0;
    ASSERT_OK(rt_call(r, cl, sv, int_msg(7), &opts, on_reply, &c, NULL));
    ASSERT_OK(rt_run(r, RT_SEC(200), &e));
    ASSERT_EQ_INT(c.value, 8);
    rt_free(r);
}

TEST_IMPL(cancelled_call_never_calls_back)
{
    net_model net = fixed_net();
    rt *r = make(1, &net);
    server s = {.r = r};
    rt_actor sv, cl;
    ASSERT_OK(rt_actor_add(r, "srv", &server_def, &s, &sv));
    ASSERT_OK(rt_actor_add(r, "cli", &client_def, NULL, &cl));
    outcome o = {0};
    rt_call_id id;
    rt_call_opts opts = {.timeout = RT_SEC(5)};
    ASSERT_OK(rt_call(r, cl, sv, int_msg(1), &opts, on_reply, &o, &id));
    rt_call_cancel(r, id);
    err e;
    ASSERT_OK(rt_run(r, RT_SEC(10), &e));
    ASSERT_EQ_INT(o.calls, 0);
    ASSERT_EQ_INT(s.served, 1); /* the request still reached the server */
    rt_free(r);
}

static int fault_run(uint64_t seed, int *errors, int *hangs, int *malformed, int *oks)
{
    net_model net = fixed_net();
    rt *r = make(seed, &net);
    server s = {.r = r};
    rt_actor sv, cl;
    ASSERT_OK(rt_actor_add(r, "srv", &server_def, &s, &sv));
    ASSERT_OK(rt_actor_add(r, "cli", &client_def, NULL, &cl));
    rt_fault f = {.p_error = 0.2, .error_status = 503, .p_hang = 0.1, .p_malformed = 0.1};
    ASSERT_OK(rt_fault_set(r, sv, &f));
    enum { N = 4000 };
    static outcome o[N];
    memset(o, 0, sizeof o);
    rt_call_opts opts = {.timeout = RT_SEC(1)};
    for (int i = 0; i < N; i++)
        ASSERT_OK(rt_call(r, cl, sv, int_msg(i), &opts, on_reply, &o[i], NULL));
    err e;
    ASSERT_OK(rt_run(r, RT_SEC(10), &e));
    *errors = *hangs = *malformed = *oks = 0;
    for (int i = 0; i < N; i++) {
        ASSERT_EQ_INT(o[i].calls, 1);
        if (o[i].result == ERR_TIMEOUT)
            (*hangs)++;
        else if (o[i].result == ERR_PROTOCOL)
            (*malformed)++;
        else if (o[i].status == 503)
            (*errors)++;
        else if (o[i].status == RT_OK && o[i].value == i + 1)
            (*oks)++;
    }
    rt_free(r);
    return 0;
}

TEST_IMPL(faults_hit_at_their_rates_and_repeat_with_the_seed)
{
    int er, hg, ml, ok;
    fault_run(3, &er, &hg, &ml, &ok);
    ASSERT_EQ_INT(er + hg + ml + ok, 4000);
    /* hang first (10%), then error (20% of the rest), then malformed (10% of the rest) */
    ASSERT_NEAR(hg, 400, 80);
    ASSERT_NEAR(er, 720, 100);
    ASSERT_NEAR(ml, 288, 70);
    int er2, hg2, ml2, ok2;
    fault_run(3, &er2, &hg2, &ml2, &ok2);
    ASSERT_EQ_INT(er, er2);
    ASSERT_EQ_INT(hg, hg2);
    ASSERT_EQ_INT(ml, ml2);
    fault_run(4, &er2, &hg2, &ml2, &ok2);
    ASSERT(er != er2 || hg != hg2 || ml != ml2);
}

/* Records go to the sink: a request row per completed call. */
typedef struct rows {
    int request, actor, fault;
} rows;

static int count_rows(void *ctx, const rt_table *t, const rt_val *v)
{
    rows *c = ctx;
    (void)v;
    if (!strcmp(t->name, "request"))
        c->request++;
    else if (!strcmp(t->name, "actor"))
        c->actor++;
    else if (!strcmp(t->name, "fault"))
        c->fault++;
    return 0;
}

TEST_IMPL(records_reach_the_sink)
{
    rows c = {0};
    net_model net = fixed_net();
    rt_virtual_opts o = {.seed = 1, .net = &net, .record_requests = true,
                         .sink = {&c, count_rows}};
    rt *r;
    err e;
    ASSERT_OK(rt_virtual_new(&o, &r, &e));
    server s = {.r = r};
    rt_actor sv, cl;
    ASSERT_OK(rt_actor_add(r, "srv", &server_def, &s, &sv));
    ASSERT_OK(rt_actor_add(r, "cli", &client_def, NULL, &cl));
    outcome x = {0};
    for (int i = 0; i < 3; i++)
        ASSERT_OK(rt_call(r, cl, sv, int_msg(i), NULL, on_reply, &x, NULL));
    ASSERT_OK(rt_fault_set(r, sv, NULL));
    ASSERT_OK(rt_run(r, RT_SEC(1), &e));
    ASSERT_EQ_INT(c.actor, 2);
    ASSERT_EQ_INT(c.request, 3);
    ASSERT_EQ_INT(c.fault, 1);
    rt_free(r);
}

static int failing_sink(void *ctx, const rt_table *t, const rt_val *v)
{
    (void)ctx, (void)t, (void)v;
    return ERR_DB;
}

TEST_IMPL(a_failing_sink_ends_the_run_with_its_error)
{
    rt_virtual_opts o = {.seed = 1, .sink = {NULL, failing_sink}};
    rt *r;
    err e;
    ASSERT_OK(rt_virtual_new(&o, &r, &e));
    ASSERT_OK(rt_actor_add(r, "cli", &client_def, NULL, NULL));
    norder = 0;
    ASSERT_OK(rt_timer_start(r, 0, 10, note, NULL, NULL));
    ASSERT_EQ_INT(rt_run(r, 100, &e), ERR_DB);
    ASSERT_EQ_INT(norder, 0); /* the failure stopped the run before the timer */
    ASSERT_CONTAINS(e.msg, "cannot record a actor row");
    rt_free(r);
}

/* Two runs with the same seed see the same latencies; another seed does not. */
static void record_time(void *arg, int result, int status, const rt_msg *reply)
{
    (void)result, (void)status, (void)reply;
    rt_time *slot = arg;
    *slot = 1; /* marked; the time is read by the caller through rt_now below */
}

static uint64_t latency_fingerprint(uint64_t seed)
{
    rt *r = make(seed, NULL); /* default net: lognormal latency */
    server s = {.r = r};
    rt_actor sv, cl;
    ASSERT_OK(rt_actor_add(r, "srv", &server_def, &s, &sv));
    ASSERT_OK(rt_actor_add(r, "cli", &client_def, NULL, &cl));
    static rt_time done[64];
    uint64_t h = 0;
    for (int i = 0; i < 64; i++) {
        done[i] = 0;
        ASSERT_OK(rt_call(r, cl, sv, int_msg(i), NULL, record_time, &done[i], NULL));
        err e;
        ASSERT_OK(rt_run(r, INT64_MAX, &e));
        ASSERT_EQ_INT(done[i], 1);
        h = hash64_mix(h, (uint64_t)rt_now(r));
    }
    rt_free(r);
    return h;
}

TEST_IMPL(same_seed_same_latencies)
{
    ASSERT_EQ_U64(latency_fingerprint(9), latency_fingerprint(9));
    ASSERT(latency_fingerprint(9) != latency_fingerprint(10));
}
