/* The listings universe: pages, look-ups, determinism, staleness at the rates
 * the parameters imply, and the listing's stored form. */
#include "world/world.h"
#include "world/world_internal.h"
#include "test.h"

#include <cjson/cJSON.h>

#define DAY RT_HOUR(24)

static world_params defaults(void)
{
    static char dir[4096];
    snprintf(dir, sizeof dir, "%s/data", test_source_dir());
    world_params p = world_profile_find("resi-2025-09")->world;
    p.data_dir = dir;
    return p;
}

static world *load_p(world_params p, uint64_t seed)
{
    world *w;
    err e;
    if (world_new(&p, seed, &w, &e))
        TEST_FAIL_("world_new: %s", e.msg);
    return w;
}

static world *load(uint64_t seed) { return load_p(defaults(), seed); }

/* Every listing for sale in zip at t, in search order; returns how many. */
static int all_pages(world *w, const char *zip, rt_time t, proto_resi_listing *out, int cap)
{
    world_page pg;
    int n = 0;
    for (int page = 1;; page++) {
        proto_resi_listing buf[41];
        ASSERT_OK(world_search(w, zip, page, t, buf, &pg));
        if (pg.n == 0)
            break;
        for (int i = 0; i < pg.n; i++) {
            ASSERT(n < cap);
            out[n++] = buf[i];
        }
    }
    ASSERT_EQ_INT(n, pg.total_results);
    return n;
}

TEST_IMPL(search_pages_hold_41_listings_newest_first)
{
    world *w = load(42);
    static proto_resi_listing all[2000];
    rt_time t = RT_HOUR(30);
    int n = all_pages(w, "77494", t, all, 2000);
    ASSERT(n > 300 && n < 560);   /* Poisson around 130,920 x 3.3 / 1000 = 432 */
    world_page pg;
    proto_resi_listing page[41];
    ASSERT_OK(world_search(w, "77494", 1, t, page, &pg));
    ASSERT_EQ_INT(pg.n, 41);
    ASSERT_EQ_INT(pg.total_results, n);
    ASSERT_EQ_INT(pg.total_pages, (n + 40) / 41);
    ASSERT_OK(world_search(w, "77494", pg.total_pages, t, page, &pg));
    ASSERT_EQ_INT(pg.n, n - (pg.total_pages - 1) * 41);
    ASSERT_OK(world_search(w, "77494", pg.total_pages + 1, t, page, &pg));
    ASSERT_EQ_INT(pg.n, 0);
    for (int i = 0; i < n; i++) {
        ASSERT_EQ_INT(all[i].status, PROTO_RESI_FOR_SALE);
        ASSERT_STR_EQ(all[i].zip, "77494");
        ASSERT_STR_EQ(all[i].city, "Katy");
        if (i)
            ASSERT(all[i].days_on_zillow >= all[i - 1].days_on_zillow);
        for (int j = 0; j < i; j++)
            ASSERT(all[j].zpid != all[i].zpid);
    }
    ASSERT_EQ_INT(world_search(w, "77494", 0, t, page, &pg), ERR_INPUT);
    ASSERT_EQ_INT(world_search(w, "15009", 1, t, page, &pg), ERR_NOTFOUND);  /* rank 7,573 */
    ASSERT_EQ_INT(world_search(w, "nope", 1, t, page, &pg), ERR_NOTFOUND);
    ASSERT_EQ_INT(world_search(w, "77494", 1, -1, page, &pg), ERR_INPUT);
    world_free(w);
}

TEST_IMPL(max_pages_caps_what_a_search_reaches)
{
    world_params p = defaults();
    p.max_pages = 2;
    world *w = load_p(p, 42);
    world_page pg;
    proto_resi_listing page[41];
    ASSERT_OK(world_search(w, "08701", 1, 0, page, &pg));
    ASSERT(pg.total_results > 82);
    ASSERT_EQ_INT(pg.total_pages, 2);
    ASSERT_OK(world_search(w, "08701", 3, 0, page, &pg));
    ASSERT_EQ_INT(pg.n, 0);
    world_free(w);
}

