/* The resi validator actor's state, shared by actor.c (the loop, metagraph,
 * weights), eval.c (one miner's evaluation), apicheck.c (one entity against
 * the listings API) and s3val.c (one miner's S3 validation). Private. */
#ifndef SUBNETSIM_VALIDATOR_RESI_INTERNAL_H
#define SUBNETSIM_VALIDATOR_RESI_INTERNAL_H

#include "validator/resi/resi.h"
#include "validator/wclient/wclient.h"

#include "net/protocol.h"

typedef struct rv_eval rv_eval;
typedef struct rv_call rv_call;

/* What a validator keeps per uid. */
typedef struct rv_miner {
    char hotkey[PROTO_KEY_MAX];      /* "" while the uid is unknown */
    rt_actor actor;                  /* RT_NO_ACTOR: nobody answers for it */
    resi_val_score sc;
    rt_time last_index;              /* the last index received (storage lastUpdated), -1 never */
    int64_t last_s3_block;           /* -1: never validated */
} rv_miner;

struct resi_validator {
    rt *r;
    rt_actor me;
    resi_validator_cfg cfg;
    const resi_val_params *p;
    char hotkey[PROTO_KEY_MAX];
    int32_t *zip_wm;                 /* job weight per zip index (thousandths) */
    int32_t wm_default;
    VEC(char *) jobs;                /* active S3 job names ("zip:NNNNN", "tier:N") */
    resi_book *book;
    VEC(rv_miner) miners;            /* by uid */
    /* the uid iterator (vali_utils/miner_iterator.py) */
    VEC(uint16_t) uids;
    size_t it;
    bool it_started;
    rng r_iter, r_bucket, r_entities, r_s3;
    /* the metagraph */
    proto_chain_metagraph *mg;
    rt_time mg_at;
    int mg_purpose;                  /* why it is being read (actor.c) */
    int self_uid;                    /* -1: not registered (yet) */
    /* the loop */
    rt_timer timer;
    uint64_t batch;                  /* the open batch's number, 0: none yet */
    bool batch_open;
    int batch_left;                  /* its evaluations still running */
    rt_timer batch_timer;
    rt_time next_delay;              /* the loop's sleep after this iteration */
    int64_t cycles;                  /* loop iterations since start (evaluation_cycles) */
    rt_time last_weights;
    rt_time last_snapshot;           /* miner_score rows, -1: none yet */
    wclient chainw;
    rv_eval *live;                   /* evaluations in flight (freed with the validator) */
    rv_call *calls;                  /* API checks in flight (likewise) */
};

/* One miner's evaluation, from the index request to the scorer. */
struct rv_eval {
    resi_validator *v;
    rv_eval *prev, *next;
    uint16_t uid;
    rt_actor miner;
    char hotkey[PROTO_KEY_MAX];
    uint64_t batch;
    rt_time started;
    bool has_index, index_reused;
    int reason;                      /* resi_reason */
    bool bucket_chosen;
    proto_resi_index_entry bucket;   /* the chosen bucket and its claimed size */
    proto_resi_bucket_reply *reply;
    size_t *chosen, nchosen, next_check;
    uint32_t duplicates;
    double valid_bytes, total_bytes;
    int ok, failed;
    rt_time next_call;               /* pacing of this evaluation's API calls */
    /* the S3 validation run inside this evaluation, applied at its end */
    struct rv_s3 *s3;
    bool s3_done;
    double s3_pct;
};

/* actor.c */
void rv_eval_finished(resi_validator *v, rv_eval *ev);
int64_t rv_block_now(const resi_validator *v);
int64_t rv_unix_ms(const resi_validator *v);
void rv_fail_nomem(resi_validator *v);

/* eval.c */
int rv_eval_start(resi_validator *v, uint16_t uid, uint64_t batch);
void rv_eval_free(rv_eval *ev);
void rv_eval_after_s3(rv_eval *ev);

/* apicheck.c: check one entity of bucket `zip` (NULL: an S3 row, whose label
 * is its content's) against the listings API, no sooner than *next_call
 * (which it advances). done runs exactly once, possibly before rv_check
 * returns (no zpid: no call). */
typedef void (*rv_check_cb)(void *arg, int result, const proto_resi_entity *e);
typedef struct rv_check_ctx {
    resi_validator *v;
    uint16_t uid;
    rt_actor miner;
    const char *kind;                /* "spot" or "s3" */
    rt_time *next_call;
} rv_check_ctx;
void rv_check(const rv_check_ctx *c, const proto_resi_entity *e, const char *zip,
              rv_check_cb done, void *arg);
void rv_checks_free(resi_validator *v);

/* s3val.c: the S3 validation of ev's miner; calls rv_eval_after_s3 when done. */
void rv_s3_start(rv_eval *ev);
void rv_s3_free(struct rv_s3 *s);
void rv_s3_record(rv_eval *ev, bool applied);

#endif
