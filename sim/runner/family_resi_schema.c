/* The resi family's scenario part: its top-level "resi" section (the world,
 * the listings API with its plans, the object store, desirability, records),
 * the miner strategy kinds (miner/resi) and the validator kinds
 * (validator/resi), and the family's profiles. The world's defaults are the
 * world profile resi-2025-09 (sim/world/profile.c, where each number's source
 * is); tests/unit/test_family_resi.c holds the two tables equal. */
#include "runner/family_resi.h"

#include <string.h>

#define DAY 86400e6

/* ------------------------------------------------------------ the world */

static const scenario_field world_fields[] = {
    SCENARIO_FIELD_STRING(resi_world_cfg, zip_file, "zip_file", "\"us_zipcodes.csv\"", 4096,
                          "zipcode CSV, relative to the data directory unless absolute"),
    SCENARIO_FIELD_INT(resi_world_cfg, epoch_unix_s, "epoch_unix_s", "1757635200", 0, 4e9,
                       "the unix time simulated time 0 stands for (2025-09-12 00:00 UTC)"),
    SCENARIO_FIELD_INT(resi_world_cfg, top_n, "top_n", "7572", 1, 100000,
                       "the universe: the N most populous zips (SPEC 2.1: 7,572)"),
    SCENARIO_FIELD_INTS(resi_world_cfg, tier_max_rank, "tier_max_rank", "[100, 500, 2000]", 1,
                        100000, 3, "last population rank of tiers 1, 2 and 3 (SPEC 2.1)"),
    SCENARIO_FIELD_NUMBERS(resi_world_cfg, tier_weights, "tier_weights", "[3, 2, 1.5, 1]", 0, 1e6,
                           4, "weights of tiers 1..4 (SPEC 2.1)"),
    SCENARIO_FIELD_STRINGS(resi_world_cfg, premium, "premium",
                           "[\"77494\", \"08701\", \"77449\", \"77084\", \"79936\", \"11385\", "
                           "\"78660\", \"11208\", \"90011\", \"77433\"]",
                           5, 32, "the premium zips (SPEC 2.1)"),
    SCENARIO_FIELD_NUMBER(resi_world_cfg, premium_weight, "premium_weight", "4", 0, 1e6,
                          "weight of a premium zip (SPEC 2.1)"),
    SCENARIO_FIELD_NUMBER(resi_world_cfg, listings_per_1000, "listings_per_1000", "3.3", 0, 1000,
                          "for-sale listings per 1,000 residents"),
    SCENARIO_FIELD_NUMBER(resi_world_cfg, for_sale_mean_days, "for_sale_mean_days", "60", 0.001,
                          3650, "mean days a listing is for sale (exponential)"),
    SCENARIO_FIELD_NUMBER(resi_world_cfg, for_sale_max_days, "for_sale_max_days", "365", 1, 3650,
                          "a listing unsold after this long is withdrawn"),
    SCENARIO_FIELD_NUMBER(resi_world_cfg, p_withdrawn, "p_withdrawn", "0.2", 0, 1,
                          "share of listings that leave the market unsold"),
    SCENARIO_FIELD_NUMBER(resi_world_cfg, pending_mean_days, "pending_mean_days", "30", 0.001,
                          3650, "mean days under contract before the sale"),
    SCENARIO_FIELD_NUMBER(resi_world_cfg, sold_visible_days, "sold_visible_days", "30", 0, 3650,
                          "days a sold listing stays visible (then 404)"),
    SCENARIO_FIELD_NUMBER(resi_world_cfg, price_changes_per_day, "price_changes_per_day",
                          "0.008333333333333333", 0, 100, "price changes a day while for sale"),
    SCENARIO_FIELD_NUMBER(resi_world_cfg, p_price_cut, "p_price_cut", "0.9", 0, 1,
                          "share of price changes that are cuts"),
    SCENARIO_FIELD_NUMBER(resi_world_cfg, zip_price_median, "zip_price_median", "420000", 1000,
                          1e8, "median over zips of a zip's typical price (USD)"),
    SCENARIO_FIELD_NUMBER(resi_world_cfg, rent_yield, "rent_yield", "0.0055", 0, 0.999,
                          "monthly rent zestimate over price"),
    SCENARIO_FIELD_INT(resi_world_cfg, page_size, "page_size", "41", 1, 1000,
                       "listings a search page (SPEC 2.1: 41)"),
    SCENARIO_FIELD_INT(resi_world_cfg, max_pages, "max_pages", "20", 0, 100000,
                       "pages a search reaches; 0: no limit"),
    SCENARIO_FIELD_NUMBER(resi_world_cfg, cache_mb, "cache_mb", "64", 0, 1e6,
                          "speed only: MB of built listings kept for reuse"),
};
static const scenario_table world_table = SCENARIO_TABLE(
    "resi_world", resi_world_cfg, world_fields, NULL,
    "The zipcode and listings universe (SPEC 2.1). Defaults: sim/world/profile.c.");

