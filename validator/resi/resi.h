/* resi: the validators of the real-estate data subnet (SPEC.md 2.3, profile
 * `resi-2025-09`: resi-labs-ai/resi a0996088 on data-universe e97a3d50).
 *
 * A validator evaluates miners in batches of 15, each miner at most once per
 * MIN_EVALUATION_PERIOD: it fetches the miner's index, picks one bucket with
 * probability proportional to its scorable bytes, fetches it, runs the basic
 * checks and the duplicate rule, spot-checks min(2, n) entities against the
 * listings API, and feeds the results to the scorer (credibility EMA, "prove
 * it", uniqueness per (source, label, hour), age, desirability, S3 boost).
 * Every 2550 blocks per miner it validates the miner's S3 uploads too; every
 * 20 minutes (after 15 batches) it sets weights = normalised scores.
 *
 * The pure pieces come first and are what the unit tests pin down with
 * hand-computed values; the actor at the end strings them together.
 * Every constant is a policy parameter whose default lives, with its source,
 * in validator/resi/profile.h. */
#ifndef SUBNETSIM_VALIDATOR_RESI_H
#define SUBNETSIM_VALIDATOR_RESI_H

#include "core/core.h"
#include "net/protocol_resi.h"
#include "runtime/rt.h"
#include "scenario/scenario.h"
#include "world/world.h"

/* ============================================================ parameters */

/* SUBNET: the scenario's subnet-wide choice (resi.desirability), resolved by
 * the family before the validator is built. */
enum { RESI_DESIRABILITY_AS_DEPLOYED, RESI_DESIRABILITY_AS_DESIGNED, RESI_DESIRABILITY_SUBNET };

/* The API check's allowances (scraping/zillow/field_mapping.py). */
typedef struct resi_tolerances {
    int64_t size_bytes;        /* claimed size may exceed the fresh content's by this */
    double lot_area;           /* relative */
    double lat_lon;            /* degrees, absolute */
    double price;              /* relative */
    double zestimate;          /* relative */
    double rent_zestimate;     /* relative */
    int64_t days_on_market;    /* days, absolute */
} resi_tolerances;

/* The S3 validation (vali_utils/s3_utils.py). */
typedef struct resi_s3_params {
    bool on;                   /* false: never validate S3 (no boost) */
    int64_t every_blocks;      /* per miner: again once the last is older than this */
    int64_t recent_us;         /* a job counts when one of its files is newer */
    int64_t jobs;              /* jobs sampled */
    int64_t files_per_job;     /* files read per job for duplicates */
    int64_t rows_per_file;     /* rows read per file for duplicates */
    int64_t pool;              /* scraper check: most entities pooled */
    int64_t pool_rows;         /* scraper check: rows taken from one file a job */
    int64_t sample;            /* scraper check: entities checked against the API */
    double min_success;        /* percent of checked entities that must pass */
    int64_t min_size_bytes;    /* size bonus from this many bytes of recent jobs' files */
    double size_bonus;         /* bonus = size_bonus * log10(size / min_size) */
    double max_boost;          /* s3_boost = pct / 100 * max_boost */
    double cred_alpha;         /* s3_cred = min(1, alpha pct/100 + (1 - alpha) s3_cred) */
    double cred_start;
} resi_s3_params;

/* A resi validator's policy (slot "validator.policy", kind "resi"): the
 * scenario binds this struct directly. Durations in microseconds. */
typedef struct resi_val_params {
    int64_t eval_period_us;        /* MIN_EVALUATION_PERIOD */
    int64_t batch_size;            /* miners evaluated concurrently */
    int64_t batch_wait_us;         /* a batch is waited for at most this long */
    int64_t index_timeout_us;
    int64_t bucket_timeout_us;
    int64_t api_timeout_us;
    int64_t api_interval_us;       /* one evaluation's API calls are this far apart */
    int64_t api_429_sleep_us;      /* pause after a 429 */
    int64_t weights_interval_us;
    int64_t weights_after_batches;
    int64_t metagraph_refresh_us;
    int64_t spot_checks;           /* entities checked against the API per evaluation */
    bool count_429_valid;          /* a 429 counts as a valid entity (as deployed) */
    bool count_errors_valid;       /* so do 5xx and timeouts (as deployed) */
    int api_plan;                  /* world_plan of the validator's API key */
    resi_tolerances tol;
    double cred_alpha, cred_start, cred_exp;
    double source_weight;
    int64_t max_age_hours;
    int desirability;              /* RESI_DESIRABILITY_* (SUBNET counts as deployed) */
    double default_scale_factor;   /* job weight of labels no job names */
    scenario_map jobs;             /* extra jobs: "zip:NNNNN" -> weight */
    resi_s3_params s3;
    bool record_api_samples;       /* an api_sample row per API check */
    int64_t score_snapshot_us;     /* miner_score rows at weights time, at most this often */
} resi_val_params;

