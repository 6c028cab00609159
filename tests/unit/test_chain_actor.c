/* The chain actor on the virtual runtime: blocks on the clock, epochs on
 * time, and the protocol's requests and replies. */
#include "chain_fixture.h"
#include "net/net.h"
#include "net/protocol.h"

#include <string.h>

typedef struct world {
    rt *r;
    chain *c;
    chain_actor *ca;
    rt_actor client;
    net_model net;
    /* what came back */
    int replies, status[16];
    proto_chain_result res[16];
    int epochs;
    rt_time epoch_at[8];
    uint64_t epoch_block[8];
    uint16_t mg_n;
    uint32_t mg_row_len[4];
    uint64_t mg_block, mg_next_epoch, mg_last_epoch, mg_epochs;
} world;

static void on_epoch(void *ctx, const chain *c, const chain_epoch_event *ev)
{
    (void)c;
    world *w = ctx;
    if (w->epochs < 8) {
        w->epoch_at[w->epochs] = rt_now(w->r);
        w->epoch_block[w->epochs] = ev->block;
    }
    w->epochs++;
}

static const rt_actor_def client_def = {"validator", NULL, NULL, NULL};

static void make(world *w, bool commit_reveal)
{
    memset(w, 0, sizeof *w);
    err e;
    net_model_default(&w->net);
    w->net.dflt.latency_median_us = 1000;
    w->net.dflt.latency_sigma = 0;
    w->net.dflt.bandwidth_bps = 0;
    rt_virtual_opts o = {.seed = 1, .net = &w->net};
    ASSERT_OK(rt_virtual_new(&o, &w->r, &e));
    chain_subnet_params p = cfx_params(commit_reveal);
    w->c = cfx_chain(&p);
    ASSERT_OK(chain_fund(w->c, "ck", 100 * TAO, &e));
    chain_observer ob = {w, NULL, NULL, NULL, on_epoch};
    ASSERT_OK(chain_add_observer(w->c, &ob));
    ASSERT_OK(chain_actor_new(w->r, w->c, NULL, &w->ca, &e));
    ASSERT_OK(rt_actor_add(w->r, "v", &client_def, NULL, &w->client));
}

static void destroy(world *w)
{
    rt_free(w->r);
    chain_actor_free(w->ca);
    chain_free(w->c);
}

static void on_reply(void *arg, int result, int status, const rt_msg *reply)
{
    world *w = arg;
    ASSERT_EQ_INT(result, 0);
    int i = w->replies++;
    if (i < 16)
        w->status[i] = status;
    if (reply && reply->type == PROTO_CHAIN_RESULT && i < 16)
        w->res[i] = *(const proto_chain_result *)reply->body;
    if (reply && reply->type == PROTO_CHAIN_METAGRAPH_REPLY) {
        const proto_chain_metagraph *m = reply->body;
        w->mg_n = m->n;
        w->mg_block = m->block;
        w->mg_next_epoch = m->next_epoch_block;
        w->mg_last_epoch = m->last_epoch_block;
        w->mg_epochs = m->epochs;
        for (uint16_t u = 0; u < m->n && u < 4; u++)
            w->mg_row_len[u] = m->row_start ? m->row_start[u + 1] - m->row_start[u] : 0;
    }
}

static void send(world *w, int type, void *body)
{
    rt_msg m = {type, body, NULL, proto_chain_wire_bytes(type, body)};
    rt_call_opts o = {.timeout = RT_SEC(30), .kind = "chain"};
    ASSERT_OK(rt_call(w->r, w->client, chain_actor_id(w->ca), m, &o, on_reply, w, NULL));
}

static void send_register(world *w, const char *hk)
{
    proto_chain_register *m = calloc(1, sizeof *m);
    m->netuid = 1;
    ASSERT(proto_key_set(m->hotkey, hk));
    ASSERT(proto_key_set(m->coldkey, "ck"));
    send(w, PROTO_CHAIN_REGISTER, m);
}

static void send_weights(world *w, int type, uint16_t uid, uint64_t salt)
{
    proto_chain_weights *m = proto_chain_weights_new(1);
    m->netuid = 1;
    proto_key_set(m->hotkey, "v");
    m->salt = salt;
    m->data[0] = uid;
    m->data[1] = 1;
    send(w, type, m);
}

static void send_metagraph(world *w)
{
    proto_chain_metagraph_req *m = calloc(1, sizeof *m);
    m->netuid = 1;
    m->with_weights = true;
    send(w, PROTO_CHAIN_METAGRAPH, m);
}

static void run_until(world *w, rt_time t)
{
    err e;
    if (rt_run(w->r, t, &e))
        TEST_FAIL_("rt_run: %s", e.msg);
}

TEST_IMPL(epochs_run_on_the_clock_without_requests)
{
    world w;
    make(&w, true);
    run_until(&w, RT_HOUR(1));   /* 300 blocks of 12 s */
    /* netuid 1, tempo 10: blocks 8 + 11 k <= 300. */
    ASSERT_EQ_INT(w.epochs, 27);
    for (int i = 0; i < 8; i++) {
        ASSERT_EQ_U64(w.epoch_block[i], 8 + 11 * (uint64_t)i);
        ASSERT_EQ_INT(w.epoch_at[i], RT_SEC(12) * (8 + 11 * i));
    }
    ASSERT_EQ_U64(chain_actor_block_at(w.ca, RT_SEC(12) * 5 - 1), 4);
    ASSERT_EQ_U64(chain_actor_block_at(w.ca, RT_SEC(12) * 5), 5);
    ASSERT_EQ_INT(chain_actor_time_of(w.ca, 5), RT_SEC(60));
    destroy(&w);
}