TEST_IMPL(lookup_returns_what_search_showed)
{
    world *w = load(7);
    static proto_resi_listing all[1000];
    rt_time t = RT_HOUR(5) + RT_SEC(17);
    int n = all_pages(w, "11385", t, all, 1000);
    ASSERT(n > 0);
    for (int i = 0; i < n; i++) {
        proto_resi_listing l;
        ASSERT_OK(world_lookup(w, all[i].zpid, t, &l));
        ASSERT(!memcmp(&l, &all[i], sizeof l));
        ASSERT_EQ_INT(world_listing_state(w, all[i].zpid, t), WORLD_FOR_SALE);
    }
    ASSERT_EQ_INT(world_zip_for_sale(w, (size_t)world_zip_find(w, "11385"), t), n);
    proto_resi_listing l;
    ASSERT_EQ_INT(world_lookup(w, 0, t, &l), ERR_NOTFOUND);
    ASSERT_EQ_INT(world_lookup(w, 1ULL << 50, t, &l), ERR_NOTFOUND);
    /* made-up zpids almost never name a listing */
    rng r;
    rng_seed(&r, 5);
    int found = 0;
    for (int i = 0; i < 20000; i++)
        found += world_lookup(w, 1 + rng_below(&r, 1ULL << 44), t, &l) == 0;
    ASSERT(found <= 2);
    world_free(w);
}

/* Searches (and look-ups in searched zips) reuse built listings while their
 * fields cannot change: at every time, in steps from one second to hours, a
 * search page and look-ups in the same world must equal look-ups in a world
 * that was never searched (which build every listing afresh). */
TEST_IMPL(reused_search_results_equal_fresh_builds)
{
    world *w = load(11), *cold = load(11);
    rng r;
    rng_seed(&r, 3);
    rt_time t = RT_HOUR(2);
    long compared = 0;
    for (int step = 0; step < 400; step++) {
        int kind = (int)rng_below(&r, 3);
        t += kind == 0 ? RT_SEC(1 + rng_below(&r, 5)) : kind == 1 ? RT_MIN(1 + rng_below(&r, 90))
                                                                  : RT_HOUR(1 + rng_below(&r, 12));
        proto_resi_listing page[41];
        world_page pg;
        int p = 1 + (int)rng_below(&r, 3);
        ASSERT_OK(world_search(w, step % 2 ? "77494" : "11368", p, t, page, &pg));
        for (int i = 0; i < pg.n; i++) {
            proto_resi_listing fresh, warm;
            ASSERT_OK(world_lookup(cold, page[i].zpid, t, &fresh));
            ASSERT_OK(world_lookup(w, page[i].zpid, t, &warm));
            if (memcmp(&fresh, &page[i], sizeof fresh) || memcmp(&fresh, &warm, sizeof fresh))
                TEST_FAIL_("step %d t %lld zpid %llu differs", step, (long long)t,
                           (unsigned long long)fresh.zpid);
            compared++;
        }
    }
    ASSERT(compared > 10000);
    ASSERT_EQ_INT(world_zip_for_sale(cold, 1, 0), world_zip_for_sale(w, 1, 0));
    world_free(w);
    world_free(cold);
}

/* One fingerprint over a fixed set of queries, asked in a given order. */
static uint64_t fingerprint(world *w, const char *const *zips, int nz, const rt_time *ts, int nt,
                            bool reverse)
{
    uint64_t h = 0;
    for (int k = 0; k < nt; k++) {
        rt_time t = ts[reverse ? nt - 1 - k : k];
        for (int j = 0; j < nz; j++) {
            const char *zip = zips[reverse ? nz - 1 - j : j];
            proto_resi_listing page[41];
            world_page pg;
            ASSERT_OK(world_search(w, zip, 2, t, page, &pg));
            uint64_t g = hash64_mix((uint64_t)t, hash64_str(zip));
            for (int i = 0; i < pg.n; i++)
                g = hash64_mix(g, proto_resi_listing_hash(&page[i]));
            h += g;   /* order-free sum of per-query hashes */
        }
    }
    return h;
}

