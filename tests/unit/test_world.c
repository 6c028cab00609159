/* The zipcode universe: ranking, tiers, premium zips, lookups, the CSV
 * parser's errors, parameters and the data directory. */
#include "world/world.h"
#include "test.h"

static world_params defaults(void)
{
    static char dir[4096];
    snprintf(dir, sizeof dir, "%s/data", test_source_dir());
    world_params p = world_profile_find("resi-2025-09")->world;
    p.data_dir = dir;
    return p;
}

static world *load(world_params p)
{
    world *w;
    err e;
    int rc = world_new(&p, 42, &w, &e);
    if (rc)
        TEST_FAIL_("world_new: %s", e.msg);
    return w;
}

TEST_IMPL(universe_is_the_top_n_by_population_ties_by_zip)
{
    world *w = load(defaults());
    ASSERT_EQ_INT(world_zip_count(w), 7572);
    const world_zip *z = world_zip_at(w, 0);
    ASSERT_STR_EQ(z->zip, "08701");
    ASSERT_STR_EQ(z->city, "Lakewood");
    ASSERT_STR_EQ(z->state, "NJ");
    ASSERT_EQ_INT(z->population, 134008);
    ASSERT_NEAR(z->lat, 40.07635, 1e-9);
    ASSERT_NEAR(z->lon, -74.20311, 1e-9);
    ASSERT_EQ_INT(z->rank, 1);
    for (size_t i = 1; i < world_zip_count(w); i++) {
        ASSERT(world_zip_at(w, i - 1)->population >= world_zip_at(w, i)->population);
        ASSERT_EQ_INT(world_zip_at(w, i)->rank, i + 1);
    }
    /* 90037 and 90631 both have 69,064 people: the lower zip ranks first */
    ASSERT_STR_EQ(world_zip_at(w, 241)->zip, "90037");
    ASSERT_STR_EQ(world_zip_at(w, 242)->zip, "90631");
    ASSERT_EQ_INT(world_zip_at(w, 241)->population, world_zip_at(w, 242)->population);
    /* the last one in, and the first one out (15009, 15,722 people) */
    ASSERT_STR_EQ(world_zip_at(w, 7571)->zip, "75707");
    ASSERT_EQ_INT(world_zip_find(w, "15009"), -1);
    ASSERT(world_zip_at(w, 7572) == NULL);
    world_free(w);
}

