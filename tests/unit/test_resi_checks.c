/* The per-miner checks: basic checks, the duplicate rule, the choice of
 * entities, and every API tolerance just inside and just outside its edge
 * (scraping/zillow/field_mapping.py), with the first mismatched field named. */
#include "validator/resi/resi.h"
#include "test.h"

#define HOUR_MS 3600000LL
#define T0 (490000 * HOUR_MS)   /* the start of unix hour 490000 */

static proto_resi_listing listing(void)
{
    proto_resi_listing l;
    memset(&l, 0, sizeof l);
    l.zpid = 123456789;
    l.scraped_at_ms = T0 + 60000;
    l.price = 100000;
    l.zestimate = 200000;
    l.rent_zestimate = 2000;
    l.living_area = 1800;
    l.lat_e6 = 29701239;
    l.lon_e6 = -95354170;
    l.days_on_zillow = 10;
    l.lot_area_value = 10000;
    l.street_no = 123;
    l.bedrooms = 3;
    l.bathrooms_x2 = 5;
    l.home_type = PROTO_RESI_SINGLE_FAMILY;
    l.status = PROTO_RESI_FOR_SALE;
    l.lot_unit = PROTO_RESI_LOT_SQFT;
    l.flags = PROTO_RESI_HAS_IMAGE;
    strcpy(l.street, "Maple Dr");
    strcpy(l.city, "Katy");
    strcpy(l.state, "TX");
    strcpy(l.zip, "77494");
    return l;
}

static resi_tolerances tol(void)
{
    resi_val_params p;
    resi_val_params_default(&p);
    return p.tol;
}

/* compare a miner copy m against the API's answer a with a claimed size */
static int cmp(const proto_resi_listing *m, const proto_resi_listing *a, long claimed)
{
    resi_tolerances t = tol();
    return resi_api_compare(&t, (uint32_t)claimed, m, "77494", a);
}

static int cmp_same_size(const proto_resi_listing *m, const proto_resi_listing *a)
{
    return cmp(m, a, (long)proto_resi_listing_size(m));
}

TEST_IMPL(resi_api_identical_copy_is_valid)
{
    proto_resi_listing a = listing(), m = listing();
    m.scraped_at_ms = T0 + 1000;   /* the scrape time differs, as it always does */
    ASSERT_EQ_INT(cmp_same_size(&m, &a), RESI_FIELD_NONE);
}

TEST_IMPL(resi_api_size_allowance_edge)
{
    proto_resi_listing a = listing(), m = listing();
    long fresh = (long)proto_resi_listing_size(&a);
    ASSERT_EQ_INT(cmp(&m, &a, fresh + 50), RESI_FIELD_NONE);
    ASSERT_EQ_INT(cmp(&m, &a, fresh + 51), RESI_FIELD_SIZE);
    ASSERT_EQ_INT(cmp(&m, &a, fresh - 400), RESI_FIELD_NONE);   /* claiming less is fine */
}