/* The profile's values (profile.h), jobs empty. */
void resi_val_params_default(resi_val_params *p);

/* ================================================================ scorer */

/* What a validator keeps per miner uid (rewards/miner_scorer.py MinerScorer). */
typedef struct resi_val_score {
    double score;        /* the last evaluation's score: what weights are made of */
    double cred;         /* credibility */
    double raw_prev;     /* raw score at the last evaluation ("scorable_bytes") */
    double s3_boost;     /* pct / 100 * max_boost from the last S3 validation */
    double s3_cred;
} resi_val_score;

void resi_score_init(resi_val_score *s, const resi_val_params *p);
/* A uid whose hotkey changed (MinerScorer.reset): score, credibility and the
 * S3 state restart; raw_prev is kept, as the real scorer keeps it. */
void resi_score_reset(resi_val_score *s, const resi_val_params *p);
/* age scalar of a bucket age_hours old: 1 - age/(2 max_age), 0 beyond max_age,
 * future buckets count as age 0. */
double resi_age_scalar(const resi_val_params *p, int64_t age_hours);
/* MinerScorer.on_miner_evaluated. has_index false: score 0, nothing else
 * changes. Otherwise "prove it" (raw rose since the last evaluation: cred *=
 * (raw_prev/raw)^(1/exp)), raw_prev = raw, score = raw + s3_boost * s3_cred,
 * cred = alpha * valid/total + (1 - alpha) * cred (0 when total is 0),
 * score *= cred^exp. */
void resi_score_evaluated(resi_val_score *s, const resi_val_params *p, bool has_index,
                          double raw, double valid_bytes, double total_bytes);
/* MinerScorer.update_s3_boost_and_cred with an S3 validation's percentage. */
void resi_score_s3(resi_val_score *s, const resi_val_params *p, double pct);

/* Job weight of a bucket's label, in thousandths (job weights are quantised
 * to 1/1000; the real lists use at most two decimals). */
typedef int32_t (*resi_job_fn)(void *ctx, const proto_resi_bucket_id *id);

/* Job weights per zip (world_zip_count entries, thousandths) for a policy:
 * as_deployed: the premium zips' jobs (world premium_weight) and
 * default_scale_factor elsewhere, since the tier jobs carry labels
 * ("status:forsale") that no zip bucket has; as_designed: each zip's world
 * weight (premium, else its tier's). Then the policy's extra jobs replace
 * their zips' weights, and every listed job below default_scale_factor is
 * raised to default_scale_factor + 0.01 as the aggregation does. *deflt gets
 * the weight of a label no job names. ERR_INPUT names a job label that is not
 * "zip:NNNNN" or a zip outside the universe. */
int resi_jobs_build(const resi_val_params *p, const world *w, int32_t *zip_wm, int32_t *deflt,
                    err *e);
/* Whether a job label has the form "zip:NNNNN" (the policy's check and
 * resi_jobs_build's). */
bool resi_job_label_ok(const char *label);

/* ------------------------------------------------- uniqueness: the book */

/* A validator's view of every miner's last index, for uniqueness per
 * (source, label, hour): a miner's scorable bytes in a bucket are
 * floor(size^2 / total) where total sums the sizes of every miner whose last
 * index (as this validator fetched it) lists the bucket
 * (storage/validator/sqlite_memory_validator_storage.py read_miner_index).
 *
 * Incremental, and exact: replacing one miner's index costs a merge over its
 * entries plus, for each bucket whose total changed, an update of that
 * bucket's holders; every miner's sums of job weight x scorable bytes (and of
 * that times the hour) are kept as integers, so a raw score is O(1) to read
 * and identical whatever the order of updates. Miners are slots 0..n-1 (uids).
 * Holds a reference to each index it keeps. */
typedef struct resi_book resi_book;

typedef struct resi_book_opts {
    resi_job_fn job;           /* job weight of a bucket, thousandths */
    void *ctx;
    int64_t max_age_hours;
    double source_weight;
} resi_book_opts;

