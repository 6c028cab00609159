/* resi miners that cheat or fail (duplicator, fabricator, stale, copier,
 * flaky), tier-weighted choice, and the uploads to the object store. */
#include "resi_miner_fixture.h"

#include "miner/resi/resi_internal.h"

/* Entities over all buckets, with their content hashes and zpids. */
typedef struct tally {
    const world *w;
    int64_t epoch_ms;
    size_t entities, altered, invented, inflated, unknown, same_hash, same_zpid, rows;
    size_t price_off;
} tally;

static void count_bucket(void *arg, const proto_resi_index_entry *ie, const proto_resi_bucket_reply *b)
{
    tally *t = arg;
    (void)ie;
    for (uint32_t i = 0; i < b->n; i++) {
        const proto_resi_entity *e = &b->e[i];
        t->entities++;
        t->altered += (e->alter & (PROTO_RESI_ALTER_PRICE | PROTO_RESI_ALTER_AREA)) != 0;
        t->invented += (e->alter & PROTO_RESI_ALTER_INVENTED) != 0;
        t->inflated += e->claimed_size > e->content_size + 50;
        proto_resi_listing l;
        rt_time at = (e->scraped_ms - t->epoch_ms) * 1000;
        t->unknown += world_lookup((world *)t->w, e->zpid, at, &l) == ERR_NOTFOUND;
        if (!(e->alter & PROTO_RESI_ALTER_INVENTED) && !world_lookup((world *)t->w, e->src_zpid, at, &l)) {
            proto_resi_listing a = l;
            proto_resi_entity_apply(e, &a);
            t->price_off += fabs((double)a.price / l.price - 1) > 0.05;
        }
        for (uint32_t j = 0; j < i; j++) {
            t->same_hash += proto_resi_entity_content_hash(&b->e[j]) ==
                            proto_resi_entity_content_hash(e);
            t->same_zpid += b->e[j].zpid == e->zpid;
        }
    }
}

static tally count(rfx *x, resi_miner *m)
{
    tally t = {.w = x->w, .epoch_ms = world_get_params(x->w)->epoch_unix_s * 1000};
    rfx_each_bucket(m, count_bucket, &t);
    return t;
}

TEST_IMPL(duplicator_repeats_entities_in_their_bucket)
{
    rfx *x = rfx_new(21, false);
    static resi_miner_cfg exact, rescrape;
    exact = rfx_cfg();
    exact.p_duplicate = 0.25;
    rescrape = exact;
    rescrape.dup_mode = RESI_DUP_RESCRAPE;
    resi_miner *a = rfx_miner(x, "dup-0", RESI_STRATEGY_DUPLICATOR, &exact);
    resi_miner *b = rfx_miner(x, "dup-1", RESI_STRATEGY_DUPLICATOR, &rescrape);
    rfx_run(x, RT_HOUR(12));
    resi_miner_stats st;
    resi_miner_stats_get(a, &st);
    tally t = count(x, a);
    /* a quarter of stored listings has a second, identical copy */
    ASSERT_EQ_INT(t.same_hash, st.duplicated);
    ASSERT_EQ_INT(t.same_zpid, st.duplicated);
    double share = (double)st.duplicated / (double)(st.stored + st.refreshed);
    ASSERT_NEAR(share, 0.25, 0.03);
    resi_miner_stats_get(b, &st);
    t = count(x, b);
    /* re-scraped copies: the same URI (zpid), other content */
    ASSERT_EQ_INT(t.same_hash, 0);
    ASSERT_EQ_INT(t.same_zpid, st.duplicated);
    ASSERT(st.duplicated > 1000);
    rfx_free(x);
}

