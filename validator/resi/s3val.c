/* One miner's S3 validation (vali_utils/s3_utils.py S3Validator): list its
 * files, keep the active jobs, sample min(5, n), keep those with a file newer
 * than 3 h (all their files count for size), read up to 3 files a job (first
 * 20 rows) for duplicate URIs, pool the first 3 rows of one random file a job
 * (at most 15), check 10 of them against the listings API, and score
 * pct = (50 if no duplicates) + 0.5 success% + size bonus. */
#include "validator/resi/internal.h"

#include <string.h>

typedef struct s3_job {
    uint32_t first, n;     /* its files in the listing */
} s3_job;

enum { ST_DUP, ST_POOL, ST_CHECK };

struct rv_s3 {
    rv_eval *ev;
    int64_t block;
    const char *reason;                  /* a zero result before any check */
    proto_resi_s3_list_reply *list;
    VEC(s3_job) jobs;                    /* active jobs, then the recent ones sampled */
    uint32_t njobs_active;
    uint64_t size_bytes;
    uint32_t files;
    VEC(uint32_t) reads;                 /* files to read for duplicates */
    size_t next;
    int stage;
    VEC(uint64_t) uris;                  /* zpids seen (the URI's identity) */
    uint32_t rows_checked, duplicates;
    VEC(proto_resi_entity) pool;
    uint32_t *sample;                    /* pool indexes, shuffled */
    size_t nsample;
    uint32_t checked, passed;
    rt_time next_call;
};

static void step(struct rv_s3 *s);

void rv_s3_free(struct rv_s3 *s)
{
    if (!s)
        return;
    free(s->list);
    VEC_FREE(&s->jobs);
    VEC_FREE(&s->reads);
    VEC_FREE(&s->uris);
    VEC_FREE(&s->pool);
    free(s->sample);
    free(s);
}

static void done(struct rv_s3 *s)
{
    rv_eval *ev = s->ev;
    resi_validator *v = ev->v;
    const resi_s3_params *p = &v->p->s3;
    double success = s->checked ? 100.0 * s->passed / s->checked : 0.0;
    ev->s3_pct = s->reason ? 0.0 : resi_s3_pct(p, s->duplicates > 0, success, s->size_bytes);
    ev->s3_done = true;
    /* s3_storage.update_validation_info(hotkey, ..., current_block) */
    v->miners.v[ev->uid].last_s3_block = s->block;
    rv_eval_after_s3(ev);
}

static int send_s3(struct rv_s3 *s, int type, void *body, const char *kind, rt_reply_cb cb)
{
    resi_validator *v = s->ev->v;
    rt_msg m = {type, body, NULL, proto_resi_wire_bytes(type, body)};
    rt_call_opts o = {.timeout = RT_SEC(60), .kind = kind, .attempt = 1};
    return rt_call(v->r, v->me, v->cfg.s3, m, &o, cb, s, NULL);
}

/* Partial Fisher-Yates: the first k of idx[0..n) become a uniform sample. */
static void sample_k(rng *r, uint32_t *idx, uint32_t n, uint32_t k)
{
    for (uint32_t i = 0; i < k && i < n; i++) {
        uint32_t j = i + (uint32_t)rng_below(r, n - i);
        uint32_t t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
    }
}

static bool job_active(const resi_validator *v, const char *job)
{
    for (size_t i = 0; i < v->jobs.len; i++)
        if (!strcmp(v->jobs.v[i], job))
            return true;
    return false;
}

/* ------------------------------------------------------------ the checks */

static void on_checked(void *arg, int result, const proto_resi_entity *e)
{
    struct rv_s3 *s = arg;
    (void)e;
    s->checked++;
    s->passed += resi_api_counts_valid(s->ev->v->p, result);   /* the scraper's is_valid */
    s->next++;
    step(s);
}

static void start_checks(struct rv_s3 *s)
{
    resi_validator *v = s->ev->v;
    uint32_t n = (uint32_t)s->pool.len, k = (uint32_t)v->p->s3.sample;
    if (!(s->sample = malloc((n ? n : 1) * sizeof *s->sample))) {
        rv_fail_nomem(v);
        return;
    }
    for (uint32_t i = 0; i < n; i++)
        s->sample[i] = i;
    sample_k(&v->r_s3, s->sample, n, k);   /* the sample: its first nsample */
    s->nsample = k < n ? k : n;
    s->stage = ST_CHECK;
    s->next = 0;
    step(s);
}

