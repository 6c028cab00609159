/* resi miners: the scrape schedule, bucket keys and the index, replacement
 * by URI, and the honest strategies' zip choices. */
#include "resi_miner_fixture.h"

/* What a walk over a miner's buckets saw. */
typedef struct seen {
    const world *w;
    int64_t epoch_ms;
    size_t buckets, entities, classes[RESI_NCLASSES];
    bool sorted, sizes_add_up, hours_match, zips_match, all_premium;
    proto_resi_bucket_id last;
    uint64_t total;
    const char *states[4];
    bool in_states;
    uint64_t zpids[200000];
    size_t nzpids;
} seen;

static void look(void *arg, const proto_resi_index_entry *ie, const proto_resi_bucket_reply *b)
{
    seen *s = arg;
    if (s->buckets && proto_resi_bucket_id_cmp(&s->last, &ie->id) >= 0)
        s->sorted = false;
    s->last = ie->id;
    s->buckets++;
    s->total += ie->size_bytes;
    uint64_t claimed = 0;
    int zi = world_zip_find(s->w, ie->id.zip);
    ASSERT(zi >= 0);
    const world_zip *z = world_zip_at(s->w, (size_t)zi);
    s->classes[z->premium ? 0 : z->tier]++;
    if (!z->premium)
        s->all_premium = false;
    bool st = !s->states[0];
    for (int k = 0; k < 4 && s->states[k]; k++)
        st |= !strcmp(s->states[k], z->state);
    s->in_states &= st;
    for (uint32_t i = 0; i < b->n; i++) {
        const proto_resi_entity *en = &b->e[i];
        claimed += en->claimed_size;
        if (proto_resi_hour_of_ms(en->scraped_ms) != ie->id.hour)
            s->hours_match = false;
        proto_resi_listing l;
        /* the content a validator rebuilds: the listing is in the bucket's zip */
        rt_time t = (en->scraped_ms - s->epoch_ms) * 1000;
        if (world_lookup((world *)s->w, en->src_zpid, t, &l) || strcmp(l.zip, ie->id.zip))
            s->zips_match = false;
        if (s->nzpids < 200000)
            s->zpids[s->nzpids++] = en->zpid;
        s->entities++;
    }
    if (claimed != ie->size_bytes)
        s->sizes_add_up = false;
}

