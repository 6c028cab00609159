/* The shared size cache is exact: a listing's fields other than the ones it
 * keys on never change for a zpid, and miners with and without the cache
 * store the same bytes. */
#include "resi_miner_fixture.h"

/* A listing with the fields that move over time (and scraped_at) cleared. */
static proto_resi_listing fixed_part(proto_resi_listing l)
{
    l.scraped_at_ms = l.date_price_changed_ms = 0;
    l.price = l.price_change = l.zestimate = l.rent_zestimate = l.days_on_zillow = 0;
    l.status = 0;
    return l;
}

TEST_IMPL(a_listings_other_fields_are_fixed_for_its_life)
{
    rfx *x = rfx_new(31, false);
    proto_resi_listing page[64];
    world_page info;
    int checked = 0, moved = 0;
    const char *zips[] = {"77494", "10001", "60614", "94110", "33101", "02139"};
    for (int z = 0; z < 6; z++) {
        if (world_search(x->w, zips[z], 1, RT_HOUR(1), page, &info))
            continue;
        for (int i = 0; i < info.n; i++) {
            proto_resi_listing a = fixed_part(page[i]);
            for (int d = 1; d <= 60; d += 7) {
                proto_resi_listing later;
                if (world_lookup(x->w, page[i].zpid, RT_HOUR(1) + RT_HOUR(24 * d), &later))
                    break;
                moved += later.price != page[i].price || later.status != page[i].status;
                proto_resi_listing b = fixed_part(later);
                ASSERT_EQ_INT(memcmp(&a, &b, sizeof a), 0);
                checked++;
            }
        }
    }
    ASSERT(checked > 500);
    ASSERT(moved > 50);   /* the check saw listings change */
    rfx_free(x);
}

TEST_IMPL(the_size_cache_gives_what_measuring_gives)
{
    resi_sizes *s;
    ASSERT_OK(resi_sizes_new(6, &s));   /* 64 slots: clashes too */
    rfx *x = rfx_new(32, false);
    proto_resi_listing page[64];
    world_page info;
    for (int h = 0; h < 24 * 40; h += 7)
        for (int p = 1; p <= 3; p++) {
            if (world_search(x->w, "77494", p, RT_HOUR(h), page, &info))
                continue;
            for (int i = 0; i < info.n; i++)
                ASSERT_EQ_INT(resi_sizes_get(s, &page[i]), proto_resi_listing_size(&page[i]));
        }
    uint64_t hits, misses;
    resi_sizes_counts(s, &hits, &misses);
    ASSERT(hits > 0 && misses > 0);
    resi_sizes_free(s);
    rfx_free(x);
}

/* Everything a miner serves, as one hash, and how many entities that was. */
typedef struct served {
    uint64_t h, entities;
} served;

static void fold(void *arg, const proto_resi_index_entry *ie, const proto_resi_bucket_reply *b)
{
    served *s = arg;
    s->h = hash64_mix(s->h, ie->size_bytes);
    for (uint32_t i = 0; i < b->n; i++)
        s->h = hash64_mix(hash64_mix(s->h, b->e[i].zpid), b->e[i].content_size);
    s->entities += b->n;
}

TEST_IMPL(miners_store_the_same_with_and_without_the_cache)
{
    served h[2] = {{0, 0}, {0, 0}};
    for (int k = 0; k < 2; k++) {
        rfx *x = rfx_new(33, false);
        resi_sizes *s = NULL;
        if (k)
            ASSERT_OK(resi_sizes_new(12, &s));
        x->env.sizes = s;
        static resi_miner_cfg c[2];
        c[k] = rfx_cfg();
        c[k].plan = WORLD_PLAN_PREMIUM;
        c[k].premium_share = 0.5;
        resi_miner *m = rfx_miner(x, "prem-0", RESI_STRATEGY_PREMIUM_FOCUS, &c[k]);
        rfx_run(x, RT_HOUR(30));
        rfx_each_bucket(m, fold, &h[k]);
        rfx_free(x);
        resi_sizes_free(s);
    }
    ASSERT(h[0].entities > 0);   /* two empty stores would hash the same too */
    ASSERT_EQ_U64(h[0].entities, h[1].entities);
    ASSERT_EQ_U64(h[0].h, h[1].h);
}