/* -------------------------------------------------------------- the API */

static const scenario_field faults_fields[] = {
    SCENARIO_FIELD_NUMBER(resi_api_faults_cfg, p_404, "p_404", "0", 0, 1,
                          "share of counted calls answered with a spurious 404"),
    SCENARIO_FIELD_NUMBER(resi_api_faults_cfg, p_429, "p_429", "0", 0, 1,
                          "share answered with a spurious 429"),
    SCENARIO_FIELD_NUMBER(resi_api_faults_cfg, p_5xx, "p_5xx", "0", 0, 1,
                          "share answered with status_5xx"),
    SCENARIO_FIELD_NUMBER(resi_api_faults_cfg, p_timeout, "p_timeout", "0", 0, 1,
                          "share never answered (the caller times out)"),
    SCENARIO_FIELD_INT(resi_api_faults_cfg, status_5xx, "status_5xx", "500", 500, 599,
                       "the 5xx status injected"),
};
static const scenario_table faults_table = SCENARIO_TABLE(
    "resi_api_faults", resi_api_faults_cfg, faults_fields, NULL, "Injected listings API failures.");

static const scenario_field api_fields[] = {
    /* resi API_RATE_LIMITING_REQUIREMENTS.md: days_in_month = 30 */
    SCENARIO_FIELD_DURATION(resi_api_cfg, quota_period_us, "quota_period", "\"30d\"", 1e6,
                            3650 * DAY, "quotas reset every period"),
    SCENARIO_FIELD_DURATION(resi_api_cfg, search_latency_us, "search_latency", "\"450ms\"", 0,
                            3600e6, "median time a search takes (lognormal)"),
    SCENARIO_FIELD_DURATION(resi_api_cfg, lookup_latency_us, "lookup_latency", "\"300ms\"", 0,
                            3600e6, "median time a look-up takes"),
    SCENARIO_FIELD_NUMBER(resi_api_cfg, latency_sigma, "latency_sigma", "0.5", 0, 3,
                          "lognormal spread of the service times"),
    SCENARIO_FIELD_DURATION(resi_api_cfg, hang_release_us, "hang_release", "\"10m\"", 0,
                            3650 * DAY, "a hung call is closed with 504 after this; 0s: never"),
    SCENARIO_FIELD_OBJECT(resi_api_cfg, faults, "faults", "{}", &faults_table,
                          "injected failures (shares of calls that pass quota and rate limit)"),
};
static const scenario_table api_table = SCENARIO_TABLE(
    "resi_api", resi_api_cfg, api_fields, NULL, "The listings API (Zillow through RapidAPI).");

/* Each plan its own table: the defaults differ. */
#define PLAN_FIELDS(arr, q_, r_, b_, e_, n_)                                               \
    static const scenario_field arr[] = {                                                        \
        SCENARIO_FIELD_INT(resi_plan_cfg, quota, "quota", q_, 0, 1e12,                            \
                           "calls a quota period; 0: unlimited"),                                \
        SCENARIO_FIELD_NUMBER(resi_plan_cfg, rate_per_s, "rate_per_s", r_, 0, 1e6,             \
                              "rate limit per caller, calls a second; 0: none"),                 \
        SCENARIO_FIELD_NUMBER(resi_plan_cfg, burst, "burst", b_, 0, 1e6,                      \
                              "calls the rate limit lets through at once"),                      \
        SCENARIO_FIELD_DURATION(resi_plan_cfg, scrape_every_us, "scrape_every", e_, 1e6,      \
                                30 * DAY, "a miner on this plan scrapes this often"),            \
        SCENARIO_FIELD_INT(resi_plan_cfg, entities, "entities", n_, 1, 100000,                    \
                           "listings a scrape of a miner on this plan asks for"),                \
    }