TEST_IMPL(fabricator_alters_at_its_rate_and_invents_unknown_listings)
{
    rfx *x = rfx_new(22, false);
    static resi_miner_cfg c;
    static const char *fields[] = {"price", "inflate"};
    c = rfx_cfg();
    c.p_alter = 0.3;
    c.alter = (scenario_strings){fields, 2};
    c.p_invent = 0.05;
    c.pages_per_zip = 1;   /* new zips only: nothing re-scraped, so counts are exact */
    resi_miner *m = rfx_miner(x, "fab-0", RESI_STRATEGY_FABRICATOR, &c);
    rfx_run(x, RT_HOUR(24));
    resi_miner_stats st;
    resi_miner_stats_get(m, &st);
    tally t = count(x, m);
    size_t real = t.entities - t.invented;
    ASSERT_EQ_INT(st.refreshed, 0);
    ASSERT_EQ_INT(t.invented, st.invented);
    ASSERT_NEAR((double)t.altered / (double)real, 0.3, 0.02);
    ASSERT_NEAR((double)t.invented / (double)real, 0.05, 0.01);
    /* altered prices are outside the 5 % tolerance; claims above the 50-byte allowance */
    ASSERT_EQ_INT(t.price_off, t.altered);
    ASSERT_EQ_INT(t.inflated, t.altered);
    /* the API has never heard of an invented zpid */
    ASSERT_EQ_INT(t.unknown, t.invented);
    rfx_free(x);
}

TEST_IMPL(stale_stops_refreshing_and_keeps_serving)
{
    rfx *x = rfx_new(23, false);
    static resi_miner_cfg c;
    c = rfx_cfg();
    c.stop_after_us = RT_HOUR(2);
    resi_miner *m = rfx_miner(x, "stale-0", RESI_STRATEGY_STALE, &c);
    rfx_run(x, RT_HOUR(2));
    resi_miner_stats before;
    resi_miner_stats_get(m, &before);
    rfx_run(x, RT_HOUR(10));
    resi_miner_stats after;
    resi_miner_stats_get(m, &after);
    ASSERT(before.calls >= 35);
    ASSERT_EQ_INT(after.calls, before.calls);
    ASSERT_EQ_INT(after.entities, before.entities);
    proto_resi_index *ix = resi_miner_index(m);
    int32_t last_hour = (int32_t)(world_get_params(x->w)->epoch_unix_s / 3600) + 2;
    for (uint32_t i = 0; i < ix->n; i++)
        ASSERT(ix->b[i].id.hour <= last_hour);
    ASSERT(ix->n > 0);
    proto_resi_index_release(ix);
    rfx_free(x);
}

typedef struct pair {
    resi_miner *other;
    size_t buckets, equal;
} pair;

static void compare_bucket(void *arg, const proto_resi_index_entry *ie, const proto_resi_bucket_reply *b)
{
    pair *p = arg;
    p->buckets++;
    proto_resi_bucket_reply *o = resi_miner_bucket(p->other, &ie->id);
    if (o && o->n == b->n) {
        bool same = true;
        for (uint32_t i = 0; i < b->n && same; i++) {
            bool found = false;
            for (uint32_t j = 0; j < o->n && !found; j++)
                found = !memcmp(&o->e[j], &b->e[i], sizeof b->e[i]);
            same = found;
        }
        p->equal += same;
    }
    free(o);
}

TEST_IMPL(copier_serves_its_targets_data)
{
    rfx *x = rfx_new(24, false);
    static resi_miner_cfg src, cp;
    src = rfx_cfg();
    src.plan = WORLD_PLAN_PREMIUM;
    cp = rfx_cfg();
    cp.target = "honest-0";
    cp.copy_buckets = 1000;
    resi_miner *h = rfx_miner(x, "honest-0", RESI_STRATEGY_BROAD, &src);
    resi_miner *c = rfx_miner(x, "copier-0", RESI_STRATEGY_COPIER, &cp);
    rfx_run(x, RT_HOUR(3) + RT_MIN(1));
    resi_miner_stats hs, cs;
    resi_miner_stats_get(h, &hs);
    resi_miner_stats_get(c, &cs);
    ASSERT_EQ_INT(cs.calls, 0);   /* it scrapes nothing */
    ASSERT(cs.copied > 1000);
    ASSERT(hs.index_served >= 17 && hs.buckets_served > 50);
    /* every bucket the copier serves is one of the target's, entity for entity,
     * but for what the target scraped since the copier's last round */
    pair p = {.other = h};
    rfx_each_bucket(c, compare_bucket, &p);
    ASSERT(p.buckets > 50);
    ASSERT(p.equal >= p.buckets - 2);
    rfx_free(x);
}