TEST_IMPL(same_seed_same_world_whatever_the_query_order)
{
    const char *zips[] = {"08701", "77494", "60629", "11208", "90011", "92704", "75707"};
    rt_time ts[] = {0, RT_HOUR(1), DAY, DAY * 10 + RT_SEC(3), DAY * 200};
    world *a = load(42), *b = load(42), *c = load(43);
    uint64_t fa = fingerprint(a, zips, 7, ts, 5, false);
    /* b goes backwards in time (caches rebuild) and touches other zips first */
    for (size_t i = 0; i < 300; i++)
        world_zip_for_sale(b, i, DAY * 300);
    uint64_t fb = fingerprint(b, zips, 7, ts, 5, true);
    ASSERT_EQ_U64(fa, fb);
    ASSERT_EQ_U64(fa, fingerprint(a, zips, 7, ts, 5, true));
    ASSERT(fa != fingerprint(c, zips, 7, ts, 5, false));
    /* another seed: other zpids, other prices */
    proto_resi_listing pa[41], pc[41];
    world_page ga, gc;
    ASSERT_OK(world_search(a, "77494", 1, 0, pa, &ga));
    ASSERT_OK(world_search(c, "77494", 1, 0, pc, &gc));
    for (int i = 0; i < ga.n; i++)
        for (int j = 0; j < gc.n; j++)
            ASSERT(pa[i].zpid != pc[j].zpid);
    world_free(a);
    world_free(b);
    world_free(c);
}

TEST_IMPL(listings_for_sale_follow_population)
{
    world *w = load(42);
    double mean = 0;
    long n = 0;
    for (size_t i = 0; i < world_zip_count(w); i++) {
        mean += world_zip_at(w, i)->listings_mean;
        n += world_zip_for_sale(w, i, DAY);
    }
    /* steady state: a sum of independent Poissons, sd = sqrt(mean) ~ 914 */
    ASSERT_NEAR(mean, 252956380 * 3.3 / 1000, 1);
    ASSERT_NEAR((double)n, mean, 5 * sqrt(mean));
    /* and per zip: the most populous zip holds about 442 */
    double m0 = world_zip_at(w, 0)->listings_mean;
    ASSERT_NEAR(m0, 134008 * 3.3 / 1000, 1e-6);
    ASSERT_NEAR(world_zip_for_sale(w, 0, DAY), m0, 5 * sqrt(m0));
    /* the whole universe's search state stays small */
    ASSERT(world_memory(w) < 64u << 20);
    world_free(w);
}

/* A copy taken at t0 against the truth at t1 = t0 + 10 days, over the 300
 * most populous zips (~80,000 listings). Time for sale is exponential (mean
 * mu) capped at M, so with age density prop. to exp(-a/mu) on [0, M):
 *   q = P(age >= M - d) = (e^{-(M-d)/mu} - e^{-M/mu}) / (1 - e^{-M/mu})
 *   P(no longer for sale) = 1 - e^{-d/mu} (1 - q)
 *   P(404) = q + (1 - q)(1 - e^{-d/mu}) p_withdrawn   (d < sold_visible_days)
 *   P(price changed | still for sale) = 1 - e^{-d r}
 * and days on Zillow grow by exactly d. */
TEST_IMPL(copies_go_stale_at_the_rates_the_parameters_imply)
{
    world *w = load(42);
    const world_params *p = world_get_params(w);
    double d = 10, mu = p->for_sale_mean_days, M = p->for_sale_max_days;
    double q = (exp(-(M - d) / mu) - exp(-M / mu)) / (1 - exp(-M / mu));
    double e_moved = 1 - exp(-d / mu) * (1 - q);
    double e_404 = q + (1 - q) * (1 - exp(-d / mu)) * p->p_withdrawn;
    double e_price = 1 - exp(-d * p->price_changes_per_day);
    rt_time t0 = DAY + RT_HOUR(7), t1 = t0 + (rt_time)d * DAY;
    static proto_resi_listing copy[1000];
    long total = 0, gone = 0, moved = 0, still = 0, repriced = 0;
    for (size_t zi = 0; zi < 300; zi++) {
        int n = all_pages(w, world_zip_at(w, zi)->zip, t0, copy, 1000);
        for (int i = 0; i < n; i++) {
            proto_resi_listing now;
            total++;
            if (world_lookup(w, copy[i].zpid, t1, &now)) {
                gone++, moved++;
                ASSERT_EQ_INT(world_listing_state(w, copy[i].zpid, t1), WORLD_GONE);
                continue;
            }
            ASSERT_EQ_INT(now.days_on_zillow, copy[i].days_on_zillow + (int)d);
            ASSERT_STR_EQ(now.street, copy[i].street);
            ASSERT_EQ_INT(now.living_area, copy[i].living_area);
            if (now.status != PROTO_RESI_FOR_SALE) {
                moved++;
                /* closed, maybe, but not shown as sold for 30 days yet */
                ASSERT(now.status == PROTO_RESI_PENDING || now.status == PROTO_RESI_SOLD);
            } else {
                still++;
                repriced += now.price != copy[i].price;
            }
        }
    }
    ASSERT(total > 60000);
    ASSERT_NEAR((double)moved / total, e_moved, 0.006);   /* 0.1538 */
    ASSERT_NEAR((double)gone / total, e_404, 0.003);      /* 0.0311 */
    ASSERT_NEAR((double)repriced / still, e_price, 0.005); /* 0.0800 */
    world_free(w);
}