TEST_IMPL(resi_api_relative_tolerance_edges)
{
    proto_resi_listing a = listing(), m = listing();
    m.price = 105000;                                   /* 5 % exactly */
    ASSERT_EQ_INT(cmp_same_size(&m, &a), RESI_FIELD_NONE);
    m.price = 105001;
    ASSERT_EQ_INT(cmp_same_size(&m, &a), RESI_FIELD_PRICE);
    m.price = 95000;
    ASSERT_EQ_INT(cmp_same_size(&m, &a), RESI_FIELD_NONE);
    m.price = 94999;
    ASSERT_EQ_INT(cmp_same_size(&m, &a), RESI_FIELD_PRICE);
    m = listing();
    m.zestimate = 220000;                               /* 10 % */
    ASSERT_EQ_INT(cmp_same_size(&m, &a), RESI_FIELD_NONE);
    m.zestimate = 220001;
    ASSERT_EQ_INT(cmp_same_size(&m, &a), RESI_FIELD_ZESTIMATE);
    m.zestimate = -1;                                   /* None on one side: skipped */
    ASSERT_EQ_INT(cmp_same_size(&m, &a), RESI_FIELD_NONE);
    m = listing();
    m.rent_zestimate = 2200;
    ASSERT_EQ_INT(cmp_same_size(&m, &a), RESI_FIELD_NONE);
    m.rent_zestimate = 2201;
    ASSERT_EQ_INT(cmp_same_size(&m, &a), RESI_FIELD_RENT_ZESTIMATE);
    m = listing();
    m.lot_area_value = 10100;                           /* 1 % */
    ASSERT_EQ_INT(cmp_same_size(&m, &a), RESI_FIELD_NONE);
    m.lot_area_value = 10100.5;
    ASSERT_EQ_INT(cmp_same_size(&m, &a), RESI_FIELD_LOT_AREA);
    m.lot_area_value = -1;
    ASSERT_EQ_INT(cmp_same_size(&m, &a), RESI_FIELD_NONE);
    /* an actual value of 0 needs equality */
    a = listing();
    m = listing();
    a.rent_zestimate = 0;
    m.rent_zestimate = 1;
    ASSERT_EQ_INT(cmp_same_size(&m, &a), RESI_FIELD_RENT_ZESTIMATE);
}

TEST_IMPL(resi_api_absolute_tolerance_edges)
{
    proto_resi_listing a = listing(), m = listing();
    /* 0.0001 degrees: 99 millionths pass, 101 fail (exactly 100 is decided by
     * the doubles' rounding, as in Python) */
    m.lat_e6 = a.lat_e6 + 99;
    ASSERT_EQ_INT(cmp_same_size(&m, &a), RESI_FIELD_NONE);
    m.lat_e6 = a.lat_e6 - 101;
    ASSERT_EQ_INT(cmp_same_size(&m, &a), RESI_FIELD_LAT);
    m = listing();
    m.lon_e6 = a.lon_e6 - 99;
    ASSERT_EQ_INT(cmp_same_size(&m, &a), RESI_FIELD_NONE);
    m.lon_e6 = a.lon_e6 + 101;
    ASSERT_EQ_INT(cmp_same_size(&m, &a), RESI_FIELD_LON);
    m = listing();
    a.days_on_zillow = 17;                              /* 7 days */
    ASSERT_EQ_INT(cmp_same_size(&m, &a), RESI_FIELD_NONE);
    a.days_on_zillow = 18;
    ASSERT_EQ_INT(cmp_same_size(&m, &a), RESI_FIELD_DAYS_ON_MARKET);
}

TEST_IMPL(resi_api_exact_fields_and_none)
{
    proto_resi_listing a = listing(), m = listing();
    m.bedrooms = 4;
    ASSERT_EQ_INT(cmp_same_size(&m, &a), RESI_FIELD_BEDROOMS);
    m.bedrooms = -1;                                    /* non-critical None: passes */
    ASSERT_EQ_INT(cmp_same_size(&m, &a), RESI_FIELD_NONE);
    m = listing();
    m.bathrooms_x2 = 4;
    ASSERT_EQ_INT(cmp_same_size(&m, &a), RESI_FIELD_BATHROOMS);
    m = listing();
    m.living_area = 1801;
    ASSERT_EQ_INT(cmp_same_size(&m, &a), RESI_FIELD_LIVING_AREA);
    m = listing();
    m.lot_unit = PROTO_RESI_LOT_ACRES;
    ASSERT_EQ_INT(cmp_same_size(&m, &a), RESI_FIELD_LOT_UNIT);
    m = listing();
    m.home_type = PROTO_RESI_CONDO;
    ASSERT_EQ_INT(cmp_same_size(&m, &a), RESI_FIELD_TYPE);
    m = listing();
    m.flags = PROTO_RESI_HAS_IMAGE | PROTO_RESI_HAS_VIDEO;
    ASSERT_EQ_INT(cmp_same_size(&m, &a), RESI_FIELD_HAS_VIDEO);
    m.flags = PROTO_RESI_HAS_IMAGE | PROTO_RESI_IS_OPEN_HOUSE;   /* ignored */
    ASSERT_EQ_INT(cmp_same_size(&m, &a), RESI_FIELD_NONE);
    /* the address is in the URI, which is compared first */
    m = listing();
    m.street_no = 124;
    ASSERT_EQ_INT(cmp_same_size(&m, &a), RESI_FIELD_URI);
    /* a listing filed in another zip's bucket: the label */
    resi_tolerances t = tol();
    ASSERT_EQ_INT(resi_api_compare(&t, (uint32_t)proto_resi_listing_size(&a), &a, "77449", &a),
                  RESI_FIELD_LABEL);
}

