/* The resi miner/validator and S3 messages: bucket keys and their order, the
 * shared index snapshots, entities (alterations, measurements, content
 * identity) and wire sizes. */
#include "net/protocol_resi.h"
#include "world/world.h"
#include "test.h"

#include <string.h>

static world *load(void)
{
    static char dir[4096];
    snprintf(dir, sizeof dir, "%s/data", test_source_dir());
    world_params p = world_profile_find("resi-2025-09")->world;
    p.data_dir = dir;
    world *w;
    err e;
    if (world_new(&p, 42, &w, &e))
        TEST_FAIL_("world_new: %s", e.msg);
    return w;
}

/* A listing for sale in 77494 at t. */
static proto_resi_listing some_listing(world *w, rt_time t)
{
    proto_resi_listing out[64];
    world_page info;
    int rc = world_search(w, "77494", 1, t, out, &info);
    if (rc || info.n < 1)
        TEST_FAIL_("no listing in 77494 (%d, %d)", rc, info.n);
    return out[0];
}

TEST_IMPL(bucket_ids_order_by_source_zip_hour_and_refuse_bad_zips)
{
    proto_resi_bucket_id a, b, c;
    ASSERT(proto_resi_bucket_id_set(&a, PROTO_RESI_SOURCE_ZILLOW, "08701", 488232));
    ASSERT(proto_resi_bucket_id_set(&b, PROTO_RESI_SOURCE_ZILLOW, "08701", 488233));
    ASSERT(proto_resi_bucket_id_set(&c, PROTO_RESI_SOURCE_ZILLOW, "77494", 1));
    ASSERT_EQ_INT(proto_resi_bucket_id_cmp(&a, &b), -1);
    ASSERT_EQ_INT(proto_resi_bucket_id_cmp(&b, &c), -1);   /* zip before hour */
    ASSERT_EQ_INT(proto_resi_bucket_id_cmp(&c, &a), 1);
    ASSERT_EQ_INT(proto_resi_bucket_id_cmp(&a, &a), 0);
    ASSERT_EQ_INT(memcmp(&a, &a, sizeof a), 0);
    ASSERT(!proto_resi_bucket_id_set(&a, 1, "7749", 1));
    ASSERT(!proto_resi_bucket_id_set(&a, 1, "774940", 1));
    ASSERT(!proto_resi_bucket_id_set(&a, 1, "7749a", 1));
    char lab[16];
    ASSERT_EQ_INT(proto_resi_label("77494", lab, sizeof lab), 9);
    ASSERT_STR_EQ(lab, "zip:77494");
    /* 2025-09-12 00:00 UTC is unix hour 488232; floors below 1970 too */
    ASSERT_EQ_INT(proto_resi_hour_of_ms(1757635200000LL), 488232);
    ASSERT_EQ_INT(proto_resi_hour_of_ms(1757635200000LL + 3599999), 488232);
    ASSERT_EQ_INT(proto_resi_hour_of_ms(1757635200000LL + 3600000), 488233);
    ASSERT_EQ_INT(proto_resi_hour_of_ms(-1), -1);
}

TEST_IMPL(index_snapshots_are_shared_and_searchable)
{
    proto_resi_index *x = proto_resi_index_new(3);
    ASSERT(x);
    const char *zips[] = {"08701", "08701", "77494"};
    int32_t hours[] = {10, 12, 11};
    for (int i = 0; i < 3; i++) {
        proto_resi_bucket_id_set(&x->b[i].id, 1, zips[i], hours[i]);
        x->b[i].size_bytes = (uint32_t)(1000 * (i + 1));
    }
    proto_resi_bucket_id q;
    proto_resi_bucket_id_set(&q, 1, "08701", 12);
    const proto_resi_index_entry *e = proto_resi_index_find(x, &q);
    ASSERT(e);
    ASSERT_EQ_INT(e->size_bytes, 2000);
    proto_resi_bucket_id_set(&q, 1, "08701", 11);
    ASSERT(!proto_resi_index_find(x, &q));
    ASSERT(proto_resi_index_retain(x) == x);
    ASSERT_EQ_INT(x->refs, 2);
    proto_resi_index_release(x);
    ASSERT_EQ_INT(x->refs, 1);
    /* two zips, three buckets: 300 + 2 * 24 + 3 * 16 */
    ASSERT_EQ_INT(proto_resi_wire_bytes(PROTO_RESI_INDEX_REPLY, x), 396);
    proto_resi_index_release(x);   /* the last owner: freed (ASan checks) */
    proto_resi_index_release(NULL);
}