/* A listing's statuses only move forward, its sale closes at about its last
 * asking price, and once gone it stays gone (404). */
TEST_IMPL(lives_run_for_sale_pending_sold_then_gone)
{
    world *w = load(3);
    static proto_resi_listing copy[1000];
    int n = all_pages(w, "60629", 0, copy, 1000);
    int sold = 0, withdrawn = 0;
    for (int i = 0; i < n; i++) {
        world_state last = WORLD_FOR_SALE;
        int32_t ask = copy[i].price;
        for (rt_time t = 0; t <= DAY * 900; t += DAY) {
            world_state s = world_listing_state(w, copy[i].zpid, t);
            ASSERT(s >= last);
            if (last == WORLD_FOR_SALE && s == WORLD_GONE)
                withdrawn++;
            proto_resi_listing l;
            int rc = world_lookup(w, copy[i].zpid, t, &l);
            ASSERT_EQ_INT(rc, s == WORLD_GONE ? ERR_NOTFOUND : 0);
            if (s == WORLD_FOR_SALE || s == WORLD_PENDING)
                ask = l.price;
            if (s == WORLD_SOLD && last != WORLD_SOLD) {
                sold++;
                ASSERT_EQ_INT(l.status, PROTO_RESI_SOLD);
                ASSERT(fabs((double)l.price - ask) <= 0.031 * ask);
            }
            last = s;
        }
        ASSERT_EQ_INT(last, WORLD_GONE);
    }
    ASSERT_EQ_INT(sold + withdrawn, n);
    ASSERT_NEAR((double)withdrawn / n, 0.2, 0.1);
    /* not listed yet: a listing from day 50 is unknown on day 40 */
    proto_resi_listing later[41], l;
    world_page pg;
    ASSERT_OK(world_search(w, "60629", 1, DAY * 50, later, &pg));
    ASSERT_EQ_INT(later[0].days_on_zillow, 0);
    ASSERT_EQ_INT(world_lookup(w, later[0].zpid, DAY * 40, &l), ERR_NOTFOUND);
    ASSERT_EQ_INT(world_listing_state(w, later[0].zpid, DAY * 40), WORLD_UNLISTED);
    world_free(w);
}

/* The cache budget changes speed, never answers. */
TEST_IMPL(no_cache_same_answers)
{
    world_params p = defaults();
    p.cache_mb = 0;
    world *a = load(5), *b = load_p(p, 5);
    for (int k = 0; k < 50; k++) {
        rt_time t = RT_MIN(37) * k;
        proto_resi_listing pa[41], pb[41];
        world_page ga, gb;
        ASSERT_OK(world_search(a, "79936", 1 + k % 3, t, pa, &ga));
        ASSERT_OK(world_search(b, "79936", 1 + k % 3, t, pb, &gb));
        ASSERT_EQ_INT(ga.n, gb.n);
        ASSERT(!memcmp(pa, pb, (size_t)ga.n * sizeof pa[0]));
    }
    ASSERT(world_memory(b) < world_memory(a));
    world_free(a);
    world_free(b);
}

