/* A small real-estate world for miner tests: the runtime, the world, the
 * listings API, the object store, a supervisor for restarts, and a "validator"
 * actor that asks miners for their index and buckets. No chain: organic
 * miners are tested through the runner. */
#ifndef SUBNETSIM_TEST_RESI_MINER_FIXTURE_H
#define SUBNETSIM_TEST_RESI_MINER_FIXTURE_H

#include "miner/resi/resi.h"
#include "net/net.h"
#include "world/world.h"
#include "test.h"

#include <string.h>

typedef struct rfx {
    rt *r;
    world *w;
    world_api *api;
    world_s3 *s3;
    rt_actor validator, supervisor;
    net_model net;
    resi_miner_env env;
    resi_miner *miners[8];
    scenario_variant variants[8];   /* the miners keep pointers into these */
    int nminers;
} rfx;

static const rt_actor_def rfx_plain_def = {"validator", NULL, NULL, NULL};

static inline rfx *rfx_new(uint64_t seed, bool as_designed)
{
    rfx *x = calloc(1, sizeof *x);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/data", test_source_dir());
    world_params wp = world_profile_find("resi-2025-09")->world;
    wp.data_dir = dir;
    err e;
    if (world_new(&wp, seed, &x->w, &e))
        TEST_FAIL_("world_new: %s", e.msg);
    net_model_default(&x->net);
    x->net.dflt = (net_link_params){.latency_median_us = 2000};
    rt_virtual_opts o = {.seed = seed, .net = &x->net};
    ASSERT_OK(rt_virtual_new(&o, &x->r, &e));
    world_api_params ap = world_profile_find("resi-2025-09")->api;
    if (world_api_new(x->r, x->w, &ap, &x->api, &e))
        TEST_FAIL_("world_api_new: %s", e.msg);
    world_s3_params sp = {"s3", 80000, 0.3};
    if (world_s3_new(x->r, x->w, &sp, &x->s3, &e))
        TEST_FAIL_("world_s3_new: %s", e.msg);
    ASSERT_OK(rt_actor_add(x->r, "validator", &rfx_plain_def, NULL, &x->validator));
    static const rt_actor_def sup = {"supervisor", NULL, NULL, NULL};
    ASSERT_OK(rt_actor_add(x->r, "supervisor", &sup, NULL, &x->supervisor));
    x->env = (resi_miner_env){
        .w = x->w, .api = x->api, .s3 = world_s3_actor(x->s3), .chain = RT_NO_ACTOR,
        .supervisor = x->supervisor, .netuid = 1, .block_time = RT_SEC(12),
        .as_designed = as_designed, .coverage_every_us = 0, .page_size = 41,
        /* SPEC 2.2 */
        .plans = {{RT_SEC(200), 41}, {RT_SEC(120), 369}, {RT_SEC(120), 369}}};
    return x;
}

/* A configuration with every kind's defaults (kinds.c), upload off. */
static inline resi_miner_cfg rfx_cfg(void)
{
    static scenario_map_entry weights[] = {{"premium", 4}, {"tier1", 3}, {"tier2", 2},
                                           {"tier3", 1.5}, {"tier4", 1}};
    static const char *price[] = {"price"};
    return (resi_miner_cfg){
        .plan = WORLD_PLAN_BASIC, .retention_us = RT_HOUR(24 * 30), .select = RESI_SELECT_BROAD,
        .premium_share = 1, .class_weights = {weights, 5}, .epsilon = 0.2, .learning_rate = 0.5,
        .epochs_per_round = 1, .round_us = RT_MIN(20), .p_duplicate = 0.1, .p_alter = 0.1,
        .alter = {price, 1}, .stop_after_us = RT_HOUR(6), .copy_every_us = RT_MIN(10),
        .copy_buckets = 50, .p_drop = 0.3, .restart_every_us = RT_HOUR(6),
        .downtime_us = RT_MIN(10)};
}

static inline const scenario_kind *rfx_kind(int id)
{
    for (size_t i = 0; i < resi_miner_nkinds; i++)
        if (resi_miner_kinds[i].id == id)
            return &resi_miner_kinds[i];
    TEST_FAIL_("no kind %d", id);
}

/* Add a miner; cfg and the variant must outlive the fixture (static or kept
 * by the test). */
static inline resi_miner *rfx_miner(rfx *x, const char *hotkey, int kind, const resi_miner_cfg *cfg)
{
    ASSERT(x->nminers < 8);
    scenario_variant *v = &x->variants[x->nminers];
    v->kind = rfx_kind(kind);
    v->cfg = (void *)cfg;
    err e;
    resi_miner *m;
    if (resi_miner_new(x->r, &x->env, hotkey, v, 0, &m, &e))
        TEST_FAIL_("resi_miner_new: %s", e.msg);
    x->miners[x->nminers++] = m;
    return m;
}

static inline void rfx_run(rfx *x, rt_time until)
{
    err e;
    if (rt_run(x->r, until, &e))
        TEST_FAIL_("rt_run: %s", e.msg);
}

static inline void rfx_free(rfx *x)
{
    rt_free(x->r);
    for (int i = 0; i < x->nminers; i++)
        resi_miner_free(x->miners[i]);
    world_s3_free(x->s3);
    world_api_free(x->api);
    world_free(x->w);
    free(x);
}

/* Every bucket a miner holds, in index order, with its entities. */
typedef void (*rfx_bucket_fn)(void *arg, const proto_resi_index_entry *ie,
                              const proto_resi_bucket_reply *b);

static inline void rfx_each_bucket(resi_miner *m, rfx_bucket_fn fn, void *arg)
{
    proto_resi_index *x = resi_miner_index(m);
    ASSERT(x);
    for (uint32_t i = 0; i < x->n; i++) {
        proto_resi_bucket_reply *b = resi_miner_bucket(m, &x->b[i].id);
        ASSERT(b);
        fn(arg, &x->b[i], b);
        free(b);
    }
    proto_resi_index_release(x);
}

#endif