TEST_IMPL(an_honest_entity_measures_its_stored_json)
{
    world *w = load();
    rt_time t = RT_HOUR(5) + RT_SEC(17);
    proto_resi_listing l = some_listing(w, t);
    proto_resi_entity en = {.zpid = l.zpid, .src_zpid = l.zpid,
                            .scraped_ms = world_unix_ms(w, t)};
    proto_resi_entity_measure(&en, &l);
    ASSERT_EQ_INT(en.content_size, proto_resi_listing_size(&l));
    ASSERT_EQ_INT(en.claimed_size, en.content_size);
    /* what a validator rebuilds equals the listing it came from */
    proto_resi_listing v;
    ASSERT_OK(world_lookup(w, en.src_zpid, world_rt_time(w, en.scraped_ms), &v));
    proto_resi_entity_apply(&en, &v);
    ASSERT_EQ_INT(memcmp(&v, &l, sizeof v), 0);
    world_free(w);
}

TEST_IMPL(alterations_move_fields_outside_the_tolerances)
{
    world *w = load();
    rt_time t = RT_HOUR(5);
    proto_resi_listing l = some_listing(w, t);
    int64_t ms = world_unix_ms(w, t);
    int price_moves = 0;
    for (int k = 0; k < 200; k++) {
        proto_resi_entity en = {.zpid = l.zpid, .src_zpid = l.zpid, .scraped_ms = ms + 1000 * k,
                                .alter = PROTO_RESI_ALTER_PRICE | PROTO_RESI_ALTER_AREA |
                                         PROTO_RESI_ALTER_ADDRESS};
        proto_resi_listing a = l;
        proto_resi_entity_apply(&en, &a);
        double dp = fabs((double)a.price / l.price - 1);
        ASSERT(dp >= 0.0999 && dp <= 0.3001);
        price_moves += a.price > l.price;
        if (l.living_area > 0)
            ASSERT(a.living_area != l.living_area);
        ASSERT(a.street_no > l.street_no && a.street_no <= l.street_no + 40);
        ASSERT_EQ_INT(a.zpid, l.zpid);
    }
    /* both directions occur */
    ASSERT(price_moves > 50 && price_moves < 150);
    world_free(w);
}

TEST_IMPL(invented_and_inflated_entities)
{
    world *w = load();
    rt_time t = RT_HOUR(2);
    proto_resi_listing l = some_listing(w, t);
    int64_t ms = world_unix_ms(w, t);
    proto_resi_entity inv = {.src_zpid = l.zpid, .scraped_ms = ms,
                             .alter = PROTO_RESI_ALTER_INVENTED};
    inv.zpid = proto_resi_invented_zpid(l.zpid, ms);
    ASSERT(inv.zpid != l.zpid && inv.zpid >= 1 && inv.zpid <= (UINT64_C(1) << 44));
    /* the world has no such listing: the API would answer 404 */
    proto_resi_listing v;
    ASSERT_EQ_INT(world_lookup(w, inv.zpid, t, &v), ERR_NOTFOUND);
    proto_resi_entity_measure(&inv, &l);
    proto_resi_listing a = l;
    proto_resi_entity_apply(&inv, &a);
    ASSERT_EQ_INT(a.zpid, inv.zpid);
    ASSERT_EQ_INT(inv.content_size, proto_resi_listing_size(&a));

    proto_resi_entity inf = {.zpid = l.zpid, .src_zpid = l.zpid, .scraped_ms = ms,
                             .alter = PROTO_RESI_ALTER_INFLATE};
    proto_resi_entity_measure(&inf, &l);
    ASSERT_EQ_INT(inf.content_size, proto_resi_listing_size(&l));
    ASSERT(inf.claimed_size >= inf.content_size + 51 && inf.claimed_size <= inf.content_size + 400);
    world_free(w);
}

TEST_IMPL(content_hash_is_equal_exactly_for_equal_content)
{
    proto_resi_entity a = {.zpid = 7, .src_zpid = 7, .scraped_ms = 1757635200000LL};
    proto_resi_entity b = a;
    ASSERT_EQ_U64(proto_resi_entity_content_hash(&a), proto_resi_entity_content_hash(&b));
    b.alter = PROTO_RESI_ALTER_INFLATE;   /* the claim, not the content */
    b.claimed_size = 999;
    ASSERT_EQ_U64(proto_resi_entity_content_hash(&a), proto_resi_entity_content_hash(&b));
    b.alter = PROTO_RESI_ALTER_PRICE;
    ASSERT(proto_resi_entity_content_hash(&a) != proto_resi_entity_content_hash(&b));
    b = a;
    b.scraped_ms += 1000;
    ASSERT(proto_resi_entity_content_hash(&a) != proto_resi_entity_content_hash(&b));
    b = a;
    b.zpid = 8;
    ASSERT(proto_resi_entity_content_hash(&a) != proto_resi_entity_content_hash(&b));
}