TEST_IMPL(resi_api_status_transitions_and_first_field_named)
{
    proto_resi_listing a = listing(), m = listing();
    a.status = PROTO_RESI_PENDING;                      /* for sale -> pending: fine */
    ASSERT_EQ_INT(cmp_same_size(&m, &a), RESI_FIELD_NONE);
    a.status = PROTO_RESI_SOLD;
    ASSERT_EQ_INT(cmp_same_size(&m, &a), RESI_FIELD_NONE);
    m.status = PROTO_RESI_PENDING;                      /* pending -> sold is not listed */
    ASSERT_EQ_INT(cmp_same_size(&m, &a), RESI_FIELD_STATUS);
    /* price and days both off: price comes first */
    a = listing();
    m = listing();
    m.price = 200000;
    a.days_on_zillow = 30;
    ASSERT_EQ_INT(cmp_same_size(&m, &a), RESI_FIELD_PRICE);
    ASSERT_STR_EQ(resi_field_name(RESI_FIELD_PRICE), "price");
    ASSERT_STR_EQ(resi_field_name(RESI_FIELD_DAYS_ON_MARKET), "days_on_market");
    ASSERT(!resi_field_name(RESI_FIELD_NONE));
}

TEST_IMPL(resi_api_statuses_and_what_counts_valid)
{
    resi_val_params p;
    resi_val_params_default(&p);
    ASSERT_EQ_INT(resi_api_classify(0, RT_OK), RESI_API_VALID);
    ASSERT_EQ_INT(resi_api_classify(0, RT_NOT_FOUND), RESI_API_NOT_FOUND);
    ASSERT_EQ_INT(resi_api_classify(0, RT_TOO_MANY), RESI_API_RATE_LIMITED);
    ASSERT_EQ_INT(resi_api_classify(0, RT_UNAVAILABLE), RESI_API_ERROR);
    ASSERT_EQ_INT(resi_api_classify(ERR_TIMEOUT, 0), RESI_API_TIMEOUT);
    ASSERT_EQ_INT(resi_api_classify(ERR_REFUSED, 0), RESI_API_ERROR);
    /* as deployed: 429 and errors count as valid; 404, no zpid, mismatch do not */
    ASSERT(resi_api_counts_valid(&p, RESI_API_RATE_LIMITED));
    ASSERT(resi_api_counts_valid(&p, RESI_API_ERROR));
    ASSERT(resi_api_counts_valid(&p, RESI_API_TIMEOUT));
    ASSERT(!resi_api_counts_valid(&p, RESI_API_NOT_FOUND));
    ASSERT(!resi_api_counts_valid(&p, RESI_API_NO_ZPID));
    ASSERT(!resi_api_counts_valid(&p, RESI_API_MISMATCH));
    p.count_429_valid = false;
    p.count_errors_valid = false;
    ASSERT(!resi_api_counts_valid(&p, RESI_API_RATE_LIMITED));
    ASSERT(!resi_api_counts_valid(&p, RESI_API_TIMEOUT));
    ASSERT_STR_EQ(resi_api_result_name(RESI_API_RATE_LIMITED), "rate_limited");
}

/* ---------------------------------------------------------- basic checks */

static proto_resi_entity entity(uint64_t zpid, int64_t ms, uint32_t size)
{
    proto_resi_entity e;
    memset(&e, 0, sizeof e);
    e.zpid = e.src_zpid = zpid;
    e.scraped_ms = ms;
    e.content_size = e.claimed_size = size;
    return e;
}

