/* The resi validators' constants (profile `resi-2025-09`), each with where it
 * comes from: SPEC.md 2.3 and the code it was read from, resi-labs-ai/resi
 * a0996088 and macrocosm-os/data-universe e97a3d50 (paths below are in those
 * repositories). This is the one table: the policy's scenario defaults
 * (policy.c) and resi_val_params_default() are both made from it.
 * Private to validator/resi. */
#ifndef SUBNETSIM_VALIDATOR_RESI_PROFILE_H
#define SUBNETSIM_VALIDATOR_RESI_PROFILE_H

#define RESI_STR_(x) #x
#define RESI_STR(x) RESI_STR_(x)
/* A 0/1 constant as JSON text (stdbool's true would stringify as 1). */
#define RESI_JSON_BOOL_0 "false"
#define RESI_JSON_BOOL_1 "true"
#define RESI_CAT_(a, b) a##b
#define RESI_JSON_BOOL(x) RESI_CAT_(RESI_JSON_BOOL_, x)

/* ------------------------------------------------------ evaluation loop */
/* common/constants.py MIN_EVALUATION_PERIOD = 60 min (env
 * MINER_EVAL_PERIOD_MINUTES; 5 in the testnet-428 plan) */
#define RESI_P_EVAL_PERIOD_MIN 60
/* vali_utils/miner_evaluator.py run_next_eval_batch: "Run in batches of 15" */
#define RESI_P_BATCH_SIZE 15
/* run_next_eval_batch: the batch's threads are joined for 300 s in all */
#define RESI_P_BATCH_WAIT_S 300
/* _update_and_get_miner_index: GetMinerIndex timeout=120 */
#define RESI_P_INDEX_TIMEOUT_S 120
/* eval_miner: GetDataEntityBucket timeout=140 */
#define RESI_P_BUCKET_TIMEOUT_S 140
/* scraping/zillow/rapid_zillow_scraper.py validate: httpx timeout=15.0 */
#define RESI_P_API_TIMEOUT_S 15
/* rapid_zillow_scraper.py REQUEST_DELAY = 0.5 (one scraper's calls, 2 req/s) */
#define RESI_P_API_INTERVAL_MS 500
/* rapid_zillow_scraper.py validate: asyncio.sleep(60) after a 429 */
#define RESI_P_API_429_SLEEP_S 60
/* neurons/validator.py should_set_weights: every 20 minutes, once 15
 * evaluation batches ran since start (SPEC 2.3) */
#define RESI_P_WEIGHTS_INTERVAL_MIN 20
#define RESI_P_WEIGHTS_AFTER_BATCHES 15
/* neurons/validator.py: MetagraphSyncer refreshes the subnet every 20 minutes */
#define RESI_P_METAGRAPH_REFRESH_MIN 20

/* ----------------------------------------------------------- spot checks */
/* vali_utils/utils.py choose_entities_to_verify: min(2, len(entities)) */
#define RESI_P_SPOT_CHECKS 2
/* rapid_zillow_scraper.py validate: 429 and other API errors are "assumed
 * valid" (SPEC 2.3: counted VALID as deployed) */
#define RESI_P_COUNT_429_VALID 1
#define RESI_P_COUNT_ERRORS_VALID 1

/* ------------------------------------------------- field tolerances */
/* scraping/zillow/utils.py validate_zillow_data_entity_fields:
 * byte_difference_allowed = 50 */
#define RESI_P_TOL_SIZE_BYTES 50
/* scraping/zillow/field_mapping.py FIELD_VALIDATION_CONFIG */
#define RESI_P_TOL_LOT_AREA 0.01       /* lot_area_value: tolerance_percent 0.01 */
#define RESI_P_TOL_LAT_LON 0.0001      /* latitude, longitude: tolerance_absolute */
#define RESI_P_TOL_PRICE 0.05          /* price: tolerance_percent 0.05 */
#define RESI_P_TOL_ZESTIMATE 0.10      /* zestimate: tolerance_percent 0.10 */
#define RESI_P_TOL_RENT 0.10           /* rent_zestimate: tolerance_percent 0.10 */
#define RESI_P_TOL_DAYS 7              /* days_on_zillow: tolerance_absolute 7 */

/* ---------------------------------------------------------------- scorer */
/* rewards/miner_scorer.py: cred_alpha = 0.15, STARTING_CREDIBILITY = 0,
 * _CREDIBILITY_EXP = 2.5 */
#define RESI_P_CRED_ALPHA 0.15
#define RESI_P_CRED_START 0
#define RESI_P_CRED_EXP 2.5
/* miner_scorer.py update_s3_boost_and_cred (SPEC 2.3): max_boost 20e6,
 * s3 credibility alpha 0.2, STARTING_S3_CREDIBILITY = 0.375 */
#define RESI_P_S3_MAX_BOOST 20e6
#define RESI_P_S3_CRED_ALPHA 0.2
#define RESI_P_S3_CRED_START 0.375
/* common/data.py DataSource weight for Zillow (SPEC 2.3: 1.0) */
#define RESI_P_SOURCE_WEIGHT 1.0
/* constants.DATA_ENTITY_BUCKET_AGE_LIMIT_DAYS = 30 -> max_age_in_hours 720;
 * rewards/data_value_calculator.py _scale_factor_for_age: 1 - age/(2*720),
 * 0 beyond 720 h */
#define RESI_P_MAX_AGE_HOURS 720
/* rewards/data.py DataSourceDesirability.default_scale_factor = 0.3 and
 * dynamic_desirability/constants.py DEFAULT_SCALE_FACTOR = 0.3 */
#define RESI_P_DEFAULT_SCALE 0.3
/* dynamic_desirability/desirability_retrieval.py calculate_total_weights:
 * an aggregated job below DEFAULT_SCALE_FACTOR becomes DEFAULT_SCALE_FACTOR
 * + 0.01 (the "0.31 after aggregation") */
#define RESI_P_JOB_FLOOR_BUMP 0.01
/* rewards/data.py Job.job_weight: ge=-1, le=5 (and the aggregate caps at 5.0) */
#define RESI_P_JOB_MIN -1.0
#define RESI_P_JOB_MAX 5.0

/* ------------------------------------------------------ S3 validation */
/* vali_utils/miner_evaluator.py eval_miner: S3 validation when the last one
 * is more than 2550 blocks old (~8.5 h) */
#define RESI_P_S3_EVERY_BLOCKS 2550
/* vali_utils/s3_utils.py S3Validator (SPEC 2.3): a job counts when one of
 * its files is newer than 3 h; min(5, n) jobs; up to 3 files a job, the
 * first 20 rows each; scraper check: one random file a job, its first 3
 * rows, a pool of at most 15, 10 sampled (SPEC; s3_utils at 08ba394 samples
 * 5); pass at >= 60 %; size bonus 20 log10(size / 10 MiB) from 10 MiB */
#define RESI_P_S3_RECENT_H 3
#define RESI_P_S3_JOBS 5
#define RESI_P_S3_FILES_PER_JOB 3
#define RESI_P_S3_ROWS_PER_FILE 20
#define RESI_P_S3_POOL 15
#define RESI_P_S3_POOL_ROWS 3
#define RESI_P_S3_SAMPLE 10
#define RESI_P_S3_MIN_SUCCESS 60
#define RESI_P_S3_MIN_SIZE_BYTES 10485760   /* 10 * 1024 * 1024 */
#define RESI_P_S3_SIZE_BONUS 20

#endif
