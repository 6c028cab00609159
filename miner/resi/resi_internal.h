/* Private to miner/resi. */
#ifndef SUBNETSIM_MINER_RESI_INTERNAL_H
#define SUBNETSIM_MINER_RESI_INTERNAL_H

#include "miner/resi/resi.h"

/* ---------------------------------------------------------------- storage */

/* A stored entity: 16 bytes. The listing scraped (zpid), when (t: seconds of
 * simulated time; whole seconds are what the world resolves), its measured
 * content size and what the miner altered. Everything a validator sees is
 * rebuilt from these (rs_wire). */
typedef struct rs_entity {
    uint64_t zpid;               /* the source listing (an invention's source) */
    uint32_t t;
    uint16_t size;               /* content_size: JSON is < 2048 bytes */
    uint16_t alter;              /* PROTO_RESI_ALTER_* | RS_UNMAPPED */
} rs_entity;

/* An entity outside the zpid map: a duplicate or an invention, which a later
 * copy of its listing does not replace. Never sent. */
#define RS_UNMAPPED 0x8000

typedef struct rs_slot {
    uint64_t zpid, loc;
} rs_slot;

typedef struct rs_bucket {
    proto_resi_bucket_id id;
    uint16_t zi;                 /* zip index in the world; UINT16_MAX: outside it */
    uint8_t live;                /* in the order (else a free slot) */
    uint32_t bytes;              /* claimed */
    uint32_t n, cap;
    rs_entity *e;
} rs_bucket;

/* Buckets in a stable array (free slots reused), an order array sorted by
 * key (what the index is), and a zpid -> (bucket, position) map with linear
 * probing so a new copy of a listing replaces the old one. */
typedef struct rs_store {
    int64_t epoch_s;             /* unix seconds of simulated time 0 */
    VEC(rs_bucket) b;
    VEC(uint32_t) freeb;
    VEC(uint32_t) order;
    struct rs_slot *map;         /* zpid (0: empty) -> bucket << 32 | position */
    size_t cap, used;
    size_t entities;
    uint64_t bytes;
    proto_resi_index *snap;      /* the last index built, while unchanged */
    uint32_t last;               /* the bucket the last put went to (a page's
                                    listings share one): UINT32_MAX none */
} rs_store;

void rs_store_init(rs_store *s, int64_t epoch_s);
void rs_store_clear(rs_store *s);            /* frees everything; init state again */
/* The entity as sent: zpid claimed, source, unix ms, sizes, alterations. */
void rs_wire(const rs_store *s, const rs_entity *e, proto_resi_entity *out);
uint32_t rs_claimed(const rs_store *s, const rs_entity *e);
int32_t rs_hour(const rs_store *s, uint32_t t);
/* Store e in its hour's bucket of zip `zip` (world index zi). A mapped entity
 * replaces the listing's older copy (*replaced then true). */
int rs_store_put(rs_store *s, uint16_t zi, const char *zip, const rs_entity *e, bool mapped,
                 bool *replaced);
rs_bucket *rs_store_find(const rs_store *s, const proto_resi_bucket_id *id);
/* The current index (a new reference; NULL: no memory). */
proto_resi_index *rs_store_index(rs_store *s);
/* Drop buckets of hours before min_hour. */
void rs_store_expire(rs_store *s, int32_t min_hour);
size_t rs_store_memory(const rs_store *s);
/* Start loading zpid's map slot: a page's 41 misses overlap. */
void rs_store_prefetch(const rs_store *s, uint64_t zpid);
/* The stored copy of a listing (mapped entities only), or NULL. */
const rs_entity *rs_store_get(const rs_store *s, uint64_t zpid);

/* -------------------------------------------------------- zip selection */

typedef struct rs_pool {
    uint16_t *z;                 /* zip indexes, shuffled once */
    uint32_t n, cur;
    double weight;
    char name[16];               /* "premium", "tier2", "TX", "region", "all" */
} rs_pool;

typedef struct rs_select {
    rs_pool *pools;
    size_t npools;
    int order;                   /* RESI_ORDER_* */
    rng r;
} rs_select;

/* Build the pools a configuration asks for. ERR_INPUT names the zip or state
 * the world does not know. */
