/* The scorer's rules: credibility, "prove it", age, S3 boost, desirability
 * (rewards/miner_scorer.py, rewards/data_value_calculator.py,
 * dynamic_desirability/desirability_retrieval.py). */
#include "validator/resi/resi.h"

#include "validator/resi/profile.h"

#include <math.h>
#include <string.h>

void resi_val_params_default(resi_val_params *p)
{
    memset(p, 0, sizeof *p);
    p->eval_period_us = RT_MIN(RESI_P_EVAL_PERIOD_MIN);
    p->batch_size = RESI_P_BATCH_SIZE;
    p->batch_wait_us = RT_SEC(RESI_P_BATCH_WAIT_S);
    p->index_timeout_us = RT_SEC(RESI_P_INDEX_TIMEOUT_S);
    p->bucket_timeout_us = RT_SEC(RESI_P_BUCKET_TIMEOUT_S);
    p->api_timeout_us = RT_SEC(RESI_P_API_TIMEOUT_S);
    p->api_interval_us = RT_MS(RESI_P_API_INTERVAL_MS);
    p->api_429_sleep_us = RT_SEC(RESI_P_API_429_SLEEP_S);
    p->weights_interval_us = RT_MIN(RESI_P_WEIGHTS_INTERVAL_MIN);
    p->weights_after_batches = RESI_P_WEIGHTS_AFTER_BATCHES;
    p->metagraph_refresh_us = RT_MIN(RESI_P_METAGRAPH_REFRESH_MIN);
    p->spot_checks = RESI_P_SPOT_CHECKS;
    p->count_429_valid = RESI_P_COUNT_429_VALID;
    p->count_errors_valid = RESI_P_COUNT_ERRORS_VALID;
    p->api_plan = WORLD_PLAN_PREMIUM;
    p->tol = (resi_tolerances){RESI_P_TOL_SIZE_BYTES, RESI_P_TOL_LOT_AREA, RESI_P_TOL_LAT_LON,
                               RESI_P_TOL_PRICE,      RESI_P_TOL_ZESTIMATE, RESI_P_TOL_RENT,
                               RESI_P_TOL_DAYS};
    p->cred_alpha = RESI_P_CRED_ALPHA;
    p->cred_start = RESI_P_CRED_START;
    p->cred_exp = RESI_P_CRED_EXP;
    p->source_weight = RESI_P_SOURCE_WEIGHT;
    p->max_age_hours = RESI_P_MAX_AGE_HOURS;
    p->desirability = RESI_DESIRABILITY_AS_DEPLOYED;
    p->default_scale_factor = RESI_P_DEFAULT_SCALE;
    p->s3 = (resi_s3_params){
        .on = true,
        .every_blocks = RESI_P_S3_EVERY_BLOCKS,
        .recent_us = RT_HOUR(RESI_P_S3_RECENT_H),
        .jobs = RESI_P_S3_JOBS,
        .files_per_job = RESI_P_S3_FILES_PER_JOB,
        .rows_per_file = RESI_P_S3_ROWS_PER_FILE,
        .pool = RESI_P_S3_POOL,
        .pool_rows = RESI_P_S3_POOL_ROWS,
        .sample = RESI_P_S3_SAMPLE,
        .min_success = RESI_P_S3_MIN_SUCCESS,
        .min_size_bytes = RESI_P_S3_MIN_SIZE_BYTES,
        .size_bonus = RESI_P_S3_SIZE_BONUS,
        .max_boost = RESI_P_S3_MAX_BOOST,
        .cred_alpha = RESI_P_S3_CRED_ALPHA,
        .cred_start = RESI_P_S3_CRED_START,
    };
    p->record_api_samples = true;
    p->score_snapshot_us = RT_HOUR(1);
}

/* ---------------------------------------------------------- credibility */

void resi_score_init(resi_val_score *s, const resi_val_params *p)
{
    memset(s, 0, sizeof *s);
    s->cred = p->cred_start;
    s->s3_cred = p->s3.cred_start;
}

void resi_score_reset(resi_val_score *s, const resi_val_params *p)
{
    double keep = s->raw_prev;   /* MinerScorer.reset leaves scorable_bytes alone */
    resi_score_init(s, p);
    s->raw_prev = keep;
}