TEST_IMPL(requests_are_extrinsics_in_the_current_block)
{
    world w;
    make(&w, false);
    send_register(&w, "v");
    send_register(&w, "m");
    run_until(&w, RT_SEC(1));
    ASSERT_EQ_INT(w.replies, 2);
    ASSERT_EQ_INT(w.status[0], RT_OK);
    ASSERT_EQ_INT(w.res[1].uid, 1);
    ASSERT_EQ_U64(w.res[1].block, 0);
    proto_chain_stake *s = calloc(1, sizeof *s);
    s->netuid = 1;
    proto_key_set(s->hotkey, "v");
    proto_key_set(s->coldkey, "ck");
    s->rao = 10 * TAO;
    send(&w, PROTO_CHAIN_ADD_STAKE, s);
    run_until(&w, RT_SEC(12) * 9);   /* past the epoch at block 8: v has a permit */
    ASSERT(chain_neuron_get(w.c, 1, 0)->validator_permit);
    send_weights(&w, PROTO_CHAIN_SET_WEIGHTS, 300, 0);
    send_weights(&w, PROTO_CHAIN_SET_WEIGHTS, 1, 0);
    send_register(&w, "v");
    send_metagraph(&w);
    run_until(&w, RT_SEC(12) * 10);
    ASSERT_EQ_INT(w.replies, 7);
    ASSERT_EQ_INT(w.status[3], RT_BAD_REQUEST);
    ASSERT_EQ_INT(w.res[3].code, ERR_INPUT);
    ASSERT_STR_EQ(w.res[3].message,
                  "set_weights: uid 300 does not exist on subnet 1 (UidVecContainInvalidOne)");
    ASSERT_EQ_INT(w.status[4], RT_OK);
    ASSERT_EQ_U64(w.res[4].block, 9);
    ASSERT_EQ_INT(w.status[5], RT_BAD_REQUEST);
    ASSERT_CONTAINS(w.res[5].message, "HotKeyAlreadyRegisteredInSubNet");
    ASSERT_EQ_INT(w.status[6], RT_OK);
    ASSERT_EQ_INT(w.mg_n, 2);
    ASSERT_EQ_U64(w.mg_block, 9);
    ASSERT_EQ_U64(w.mg_last_epoch, 8);
    ASSERT_EQ_U64(w.mg_next_epoch, 19);
    ASSERT_EQ_U64(w.mg_epochs, 1);
    ASSERT_EQ_INT(w.mg_row_len[0], 1);
    destroy(&w);
}

TEST_IMPL(commit_reply_gives_the_reveal_window_and_copiers_see_only_reveals)
{
    world w;
    make(&w, true);
    send_register(&w, "v");
    send_register(&w, "m");
    run_until(&w, RT_SEC(1));
    err e;
    ASSERT_OK(chain_add_stake(w.c, "ck", "v", 1, 10 * TAO, &e));
    run_until(&w, RT_SEC(12) * 9);
    uint16_t uid = 1, val = 1;
    proto_chain_commit *cm = calloc(1, sizeof *cm);
    cm->netuid = 1;
    proto_key_set(cm->hotkey, "v");
    chain_commit_hash("v", 1, &uid, &val, 1, 77, 0, cm->hash);
    send(&w, PROTO_CHAIN_COMMIT_WEIGHTS, cm);
    send_metagraph(&w);
    run_until(&w, RT_SEC(12) * 9 + RT_SEC(1));
    ASSERT_EQ_INT(w.status[2], RT_OK);
    /* Committed in epoch index 1 (blocks 9..19): reveal in index 2, blocks 20..30. */
    ASSERT_EQ_U64(w.res[2].reveal_first_block, 20);
    ASSERT_EQ_U64(w.res[2].reveal_last_block, 30);
    ASSERT_EQ_INT(w.mg_row_len[0], 0);
    run_until(&w, RT_SEC(12) * 20);
    send_weights(&w, PROTO_CHAIN_REVEAL_WEIGHTS, 1, 77);
    send_metagraph(&w);
    run_until(&w, RT_SEC(12) * 20 + RT_SEC(1));
    ASSERT_EQ_INT(w.status[4], RT_OK);
    ASSERT_EQ_INT(w.mg_row_len[0], 1);
    destroy(&w);
}

TEST_IMPL(a_restarted_chain_catches_up_its_epochs)
{
    world w;
    make(&w, false);
    run_until(&w, RT_SEC(12) * 9);
    ASSERT_EQ_INT(w.epochs, 1);
    rt_actor_stop(w.r, chain_actor_id(w.ca));
    run_until(&w, RT_SEC(12) * 40);
    ASSERT_EQ_INT(w.epochs, 1);          /* its timers died with it */
    rt_actor_start(w.r, chain_actor_id(w.ca));
    run_until(&w, RT_SEC(12) * 40 + 1);
    ASSERT_EQ_INT(w.epochs, 3);          /* 19 and 30 on restart; then 41 is armed */
    ASSERT_EQ_U64(w.epoch_block[2], 30);
    run_until(&w, RT_SEC(12) * 41);
    ASSERT_EQ_INT(w.epochs, 4);
    ASSERT_EQ_INT(w.epoch_at[3], RT_SEC(12) * 41);
    destroy(&w);
}