int rs_select_init(rs_select *sel, const world *w, const resi_miner_cfg *cfg, int select,
                   int arms, const rng *r, err *e);
void rs_select_free(rs_select *sel);
/* The next zip (index), or -1 when every pool is empty or weightless. */
int rs_select_next(rs_select *sel);
/* Pools a zip index falls in for organic "tiers" arms and tier-weighted. */
int rs_zip_class(const world *w, size_t zi);

/* ---------------------------------------------------------------- learner */

typedef struct rs_learn {
    bool on;
    size_t narms, arm;
    double *value;
    int64_t *pulls;
    double start_signal;
    bool have_start;
    int64_t round;
    rt_timer timer;
    rng r;
} rs_learn;

/* ------------------------------------------------------------- the miner */

enum { ACT_CALLS, ACT_OK, ACT_429, ACT_404, ACT_5XX, ACT_TIMEOUT, ACT_OTHER, ACT_LISTINGS,
       ACT_STORED, ACT_REFRESHED, ACT_ALTERED, ACT_INVENTED, ACT_DUPLICATED, ACT_COPIED,
       ACT_INDEX, ACT_BUCKET, ACT_DROPPED, ACT_UPLOADS, ACT_UPLOAD_FAILED, ACT_RESTARTS,
       ACT_COUNT };

struct resi_miner {
    rt *r;
    resi_miner_env env;
    const resi_miner_cfg *cfg;
    int kind;                    /* RESI_STRATEGY_* */
    char hotkey[PROTO_KEY_MAX];
    rt_actor me;
    rt_time start, phase;        /* registration; first scrape */
    int64_t scrape_every;
    int calls_per_scrape;
    uint16_t alter_bits;
    rng r_cheat, r_serve, r_flaky;
    rs_store st;
    rs_select sel;
    rs_learn learn;

    /* scraping */
    rt_timer scrape_timer;
    bool scraping;
    int calls_left;
    int cur_zi, cur_page, cur_last;  /* the zip being read, its page, its last page */
    int call_zi;                     /* the zip of the call in flight */
    rt_time last_call;

    /* uploads */
    rt_timer upload_timer;
    struct rs_job *jobs;
    int njobs;

    /* copier */
    rt_actor target;
    rt_timer copy_timer;
    proto_resi_index *copy_prev;     /* the target's index at the last round */
    VEC(proto_resi_bucket_id) copy_queue;
    bool copying;

    /* flaky */
    rt_timer restart_timer;
    struct rs_ignored *ignored;      /* requests it ignores, closed later */

    /* records */
    rt_timer coverage_timer;
    rt_time coverage_since;
    int64_t act_hour;                /* start of the activity row being counted */
    int64_t act[ACT_COUNT], total[ACT_COUNT];
};

void rs_count(resi_miner *m, int what, int64_t n);
void rs_activity_flush(resi_miner *m);
void rs_coverage_tick(void *arg);
void rs_coverage_schedule(resi_miner *m);

/* scrape.c */
void rs_scrape_schedule(resi_miner *m);
void rs_scrape_stop(resi_miner *m);
/* Store one listing the way this miner's strategy does (scrape or copy). */
void rs_ingest(resi_miner *m, uint16_t zi, const proto_resi_listing *l);
/* upload.c */
typedef struct rs_job {
    resi_miner *m;
    char name[PROTO_RESI_JOB_MAX];   /* "zip:77494", "tier:2" */
    uint32_t done;                   /* entities scraped before this are uploaded */
    uint32_t pending;                /* what the upload in flight covers */
    bool in_flight;
} rs_job;

int rs_upload_init(resi_miner *m);
void rs_upload_schedule(resi_miner *m);
void rs_upload_stop(resi_miner *m);
/* The job a zip's data goes to (index into m->jobs), or -1. */
int rs_job_of(const resi_miner *m, size_t zi);
/* serve.c */
void rs_on_request(void *self, rt_request *req, const rt_msg *msg);
void rs_ignored_free(resi_miner *m);
/* learn.c */
int rs_learn_init(resi_miner *m);
void rs_learn_schedule(resi_miner *m, rt_time delay);
void rs_learn_free(rs_learn *l);
/* copier.c */
void rs_copy_schedule(resi_miner *m, rt_time delay);
void rs_copy_stop(resi_miner *m);

#endif