TEST_IMPL(wire_sizes_count_the_content_and_the_objects)
{
    proto_resi_bucket_id id;
    proto_resi_bucket_id_set(&id, 1, "77494", 5);
    proto_resi_bucket_reply *b = proto_resi_bucket_reply_new(&id, 2);
    b->e[0].content_size = 900;
    b->e[1].content_size = 1000;
    ASSERT_EQ_INT(proto_resi_wire_bytes(PROTO_RESI_BUCKET_REPLY, b), 300 + 1100 + 1200);
    free(b);
    proto_resi_s3_upload *u = proto_resi_s3_upload_new("zip:77494-and-a-very-long-tail", 0);
    ASSERT_STR_EQ(u->job, "zip:77494-and-a-very-lo");   /* cut to 23 bytes */
    u->size_bytes = 123456;
    ASSERT_EQ_INT(proto_resi_wire_bytes(PROTO_RESI_S3_UPLOAD, u), 123756);
    free(u);
    ASSERT_EQ_INT(proto_resi_wire_bytes(PROTO_RESI_INDEX, NULL), 300);
    ASSERT_EQ_INT(proto_resi_wire_bytes(PROTO_RESI_SEARCH, NULL), 200);
}

size_t proto_resi__listing_size_written(const proto_resi_listing *l);   /* protocol_resi.c */

static void same_size(const proto_resi_listing *l)
{
    sbuf b = {0};
    ASSERT_OK(proto_resi_listing_json(l, &b));
    ASSERT_EQ_INT(proto_resi_listing_size(l), b.len);
    ASSERT_EQ_INT(proto_resi__listing_size_written(l), b.len);
    sbuf_free(&b);
}

TEST_IMPL(the_counted_length_is_the_written_length)
{
    world *w = load();
    size_t n = 0;
    proto_resi_listing page[64];
    world_page info;
    /* every 25th zip of the universe, first two pages, at three times */
    for (size_t zi = 0; zi < world_zip_count(w); zi += 25)
        for (int k = 0; k < 3; k++)
            for (int p = 1; p <= 2; p++) {
                if (world_search(w, world_zip_at(w, zi)->zip, p, RT_HOUR(24 * 40 * k + 3), page,
                                 &info))
                    continue;
                for (int i = 0; i < info.n; i++, n++) {
                    same_size(&page[i]);
                    char a[512];
                    ASSERT(proto_resi_listing_address(&page[i], a, sizeof a) < 200);
                }
            }
    ASSERT(n > 20000);
    /* the edges: nothing present, negative numbers, escapes, odd floats */
    proto_resi_listing l = page[0];
    l.bedrooms = l.bathrooms_x2 = -1;
    l.living_area = l.zestimate = l.rent_zestimate = l.days_on_zillow = -1;
    l.lot_area_value = -1;
    l.lot_unit = PROTO_RESI_LOT_NONE;
    l.flags = 0;
    l.unit[0] = 0;
    same_size(&l);
    l = page[0];
    l.lat_e6 = -5;
    l.lon_e6 = -122419400;
    l.price_change = -12000;
    l.date_price_changed_ms = 1757635200123LL;
    l.price = 0;
    l.street_no = 0;
    snprintf(l.street, sizeof l.street, "Quote \"Q\" \\ St-/,x");
    snprintf(l.city, sizeof l.city, "Tab\tCity\x01");
    snprintf(l.unit, sizeof l.unit, "APT \"7\"");
    l.flags = 63;
    same_size(&l);
    double lots[] = {0, 0.5, 1e-5, 3.14159265358979, 123456.789, 1e10, 1e12, 43560.00005, 0.0001};
    for (size_t i = 0; i < sizeof lots / sizeof *lots; i++) {
        l.lot_area_value = lots[i];
        l.lot_unit = PROTO_RESI_LOT_ACRES;
        same_size(&l);
    }
    l.scraped_at_ms = -86400000LL * 800000;   /* the year is still four digits wide */
    same_size(&l);
    world_free(w);
}
