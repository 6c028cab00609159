/* The resi validator actor against scripted miners (no miner model: each fake
 * miner serves a fixed set of listings scraped at time 0, honestly or with one
 * defect), the real chain actor and listings API, in virtual time. Rows are
 * collected in memory. */
#include "chain/chain.h"
#include "net/net.h"
#include "validator/resi/resi.h"
#include "test.h"

#include <string.h>

#define TAO CHAIN_RAO_PER_TAO
#define NM 4

enum { HONEST, DUPLICATE, SILENT, FABRICATE };

typedef struct fake_miner {
    rt *r;
    int mode;
    rt_actor me;
    proto_resi_index *x;
    proto_resi_bucket_reply *bucket;   /* the one bucket */
} fake_miner;

typedef struct eval_row {
    int64_t t;
    int uid;
    char outcome[8], reason[32];
    double score, cred;
    int sampled, ok, failed;
} eval_row;

typedef struct harness {
    rt *r;
    chain *c;
    chain_actor *ca;
    world *w;
    world_api *api;
    net_model net;
    fake_miner m[NM];
    int nm;
    resi_val_params p;
    resi_validator *v;
    VEC(eval_row) evals;
    int api_rows, api_mismatch_price, api_valid, score_rows;
} harness;

static int sink(void *ctx, const rt_table *t, const rt_val *vals)
{
    harness *h = ctx;
    if (t == &resi_table_evaluation) {
        eval_row e = {.t = vals[0].u.i, .uid = (int)vals[3].u.i, .score = vals[6].u.d,
                      .cred = vals[7].u.d, .sampled = (int)vals[16].u.i, .ok = (int)vals[17].u.i,
                      .failed = (int)vals[18].u.i};
        snprintf(e.outcome, sizeof e.outcome, "%s", vals[4].u.s);
        snprintf(e.reason, sizeof e.reason, "%s", vals[5].null ? "" : vals[5].u.s);
        if (getenv("RESI_DEBUG"))
            fprintf(stderr, "eval t=%.1fs uid=%d %s %s score=%g cred=%g raw=%g dur=%.2fs\n",
                    vals[0].u.i / 1e6, e.uid, e.outcome, e.reason, e.score, e.cred, vals[8].u.d,
                    vals[19].u.i / 1e6);
        return VEC_PUSH(&h->evals, e);
    }
    if (t == &resi_table_api_sample) {
        h->api_rows++;
        if (getenv("RESI_DEBUG"))
            fprintf(stderr, "api t=%lld uid=%lld %s field=%s status=%lld\n", (long long)vals[0].u.i,
                    (long long)vals[3].u.i, vals[7].u.s, vals[9].null ? "-" : vals[9].u.s,
                    vals[10].null ? -1LL : (long long)vals[10].u.i);
        h->api_valid += !strcmp(vals[7].u.s, "valid");
        h->api_mismatch_price += !vals[9].null && !strcmp(vals[9].u.s, "price");
    }
    if (t == &resi_table_miner_score)
        h->score_rows++;
    return 0;
}

static void miner_request(void *self, rt_request *req, const rt_msg *msg)
{
    fake_miner *m = self;
    if (m->mode == SILENT)
        return;   /* never answers: the validator's timeout fires */
    if (msg->type == PROTO_RESI_INDEX) {
        rt_msg re = {PROTO_RESI_INDEX_REPLY, proto_resi_index_retain(m->x),
                     proto_resi_index_release, 100};
        rt_reply(m->r, req, RT_OK, re);
        return;
    }
    if (msg->type == PROTO_RESI_BUCKET) {
        size_t sz = sizeof *m->bucket + m->bucket->n * sizeof m->bucket->e[0];
        proto_resi_bucket_reply *b = malloc(sz);
        memcpy(b, m->bucket, sz);
        rt_reply(m->r, req, RT_OK, (rt_msg){PROTO_RESI_BUCKET_REPLY, b, NULL, sz});
        return;
    }
    rt_reply(m->r, req, RT_BAD_REQUEST, (rt_msg){0});
}

static const rt_actor_def miner_def = {"miner", miner_request, NULL, NULL};