static seen *walk(rfx *x, resi_miner *m, const char *const *states)
{
    seen *s = calloc(1, sizeof *s);
    *s = (seen){.w = x->w, .epoch_ms = world_get_params(x->w)->epoch_unix_s * 1000,
                .sorted = true, .sizes_add_up = true, .hours_match = true, .zips_match = true,
                .all_premium = true, .in_states = true};
    for (int k = 0; states && states[k] && k < 4; k++)
        s->states[k] = states[k];
    rfx_each_bucket(m, look, s);
    return s;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static size_t repeats(seen *s)
{
    qsort(s->zpids, s->nzpids, sizeof s->zpids[0], cmp_u64);
    size_t r = 0;
    for (size_t i = 1; i < s->nzpids; i++)
        r += s->zpids[i] == s->zpids[i - 1];
    return r;
}

TEST_IMPL(basic_plan_scrapes_one_page_every_200s)
{
    rfx *x = rfx_new(7, false);
    static resi_miner_cfg c;
    c = rfx_cfg();
    resi_miner *m = rfx_miner(x, "broad-0", RESI_STRATEGY_BROAD, &c);
    rfx_run(x, RT_HOUR(6));
    resi_miner_stats st;
    resi_miner_stats_get(m, &st);
    /* 6 h / 200 s = 108 ticks, the first somewhere in the first 200 s */
    ASSERT(st.calls == 108 || st.calls == 107);
    ASSERT_EQ_INT(st.calls_ok, st.calls);
    ASSERT((int64_t)st.entities > 30 * st.calls && (int64_t)st.entities <= 41 * st.calls);
    world_api_counts ac;
    ASSERT_OK(world_api_counts_get(x->api, resi_miner_actor(m), &ac));
    ASSERT_EQ_INT(ac.calls, st.calls);
    ASSERT_EQ_INT(ac.quota, 13000);   /* the basic plan */
    rfx_free(x);
}

TEST_IMPL(premium_plan_makes_nine_calls_every_120s)
{
    rfx *x = rfx_new(7, false);
    static resi_miner_cfg c;
    c = rfx_cfg();
    c.plan = WORLD_PLAN_PREMIUM;
    resi_miner *m = rfx_miner(x, "broad-0", RESI_STRATEGY_BROAD, &c);
    rfx_run(x, RT_HOUR(2));
    resi_miner_stats st;
    resi_miner_stats_get(m, &st);
    /* 60 ticks of 9 calls (the last one may still be under way) */
    ASSERT(st.calls >= 59 * 9 && st.calls <= 60 * 9);
    world_api_counts ac;
    ASSERT_OK(world_api_counts_get(x->api, resi_miner_actor(m), &ac));
    ASSERT_EQ_INT(ac.quota, 198000);
    ASSERT_EQ_INT(ac.rate_limited, 0);   /* two calls a second at most */
    rfx_free(x);
}

TEST_IMPL(index_is_sorted_and_adds_up_and_buckets_hold_their_hour_and_zip)
{
    rfx *x = rfx_new(11, false);
    static resi_miner_cfg c;
    c = rfx_cfg();
    c.plan = WORLD_PLAN_PREMIUM;
    resi_miner *m = rfx_miner(x, "broad-0", RESI_STRATEGY_BROAD, &c);
    rfx_run(x, RT_HOUR(5));
    seen *s = walk(x, m, NULL);
    resi_miner_stats st;
    resi_miner_stats_get(m, &st);
    ASSERT(s->buckets > 100);
    ASSERT_EQ_INT(s->buckets, st.buckets);
    ASSERT_EQ_INT(s->entities, st.entities);
    ASSERT(s->sorted);
    ASSERT(s->sizes_add_up);
    ASSERT(s->hours_match);
    ASSERT(s->zips_match);
    ASSERT_EQ_U64(s->total, st.bytes);
    proto_resi_index *ix = resi_miner_index(m);
    ASSERT_EQ_U64(ix->total_bytes, st.bytes);
    /* the snapshot is shared until the storage changes */
    proto_resi_index *again = resi_miner_index(m);
    ASSERT(again == ix);
    ASSERT_EQ_INT(ix->refs, 3);   /* the miner's own, and ours twice */
    proto_resi_index_release(again);
    proto_resi_index_release(ix);
    /* a bucket it does not have */
    proto_resi_bucket_id none;
    proto_resi_bucket_id_set(&none, 1, "77494", 1);
    ASSERT(!resi_miner_bucket(m, &none));
    free(s);
    rfx_free(x);
}

TEST_IMPL(a_new_copy_of_a_listing_replaces_the_old_one)
{
    rfx *x = rfx_new(3, false);
    static resi_miner_cfg c;
    c = rfx_cfg();
    c.plan = WORLD_PLAN_PREMIUM;
    resi_miner *m = rfx_miner(x, "prem-0", RESI_STRATEGY_PREMIUM_FOCUS, &c);
    rfx_run(x, RT_HOUR(4));
    resi_miner_stats st;
    resi_miner_stats_get(m, &st);
    /* ten zips re-read every few minutes: most stores are refreshes */
    ASSERT(st.refreshed > 10 * st.stored);
    seen *s = walk(x, m, NULL);
    ASSERT_EQ_INT(repeats(s), 0);   /* one entity per listing */
    ASSERT(s->all_premium);
    ASSERT_EQ_INT(st.zips, 10);
    free(s);
    rfx_free(x);
}

TEST_IMPL(premium_focus_scrapes_only_premium_zips_unless_told_otherwise)
{
    rfx *x = rfx_new(5, false);
    static resi_miner_cfg a, b;
    a = rfx_cfg();
    b = rfx_cfg();
    b.premium_share = 0.5;
    resi_miner *only = rfx_miner(x, "prem-0", RESI_STRATEGY_PREMIUM_FOCUS, &a);
    resi_miner *half = rfx_miner(x, "prem-1", RESI_STRATEGY_PREMIUM_FOCUS, &b);
    rfx_run(x, RT_HOUR(12));
    seen *s = walk(x, only, NULL);
    ASSERT(s->all_premium);
    ASSERT(s->buckets >= 10);
    free(s);
    s = walk(x, half, NULL);
    ASSERT(!s->all_premium);
    ASSERT(s->classes[0] > 0);
    free(s);
    rfx_free(x);
}

TEST_IMPL(regional_stays_in_its_states_and_zips)
{
    rfx *x = rfx_new(5, false);
    static resi_miner_cfg c;
    static const char *states[] = {"VT", "NH"}, *zips[] = {"10001"};
    c = rfx_cfg();
    c.states = (scenario_strings){states, 2};
    c.zips = (scenario_strings){zips, 1};
    resi_miner *m = rfx_miner(x, "reg-0", RESI_STRATEGY_REGIONAL, &c);
    rfx_run(x, RT_HOUR(24));
    const char *allowed[] = {"VT", "NH", "NY", NULL};   /* 10001 is in NY */
    seen *s = walk(x, m, allowed);
    ASSERT(s->in_states);
    resi_miner_stats st;
    resi_miner_stats_get(m, &st);
    /* every zip of VT and NH in the universe, and 10001 */
    const uint32_t *idx;
    size_t n = world_state_zips(x->w, "VT", &idx) + world_state_zips(x->w, "NH", &idx) + 1;
    ASSERT_EQ_INT(st.zips, n);
    free(s);
    /* a zip outside the universe is refused by name */
    static resi_miner_cfg bad;
    static const char *nowhere[] = {"00001"};
    bad = rfx_cfg();
    bad.zips = (scenario_strings){nowhere, 1};
    scenario_variant v = {rfx_kind(RESI_STRATEGY_REGIONAL), &bad};
    resi_miner *mm;
    err e;
    ASSERT_EQ_INT(resi_miner_new(x->r, &x->env, "reg-bad", &v, 0, &mm, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "zip '00001' is not in the universe");
    rfx_free(x);
}

TEST_IMPL(broad_cycles_through_zips_without_repeating)
{
    rfx *x = rfx_new(9, false);
    static resi_miner_cfg c;
    c = rfx_cfg();
    c.pages_per_zip = 1;
    resi_miner *m = rfx_miner(x, "broad-0", RESI_STRATEGY_BROAD, &c);
    rfx_run(x, RT_HOUR(24));
    resi_miner_stats st;
    resi_miner_stats_get(m, &st);
    /* one page a zip, a shuffled cycle: every call a new zip */
    ASSERT(st.calls >= 431);
    ASSERT_EQ_INT(st.zips, st.calls);
    rfx_free(x);
}
