/* One miner's evaluation (vali_utils/miner_evaluator.py eval_miner): index
 * (or the last one), S3 validation when due, a bucket by scorable bytes,
 * basic checks, the duplicate rule, the spot checks, then the scorer. */
#include "validator/resi/internal.h"

#include <string.h>

static void finish(rv_eval *ev, int reason);

static rv_miner *miner_of(rv_eval *ev) { return &ev->v->miners.v[ev->uid]; }

static int send_miner(rv_eval *ev, int type, void *body, rt_time timeout, const char *kind,
                      rt_reply_cb cb)
{
    resi_validator *v = ev->v;
    rt_msg m = {type, body, NULL, proto_resi_wire_bytes(type, body)};
    rt_call_opts o = {.timeout = timeout, .kind = kind, .attempt = 1};
    if (ev->miner == RT_NO_ACTOR) {
        free(body);
        return ERR_REFUSED;
    }
    return rt_call(v->r, v->me, ev->miner, m, &o, cb, ev, NULL);
}

/* ------------------------------------------------------------ spot checks */

static void check_next(rv_eval *ev);

static void on_checked(void *arg, int result, const proto_resi_entity *e)
{
    rv_eval *ev = arg;
    double bytes = e->claimed_size;
    ev->total_bytes += bytes;
    if (resi_api_counts_valid(ev->v->p, result)) {
        ev->valid_bytes += bytes;
        ev->ok++;
    } else {
        ev->failed++;
    }
    ev->next_check++;
    check_next(ev);
}

static void check_next(rv_eval *ev)
{
    if (ev->next_check >= ev->nchosen) {
        finish(ev, RESI_REASON_NONE);
        return;
    }
    rv_check_ctx c = {ev->v, ev->uid, ev->miner, "spot", &ev->next_call};
    rv_check(&c, &ev->reply->e[ev->chosen[ev->next_check]], ev->bucket.id.zip, on_checked, ev);
}

/* --------------------------------------------------------------- bucket */

static void on_bucket(void *arg, int result, int status, const rt_msg *reply)
{
    rv_eval *ev = arg;
    resi_validator *v = ev->v;
    if (result || status != RT_OK || !reply || reply->type != PROTO_RESI_BUCKET_REPLY) {
        finish(ev, RESI_REASON_BUCKET_FAILED);   /* "Response failed or is invalid." */
        return;
    }
    ev->reply = rt_take_body(reply);
    const proto_resi_bucket_reply *b = ev->reply;
    int reason = resi_basic_check(&ev->bucket.id, ev->bucket.size_bytes, b->e, b->n);
    if (reason) {
        finish(ev, reason);
        return;
    }
    ev->duplicates = (uint32_t)resi_count_duplicates(b->e, b->n);
    if (ev->duplicates) {
        finish(ev, RESI_REASON_DUPLICATES);
        return;
    }
    size_t k = (size_t)v->p->spot_checks;
    ev->chosen = malloc((k ? k : 1) * sizeof *ev->chosen);
    if (!ev->chosen) {
        rv_fail_nomem(v);
        return;
    }
    ev->nchosen = resi_choose_entities(b->e, b->n, k, &v->r_entities, ev->chosen);
    check_next(ev);
}

void rv_eval_after_s3(rv_eval *ev)
{
    resi_validator *v = ev->v;
    if (!resi_book_scorable_total(v->book, ev->uid)) {
        finish(ev, RESI_REASON_NO_SCORABLE);
        return;
    }
    size_t i = resi_book_pick(v->book, ev->uid, rng_uniform(&v->r_bucket));
    ev->bucket = resi_book_index(v->book, ev->uid)->b[i];
    ev->bucket_chosen = true;
    proto_resi_bucket_req *q = proto_resi_bucket_req_new(&ev->bucket.id);
    if (!q) {
        rv_fail_nomem(v);
        return;
    }
    if (send_miner(ev, PROTO_RESI_BUCKET, q, v->p->bucket_timeout_us, "bucket", on_bucket))
        finish(ev, RESI_REASON_BUCKET_FAILED);
}

/* ---------------------------------------------------------------- index */

static bool s3_due(const rv_eval *ev)
{
    const resi_validator *v = ev->v;
    const rv_miner *m = &v->miners.v[ev->uid];
    if (!v->p->s3.on || v->cfg.s3 == RT_NO_ACTOR)
        return false;
    return m->last_s3_block < 0 || rv_block_now(v) - m->last_s3_block > v->p->s3.every_blocks;
}