/* Listings of one zip as scraped at time 0, in one bucket. */
static void fake_miner_init(harness *h, fake_miner *m, int mode, const char *name, const char *zip)
{
    m->r = h->r;
    m->mode = mode;
    ASSERT_OK(rt_actor_add(h->r, name, &miner_def, m, &m->me));
    proto_resi_listing ls[41];
    world_page info;
    ASSERT_OK(world_search(h->w, zip, 1, 0, ls, &info));
    ASSERT(info.n >= 10);
    uint32_t n = (uint32_t)info.n + (mode == DUPLICATE);
    proto_resi_bucket_id id;
    int64_t ms = world_unix_ms(h->w, 0);
    ASSERT(proto_resi_bucket_id_set(&id, PROTO_RESI_SOURCE_ZILLOW, zip, proto_resi_hour_of_ms(ms)));
    m->bucket = proto_resi_bucket_reply_new(&id, n);
    uint64_t bytes = 0;
    for (uint32_t i = 0; i < n; i++) {
        proto_resi_entity *e = &m->bucket->e[i];
        const proto_resi_listing *l = &ls[i < (uint32_t)info.n ? i : 0];
        e->zpid = e->src_zpid = l->zpid;
        e->scraped_ms = ms;
        e->alter = mode == FABRICATE ? PROTO_RESI_ALTER_PRICE : 0;
        proto_resi_entity_measure(e, l);
        bytes += e->claimed_size;
    }
    m->x = proto_resi_index_new(1);
    m->x->b[0].id = id;
    m->x->b[0].size_bytes = (uint32_t)bytes;
    m->x->total_bytes = bytes;
}

static void make(harness *h, const int *modes, int nm, int64_t period_min, int plan)
{
    memset(h, 0, sizeof *h);
    err e;
    net_model_default(&h->net);
    rt_virtual_opts o = {.seed = 5, .net = &h->net, .sink = {h, sink}};
    ASSERT_OK(rt_virtual_new(&o, &h->r, &e));
    ASSERT_OK(chain_new(NULL, &h->c, &e));
    chain_subnet_params sp;
    chain_subnet_params_default(&sp, 1);
    sp.tempo = 99;
    sp.weights_rate_limit = 0;
    sp.commit_reveal = false;
    ASSERT_OK(chain_add_subnet(h->c, &sp, &e));
    ASSERT_OK(chain_fund(h->c, "ck", 100000 * TAO, &e));
    ASSERT_OK(chain_register(h->c, 1, "val", "ck", NULL, &e));
    ASSERT_OK(chain_add_stake(h->c, "ck", "val", 1, 1000 * TAO, &e));
    char name[16];
    for (int i = 0; i < nm; i++) {
        snprintf(name, sizeof name, "m%d", i);
        ASSERT_OK(chain_register(h->c, 1, name, "ck", NULL, &e));
    }
    ASSERT_OK(chain_actor_new(h->r, h->c, NULL, &h->ca, &e));
    static char dir[4096];
    snprintf(dir, sizeof dir, "%s/data", test_source_dir());
    const world_profile *wp = world_profile_find("resi-2025-09");
    world_params wpar = wp->world;
    wpar.data_dir = dir;
    ASSERT_OK(world_new(&wpar, 5, &h->w, &e));
    world_api_params ap = wp->api;
    ASSERT_OK(world_api_new(h->r, h->w, &ap, &h->api, &e));
    static const char *zips[] = {"77494", "08701", "77449", "77084", "11385"};
    h->nm = nm;
    for (int i = 0; i < nm; i++) {
        snprintf(name, sizeof name, "m%d", i);
        fake_miner_init(h, &h->m[i], modes[i], name, zips[i]);
    }
    resi_val_params_default(&h->p);
    h->p.eval_period_us = RT_MIN(period_min);
    h->p.s3.on = false;
    h->p.api_plan = plan;
    resi_validator_cfg vc = {.hotkey = "val", .netuid = 1, .chain = chain_actor_id(h->ca),
                             .block_time = RT_SEC(12), .first_block = 0,
                             .permit_stake_tao = 300, .w = h->w, .api = h->api,
                             .s3 = RT_NO_ACTOR, .params = &h->p};
    ASSERT_OK(resi_validator_new(h->r, &vc, &h->v, &e));
}

static void run(harness *h, rt_time until)
{
    err e;
    int rc = rt_run(h->r, until, &e);
    if (rc)
        TEST_FAIL_("rt_run: %s", e.msg);
}