/* SPEC 2.1: basic 13,000 calls a month, 2 req/s; SPEC 2.2: 41 entities every 200 s */
PLAN_FIELDS(basic_fields, "13000", "2", "2", "\"200s\"", "41");
/* SPEC 2.1: premium 198,000 calls a month; SPEC 2.2: 369 entities every 120 s */
PLAN_FIELDS(premium_fields, "198000", "2", "2", "\"120s\"", "369");
/* for tests and what-if runs: no quota, no rate limit, the premium schedule */
PLAN_FIELDS(unlimited_fields, "0", "0", "0", "\"120s\"", "369");
static const scenario_table basic_table =
    SCENARIO_TABLE("resi_plan_basic", resi_plan_cfg, basic_fields, NULL, "The basic plan.");
static const scenario_table premium_table =
    SCENARIO_TABLE("resi_plan_premium", resi_plan_cfg, premium_fields, NULL, "The premium plan.");
static const scenario_table unlimited_table = SCENARIO_TABLE(
    "resi_plan_unlimited", resi_plan_cfg, unlimited_fields, NULL, "No quota, no rate limit.");

static const scenario_field plans_fields[] = {
    SCENARIO_FIELD_OBJECT(resi_plans_cfg, basic, "basic", "{}", &basic_table,
                          "the basic plan"),
    SCENARIO_FIELD_OBJECT(resi_plans_cfg, premium, "premium", "{}",
                          &premium_table, "the premium plan"),
    SCENARIO_FIELD_OBJECT(resi_plans_cfg, unlimited, "unlimited", "{}",
                          &unlimited_table, "an unlimited plan"),
};
static const scenario_table plans_table = SCENARIO_TABLE(
    "resi_plans", resi_plans_cfg, plans_fields, NULL, "Listings API plans: quota and schedule.");

static const scenario_field s3_fields[] = {
    /* model: an S3 request through the presigned-URL service */
    SCENARIO_FIELD_DURATION(resi_s3_cfg, latency_us, "latency", "\"80ms\"", 0, 3600e6,
                            "median service time of the object store"),
    SCENARIO_FIELD_NUMBER(resi_s3_cfg, latency_sigma, "latency_sigma", "0.5", 0, 3,
                          "lognormal spread of the service time"),
};
static const scenario_table s3_table =
    SCENARIO_TABLE("resi_s3", resi_s3_cfg, s3_fields, NULL, "The object store miners upload to.");

const resi_plan_cfg *resi_plan_get(const resi_plans_cfg *p, int plan)
{
    return plan == WORLD_PLAN_PREMIUM ? &p->premium : plan == WORLD_PLAN_UNLIMITED ? &p->unlimited
                                                                                    : &p->basic;
}

/* ---------------------------------------------------------- the section */

const char *const resi_desirability_names[] = {"as_deployed", "as_designed", NULL};

static const scenario_field section_fields[] = {
    /* SPEC 2.3: as deployed only the ten premium jobs match a bucket */
    SCENARIO_FIELD_ENUM(resi_section, desirability, "desirability", "\"as_deployed\"",
                        resi_desirability_names,
                        "as_deployed: only premium zips' jobs match (others 0.3); as_designed: "
                        "the tier weights apply"),
    SCENARIO_FIELD_STRING(resi_section, data_dir, "data_dir", SCENARIO_ABSENT, 4096,
                          "where data files are read from (default: $SUBNETSIM_DATA, else the "
                          "source tree's data/)"),
    /* model: hourly, the time buckets' own grain */
    SCENARIO_FIELD_DURATION(resi_section, coverage_every_us, "coverage_every", "\"1h\"", 0,
                            30 * DAY, "coverage rows (miner x zip) this often; 0s: none"),
    SCENARIO_FIELD_OBJECT(resi_section, world, "world", "{}", &world_table, "the world"),
    SCENARIO_FIELD_OBJECT(resi_section, api, "api", "{}", &api_table, "the listings API"),
    SCENARIO_FIELD_OBJECT(resi_section, plans, "plans", "{}", &plans_table,
                          "API plans: quota, rate limit and a miner's scrape schedule"),
    SCENARIO_FIELD_OBJECT(resi_section, s3, "s3", "{}", &s3_table, "the object store"),
};
static const scenario_table section_table = SCENARIO_TABLE(
    "resi", resi_section, section_fields, NULL,
    "The real-estate subnet's world, listings API, object store and subnet-wide settings.");