int resi_book_new(const resi_book_opts *o, resi_book **out);
void resi_book_free(resi_book *b);
/* Slot m's index becomes x (NULL: forget the miner). Takes a reference on x.
 * ERR_INPUT when x is not sorted by proto_resi_bucket_id_cmp with unique keys
 * (the book keeps what it had); ERR_NOMEM. */
int resi_book_set(resi_book *b, uint32_t m, proto_resi_index *x);
const proto_resi_index *resi_book_index(const resi_book *b, uint32_t m);   /* NULL: none */
/* Sum of slot m's scorable bytes, and those of its entry i (index order). */
uint64_t resi_book_scorable_total(const resi_book *b, uint32_t m);
uint32_t resi_book_scorable(const resi_book *b, uint32_t m, size_t i);
/* Bytes all miners hold in a bucket (0: none). */
uint64_t resi_book_bucket_total(const resi_book *b, const proto_resi_bucket_id *id);
size_t resi_book_bucket_count(const resi_book *b);
/* Slot m's raw score at unix hour `hour`: sum over its buckets of
 * source_weight x job_weight x age_scalar x scorable bytes. */
double resi_book_raw(const resi_book *b, uint32_t m, int32_t hour);
/* Choose one of slot m's entries with probability proportional to scorable
 * bytes, from a uniform u in [0, 1) (vali_utils/utils.py
 * choose_data_entity_bucket_to_query). SIZE_MAX when m has none. */
size_t resi_book_pick(const resi_book *b, uint32_t m, double u);
/* Bytes the book holds (benchmarks). */
size_t resi_book_memory(const resi_book *b);

/* ================================================================ checks */

/* Why an evaluation failed; RESI_REASON_NONE when it ran to the end. */
typedef enum {
    RESI_REASON_NONE,
    RESI_REASON_NO_INDEX,          /* no index now and none stored */
    RESI_REASON_NO_SCORABLE,       /* an index without scorable bytes */
    RESI_REASON_BUCKET_FAILED,     /* the bucket request failed or timed out */
    RESI_REASON_BASIC_TIME,        /* an entity outside the bucket's hour */
    RESI_REASON_BASIC_SIZE,        /* content smaller than claimed or than the index says */
    RESI_REASON_DUPLICATES,        /* duplicate content or URI in the bucket */
    RESI_REASON_COUNT
} resi_reason;

const char *resi_reason_name(int reason);   /* "no_index", ... NULL for NONE */

/* vali_utils/utils.py are_entities_valid: each entity's time inside the
 * bucket's hour, then the contents' bytes at least the claimed bytes and at
 * least the index's size for the bucket. */
int resi_basic_check(const proto_resi_bucket_id *id, uint64_t index_size,
                     const proto_resi_entity *e, size_t n);
/* are_entities_unique: entities repeating an earlier one's content (hash) or
 * URI (served zpid). Any -> the evaluation fails. */
size_t resi_count_duplicates(const proto_resi_entity *e, size_t n);
/* choose_entities_to_verify: up to k distinct entities, each by claimed bytes
 * (uniform draws from r, as random.uniform). Writes indexes, returns how many. */
size_t resi_choose_entities(const proto_resi_entity *e, size_t n, size_t k, rng *r, size_t *out);

/* ------------------------------------------------------------ API check */

/* The fields an API check compares, in the order the real check does (size,
 * then DataEntity's uri and label, then FIELD_VALIDATION_CONFIG's order). */
typedef enum {
    RESI_FIELD_NONE,
    RESI_FIELD_SIZE, RESI_FIELD_URI, RESI_FIELD_LABEL,
    RESI_FIELD_ZPID, RESI_FIELD_ADDRESS, RESI_FIELD_TYPE,
    RESI_FIELD_BEDROOMS, RESI_FIELD_BATHROOMS, RESI_FIELD_LIVING_AREA,
    RESI_FIELD_LOT_AREA, RESI_FIELD_LOT_UNIT, RESI_FIELD_LAT, RESI_FIELD_LON,
    RESI_FIELD_DETAIL_URL, RESI_FIELD_PRICE, RESI_FIELD_ZESTIMATE, RESI_FIELD_RENT_ZESTIMATE,
    RESI_FIELD_DAYS_ON_MARKET, RESI_FIELD_STATUS,
    RESI_FIELD_HAS_IMAGE, RESI_FIELD_HAS_VIDEO, RESI_FIELD_HAS_3D, RESI_FIELD_IS_FSBA,
    RESI_FIELD_COUNT
} resi_field;