TEST_IMPL(without_price_changes_prices_hold)
{
    world_params p = defaults();
    p.price_changes_per_day = 0;
    world *w = load_p(p, 42);
    static proto_resi_listing a[1000];
    int n = all_pages(w, "90011", DAY, a, 1000);
    for (int i = 0; i < n; i++) {
        proto_resi_listing l;
        if (world_lookup(w, a[i].zpid, DAY * 20, &l) == 0 && l.status == PROTO_RESI_FOR_SALE) {
            ASSERT_EQ_INT(l.price, a[i].price);
            ASSERT_EQ_INT(l.price_change, 0);
            ASSERT_EQ_INT(l.date_price_changed_ms, 0);
        }
    }
    world_free(w);
}

/* --------------------------------------------------- the stored listing */

static proto_resi_listing sample(void)
{
    proto_resi_listing l;
    memset(&l, 0, sizeof l);
    l.zpid = 2063424542;
    l.scraped_at_ms = 1757635290123LL;
    l.price = 349900;
    l.price_change = -10000;
    l.date_price_changed_ms = 1757000000000LL;
    l.zestimate = 351200;
    l.rent_zestimate = 2150;
    l.living_area = 1850;
    l.lat_e6 = 29745660;
    l.lon_e6 = -95823020;
    l.days_on_zillow = 12;
    l.lot_area_value = 0.2296;
    l.lot_unit = PROTO_RESI_LOT_ACRES;
    l.street_no = 123;
    l.bedrooms = 3;
    l.bathrooms_x2 = 5;
    l.home_type = PROTO_RESI_CONDO;
    l.status = PROTO_RESI_FOR_SALE;
    l.flags = PROTO_RESI_IS_FSBA;
    snprintf(l.street, sizeof l.street, "Maple Dr");
    snprintf(l.unit, sizeof l.unit, "APT 4");
    snprintf(l.city, sizeof l.city, "St. Mary's");
    snprintf(l.state, sizeof l.state, "TX");
    snprintf(l.zip, sizeof l.zip, "77494");
    return l;
}

TEST_IMPL(stored_form_is_the_resi_json_with_its_size_and_hash)
{
    proto_resi_listing l = sample();
    char s[256];
    proto_resi_listing_address(&l, s, sizeof s);
    ASSERT_STR_EQ(s, "123 Maple Dr APT 4, St. Mary's, TX 77494");
    proto_resi_listing_detail_url(&l, s, sizeof s);
    ASSERT_STR_EQ(s, "/homedetails/123-Maple-Dr-APT-4-St-Marys-TX-77494/2063424542_zpid/");
    proto_resi_listing_uri(&l, s, sizeof s);
    ASSERT_STR_EQ(s, "https://zillow.com/homedetails/123-Maple-Dr-APT-4-St-Marys-TX-77494/2063424542_zpid/");
    sbuf b;
    sbuf_init(&b);
    ASSERT_OK(proto_resi_listing_json(&l, &b));
    const char *want =
        "{\"zpid\":\"2063424542\",\"address\":\"123 Maple Dr APT 4, St. Mary's, TX 77494\","
        "\"detail_url\":\"/homedetails/123-Maple-Dr-APT-4-St-Marys-TX-77494/2063424542_zpid/\","
        "\"property_type\":\"CONDO\",\"bedrooms\":3,\"bathrooms\":2.5,\"living_area\":1850,"
        "\"lot_area_value\":0.2296,\"lot_area_unit\":\"acres\",\"price\":349900,"
        "\"zestimate\":351200,\"rent_zestimate\":2150,\"price_change\":-10000,"
        "\"date_price_changed\":1757000000000,\"latitude\":29.74566,\"longitude\":-95.82302,"
        "\"country\":\"USA\",\"currency\":\"USD\",\"listing_status\":\"FOR_SALE\","
        "\"days_on_zillow\":12,\"coming_soon_on_market_date\":null,\"img_src\":null,"
        "\"has_image\":false,\"has_video\":false,\"has_3d_model\":false,\"carousel_photos\":null,"
        "\"is_fsba\":true,\"is_open_house\":false,\"is_new_home\":false,\"is_coming_soon\":false,"
        "\"new_construction_type\":null,\"unit\":\"APT 4\",\"contingent_listing_type\":null,"
        "\"variable_data\":null,\"scraped_at\":\"2025-09-12T00:01:30.123000Z\","
        "\"data_source\":\"zillow_rapidapi\"}";
    ASSERT_STR_EQ(b.s, want);
    ASSERT_EQ_INT(proto_resi_listing_size(&l), strlen(want));
    ASSERT_EQ_U64(proto_resi_listing_hash(&l), hash64_str(want));
    proto_resi_listing m = l;
    m.price++;
    ASSERT(proto_resi_listing_hash(&m) != proto_resi_listing_hash(&l));
    /* a LOT: no rooms, nulls where Zillow has none */
    l.home_type = PROTO_RESI_LOT;
    l.bedrooms = l.bathrooms_x2 = -1;
    l.living_area = l.zestimate = l.rent_zestimate = -1;
    l.lot_area_value = 6098;
    l.lot_unit = PROTO_RESI_LOT_SQFT;
    l.price_change = 0;
    l.date_price_changed_ms = 0;
    sbuf_free(&b);
    ASSERT_OK(proto_resi_listing_json(&l, &b));
    ASSERT_CONTAINS(b.s, "\"bedrooms\":null,\"bathrooms\":null,\"living_area\":null,"
                         "\"lot_area_value\":6098.0,\"lot_area_unit\":\"sqft\"");
    ASSERT_CONTAINS(b.s, "\"zestimate\":null,\"rent_zestimate\":null,\"price_change\":null,"
                         "\"date_price_changed\":null");
    sbuf_free(&b);
}