TEST_IMPL(resi_basic_checks_time_and_size)
{
    proto_resi_bucket_id id;
    ASSERT(proto_resi_bucket_id_set(&id, PROTO_RESI_SOURCE_ZILLOW, "77494", 490000));
    proto_resi_entity e[3] = {entity(1, T0, 900), entity(2, T0 + HOUR_MS - 1000, 950),
                              entity(3, T0 + 1000, 1000)};
    ASSERT_EQ_INT(resi_basic_check(&id, 2850, e, 3), RESI_REASON_NONE);
    ASSERT_EQ_INT(resi_basic_check(&id, 2851, e, 3), RESI_REASON_BASIC_SIZE);   /* index claims more */
    e[1].claimed_size = 951;                                                    /* entity claims more */
    ASSERT_EQ_INT(resi_basic_check(&id, 2850, e, 3), RESI_REASON_BASIC_SIZE);
    e[1].claimed_size = 950;
    e[2].scraped_ms = T0 + HOUR_MS;                                             /* next hour */
    ASSERT_EQ_INT(resi_basic_check(&id, 2850, e, 3), RESI_REASON_BASIC_TIME);
    e[2].scraped_ms = T0 - 1;
    ASSERT_EQ_INT(resi_basic_check(&id, 2850, e, 3), RESI_REASON_BASIC_TIME);
    ASSERT_STR_EQ(resi_reason_name(RESI_REASON_DUPLICATES), "duplicates");
}

TEST_IMPL(resi_duplicates_by_content_or_uri)
{
    proto_resi_entity e[4] = {entity(1, T0, 900), entity(2, T0, 900), entity(3, T0, 900),
                              entity(4, T0, 900)};
    ASSERT_EQ_INT(resi_count_duplicates(e, 4), 0);
    e[3] = e[1];                           /* the same entity twice: content and URI */
    ASSERT_EQ_INT(resi_count_duplicates(e, 4), 1);
    e[3] = entity(2, T0 + 5000, 900);      /* same listing scraped again: same URI */
    ASSERT_EQ_INT(resi_count_duplicates(e, 4), 1);
    e[2] = entity(1, T0 + 7000, 900);
    ASSERT_EQ_INT(resi_count_duplicates(e, 4), 2);
    /* a large bucket (heap sets) */
    proto_resi_entity *big = calloc(600, sizeof *big);
    for (int i = 0; i < 600; i++)
        big[i] = entity(1000 + (uint64_t)i, T0, 900);
    ASSERT_EQ_INT(resi_count_duplicates(big, 600), 0);
    big[599] = big[0];
    ASSERT_EQ_INT(resi_count_duplicates(big, 600), 1);
    free(big);
}

TEST_IMPL(resi_entities_chosen_by_bytes_without_repeats)
{
    proto_resi_entity e[3] = {entity(1, T0, 100), entity(2, T0, 100), entity(3, T0, 800)};
    rng r;
    rng_seed(&r, 3);
    size_t out[3], counts[3] = {0};
    for (int i = 0; i < 20000; i++) {
        size_t n = resi_choose_entities(e, 3, 1, &r, out);
        ASSERT_EQ_INT(n, 1);
        counts[out[0]]++;
    }
    /* 0.1, 0.1, 0.8 of the draws, within 5 standard deviations */
    ASSERT_NEAR(counts[2] / 20000.0, 0.8, 5 * sqrt(0.8 * 0.2 / 20000));
    ASSERT_NEAR(counts[0] / 20000.0, 0.1, 5 * sqrt(0.1 * 0.9 / 20000));
    for (int i = 0; i < 1000; i++) {
        size_t n = resi_choose_entities(e, 3, 2, &r, out);
        ASSERT_EQ_INT(n, 2);
        ASSERT(out[0] != out[1]);
    }
    ASSERT_EQ_INT(resi_choose_entities(e, 1, 2, &r, out), 1);   /* min(2, n) */
    ASSERT_EQ_INT(resi_choose_entities(e, 0, 2, &r, out), 0);
}
