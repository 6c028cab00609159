/* Private to sim/runtime: the virtual runtime's state. */
#ifndef SUBNETSIM_RT_INTERNAL_H
#define SUBNETSIM_RT_INTERNAL_H

#include "runtime/rt.h"

typedef struct rt_actor_slot {
    char *name;
    const rt_actor_def *def;
    void *self;
    bool up;
    bool has_fault;
    rt_fault fault;
    rng net_rng;     /* link draws for messages this actor sends */
    rng fault_rng;   /* fault draws for requests this actor serves */
} rt_actor_slot;

typedef struct rt_timer_slot {
    uint32_t gen;
    bool live;
    rt_actor owner;
    rt_timer_cb cb;
    void *arg;
} rt_timer_slot;

typedef struct rt_call_obj {
    rt *r;
    uint32_t idx, gen;
    bool in_use, caller_waiting, in_flight, server_holds, cancelled, zombie;
    rt_actor from, to;
    rt_msg req, reply;
    int reply_result, reply_status;
    rt_reply_cb cb;
    void *arg;
    rt_time sent;
    const char *kind;
    int attempt;
} rt_call_obj;

struct rt {
    uint64_t seed;
    rt_time now;
    evq q;
    uint64_t events;
    VEC(rt_actor_slot) actors;
    VEC(rt_timer_slot) timers;
    VEC(uint32_t) timer_free;
    VEC(rt_call_obj *) calls;
    VEC(uint32_t) call_free;
    rt_sink sink;
    const struct net_model *net;
    struct net_model *net_owned;
    bool record_requests;
    bool started;
    bool stop;
    int stop_code;
    err fail;                  /* the first failure; fail.code 0: none */
};

extern const rt_table rtv_request_table;

void rtv_stop_actor_timers(rt *r, rt_actor a);
void rtv_stop_actor_calls(rt *r, rt_actor a);
void rtv_record_actors(rt *r);

#endif
