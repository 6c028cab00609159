/* The object store actor: uploads land in the uploader's own partition with
 * their first 20 rows; listing filters by time and orders by job then newest
 * first; reads return the head rows and cost the object's size on the wire. */
#include "net/net.h"
#include "world/world.h"
#include "test.h"

#include <string.h>

typedef struct env {
    rt *r;
    world *w;
    world_s3 *s3;
    rt_actor miner, other, validator;
    net_model net;
} env;

static const rt_actor_def client_def = {"client", NULL, NULL, NULL};

static env *setup(void)
{
    env *x = calloc(1, sizeof *x);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/data", test_source_dir());
    world_params wp = world_profile_find("resi-2025-09")->world;
    wp.data_dir = dir;
    err e;
    if (world_new(&wp, 1, &x->w, &e))
        TEST_FAIL_("world_new: %s", e.msg);
    net_model_default(&x->net);
    x->net.dflt = (net_link_params){.latency_median_us = 1000};
    rt_virtual_opts o = {.seed = 1, .net = &x->net};
    ASSERT_OK(rt_virtual_new(&o, &x->r, &e));
    ASSERT_OK(rt_actor_add(x->r, "miner-0", &client_def, NULL, &x->miner));
    ASSERT_OK(rt_actor_add(x->r, "miner-1", &client_def, NULL, &x->other));
    ASSERT_OK(rt_actor_add(x->r, "validator", &client_def, NULL, &x->validator));
    world_s3_params p = {"s3", 100000, 0};
    if (world_s3_new(x->r, x->w, &p, &x->s3, &e))
        TEST_FAIL_("world_s3_new: %s", e.msg);
    return x;
}

static void teardown(env *x)
{
    rt_free(x->r);
    world_s3_free(x->s3);
    world_free(x->w);
    free(x);
}

typedef struct out {
    int calls, result, status;
    proto_resi_s3_list_reply *list;
    proto_resi_s3_file *file;
} out;

static void on_reply(void *arg, int result, int status, const rt_msg *m)
{
    out *o = arg;
    o->calls++;
    o->result = result;
    o->status = status;
    if (m && m->type == PROTO_RESI_S3_LIST_REPLY)
        o->list = rt_take_body(m);
    if (m && m->type == PROTO_RESI_S3_READ_REPLY)
        o->file = rt_take_body(m);
}

static void send(env *x, rt_actor from, int type, void *body, out *o)
{
    rt_msg m = {type, body, NULL, proto_resi_wire_bytes(type, body)};
    rt_call_opts op = {.timeout = RT_SEC(60)};
    ASSERT_OK(rt_call(x->r, from, world_s3_actor(x->s3), m, &op, on_reply, o, NULL));
}

static void run_to(env *x, rt_time t)
{
    err e;
    if (rt_run(x->r, t, &e))
        TEST_FAIL_("rt_run: %s", e.msg);
}

/* A file of `rows` rows, entity i with zpid base + i. */
static proto_resi_s3_upload *file(const char *job, uint32_t rows, uint64_t base)
{
    uint32_t nh = rows < 25 ? rows : 25;   /* more than the store keeps */
    proto_resi_s3_upload *u = proto_resi_s3_upload_new(job, nh);
    u->rows = rows;
    u->size_bytes = (uint64_t)rows * 950;
    for (uint32_t i = 0; i < nh; i++)
        u->head[i] = (proto_resi_entity){.zpid = base + i, .src_zpid = base + i,
                                         .content_size = 950, .claimed_size = 950};
    return u;
}

TEST_IMPL(s3_keeps_each_hotkeys_files_with_their_first_20_rows)
{
    env *x = setup();
    out o[4] = {0};
    send(x, x->miner, PROTO_RESI_S3_UPLOAD, file("zip:77494", 30, 1000), &o[0]);
    run_to(x, RT_HOUR(1));
    send(x, x->miner, PROTO_RESI_S3_UPLOAD, file("zip:08701", 5, 2000), &o[1]);
    send(x, x->other, PROTO_RESI_S3_UPLOAD, file("zip:77494", 7, 3000), &o[2]);
    run_to(x, RT_HOUR(2));
    send(x, x->miner, PROTO_RESI_S3_UPLOAD, file("zip:77494", 2, 4000), &o[3]);
    run_to(x, RT_HOUR(3));
    for (int i = 0; i < 4; i++) {
        ASSERT_EQ_INT(o[i].calls, 1);
        ASSERT_EQ_INT(o[i].status, RT_OK);
    }
    const world_s3_file *f;
    ASSERT_EQ_INT(world_s3_files(x->s3, "miner-0", &f), 3);
    ASSERT_STR_EQ(f[0].info.job, "zip:77494");
    ASSERT_EQ_INT(f[0].info.rows, 30);
    ASSERT_EQ_INT(f[0].nhead, 20);
    ASSERT_EQ_U64(f[0].head[19].zpid, 1019);
    ASSERT_EQ_INT(f[0].info.size_bytes, 30 * 950);
    ASSERT_EQ_INT(f[1].nhead, 5);
    /* uploaded when it arrived: 1 ms link after t = 0, as unix ms */
    ASSERT_EQ_INT(f[0].info.uploaded_ms, world_unix_ms(x->w, RT_MS(1)));
    ASSERT_EQ_INT(world_s3_files(x->s3, "miner-1", &f), 1);
    ASSERT_EQ_U64(f[0].head[0].zpid, 3000);
    ASSERT_EQ_INT(world_s3_files(x->s3, "validator", &f), 0);
    ASSERT_EQ_INT(world_s3_files(x->s3, "nobody", &f), 0);
    teardown(x);
}