/* ------------------------------------------------------------- the reads */

static void on_read(void *arg, int result, int status, const rt_msg *reply)
{
    struct rv_s3 *s = arg;
    resi_validator *v = s->ev->v;
    const proto_resi_s3_file *f = NULL;
    if (!result && status == RT_OK && reply && reply->type == PROTO_RESI_S3_READ_REPLY)
        f = reply->body;
    if (f && s->stage == ST_DUP) {
        uint32_t n = f->n < (uint32_t)v->p->s3.rows_per_file ? f->n : (uint32_t)v->p->s3.rows_per_file;
        for (uint32_t i = 0; i < n; i++) {
            bool seen = false;
            for (size_t j = 0; j < s->uris.len && !seen; j++)
                seen = s->uris.v[j] == f->rows[i].zpid;
            s->rows_checked++;
            if (seen)
                s->duplicates++;
            else if (VEC_PUSH(&s->uris, f->rows[i].zpid)) {
                rv_fail_nomem(v);
                return;
            }
        }
    } else if (f) {
        uint32_t n = f->n < (uint32_t)v->p->s3.pool_rows ? f->n : (uint32_t)v->p->s3.pool_rows;
        for (uint32_t i = 0; i < n && s->pool.len < (size_t)v->p->s3.pool; i++)
            if (VEC_PUSH(&s->pool, f->rows[i])) {
                rv_fail_nomem(v);
                return;
            }
    }
    /* a file that cannot be read is skipped, as an exception there is */
    s->next++;
    step(s);
}

static void read_file(struct rv_s3 *s, uint32_t file)
{
    proto_resi_s3_read_req *q = proto_resi_s3_read_req_new(s->ev->hotkey, s->list->f[file].file_id);
    if (!q) {
        rv_fail_nomem(s->ev->v);
        return;
    }
    if (send_s3(s, PROTO_RESI_S3_READ, q, "s3_read", on_read))
        on_read(s, ERR_REFUSED, 0, NULL);
}

/* The next read or check, in the order the real validation makes them. */
static void step(struct rv_s3 *s)
{
    resi_validator *v = s->ev->v;
    if (s->stage == ST_DUP) {
        if (s->next < s->reads.len) {
            read_file(s, s->reads.v[s->next]);
            return;
        }
        s->stage = ST_POOL;
        s->next = 0;
    }
    if (s->stage == ST_POOL) {
        if (s->next < s->jobs.len && s->pool.len < (size_t)v->p->s3.pool) {
            const s3_job *j = &s->jobs.v[s->next];
            read_file(s, j->first + (uint32_t)rng_below(&v->r_s3, j->n));   /* random.choice */
            return;
        }
        start_checks(s);
        return;
    }
    if (s->next < s->nsample) {
        rv_check_ctx c = {v, s->ev->uid, s->ev->miner, "s3", &s->next_call};
        rv_check(&c, &s->pool.v[s->sample[s->next]], NULL, on_checked, s);
        return;
    }
    done(s);
}

/* ------------------------------------------------------------- the list */

/* Active jobs from the listing (files come grouped by job), sampled, and
 * those with a recent file kept with all their files counted. */