const char *resi_field_name(int field);    /* "price", ... NULL for NONE */

/* scraping/zillow/utils.py validate_zillow_data_entity_fields: the miner's
 * entity (its content `mine` as served, claimed_size, in bucket_zip's bucket)
 * against the listing the API answered now. Returns the first mismatched
 * field, or RESI_FIELD_NONE. Exact fields: a critical one (zpid, address,
 * type) fails when only one side has a value, the others pass then;
 * tolerance fields pass when either side has none; relative tolerances are
 * |a - m| / |a| <= tol (a == 0: equal), absolute ones |a - m| <= tol, both in
 * doubles as Python computes them. */
int resi_api_compare(const resi_tolerances *t, uint32_t claimed_size,
                     const proto_resi_listing *mine, const char *bucket_zip,
                     const proto_resi_listing *fresh);

/* What one API check came to. */
typedef enum {
    RESI_API_VALID,        /* 200 and every field within tolerance */
    RESI_API_MISMATCH,     /* 200 but a field differs (or the size) */
    RESI_API_NO_ZPID,      /* no zpid in the URI: no call made */
    RESI_API_NOT_FOUND,    /* 404 */
    RESI_API_RATE_LIMITED, /* 429 */
    RESI_API_ERROR,        /* another status, or a malformed answer */
    RESI_API_TIMEOUT,      /* no answer in time */
    RESI_API_RESULT_COUNT
} resi_api_result;

const char *resi_api_result_name(int result);   /* "valid", "mismatch", ... */
/* The result of a call that did not answer 200 (or RESI_API_VALID when it did). */
int resi_api_classify(int transport_result, int status);
/* Whether a result counts as a valid entity (429 and errors as the policy says). */
bool resi_api_counts_valid(const resi_val_params *p, int result);

/* --------------------------------------------------------- S3 validation */

/* s3_utils.py _calculate_final_result: (50 if no duplicates) + 0.5 * success
 * + size_bonus * log10(size / min_size) when size >= min_size. */
double resi_s3_pct(const resi_s3_params *p, bool duplicates, double success_pct,
                   uint64_t size_bytes);
/* ... and it passes with no duplicates and success >= min_success. */
bool resi_s3_passed(const resi_s3_params *p, bool duplicates, double success_pct);

/* ====================================================== the scenario kind */

enum { RESI_POLICY_ID = 1 };

/* The policy's fields (binds resi_val_params). */
extern const scenario_table resi_val_policy_table;

/* The validator kinds of the resi family, for its scenario_family's kinds
 * array (sim/runner/family_resi_schema.c); ends with a comma. */
#define RESI_VALIDATOR_KINDS                                                              \
    {"validator.policy", "resi", RESI_POLICY_ID, &resi_val_policy_table,                   \
     "a resi validator: evaluation loop, checks, API and S3 validation, scorer (SPEC 2.3)"},

/* The testnet-428 profile's validator values; ends with a comma. */
#define RESI_VALIDATOR_TESTNET_DEFAULTS                                                   \
    {"validators[].policy<resi>.eval_period", "\"5m\"",                                   \
     "notes/resi-multi-miner-evaluation-day2.md: MINER_EVAL_PERIOD_MINUTES=5"},

/* ============================================================== records */

extern const rt_table resi_table_evaluation;    /* every evaluation */
extern const rt_table resi_table_api_sample;    /* every API check */
extern const rt_table resi_table_s3_validation; /* every S3 validation */
extern const rt_table resi_table_miner_score;   /* scores when weights are set */

/* ================================================================ actor */

typedef struct resi_validator resi_validator;

typedef struct resi_validator_cfg {
    const char *hotkey;              /* its actor name; copied */
    uint16_t netuid;
    rt_actor chain;
    rt_time block_time;
    uint64_t first_block;            /* starts once this block begins */
    double permit_stake_tao;         /* the subnet's validator_permit_stake */
    world *w;                        /* rebuilds miners' contents; zips and weights */
    world_api *api;                  /* the listings API; the validator sets its plan */
    rt_actor s3;                     /* the object store, RT_NO_ACTOR: S3 validation off */
    const resi_val_params *params;   /* the policy; outlives the validator */
} resi_validator_cfg;

/* Adds the actor (kind "validator"). Errors: ERR_INPUT (a bad job label or
 * hotkey), ERR_NOMEM. */
int resi_validator_new(rt *r, const resi_validator_cfg *cfg, resi_validator **out, err *e);
void resi_validator_free(resi_validator *v);

#endif
