/* The resi validators' record tables (the store creates them). Validators and
 * miners are actor ids (join `actor` for names) plus the miner's uid. */
#include "validator/resi/resi.h"

static const rt_column eval_cols[] = {
    {"time_us", RT_COL_INT, "when the evaluation ended"},
    {"validator", RT_COL_INT, "the validator (actor.actor)"},
    {"miner", RT_COL_INT, "the miner (actor.actor), NULL when its hotkey has no actor"},
    {"uid", RT_COL_INT, "the miner's uid"},
    {"outcome", RT_COL_TEXT, "ok (checks ran to the end) or failed"},
    {"reason", RT_COL_TEXT, "why it failed: no_index, no_scorable_buckets, bucket_failed, "
                            "basic_time, basic_size, duplicates; NULL when ok"},
    {"score", RT_COL_REAL, "the miner's score after this evaluation (what weights are made of)"},
    {"credibility", RT_COL_REAL, "its credibility after this evaluation"},
    {"raw_score", RT_COL_REAL, "sum of its buckets' values (before S3 boost and credibility)"},
    {"index_buckets", RT_COL_INT, "buckets in the index used (0: none)"},
    {"index_reused", RT_COL_INT, "1 when the miner did not answer and the last index was used"},
    {"bucket_zip", RT_COL_TEXT, "the chosen bucket's zip, NULL when none was chosen"},
    {"bucket_hour", RT_COL_INT, "the chosen bucket's unix hour"},
    {"bucket_bytes", RT_COL_INT, "bytes the index claims for the chosen bucket"},
    {"entities", RT_COL_INT, "entities the bucket reply held"},
    {"duplicates", RT_COL_INT, "entities repeating another's content or URI"},
    {"sampled", RT_COL_INT, "entities checked against the listings API"},
    {"verified_ok", RT_COL_INT, "of those, counted valid"},
    {"verified_failed", RT_COL_INT, "of those, counted invalid"},
    {"duration_us", RT_COL_INT, "from the index request to the end"},
};
static const char *const eval_idx[] = {"uid, time_us", NULL};
const rt_table resi_table_evaluation = {
    "evaluation", "one row per miner evaluation by a resi validator", eval_cols,
    (int)(sizeof eval_cols / sizeof *eval_cols), eval_idx, NULL};

static const rt_column api_cols[] = {
    {"time_us", RT_COL_INT, "when the answer came (or the check was decided)"},
    {"validator", RT_COL_INT, "the validator (actor.actor)"},
    {"miner", RT_COL_INT, "the miner whose entity was checked (actor.actor)"},
    {"uid", RT_COL_INT, "the miner's uid"},
    {"kind", RT_COL_TEXT, "spot (evaluation spot check) or s3 (S3 scraper check)"},
    {"zip", RT_COL_TEXT, "the entity's bucket zip"},
    {"zpid", RT_COL_INT, "the listing the entity claims to be"},
    {"result", RT_COL_TEXT, "valid, mismatch, no_zpid, not_found, rate_limited, error, timeout"},
    {"counted_valid", RT_COL_INT, "1 when the scorer counts it valid (429 and errors too, "
                                  "as deployed)"},
    {"field", RT_COL_TEXT, "the first mismatched field (mismatch only)"},
    {"status", RT_COL_INT, "the API's HTTP-like status, NULL without an answer"},
    {"latency_us", RT_COL_INT, "from the request to the answer, NULL when no call was made"},
};
static const char *const api_idx[] = {"uid, time_us", NULL};
const rt_table resi_table_api_sample = {
    "api_sample", "one row per entity checked against the listings API", api_cols,
    (int)(sizeof api_cols / sizeof *api_cols), api_idx, NULL};

static const rt_column s3_cols[] = {
    {"time_us", RT_COL_INT, "when the S3 validation ended"},
    {"validator", RT_COL_INT, "the validator (actor.actor)"},
    {"miner", RT_COL_INT, "the miner (actor.actor)"},
    {"uid", RT_COL_INT, "the miner's uid"},
    {"block", RT_COL_INT, "block it ran at (the next is due every_blocks later)"},
    {"passed", RT_COL_INT, "1: no duplicates and scraper success >= min_success"},
    {"pct", RT_COL_REAL, "validation percentage: the boost is pct/100 * max_boost"},
    {"reason", RT_COL_TEXT, "why it scored 0 before any check: no_store, no_files, "
                            "no_active_jobs, no_recent_data; NULL otherwise"},
    {"jobs", RT_COL_INT, "active jobs the miner has files for"},
    {"recent_jobs", RT_COL_INT, "sampled jobs with a recent file"},
    {"files", RT_COL_INT, "files of the recent jobs"},
    {"size_bytes", RT_COL_INT, "their bytes"},
    {"rows_checked", RT_COL_INT, "rows read for duplicates"},
    {"duplicates", RT_COL_INT, "rows repeating an earlier row's URI"},
    {"checked", RT_COL_INT, "entities checked against the listings API"},
    {"passed_checks", RT_COL_INT, "of those, valid"},
    {"applied", RT_COL_INT, "1 when the result reached the scorer (the evaluation ran to "
                            "the end, as in the real evaluator)"},
};
static const char *const s3_idx[] = {"validator, time_us", NULL};
const rt_table resi_table_s3_validation = {
    "s3_validation", "one row per S3 validation of a miner by a resi validator", s3_cols,
    (int)(sizeof s3_cols / sizeof *s3_cols), s3_idx, NULL};

static const rt_column score_cols[] = {
    {"time_us", RT_COL_INT, "when the validator set (or committed) weights"},
    {"validator", RT_COL_INT, "the validator (actor.actor)"},
    {"uid", RT_COL_INT, "a miner uid it evaluates"},
    {"miner", RT_COL_INT, "its actor (actor.actor), NULL when none"},
    {"score", RT_COL_REAL, "score from the miner's last evaluation"},
    {"credibility", RT_COL_REAL, "credibility"},
    {"raw_score", RT_COL_REAL, "raw score at the last evaluation"},
    {"s3_boost", RT_COL_REAL, "boost from the last S3 validation"},
    {"s3_credibility", RT_COL_REAL, "S3 credibility"},
    {"weight", RT_COL_REAL, "the normalised weight sent (share of 1)"},
};
static const char *const score_idx[] = {"uid, time_us", NULL};
const rt_table resi_table_miner_score = {
    "miner_score",
    "per miner, what a resi validator held when it set weights (at most every score_snapshot)",
    score_cols,
    (int)(sizeof score_cols / sizeof *score_cols), score_idx, NULL};