/* A validator asking a miner for its index again and again. */
typedef struct asker {
    rfx *x;
    rt_actor to;
    int sent, ok, timeouts, left;
} asker;

static void ask(void *arg);

static void on_index(void *arg, int result, int status, const rt_msg *m)
{
    asker *a = arg;
    (void)m;
    if (result == ERR_TIMEOUT)
        a->timeouts++;
    else if (!result && status == RT_OK)
        a->ok++;
    if (--a->left > 0)
        rt_timer_start(a->x->r, a->x->validator, RT_SEC(1), ask, a, NULL);
}

static void ask(void *arg)
{
    asker *a = arg;
    rt_msg m = {PROTO_RESI_INDEX, NULL, NULL, PROTO_RESI_WIRE_REQUEST};
    rt_call_opts o = {.timeout = RT_SEC(120), .kind = "index"};
    a->sent++;
    ASSERT_OK(rt_call(a->x->r, a->x->validator, a->to, m, &o, on_index, a, NULL));
}

TEST_IMPL(flaky_drops_requests_at_its_rate)
{
    rfx *x = rfx_new(25, false);
    static resi_miner_cfg c;
    c = rfx_cfg();
    c.p_drop = 0.3;
    c.restart_every_us = 0;
    resi_miner *m = rfx_miner(x, "flaky-0", RESI_STRATEGY_FLAKY, &c);
    asker a = {x, resi_miner_actor(m), 0, 0, 0, 2000};
    ASSERT_OK(rt_timer_start(x->r, x->validator, RT_MIN(1), ask, &a, NULL));
    rfx_run(x, RT_HOUR(120));
    ASSERT_EQ_INT(a.sent, 2000);
    ASSERT_EQ_INT(a.ok + a.timeouts, 2000);
    ASSERT_NEAR(a.timeouts / 2000.0, 0.3, 0.03);
    resi_miner_stats st;
    resi_miner_stats_get(m, &st);
    ASSERT_EQ_INT(st.dropped, a.timeouts);
    rfx_free(x);
}

TEST_IMPL(flaky_restarts_and_may_lose_its_state)
{
    rfx *x = rfx_new(26, false);
    static resi_miner_cfg keep, lose;
    keep = rfx_cfg();
    keep.p_drop = 0;
    keep.restart_every_us = RT_HOUR(2);
    keep.downtime_us = RT_MIN(30);
    lose = keep;
    lose.lose_state = true;
    resi_miner *k = rfx_miner(x, "flaky-keep", RESI_STRATEGY_FLAKY, &keep);
    resi_miner *l = rfx_miner(x, "flaky-lose", RESI_STRATEGY_FLAKY, &lose);
    static resi_miner_cfg hc;
    hc = rfx_cfg();
    resi_miner *h = rfx_miner(x, "honest", RESI_STRATEGY_BROAD, &hc);
    rfx_run(x, RT_HOUR(48));
    resi_miner_stats ks, ls, hs;
    resi_miner_stats_get(k, &ks);
    resi_miner_stats_get(l, &ls);
    resi_miner_stats_get(h, &hs);
    /* about one restart in 2.5 h (2 h up on average, 30 min down) */
    ASSERT(ks.restarts >= 10 && ks.restarts <= 32);
    ASSERT(ls.restarts >= 10 && ls.restarts <= 32);
    /* down a fifth of the time: fewer calls than an honest miner */
    ASSERT(ks.calls < hs.calls * 0.9 && ks.calls > hs.calls * 0.6);
    /* it keeps what it scraped, the other only what came since its last restart */
    ASSERT((int64_t)ks.entities > 20 * ks.calls);
    ASSERT(ls.entities < ks.entities / 3);
    rfx_free(x);
}