static int plan(struct rv_s3 *s)
{
    resi_validator *v = s->ev->v;
    const proto_resi_s3_list_reply *l = s->list;
    for (uint32_t i = 0; i < l->n;) {
        uint32_t j = i;
        while (j < l->n && !strcmp(l->f[j].job, l->f[i].job))
            j++;
        if (job_active(v, l->f[i].job) && VEC_PUSH(&s->jobs, ((s3_job){i, j - i})))
            return ERR_NOMEM;
        i = j;
    }
    s->njobs_active = (uint32_t)s->jobs.len;
    uint32_t n = s->njobs_active, k = (uint32_t)v->p->s3.jobs;
    uint32_t *idx = malloc((n ? n : 1) * sizeof *idx);
    if (!idx)
        return ERR_NOMEM;
    for (uint32_t i = 0; i < n; i++)
        idx[i] = i;
    sample_k(&v->r_s3, idx, n, k);
    int64_t recent_ms = rv_unix_ms(v) - v->p->s3.recent_us / 1000;
    size_t kept = 0;
    s3_job *jobs = s->jobs.v;
    s3_job *sampled = malloc((n ? n : 1) * sizeof *sampled);
    for (uint32_t t = 0; sampled && t < n && t < k; t++) {
        s3_job jb = jobs[idx[t]];
        bool recent = false;
        for (uint32_t f = jb.first; f < jb.first + jb.n; f++)
            recent |= l->f[f].uploaded_ms >= recent_ms;
        if (!recent)
            continue;
        for (uint32_t f = jb.first; f < jb.first + jb.n; f++)
            s->size_bytes += l->f[f].size_bytes;
        s->files += jb.n;
        sampled[kept++] = jb;
    }
    free(idx);
    if (!sampled)
        return ERR_NOMEM;
    memcpy(s->jobs.v, sampled, kept * sizeof *sampled);
    s->jobs.len = kept;
    free(sampled);
    /* duplicates: up to files_per_job random files of each recent job */
    for (size_t t = 0; t < kept; t++) {
        const s3_job *jb = &s->jobs.v[t];
        uint32_t *fi = malloc(jb->n * sizeof *fi);
        if (!fi)
            return ERR_NOMEM;
        for (uint32_t f = 0; f < jb->n; f++)
            fi[f] = jb->first + f;
        uint32_t take = jb->n < (uint32_t)v->p->s3.files_per_job ? jb->n
                                                                   : (uint32_t)v->p->s3.files_per_job;
        sample_k(&v->r_s3, fi, jb->n, take);
        for (uint32_t f = 0; f < take; f++)
            if (VEC_PUSH(&s->reads, fi[f])) {
                free(fi);
                return ERR_NOMEM;
            }
        free(fi);
    }
    return 0;
}

static void on_list(void *arg, int result, int status, const rt_msg *reply)
{
    struct rv_s3 *s = arg;
    if (result || status != RT_OK || !reply || reply->type != PROTO_RESI_S3_LIST_REPLY) {
        s->reason = "no_store";   /* "Could not access miner S3 data" */
        done(s);
        return;
    }
    s->list = rt_take_body(reply);
    if (!s->list->n) {
        s->reason = "no_files";
    } else if (plan(s)) {
        rv_fail_nomem(s->ev->v);
        return;
    } else if (!s->njobs_active) {
        s->reason = "no_active_jobs";
    } else if (!s->jobs.len) {
        s->reason = "no_recent_data";   /* "No recent data found in last 3 hours" */
    }
    if (s->reason) {
        done(s);
        return;
    }
    s->stage = ST_DUP;
    s->next = 0;
    step(s);
}

void rv_s3_start(rv_eval *ev)
{
    resi_validator *v = ev->v;
    struct rv_s3 *s = calloc(1, sizeof *s);
    proto_resi_s3_list_req *q = s ? proto_resi_s3_list_req_new(ev->hotkey, 0) : NULL;
    if (!q) {
        free(s);
        rv_fail_nomem(v);
        return;
    }
    s->ev = ev;
    s->block = rv_block_now(v);
    ev->s3 = s;
    if (send_s3(s, PROTO_RESI_S3_LIST, q, "s3_list", on_list))
        on_list(s, ERR_REFUSED, 0, NULL);
}

void rv_s3_record(rv_eval *ev, bool applied)
{
    resi_validator *v = ev->v;
    const struct rv_s3 *s = ev->s3;
    double success = s->checked ? 100.0 * s->passed / s->checked : 0.0;
    rt_val vals[] = {
        RT_I(rt_now(v->r)),
        RT_I(v->me),
        ev->miner == RT_NO_ACTOR ? RT_NULL : RT_I(ev->miner),
        RT_I(ev->uid),
        RT_I(s->block),
        RT_I(!s->reason && resi_s3_passed(&v->p->s3, s->duplicates > 0, success)),
        RT_D(ev->s3_pct),
        s->reason ? RT_S(s->reason) : RT_NULL,
        RT_I(s->njobs_active),
        RT_I(s->jobs.len),
        RT_I(s->files),
        RT_I((int64_t)s->size_bytes),
        RT_I(s->rows_checked),
        RT_I(s->duplicates),
        RT_I(s->checked),
        RT_I(s->passed),
        RT_I(applied),
    };
    rt_record(v->r, &resi_table_s3_validation, vals);
}