TEST_IMPL(generated_listings_serialize_to_valid_json_of_realistic_size)
{
    world *w = load(42);
    static proto_resi_listing all[1000];
    int n = all_pages(w, "08701", DAY * 3, all, 1000);
    double total = 0;
    for (int i = 0; i < n; i++) {
        sbuf b;
        sbuf_init(&b);
        ASSERT_OK(proto_resi_listing_json(&all[i], &b));
        ASSERT_EQ_INT(b.len, proto_resi_listing_size(&all[i]));
        total += (double)b.len;
        cJSON *j = cJSON_Parse(b.s);
        ASSERT(j != NULL);
        char zpid[24];
        snprintf(zpid, sizeof zpid, "%llu", (unsigned long long)all[i].zpid);
        ASSERT_STR_EQ(cJSON_GetObjectItem(j, "zpid")->valuestring, zpid);
        ASSERT_EQ_INT(cJSON_GetObjectItem(j, "price")->valuedouble, all[i].price);
        ASSERT_STR_EQ(cJSON_GetObjectItem(j, "listing_status")->valuestring, "FOR_SALE");
        ASSERT_NEAR(cJSON_GetObjectItem(j, "latitude")->valuedouble, all[i].lat_e6 / 1e6, 1e-9);
        ASSERT(fabs(cJSON_GetObjectItem(j, "latitude")->valuedouble - 40.07635) < 0.2);
        cJSON_Delete(j);
        sbuf_free(&b);
    }
    ASSERT(total / n > 850 && total / n < 1100);
    world_free(w);
}

/* The normal quantiles the listings' spreads are drawn with (Acklam's
 * approximation: relative error below 1.2e-9). */
TEST_IMPL(inverse_normal_cdf_matches_known_quantiles)
{
    struct { double p, z; } q[] = {
        {0.5, 0}, {0.975, 1.959963984540054}, {0.8413447460685429, 1.0},
        {0.02, -2.053748910631823}, {0.001, -3.090232306167813},
        {1e-10, -6.361340902404056}, {0.99999, 4.264890793922602},
    };
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
        ASSERT_NEAR(world_norm_inv(q[i].p), q[i].z, 2e-9 * fmax(1, fabs(q[i].z)));
        ASSERT_NEAR(world_norm_inv(1 - q[i].p), -q[i].z, 1e-8 * fmax(1, fabs(q[i].z)));
    }
    /* and draws have mean 0, sd 1 */
    wrng r = {7};
    double s = 0, s2 = 0;
    for (int i = 0; i < 200000; i++) {
        double x = wrng_normal(&r);
        s += x;
        s2 += x * x;
    }
    ASSERT_NEAR(s / 200000, 0, 0.01);
    ASSERT_NEAR(sqrt(s2 / 200000), 1, 0.01);
}