static void destroy(harness *h)
{
    rt_free(h->r);
    resi_validator_free(h->v);
    world_api_free(h->api);
    world_free(h->w);
    chain_actor_free(h->ca);
    chain_free(h->c);
    for (int i = 0; i < h->nm; i++) {
        proto_resi_index_release(h->m[i].x);
        free(h->m[i].bucket);
    }
    VEC_FREE(&h->evals);
}

/* uid of fake miner i: the validator registered first */
static int uid_of(int i) { return i + 1; }

static const eval_row *last_eval(const harness *h, int uid, int *count)
{
    const eval_row *last = NULL;
    *count = 0;
    for (size_t i = 0; i < h->evals.len; i++)
        if (h->evals.v[i].uid == uid) {
            last = &h->evals.v[i];
            (*count)++;
        }
    return last;
}

TEST_IMPL(resi_validator_scores_honest_and_fails_cheaters)
{
    harness h;
    int modes[] = {HONEST, DUPLICATE, FABRICATE, HONEST};
    make(&h, modes, 4, 5, WORLD_PLAN_UNLIMITED);
    run(&h, RT_HOUR(2));
    int n;
    const eval_row *e = last_eval(&h, uid_of(0), &n);
    /* every 5 minutes for 2 hours: about 24 evaluations each */
    ASSERT(n >= 20 && n <= 26);
    ASSERT_STR_EQ(e->outcome, "ok");
    ASSERT(e->cred > 0.9);   /* 1 - 0.85^k when every check passes */
    ASSERT(e->score > 0);
    e = last_eval(&h, uid_of(1), &n);
    ASSERT(n >= 20);
    ASSERT_STR_EQ(e->reason, "duplicates");
    ASSERT_NEAR(e->cred, 0, 0);
    ASSERT_NEAR(e->score, 0, 0);
    /* the fabricator's checks all name the price */
    e = last_eval(&h, uid_of(2), &n);
    ASSERT_STR_EQ(e->outcome, "ok");
    ASSERT_EQ_INT(e->failed, 2);
    ASSERT_NEAR(e->cred, 0, 0);
    ASSERT(h.api_mismatch_price >= 2 * 20);
    /* weights were set: only the honest miners have a score */
    ASSERT(h.score_rows > 0);
    chain_row_view row = chain_weights_row(h.c, 1, 0);
    ASSERT_EQ_INT(row.len, 2);
    ASSERT_EQ_INT(row.uids[0], uid_of(0));
    ASSERT_EQ_INT(row.uids[1], uid_of(3));
    destroy(&h);
}

TEST_IMPL(resi_validator_silent_miner_has_no_index_and_no_score)
{
    harness h;
    int modes[] = {SILENT};
    make(&h, modes, 1, 5, WORLD_PLAN_UNLIMITED);
    run(&h, RT_MIN(30));
    int n;
    const eval_row *e = last_eval(&h, uid_of(0), &n);
    /* never due: back-to-back batches, each held by the 120 s index timeout */
    ASSERT(n >= 13 && n <= 15);
    ASSERT_STR_EQ(e->reason, "no_index");
    ASSERT_NEAR(e->score, 0, 0);
    destroy(&h);
}

TEST_IMPL(resi_validator_concurrent_checks_trip_the_rate_limit_and_429_counts_valid)
{
    /* four evaluations start together, each paced on its own (one scraper
     * each, 500 ms apart), so 8 calls meet a 2 req/s limit: the 429s count as
     * valid as deployed, and a fabricator keeps some credibility */
    harness h;
    int modes[] = {FABRICATE, FABRICATE, FABRICATE, FABRICATE};
    make(&h, modes, 4, 5, WORLD_PLAN_PREMIUM);
    run(&h, RT_HOUR(1));
    ASSERT(h.api_rows > h.api_mismatch_price);
    double cred = 0;
    for (int i = 0; i < 4; i++) {
        int n;
        cred += last_eval(&h, uid_of(i), &n)->cred;
    }
    ASSERT(cred > 0);
    destroy(&h);
    /* counted invalid, the same run leaves every fabricator at 0 */
    make(&h, modes, 4, 5, WORLD_PLAN_PREMIUM);
    h.p.count_429_valid = false;
    run(&h, RT_HOUR(1));
    for (int i = 0; i < 4; i++) {
        int n;
        ASSERT_NEAR(last_eval(&h, uid_of(i), &n)->cred, 0, 0);
    }
    destroy(&h);
}
