/* The resi validator policy as a scenario kind: its fields bind
 * resi_val_params directly, with the profile's values (profile.h) as defaults
 * and ranges that refuse what cannot run (a zero period, an empty batch). */
#include "validator/resi/resi.h"

#include "validator/resi/profile.h"

#define S RESI_STR
#define DUR(x, unit) "\"" S(x) unit "\""
#define HOUR_US 3600e6
#define DAY_US (24 * HOUR_US)

static const char *const desirability_names[] = {"as_deployed", "as_designed", "subnet", NULL};
static const char *const plan_names[] = {"basic", "premium", "unlimited", NULL};

static const scenario_field tol_fields[] = {
    SCENARIO_FIELD_INT(resi_tolerances, size_bytes, "size_bytes", S(RESI_P_TOL_SIZE_BYTES), 0,
                       1e9, "claimed content size may exceed the API's by this many bytes"),
    SCENARIO_FIELD_NUMBER(resi_tolerances, lot_area, "lot_area", S(RESI_P_TOL_LOT_AREA), 0, 1e6,
                          "lot area: relative tolerance"),
    SCENARIO_FIELD_NUMBER(resi_tolerances, lat_lon, "lat_lon", S(RESI_P_TOL_LAT_LON), 0, 360,
                          "latitude and longitude: degrees"),
    SCENARIO_FIELD_NUMBER(resi_tolerances, price, "price", S(RESI_P_TOL_PRICE), 0, 1e6,
                          "price: relative tolerance"),
    SCENARIO_FIELD_NUMBER(resi_tolerances, zestimate, "zestimate", S(RESI_P_TOL_ZESTIMATE), 0,
                          1e6, "zestimate: relative tolerance"),
    SCENARIO_FIELD_NUMBER(resi_tolerances, rent_zestimate, "rent_zestimate", S(RESI_P_TOL_RENT),
                          0, 1e6, "rent zestimate: relative tolerance"),
    SCENARIO_FIELD_INT(resi_tolerances, days_on_market, "days_on_market", S(RESI_P_TOL_DAYS), 0,
                       1e6, "days on market: days"),
};
static const scenario_table tol_table =
    SCENARIO_TABLE("policy_resi_tolerances", resi_tolerances, tol_fields, NULL,
                   "How far an entity may be from the listings API's answer (scraping/zillow/"
                   "field_mapping.py); exact fields: zpid, address, type, bedrooms, bathrooms, "
                   "living area, lot unit, detail URL, flags.");

static const scenario_field s3_fields[] = {
    SCENARIO_FIELD_BOOL(resi_s3_params, on, "on", "true", "validate miners' S3 uploads"),
    SCENARIO_FIELD_INT(resi_s3_params, every_blocks, "every_blocks", S(RESI_P_S3_EVERY_BLOCKS), 1,
                       1e9, "validate a miner again once its last validation is older"),
    SCENARIO_FIELD_DURATION(resi_s3_params, recent_us, "recent", DUR(RESI_P_S3_RECENT_H, "h"), 1,
                            365 * DAY_US, "a job counts when one of its files is this recent"),
    SCENARIO_FIELD_INT(resi_s3_params, jobs, "jobs", S(RESI_P_S3_JOBS), 1, 1e6, "jobs sampled"),
    SCENARIO_FIELD_INT(resi_s3_params, files_per_job, "files_per_job",
                       S(RESI_P_S3_FILES_PER_JOB), 1, 1e6, "files read per job for duplicates"),
    SCENARIO_FIELD_INT(resi_s3_params, rows_per_file, "rows_per_file",
                       S(RESI_P_S3_ROWS_PER_FILE), 1, PROTO_RESI_S3_HEAD_ROWS,
                       "first rows of a file read for duplicates"),
    SCENARIO_FIELD_INT(resi_s3_params, pool, "pool", S(RESI_P_S3_POOL), 1, 1e6,
                       "scraper check: most entities pooled"),
    SCENARIO_FIELD_INT(resi_s3_params, pool_rows, "pool_rows", S(RESI_P_S3_POOL_ROWS), 1,
                       PROTO_RESI_S3_HEAD_ROWS, "scraper check: first rows of one file a job"),
    SCENARIO_FIELD_INT(resi_s3_params, sample, "sample", S(RESI_P_S3_SAMPLE), 0, 1e6,
                       "scraper check: pooled entities checked against the API"),
    SCENARIO_FIELD_NUMBER(resi_s3_params, min_success, "min_success", S(RESI_P_S3_MIN_SUCCESS), 0,
                          100, "percent of checked entities that must pass"),
    SCENARIO_FIELD_INT(resi_s3_params, min_size_bytes, "min_size_bytes",
                       S(RESI_P_S3_MIN_SIZE_BYTES), 1, 1e15,
                       "size bonus from this many bytes of recent jobs' files"),
    SCENARIO_FIELD_NUMBER(resi_s3_params, size_bonus, "size_bonus", S(RESI_P_S3_SIZE_BONUS), 0,
                          1e6, "bonus points per factor 10 of size above min_size_bytes"),
    SCENARIO_FIELD_NUMBER(resi_s3_params, max_boost, "max_boost", S(RESI_P_S3_MAX_BOOST), 0,
                          1e15, "s3 boost at 100 %"),
    SCENARIO_FIELD_NUMBER(resi_s3_params, cred_alpha, "cred_alpha", S(RESI_P_S3_CRED_ALPHA), 0, 1,
                          "S3 credibility EMA weight of the new percentage"),
    SCENARIO_FIELD_NUMBER(resi_s3_params, cred_start, "cred_start", S(RESI_P_S3_CRED_START), 0, 1,
                          "S3 credibility of a new miner"),
};
static const scenario_table s3_table =
    SCENARIO_TABLE("policy_resi_s3", resi_s3_params, s3_fields, NULL,
                   "The S3 validation (vali_utils/s3_utils.py).");