static const scenario_field root_fields[] = {
    SCENARIO_FIELD_OBJECT(resi_root, resi, "resi", "{}", &section_table,
                          "real-estate subnet settings (SPEC 2)"),
};
const scenario_table resi_root_table =
    SCENARIO_TABLE("resi_root", resi_root, root_fields, resi_check_root, NULL);

/* ------------------------------------------------------------- profiles */

#define TESTNET_UPLOAD(kind)                                                                     \
    {"miners[].strategy<" kind ">.upload_every", "\"5m\"",                                        \
     "resi dev-docs/0001-miner-storage-validation.md: uploads every 5 min on testnet"}

static const scenario_default resi_2025_09[] = {
    {"resi.desirability", "\"as_deployed\"",
     "SPEC 2.3: as deployed only the ten premium jobs match a bucket"},
};

static const scenario_default resi_testnet[] = {
    TESTNET_UPLOAD("premium-focus"), TESTNET_UPLOAD("regional"), TESTNET_UPLOAD("broad"),
    TESTNET_UPLOAD("tier-weighted"), TESTNET_UPLOAD("organic"), TESTNET_UPLOAD("duplicator"),
    TESTNET_UPLOAD("fabricator"), TESTNET_UPLOAD("stale"), TESTNET_UPLOAD("copier"),
    TESTNET_UPLOAD("flaky"),
    RESI_VALIDATOR_TESTNET_DEFAULTS
};

const scenario_profile resi_profiles[] = {
    {"resi-2025-09", NULL,
     "the real-estate subnet as deployed in September 2025 (SPEC 2): every family default "
     "follows it already",
     resi_2025_09, sizeof resi_2025_09 / sizeof *resi_2025_09},
    {"resi-testnet-428", "resi-2025-09",
     "testnet 428 as the day-2 plan ran it: S3 uploads every 5 minutes",
     resi_testnet, sizeof resi_testnet / sizeof *resi_testnet},
};
const size_t resi_nprofiles = sizeof resi_profiles / sizeof *resi_profiles;

/* --------------------------------------------------------------- kinds */

/* The family's threshold metrics: their meaning in full is in sim/report
 * (resi_metrics.c), which measures them. */
#define RESI_METRIC_KINDS                                                                         \
    {"metric", "coverage", RESI_METRIC_COVERAGE, NULL,                                           \
     "resi: share of the zips (of where.tier) that the matching miners hold listings of, "        \
     "0..1 (sum: held by any of them)"},                                                         \
    {"metric", "evaluation_success", RESI_METRIC_EVALUATION_SUCCESS, NULL,                       \
     "resi: share of evaluations that ran to the end, 0..1 (of or by the matching neurons)"},     \
    {"metric", "api_check_success", RESI_METRIC_API_CHECK_SUCCESS, NULL,                         \
     "resi: share of answered API checks that found the listing as claimed, 0..1"},              \
    {"metric", "api_check_made", RESI_METRIC_API_CHECK_MADE, NULL,                               \
     "resi: share of API checks that got an answer (not rate limited, failed or timed out), 0..1"},

static const scenario_kind resi_kinds[] = {RESI_MINER_KINDS RESI_VALIDATOR_KINDS
                                               RESI_METRIC_KINDS};

const scenario_family runner_resi_scenario = {
    "resi", &resi_root_table, resi_kinds, sizeof resi_kinds / sizeof *resi_kinds, resi_profiles,
    sizeof resi_profiles / sizeof *resi_profiles};