TEST_IMPL(s3_lists_jobs_in_order_newest_first_and_reads_heads)
{
    env *x = setup();
    out up[3] = {0};
    send(x, x->miner, PROTO_RESI_S3_UPLOAD, file("zip:77494", 30, 1000), &up[0]);
    run_to(x, RT_HOUR(1));
    send(x, x->miner, PROTO_RESI_S3_UPLOAD, file("zip:08701", 5, 2000), &up[1]);
    run_to(x, RT_HOUR(2));
    send(x, x->miner, PROTO_RESI_S3_UPLOAD, file("zip:77494", 2, 4000), &up[2]);
    run_to(x, RT_HOUR(3));

    out all = {0}, recent = {0}, none = {0};
    send(x, x->validator, PROTO_RESI_S3_LIST, proto_resi_s3_list_req_new("miner-0", 0), &all);
    int64_t cut = world_unix_ms(x->w, RT_MIN(30));
    send(x, x->validator, PROTO_RESI_S3_LIST, proto_resi_s3_list_req_new("miner-0", cut), &recent);
    send(x, x->validator, PROTO_RESI_S3_LIST, proto_resi_s3_list_req_new("ghost", 0), &none);
    run_to(x, RT_HOUR(4));
    ASSERT(all.list && recent.list && none.list);
    ASSERT_EQ_INT(all.list->n, 3);
    ASSERT_EQ_INT(all.list->total_files, 3);
    ASSERT_EQ_INT(all.list->total_bytes, (30 + 5 + 2) * 950);
    ASSERT_STR_EQ(all.list->f[0].job, "zip:08701");
    ASSERT_STR_EQ(all.list->f[1].job, "zip:77494");
    ASSERT_EQ_INT(all.list->f[1].file_id, 3);   /* the newer 77494 file first */
    ASSERT_EQ_INT(all.list->f[2].file_id, 1);
    ASSERT_EQ_INT(recent.list->n, 2);
    ASSERT_EQ_INT(recent.list->total_files, 3);
    ASSERT_EQ_INT(none.list->n, 0);
    ASSERT_EQ_INT(none.list->total_files, 0);

    out rd = {0}, missing = {0};
    send(x, x->validator, PROTO_RESI_S3_READ, proto_resi_s3_read_req_new("miner-0", 1), &rd);
    send(x, x->validator, PROTO_RESI_S3_READ, proto_resi_s3_read_req_new("miner-0", 9), &missing);
    run_to(x, RT_HOUR(5));
    ASSERT(rd.file);
    ASSERT_EQ_INT(rd.file->n, 20);
    ASSERT_EQ_INT(rd.file->info.rows, 30);
    ASSERT_EQ_U64(rd.file->rows[0].zpid, 1000);
    ASSERT_EQ_INT(proto_resi_wire_bytes(PROTO_RESI_S3_READ_REPLY, rd.file), 300 + 30 * 950);
    ASSERT_EQ_INT(missing.status, RT_NOT_FOUND);
    ASSERT(!missing.file);
    free(all.list);
    free(recent.list);
    free(none.list);
    free(rd.file);
    teardown(x);
}

TEST_IMPL(s3_answers_a_request_without_a_body_400)
{
    env *x = setup();
    out o = {0};
    rt_msg m = {PROTO_RESI_S3_LIST, NULL, NULL, 300};
    rt_call_opts op = {.timeout = RT_SEC(60)};
    ASSERT_OK(rt_call(x->r, x->validator, world_s3_actor(x->s3), m, &op, on_reply, &o, NULL));
    run_to(x, RT_MIN(1));
    ASSERT_EQ_INT(o.status, RT_BAD_REQUEST);
    world_s3_params bad = {"", 0, 0};
    err e;
    ASSERT_EQ_INT(world_s3_params_check(&bad, &e), ERR_INPUT);
    teardown(x);
}