static const scenario_field policy_fields[] = {
    SCENARIO_FIELD_DURATION(resi_val_params, eval_period_us, "eval_period",
                            DUR(RESI_P_EVAL_PERIOD_MIN, "m"), 1000, 365 * DAY_US,
                            "MIN_EVALUATION_PERIOD: each miner at most once per period"),
    SCENARIO_FIELD_INT(resi_val_params, batch_size, "batch_size", S(RESI_P_BATCH_SIZE), 1, 65535,
                       "miners evaluated concurrently"),
    SCENARIO_FIELD_DURATION(resi_val_params, batch_wait_us, "batch_wait",
                            DUR(RESI_P_BATCH_WAIT_S, "s"), 1000, DAY_US,
                            "the next batch starts at the latest this long after one began"),
    SCENARIO_FIELD_DURATION(resi_val_params, index_timeout_us, "index_timeout",
                            DUR(RESI_P_INDEX_TIMEOUT_S, "s"), 1000, DAY_US,
                            "index request timeout (then the last index is reused)"),
    SCENARIO_FIELD_DURATION(resi_val_params, bucket_timeout_us, "bucket_timeout",
                            DUR(RESI_P_BUCKET_TIMEOUT_S, "s"), 1000, DAY_US,
                            "bucket request timeout (then the evaluation fails)"),
    SCENARIO_FIELD_DURATION(resi_val_params, api_timeout_us, "api_timeout",
                            DUR(RESI_P_API_TIMEOUT_S, "s"), 1000, DAY_US,
                            "listings API call timeout"),
    SCENARIO_FIELD_DURATION(resi_val_params, api_interval_us, "api_interval",
                            DUR(RESI_P_API_INTERVAL_MS, "ms"), 0, DAY_US,
                            "least time between one evaluation's API calls"),
    SCENARIO_FIELD_DURATION(resi_val_params, api_429_sleep_us, "api_429_sleep",
                            DUR(RESI_P_API_429_SLEEP_S, "s"), 0, DAY_US,
                            "pause after a 429 before the evaluation's next call"),
    SCENARIO_FIELD_DURATION(resi_val_params, weights_interval_us, "weights_interval",
                            DUR(RESI_P_WEIGHTS_INTERVAL_MIN, "m"), 1000, 365 * DAY_US,
                            "weights are set at most this often"),
    SCENARIO_FIELD_INT(resi_val_params, weights_after_batches, "weights_after_batches",
                       S(RESI_P_WEIGHTS_AFTER_BATCHES), 0, 1e9,
                       "no weights before this many evaluation batches since start"),
    SCENARIO_FIELD_DURATION(resi_val_params, metagraph_refresh_us, "metagraph_refresh",
                            DUR(RESI_P_METAGRAPH_REFRESH_MIN, "m"), 1000, 365 * DAY_US,
                            "the metagraph is read again when older than this"),
    SCENARIO_FIELD_INT(resi_val_params, spot_checks, "spot_checks", S(RESI_P_SPOT_CHECKS), 0, 1000,
                       "entities of the chosen bucket checked against the listings API"),
    SCENARIO_FIELD_BOOL(resi_val_params, count_429_valid, "count_429_valid",
                        RESI_JSON_BOOL(RESI_P_COUNT_429_VALID), "a 429 from the API counts as valid"),
    SCENARIO_FIELD_BOOL(resi_val_params, count_errors_valid, "count_errors_valid",
                        RESI_JSON_BOOL(RESI_P_COUNT_ERRORS_VALID),
                        "other API errors and timeouts count as valid"),
    SCENARIO_FIELD_ENUM(resi_val_params, api_plan, "api_plan", "\"premium\"", plan_names,
                        "the validator's listings API plan (quota, rate limit)"),
    SCENARIO_FIELD_OBJECT(resi_val_params, tol, "tolerances", "{}", &tol_table,
                          "API check tolerances"),
    SCENARIO_FIELD_NUMBER(resi_val_params, cred_alpha, "cred_alpha", S(RESI_P_CRED_ALPHA), 0, 1,
                          "credibility EMA weight of an evaluation's valid share"),
    SCENARIO_FIELD_NUMBER(resi_val_params, cred_start, "cred_start", S(RESI_P_CRED_START), 0, 1,
                          "credibility of a new miner"),
    SCENARIO_FIELD_NUMBER(resi_val_params, cred_exp, "cred_exp", S(RESI_P_CRED_EXP), 0, 100,
                          "score = (raw + S3 boost) * credibility^cred_exp"),
    SCENARIO_FIELD_NUMBER(resi_val_params, source_weight, "source_weight",
                          S(RESI_P_SOURCE_WEIGHT), 0, 1, "Zillow's data source weight"),
    SCENARIO_FIELD_INT(resi_val_params, max_age_hours, "max_age_hours", S(RESI_P_MAX_AGE_HOURS),
                       1, 1e6, "buckets older than this score 0; at this age 0.5"),
    SCENARIO_FIELD_ENUM(resi_val_params, desirability, "desirability", "\"subnet\"",
                        desirability_names,
                        "as_deployed: only the premium jobs match a bucket; as_designed: every "
                        "zip's tier weight applies; subnet: resi.desirability"),
    SCENARIO_FIELD_NUMBER(resi_val_params, default_scale_factor, "default_scale_factor",
                          S(RESI_P_DEFAULT_SCALE), -1, 1, "job weight of labels no job names"),
    SCENARIO_FIELD_MAP(resi_val_params, jobs, "jobs", "{}", RESI_P_JOB_MIN, RESI_P_JOB_MAX, 0,
                       "extra desirability jobs: \"zip:NNNNN\" -> weight (replaces the zip's)"),
    SCENARIO_FIELD_OBJECT(resi_val_params, s3, "s3", "{}", &s3_table, "S3 validation"),
    SCENARIO_FIELD_BOOL(resi_val_params, record_api_samples, "record_api_samples", "true",
                        "an api_sample row per API check"),
    /* model: records only; the evaluation rows carry every score already */
    SCENARIO_FIELD_DURATION(resi_val_params, score_snapshot_us, "score_snapshot", "\"1h\"", 0,
                            365 * DAY_US,
                            "miner_score rows when weights are set, at most this often (0s: "
                            "every time)"),
};

static int check_policy(scenario_ctx *c, void *obj)
{
    const resi_val_params *p = obj;
    for (size_t i = 0; i < p->jobs.n; i++) {
        const char *k = p->jobs.v[i].key;
        if (!resi_job_label_ok(k)) {
            char rel[64];
            snprintf(rel, sizeof rel, "jobs.%s", k);
            return scenario_fail_key(c, rel, "a job label is \"zip:NNNNN\", got \"%s\"", k);
        }
    }
    return 0;
}

const scenario_table resi_val_policy_table =
    SCENARIO_TABLE("policy_resi", resi_val_params, policy_fields, check_policy,
                   "A real-estate subnet validator (SPEC.md 2.3; profile resi-2025-09).");