static void on_index(void *arg, int result, int status, const rt_msg *reply)
{
    rv_eval *ev = arg;
    resi_validator *v = ev->v;
    int rc = ERR_PROTOCOL;
    if (!result && status == RT_OK && reply && reply->type == PROTO_RESI_INDEX_REPLY &&
        reply->body) {
        proto_resi_index *x = rt_take_body(reply);
        rc = resi_book_set(v->book, ev->uid, x);
        proto_resi_index_release(x);
        if (rc == ERR_NOMEM) {
            rv_fail_nomem(v);
            return;
        }
    }
    if (!rc) {
        miner_of(ev)->last_index = rt_now(v->r);
        ev->has_index = true;
    } else {
        /* no answer, or an invalid index: the last one known, if any */
        ev->index_reused = true;
        ev->has_index = resi_book_index(v->book, ev->uid) != NULL;
    }
    if (!ev->has_index) {
        finish(ev, RESI_REASON_NO_INDEX);
        return;
    }
    if (s3_due(ev))
        rv_s3_start(ev);
    else
        rv_eval_after_s3(ev);
}

int rv_eval_start(resi_validator *v, uint16_t uid, uint64_t batch)
{
    rv_eval *ev = calloc(1, sizeof *ev);
    if (!ev)
        return ERR_NOMEM;
    ev->v = v;
    ev->uid = uid;
    ev->batch = batch;
    ev->miner = v->miners.v[uid].actor;
    memcpy(ev->hotkey, v->miners.v[uid].hotkey, sizeof ev->hotkey);
    ev->started = rt_now(v->r);
    DLIST_PUSH(&v->live, ev);
    if (send_miner(ev, PROTO_RESI_INDEX, NULL, v->p->index_timeout_us, "index", on_index))
        on_index(ev, ERR_REFUSED, 0, NULL);
    return 0;
}

/* --------------------------------------------------------------- the end */

static void record(rv_eval *ev, const rv_miner *m, double raw)
{
    resi_validator *v = ev->v;
    const proto_resi_index *x = resi_book_index(v->book, ev->uid);
    bool b = ev->bucket_chosen;
    rt_val vals[] = {
        RT_I(rt_now(v->r)),
        RT_I(v->me),
        ev->miner == RT_NO_ACTOR ? RT_NULL : RT_I(ev->miner),
        RT_I(ev->uid),
        RT_S(ev->reason ? "failed" : "ok"),
        ev->reason ? RT_S(resi_reason_name(ev->reason)) : RT_NULL,
        RT_D(m->sc.score),
        RT_D(m->sc.cred),
        RT_D(raw),
        RT_I(ev->has_index && x ? x->n : 0),
        RT_I(ev->index_reused),
        b ? RT_S(ev->bucket.id.zip) : RT_NULL,
        b ? RT_I(ev->bucket.id.hour) : RT_NULL,
        b ? RT_I(ev->bucket.size_bytes) : RT_NULL,
        RT_I(ev->reply ? ev->reply->n : 0),
        RT_I(ev->duplicates),
        RT_I(ev->nchosen),
        RT_I(ev->ok),
        RT_I(ev->failed),
        RT_I(rt_now(v->r) - ev->started),
    };
    rt_record(v->r, &resi_table_evaluation, vals);
}

static void finish(rv_eval *ev, int reason)
{
    resi_validator *v = ev->v;
    rv_miner *m = miner_of(ev);
    ev->reason = reason;
    double raw = 0;
    bool applied = false;
    /* a uid taken by another hotkey meanwhile: the result is not the new one's */
    if (!strcmp(m->hotkey, ev->hotkey)) {
        if (ev->has_index)
            raw = resi_book_raw(v->book, ev->uid, proto_resi_hour_of_ms(rv_unix_ms(v)));
        /* a failed check is one invalid result of 0 bytes: the sample is 0 */
        double valid = reason ? 0 : ev->valid_bytes, total = reason ? 0 : ev->total_bytes;
        resi_score_evaluated(&m->sc, v->p, ev->has_index, raw, valid, total);
        /* the S3 result reaches the scorer only at the end of a full evaluation */
        if (!reason && ev->s3_done) {
            resi_score_s3(&m->sc, v->p, ev->s3_pct);
            applied = true;
        }
    }
    record(ev, m, raw);
    if (ev->s3_done)
        rv_s3_record(ev, applied);
    rv_eval_finished(v, ev);
    DLIST_UNLINK(&v->live, ev);
    rv_eval_free(ev);
}

void rv_eval_free(rv_eval *ev)
{
    free(ev->reply);
    free(ev->chosen);
    rv_s3_free(ev->s3);
    free(ev);
}