double resi_age_scalar(const resi_val_params *p, int64_t age_hours)
{
    if (age_hours < 0)
        age_hours = 0;   /* "safe guard against future data" */
    if (age_hours > p->max_age_hours)
        return 0.0;
    return 1.0 - (double)age_hours / (double)(2 * p->max_age_hours);
}

void resi_score_evaluated(resi_val_score *s, const resi_val_params *p, bool has_index,
                          double raw, double valid_bytes, double total_bytes)
{
    if (!has_index) {
        /* no index: this round scores 0; credibility is not touched */
        s->score = 0;
        return;
    }
    /* "you've told us you now have more valuable data, prove it" */
    if (s->raw_prev > 0 && raw > s->raw_prev)
        s->cred *= pow(s->raw_prev / raw, 1.0 / p->cred_exp);
    s->raw_prev = raw;
    double score = raw + s->s3_boost * s->s3_cred;
    double sample = total_bytes > 0 ? valid_bytes / total_bytes : 0.0;
    s->cred = p->cred_alpha * sample + (1 - p->cred_alpha) * s->cred;
    s->score = score * pow(s->cred, p->cred_exp);
}

void resi_score_s3(resi_val_score *s, const resi_val_params *p, double pct)
{
    s->s3_boost = pct / 100 * p->s3.max_boost;
    double c = pct / 100 * p->s3.cred_alpha + (1 - p->s3.cred_alpha) * s->s3_cred;
    s->s3_cred = c < 1 ? c : 1;
}

/* ------------------------------------------------------------------- S3 */

double resi_s3_pct(const resi_s3_params *p, bool duplicates, double success_pct,
                   uint64_t size_bytes)
{
    double bonus = 0;
    if (p->min_size_bytes > 0 && size_bytes >= (uint64_t)p->min_size_bytes)
        bonus = log10((double)size_bytes / (double)p->min_size_bytes) * p->size_bonus;
    return (duplicates ? 0.0 : 50.0) + success_pct * 0.5 + bonus;
}

bool resi_s3_passed(const resi_s3_params *p, bool duplicates, double success_pct)
{
    return !duplicates && success_pct >= p->min_success;
}

/* --------------------------------------------------------- desirability */

static int32_t milli(double w) { return (int32_t)llround(w * 1000.0); }

bool resi_job_label_ok(const char *label)
{
    return strlen(label) == 9 && !strncmp(label, "zip:", 4) && strspn(label + 4, "0123456789") == 5;
}

/* "zip:NNNNN" -> the zip's index in the universe, or an error. */
static int job_zip(const world *w, const char *label, int *zi, err *e)
{
    if (!resi_job_label_ok(label))
        return err_set(e, ERR_INPUT, "job '%s': a job label is \"zip:NNNNN\"", label);
    if ((*zi = world_zip_find(w, label + 4)) < 0)
        return err_set(e, ERR_INPUT, "job '%s': zip %s is outside the universe", label, label + 4);
    return 0;
}

int resi_jobs_build(const resi_val_params *p, const world *w, int32_t *zip_wm, int32_t *deflt,
                    err *e)
{
    size_t n = world_zip_count(w);
    bool *listed = calloc(n ? n : 1, sizeof *listed);
    if (!listed)
        return err_set(e, ERR_NOMEM, "out of memory");
    double d = p->default_scale_factor;
    for (size_t i = 0; i < n; i++) {
        const world_zip *z = world_zip_at(w, i);
        bool job = p->desirability == RESI_DESIRABILITY_AS_DESIGNED || z->premium;
        zip_wm[i] = milli(job ? z->weight : d);
        listed[i] = job;
    }
    int rc = 0;
    for (size_t j = 0; j < p->jobs.n && !rc; j++) {
        int zi = 0;
        if (!(rc = job_zip(w, p->jobs.v[j].key, &zi, e))) {
            zip_wm[zi] = milli(p->jobs.v[j].value);
            listed[zi] = true;
        }
    }
    /* the aggregate's floor: a listed job never pays less than unlisted data */
    for (size_t i = 0; i < n && !rc; i++)
        if (listed[i] && zip_wm[i] < milli(d))
            zip_wm[i] = milli(d + RESI_P_JOB_FLOOR_BUMP);
    *deflt = milli(d);
    free(listed);
    return rc;
}