TEST_IMPL(tiers_change_after_ranks_100_500_2000)
{
    world *w = load(defaults());
    struct { size_t rank; int tier; double weight; const char *zip; } cases[] = {
        {100, 1, 3.0, "92704"}, {101, 2, 2.0, "11204"}, {500, 2, 2.0, "93458"},
        {501, 3, 1.5, "92020"}, {2000, 3, 1.5, "92394"}, {2001, 4, 1.0, "70506"},
        {7572, 4, 1.0, "75707"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const world_zip *z = world_zip_at(w, cases[i].rank - 1);
        ASSERT_STR_EQ(z->zip, cases[i].zip);
        ASSERT_EQ_INT(z->tier, cases[i].tier);
        ASSERT_NEAR(z->weight, cases[i].weight, 0);
        ASSERT(!z->premium);
    }
    /* 11368 (rank 5) and 60629 (rank 6) are tier 1 but not premium */
    ASSERT_NEAR(world_zip_at(w, 4)->weight, 3.0, 0);
    world_free(w);
}

TEST_IMPL(the_ten_premium_zips_are_in_with_weight_4)
{
    world *w = load(defaults());
    const char *premium[] = {"77494", "08701", "77449", "77084", "79936",
                             "11385", "78660", "11208", "90011", "77433"};
    const uint32_t *idx;
    ASSERT_EQ_INT(world_premium(w, &idx), 10);
    for (int k = 0; k < 10; k++) {
        int i = world_zip_find(w, premium[k]);
        ASSERT(i >= 0);
        ASSERT_EQ_INT(idx[k], i);
        const world_zip *z = world_zip_at(w, (size_t)i);
        ASSERT(z->premium);
        ASSERT_NEAR(z->weight, 4.0, 0);
        ASSERT(z->rank <= 12);   /* ATTRIBUTION.md: all among the 12 most populous */
        ASSERT_EQ_INT(z->tier, 1);
    }
    int flagged = 0;
    for (size_t i = 0; i < world_zip_count(w); i++)
        flagged += world_zip_at(w, i)->premium;
    ASSERT_EQ_INT(flagged, 10);
    world_free(w);
}

TEST_IMPL(top_n_is_a_deterministic_prefix)
{
    world *full = load(defaults());
    world_params p = defaults();
    p.top_n = 100;
    world *small = load(p), *again = load(p);
    ASSERT_EQ_INT(world_zip_count(small), 100);
    for (size_t i = 0; i < 100; i++) {
        ASSERT_STR_EQ(world_zip_at(small, i)->zip, world_zip_at(full, i)->zip);
        ASSERT(!memcmp(world_zip_at(small, i), world_zip_at(again, i), sizeof(world_zip)));
    }
    ASSERT_EQ_INT(world_zip_find(small, "92704"), 99);
    ASSERT_EQ_INT(world_zip_find(small, "11204"), -1);
    world_free(full);
    world_free(small);
    world_free(again);
}

TEST_IMPL(a_premium_zip_outside_the_universe_is_an_error)
{
    world_params p = defaults();
    p.top_n = 8;   /* 79936 (rank 10) is the first premium zip listed that misses */
    world *w;
    err e;
    ASSERT_EQ_INT(world_new(&p, 1, &w, &e), ERR_INPUT);
    ASSERT(w == NULL);
    ASSERT_CONTAINS(e.msg, "world.premium: zip '79936' is not among the 8 most populous");
    p = defaults();
    p.top_n = 40000;
    ASSERT_EQ_INT(world_new(&p, 1, &w, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "world.top_n: 40000 exceeds the 33787 zipcodes in");
}

TEST_IMPL(lookups_by_zip_and_state)
{
    world *w = load(defaults());
    int i = world_zip_find(w, "77494");
    ASSERT_EQ_INT(i, 1);
    ASSERT_STR_EQ(world_zip_at(w, (size_t)i)->city, "Katy");
    ASSERT_EQ_INT(world_zip_find(w, "7749"), -1);
    ASSERT_EQ_INT(world_zip_find(w, "77494x"), -1);
    ASSERT_EQ_INT(world_zip_find(w, "00000"), -1);
    ASSERT_EQ_INT(world_zip_find(w, NULL), -1);
    const uint32_t *tx;
    size_t n = world_state_zips(w, "TX", &tx);
    ASSERT_EQ_INT(n, 665);
    ASSERT_STR_EQ(world_zip_at(w, tx[0])->zip, "77494");
    ASSERT_STR_EQ(world_zip_at(w, tx[1])->zip, "77449");
    for (size_t k = 0; k < n; k++) {
        ASSERT_STR_EQ(world_zip_at(w, tx[k])->state, "TX");
        if (k)
            ASSERT(tx[k] > tx[k - 1]);
    }
    size_t total = 0;
    for (size_t s = 0; s < world_state_count(w); s++) {
        const uint32_t *idx;
        total += world_state_zips(w, world_state_at(w, s), &idx);
        if (s)
            ASSERT(strcmp(world_state_at(w, s - 1), world_state_at(w, s)) < 0);
    }
    ASSERT_EQ_INT(total, world_zip_count(w));
    ASSERT_EQ_INT(world_state_zips(w, "ZZ", &tx), 0);
    ASSERT(tx == NULL);
    world_free(w);
}

/* ------------------------------------------------------------ CSV errors */

static world_params tiny(const char *file)
{
    world_params p = defaults();
    p.data_dir = test_tmpdir();
    p.zip_file = file;
    p.npremium = 0;
    p.top_n = 1;
    return p;
}

static int load_text(const char *text, err *e, world **out)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/z.csv", test_tmpdir());
    ASSERT_OK(file_write_atomic(path, text, strlen(text), e));
    world_params p = tiny("z.csv");
    return world_new(&p, 1, out, e);
}

static void expect_error(const char *text, const char *msg)
{
    world *w;
    err e;
    ASSERT_EQ_INT(load_text(text, &e, &w), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "z.csv:");
    ASSERT_CONTAINS(e.msg, msg);
}

TEST_IMPL(csv_errors_name_file_line_and_field)
{
    const char *h = "zip,lat,lon,state,city,population\n";
    char t[512];
    snprintf(t, sizeof t, "%s00601,18.1,-66.7,PR,Adjuntas,16834\n1234,1,1,PR,X,5\n", h);
    expect_error(t, "z.csv:3: zip: '1234' is not a 5-digit zipcode");
    snprintf(t, sizeof t, "%s00601,18.1,-66.7,PR,Adjuntas\n", h);
    expect_error(t, "z.csv:2: expected 6 fields, found 5");
    snprintf(t, sizeof t, "%s00601,91,-66.7,PR,Adjuntas,1\n", h);
    expect_error(t, "z.csv:2: lat: '91' is not a latitude");
    snprintf(t, sizeof t, "%s00601,18,west,PR,Adjuntas,1\n", h);
    expect_error(t, "z.csv:2: lon: 'west' is not a longitude");
    snprintf(t, sizeof t, "%s00601,18,-66,pr,Adjuntas,1\n", h);
    expect_error(t, "z.csv:2: state: 'pr' is not a two-letter state code");
    snprintf(t, sizeof t, "%s00601,18,-66,PR,,1\n", h);
    expect_error(t, "z.csv:2: city: '' must have 1 to 31 bytes");
    snprintf(t, sizeof t, "%s00601,18,-66,PR,A,-5\n", h);
    expect_error(t, "z.csv:2: population: '-5' is not a whole number of people");
    snprintf(t, sizeof t, "%s00601,18,-66,PR,A,5\n00602,18,-66,PR,B,6\n00601,1,1,PR,C,7\n", h);
    expect_error(t, "z.csv:4: zip: '00601' repeats line 2");
    expect_error("zip,lat,lon,state,city\n00601,1,1,PR,A\n", "z.csv:1: header has no 'population' column");
    snprintf(t, sizeof t, "%s00601,18,-66,PR,\"Adj,untas,1\n", h);
    expect_error(t, "z.csv:2: unterminated quoted field");
    expect_error("", "z.csv: empty file");
    expect_error(h, "z.csv: no zipcode rows");
    world *w;
    err e;
    world_params p = tiny("missing.csv");
    ASSERT_EQ_INT(world_new(&p, 1, &w, &e), ERR_NOTFOUND);
    ASSERT_CONTAINS(e.msg, "missing.csv");
}

TEST_IMPL(csv_accepts_quotes_crlf_bom_extra_columns_and_empty_population)
{
    const char *text = "\xEF\xBB\xBFpopulation,zip,extra,lat,lon,state,city\r\n"
                       "10,00601,x,18.1,-66.7,PR,\"San Juan, \"\"Viejo\"\"\"\r\n"
                       ",00602,y,18.3,-67.1,PR,Aguada\r\n"
                       "\r\n"
                       "20,00603,z,18.4,-67.1,PR,Aguadilla";
    world *w;
    err e;
    char path[4200];
    snprintf(path, sizeof path, "%s/ok.csv", test_tmpdir());
    ASSERT_OK(file_write_atomic(path, text, strlen(text), &e));
    world_params p = tiny("ok.csv");
    p.top_n = 3;
    if (world_new(&p, 1, &w, &e))
        TEST_FAIL_("%s", e.msg);
    ASSERT_STR_EQ(world_zip_at(w, 0)->zip, "00603");
    ASSERT_STR_EQ(world_zip_at(w, 1)->city, "San Juan, \"Viejo\"");
    ASSERT_STR_EQ(world_zip_at(w, 2)->zip, "00602");
    ASSERT_EQ_INT(world_zip_at(w, 2)->population, 0);
    ASSERT_NEAR(world_zip_at(w, 2)->listings_mean, 0, 0);
    world_free(w);
}

/* ---------------------------------------------------- parameters, data dir */

TEST_IMPL(parameter_checks_name_the_field)
{
    world_params p = defaults();
    err e;
    ASSERT_OK(world_params_check(&p, &e));
    p.tier_max_rank[1] = 50;
    ASSERT_EQ_INT(world_params_check(&p, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "world.tier_max_rank");
    p = defaults();
    p.p_withdrawn = 1.5;
    ASSERT_EQ_INT(world_params_check(&p, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "world.p_withdrawn");
    p = defaults();
    p.page_size = 0;
    ASSERT_EQ_INT(world_params_check(&p, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "world.page_size");
    p = defaults();
    p.listings_per_1000 = 1000;   /* 134,008 people: ~2,200 new listings a day */
    world *w;
    ASSERT_EQ_INT(world_new(&p, 1, &w, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "zip 08701 would list");
    world_api_params a = world_profile_find("resi-2025-09")->api;
    ASSERT_OK(world_api_params_check(&a, &e));
    a.faults.p_5xx = 0.6;
    a.faults.p_404 = 0.6;
    ASSERT_EQ_INT(world_api_params_check(&a, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "world.api.faults");
    ASSERT(world_profile_find("resi-1999") == NULL);
}

TEST_IMPL(data_dir_override_then_environment_then_build_default)
{
    unsetenv("SUBNETSIM_DATA");
    ASSERT_STR_EQ(world_data_dir(NULL), SUBNETSIM_DATA_DIR);
    setenv("SUBNETSIM_DATA", "/from/env", 1);
    ASSERT_STR_EQ(world_data_dir(NULL), "/from/env");
    ASSERT_STR_EQ(world_data_dir(""), "/from/env");
    ASSERT_STR_EQ(world_data_dir("/from/scenario"), "/from/scenario");
    char path[64];
    err e;
    ASSERT_OK(world_data_path(NULL, "us_zipcodes.csv", path, sizeof path, &e));
    ASSERT_STR_EQ(path, "/from/env/us_zipcodes.csv");
    ASSERT_OK(world_data_path("/x", "/abs/z.csv", path, sizeof path, &e));
    ASSERT_STR_EQ(path, "/abs/z.csv");
    ASSERT_EQ_INT(world_data_path("/x", "a-rather-long-file-name-that-will-not-fit-in-the-buffer.csv",
                                  path, 16, &e), ERR_INPUT);
    unsetenv("SUBNETSIM_DATA");
    /* the default finds the shipped data without ../shared */
    world_params p = world_profile_find("resi-2025-09")->world;
    world *w;
    ASSERT_OK(world_new(&p, 1, &w, &e));
    ASSERT_EQ_INT(world_zip_count(w), 7572);
    ASSERT(world_get_params(w)->data_dir == NULL);
    world_free(w);
}

TEST_IMPL(simulated_time_maps_to_unix_milliseconds)
{
    world *w = load(defaults());
    ASSERT_EQ_INT(world_unix_ms(w, 0), 1757635200000LL);
    ASSERT_EQ_INT(world_unix_ms(w, RT_SEC(90) + 999), 1757635290000LL);
    ASSERT_EQ_INT(world_unix_ms(w, -1), 1757635199999LL);
    ASSERT_EQ_INT(world_rt_time(w, 1757635290000LL), RT_SEC(90));
    world_free(w);
}