TEST_IMPL(tier_weighted_picks_classes_by_weight)
{
    rfx *x = rfx_new(27, false);
    resi_miner_cfg c = rfx_cfg();
    rs_select sel;
    rng r;
    rng_seed(&r, 5);
    err e;
    ASSERT_OK(rs_select_init(&sel, x->w, &c, RESI_SELECT_TIER_WEIGHTED, -1, &r, &e));
    int n[RESI_NCLASSES] = {0};
    for (int i = 0; i < 115000; i++)
        n[rs_zip_class(x->w, (size_t)rs_select_next(&sel))]++;
    /* weights 4, 3, 2, 1.5, 1 of 11.5 */
    ASSERT_NEAR(n[0] / 115000.0, 4 / 11.5, 0.01);
    ASSERT_NEAR(n[1] / 115000.0, 3 / 11.5, 0.01);
    ASSERT_NEAR(n[2] / 115000.0, 2 / 11.5, 0.01);
    ASSERT_NEAR(n[3] / 115000.0, 1.5 / 11.5, 0.01);
    ASSERT_NEAR(n[4] / 115000.0, 1 / 11.5, 0.01);
    rs_select_free(&sel);
    rfx_free(x);
}

TEST_IMPL(uploads_go_to_the_premium_jobs_as_deployed)
{
    rfx *x = rfx_new(28, false);
    static resi_miner_cfg c;
    c = rfx_cfg();
    c.upload_every_us = RT_HOUR(1);
    c.premium_share = 0.5;
    resi_miner *m = rfx_miner(x, "prem-0", RESI_STRATEGY_PREMIUM_FOCUS, &c);
    rfx_run(x, RT_HOUR(6) + RT_MIN(5));
    const world_s3_file *f;
    size_t n = world_s3_files(x->s3, "prem-0", &f);
    resi_miner_stats st;
    resi_miner_stats_get(m, &st);
    ASSERT(n >= 10);
    ASSERT_EQ_INT(st.uploads, n);
    for (size_t i = 0; i < n; i++) {
        ASSERT(!strncmp(f[i].info.job, "zip:", 4));
        int zi = world_zip_find(x->w, f[i].info.job + 4);
        ASSERT(zi >= 0 && world_zip_at(x->w, (size_t)zi)->premium);
        ASSERT_EQ_INT(f[i].nhead, f[i].info.rows < 20 ? f[i].info.rows : 20);
        uint64_t head = 0;
        for (uint32_t k = 0; k < f[i].nhead; k++) {
            ASSERT(f[i].head[k].claimed_size == f[i].head[k].content_size);
            head += f[i].head[k].content_size;
        }
        ASSERT(f[i].info.size_bytes >= head);
    }
    rfx_free(x);
}

TEST_IMPL(uploads_cover_every_new_entity_once_as_designed)
{
    rfx *x = rfx_new(29, true);
    static resi_miner_cfg c;
    c = rfx_cfg();
    c.upload_every_us = RT_MIN(30);
    c.pages_per_zip = 1;   /* no refreshes: each entity is new once */
    resi_miner *m = rfx_miner(x, "broad-0", RESI_STRATEGY_BROAD, &c);
    rfx_run(x, RT_HOUR(6) + RT_SEC(1));
    const world_s3_file *f;
    size_t n = world_s3_files(x->s3, "broad-0", &f);
    uint64_t rows = 0;
    bool tiers = false;
    for (size_t i = 0; i < n; i++) {
        rows += f[i].info.rows;
        tiers |= !strncmp(f[i].info.job, "tier:", 5);
    }
    ASSERT(tiers);
    resi_miner_stats st;
    resi_miner_stats_get(m, &st);
    /* everything scraped before the last upload (at 6 h) went up exactly once */
    ASSERT(rows <= st.entities);
    ASSERT(rows + 41 * 2 >= st.entities);
    rfx_free(x);
}
