/* world: what lies outside the real-estate subnet (SPEC.md section 2.1): the
 * zipcode universe, a listings universe that changes over time, and the
 * listings API that miners scrape and validators check against.
 *
 * The listings are lazy and pure. A zip's listings arrive as a Poisson stream
 * cut into one-day windows, each window's arrivals drawn from a stream keyed
 * by (seed, zip, window); a listing's whole life (how long it is for sale,
 * withdrawn or pending then sold, when it disappears, its price changes and
 * zestimate) is drawn from streams keyed by (seed, zpid). So the listing a
 * query sees at time t is a function of (seed, zpid, t) alone: the order of
 * queries, and who asks, never change the world. Nothing is generated until
 * someone looks; a zip's for-sale set is cached (24 bytes a listing) and
 * advanced as time moves forward, and listings built for a search are kept
 * (within world_params.cache_mb) until one of their fields would change:
 * speed only, the answers are the same.
 *
 * The zpid encodes (zip, window, index) through a keyed 44-bit permutation, so
 * a look-up needs no table and zpids look arbitrary.
 *
 * Ownership: world_new allocates, world_free releases. A world is used by one
 * thread at a time (searches update its caches). */
#ifndef SUBNETSIM_WORLD_H
#define SUBNETSIM_WORLD_H

#include "core/core.h"
#include "net/protocol_resi.h"
#include "runtime/rt.h"

/* ------------------------------------------------------------ parameters */

#define WORLD_TIERS 4
#define WORLD_PREMIUM_MAX 32

/* The world's parameters. Defaults come from a profile (world_profile_find);
 * every field's source is commented there (sim/world/profile.c). */
typedef struct world_params {
    /* Data files. data_dir NULL: the environment's SUBNETSIM_DATA, else the
     * source tree's data/ (SUBNETSIM_DATA_DIR). zip_file is relative to it
     * unless absolute. Read only by world_new. */
    const char *data_dir;
    const char *zip_file;
    int64_t epoch_unix_s;          /* the instant simulated time 0 stands for */

    /* The zipcode universe. */
    int top_n;                     /* keep the N most populous zips */
    int tier_max_rank[WORLD_TIERS - 1];   /* last rank of tiers 1..3 */
    double tier_weight[WORLD_TIERS];
    char premium[WORLD_PREMIUM_MAX][6];
    int npremium;
    double premium_weight;

    /* Listings: how many, how long they live, how they change. */
    double listings_per_1000;      /* for-sale listings per 1,000 residents */
    double for_sale_mean_days;     /* time on market: exponential */
    double for_sale_max_days;      /* listing agreement expires: withdrawn */
    double p_withdrawn;            /* share that leaves the market unsold */
    double pending_mean_days;      /* under contract until sold: exponential */
    double sold_visible_days;      /* a sold listing stays visible, then 404 */
    double price_changes_per_day;  /* Poisson rate while for sale */
    double p_price_cut;            /* a change is a cut, else a raise */
    double price_cut_min, price_cut_max;       /* fraction of the price */
    double price_raise_min, price_raise_max;
    double zip_price_median;       /* USD: median over zips of a zip's typical price */
    double zip_price_sigma;        /* lognormal spread of zips' typical prices */
    double listing_price_sigma;    /* lognormal spread within a zip */
    double zestimate_sigma;        /* a listing's zestimate vs its first price */
    double zestimate_noise;        /* lognormal sigma of each zestimate update */
    double zestimate_update_days;  /* zestimates (and rent zestimates) refresh */
    double rent_yield;             /* monthly rent zestimate / price */
    double spread_deg;             /* listings scatter around the zip centroid (sd) */

    /* Search answers. */
    int page_size;                 /* listings a page */
    int max_pages;                 /* pages a search reaches; 0 = no limit */

    /* Speed only, never results: bytes of built listings kept for reuse. */
    double cache_mb;
} world_params;

/* Checks ranges and consistency; messages name the field ("world.top_n ..."). */
int world_params_check(const world_params *p, err *e);

/* API plans: quota per quota period (0 = unlimited) and a per-caller rate
 * limit (token bucket: rate_per_s refill, burst capacity; 0 = none). */
typedef enum {
    WORLD_PLAN_BASIC,
    WORLD_PLAN_PREMIUM,
    WORLD_PLAN_UNLIMITED,
    WORLD_PLAN_COUNT
} world_plan;

typedef struct world_plan_params {
    int64_t quota;
    double rate_per_s;
    double burst;
} world_plan_params;

const char *world_plan_name(world_plan plan);   /* "basic", "premium", "unlimited" */

/* Injected API failures, per request, each its own share of all requests that
 * pass the quota and the rate limit (they must sum to <= 1): a spurious 404, a
 * spurious 429, a 5xx (status_5xx), and a hang (no answer: the caller's
 * timeout fires). A scenario's fault schedule changes them over time with
 * world_api_set_faults. */
typedef struct world_api_faults {
    double p_404;
    double p_429;
    double p_5xx;
    double p_timeout;
    int status_5xx;
} world_api_faults;

typedef struct world_api_params {
    const char *name;              /* the actor's name */
    world_plan_params plans[WORLD_PLAN_COUNT];
    world_plan default_plan;       /* for callers never given one */
    int64_t quota_period_us;       /* quotas reset every period from time 0 */
    int64_t search_latency_us;     /* median service time: lognormal */
    int64_t lookup_latency_us;
    double latency_sigma;
    int64_t usage_bucket_us;       /* api_usage rows: one per caller, endpoint, bucket */
    /* A hung request is closed with 504 after this long (0: never), long after
     * any caller's timeout: so hangs cost the runtime no memory for ever. */
    int64_t hang_release_us;
    world_api_faults faults;
} world_api_params;

int world_api_params_check(const world_api_params *p, err *e);

/* A named set of defaults: "resi-2025-09" (SPEC.md 2.1, resi-labs-ai/resi
 * a0996088, testnet 428). */
typedef struct world_profile {
    const char *name;
    world_params world;
    world_api_params api;
} world_profile;

const world_profile *world_profile_find(const char *name);   /* NULL: unknown */

/* ------------------------------------------------------------- the world */

typedef struct world world;

/* Load the zipcodes and build the universe. Errors: ERR_INPUT for bad
 * parameters or a bad CSV row ("FILE:LINE: field: message"), ERR_NOTFOUND or
 * ERR_IO for a missing file, ERR_NOMEM. */
int world_new(const world_params *p, uint64_t seed, world **out, err *e);
void world_free(world *w);
/* The parameters in force (data_dir and zip_file cleared: read at load only). */
const world_params *world_get_params(const world *w);
uint64_t world_seed(const world *w);

/* The directory data files are read from, given an override (NULL: none):
 * override, else $SUBNETSIM_DATA, else SUBNETSIM_DATA_DIR. Then path joins a
 * file name to it (absolute names pass through). Returns 0 or ERR_INPUT when
 * the result does not fit. */
const char *world_data_dir(const char *override_dir);
int world_data_path(const char *override_dir, const char *file, char *out, size_t n, err *e);

/* Simulated time <-> unix milliseconds (listings carry unix times). */
int64_t world_unix_ms(const world *w, rt_time t);
rt_time world_rt_time(const world *w, int64_t unix_ms);

/* ------------------------------------------------------------ zipcodes */

typedef struct world_zip {
    char zip[6];
    char state[3];
    char city[PROTO_RESI_CITY_MAX];
    double lat, lon;
    uint32_t population;           /* 0 where the data has none */
    uint32_t rank;                 /* 1 = most populous; ties by zip */
    uint8_t tier;                  /* 1..4 by rank */
    bool premium;
    double weight;                 /* premium_weight if premium, else the tier's */
    double listings_mean;          /* expected listings for sale at any time */
} world_zip;

/* Zips are indexed by rank: index i holds rank i + 1. */
size_t world_zip_count(const world *w);
const world_zip *world_zip_at(const world *w, size_t i);
int world_zip_find(const world *w, const char *zip);    /* index, or -1 */
/* A state's zips in rank order; returns how many (0 for an unknown state). */
size_t world_state_zips(const world *w, const char *state, const uint32_t **idx);
size_t world_state_count(const world *w);
const char *world_state_at(const world *w, size_t i);   /* "AK", ... sorted */
/* The premium zips' indexes, in the order the parameters list them. */
size_t world_premium(const world *w, const uint32_t **idx);

/* The universe as a record table (`zipcode`, one row per zip: class, tier,
 * state, place, population), so that a report needs nothing but the run's
 * database to know which zips a run could cover. Returns rt_record's error. */
extern const rt_table world_zipcode_table;
int world_record_zips(const world *w, rt *r);

/* ------------------------------------------------------------ listings */

typedef struct world_page {
    int n;                         /* listings written to out */
    int total_results;             /* listings for sale in the zip at t */
    int total_pages;
} world_page;

/* Listings for sale in `zip` at time t, newest first, page `page` (1-based):
 * fills out[0 .. page_size) and info. A page past the last is empty (n = 0).
 * Returns 0, ERR_NOTFOUND (zip outside the universe) or ERR_INPUT (page < 1,
 * or t outside the +-44 years the zpid scheme covers). */
int world_search(world *w, const char *zip, int page, rt_time t, proto_resi_listing *out,
                 world_page *info);

/* The listing as it is at time t (any status), or ERR_NOTFOUND when no such
 * listing exists at t: never listed, not listed yet, withdrawn, or sold long
 * enough ago to have disappeared. */
int world_lookup(world *w, uint64_t zpid, rt_time t, proto_resi_listing *out);

/* Where a listing's life stands at t, without building it (cheap). */
typedef enum {
    WORLD_UNLISTED,                /* unknown zpid, or not listed yet */
    WORLD_FOR_SALE,
    WORLD_PENDING,
    WORLD_SOLD,
    WORLD_GONE                     /* withdrawn, or sold and no longer shown */
} world_state;

world_state world_listing_state(const world *w, uint64_t zpid, rt_time t);

/* How many listings are for sale in zip index zi at t (total_results). */
int world_zip_for_sale(world *w, size_t zi, rt_time t);

/* Bytes the world holds now (zip tables and caches): for benchmarks. */
size_t world_memory(const world *w);

/* ------------------------------------------------------- the listings API */

/* The API as an rt actor (kind "api"): answers PROTO_RESI_SEARCH with
 * PROTO_RESI_SEARCH_REPLY and PROTO_RESI_LOOKUP with PROTO_RESI_LOOKUP_REPLY after a
 * lognormal service time, enforcing per-caller quotas and rate limits and
 * injecting failures. In order, a request is refused with 429 when the
 * caller's quota for the period is spent, or when the rate limit has no token
 * (neither counts against the quota); otherwise it counts against the quota,
 * then may hang, answer 5xx, 429 or 404 (injected), and else is served.
 * Random draws come from one stream per caller, so adding a caller changes no
 * other caller's latencies or failures. */
typedef struct world_api world_api;

/* Adds the actor `p->name` to r. The world and r must outlive the api. */
int world_api_new(rt *r, world *w, const world_api_params *p, world_api **out, err *e);
/* Releases the api (its answers still in flight are dropped: call after the
 * run, or after rt_free). */
void world_api_free(world_api *api);
rt_actor world_api_actor(const world_api *api);
/* A caller's plan, and its rate limit (rate_per_s <= 0: the plan's). */
int world_api_set_caller(world_api *api, rt_actor caller, world_plan plan, double rate_per_s);
/* Change the injected failures from now on (recorded in api_fault). */
int world_api_set_faults(world_api *api, const world_api_faults *f);
/* Write the api_usage rows still open (call once the run has ended). */
void world_api_flush(world_api *api);

/* A caller's counters since the run began (what api_usage rows add up to). */
typedef struct world_api_counts {
    int64_t calls;                 /* every request received */
    int64_t ok;                    /* 200 */
    int64_t not_found;             /* genuine 404 */
    int64_t bad_request;           /* 400 */
    int64_t quota_exceeded;        /* 429: quota spent */
    int64_t rate_limited;          /* 429: no token */
    int64_t injected_404, injected_429, injected_5xx, injected_timeout;
    int64_t quota_used;            /* in the current period */
    int64_t quota;                 /* the plan's, 0 unlimited */
} world_api_counts;

int world_api_counts_get(const world_api *api, rt_actor caller, world_api_counts *out);

/* Record tables (the store creates them on first row). */
extern const rt_table world_api_usage_table;   /* api_usage: per caller, endpoint, hour */
extern const rt_table world_api_fault_table;   /* api_fault: each world_api_set_faults */

/* ---------------------------------------------------- the object store */

/* The object store (S3) miners upload to and validators read (SPEC 2.3), as an
 * rt actor (kind "s3") speaking PROTO_RESI_S3_* (net/protocol_resi.h). Objects
 * are partitioned by the uploading actor's name (its hotkey): a miner writes
 * only its own prefix, anyone may list and read. A file is kept as its job,
 * time, row count, size and first PROTO_RESI_S3_HEAD_ROWS rows: what the S3
 * validation reads. Answers come after a lognormal service time; an upload is
 * visible from the moment it arrives. Requests without a body answer 400, a
 * read of an unknown file 404. Transport faults come from rt_fault_set. */
typedef struct world_s3_params {
    const char *name;              /* the actor's name */
    int64_t latency_us;            /* median service time */
    double latency_sigma;
} world_s3_params;

int world_s3_params_check(const world_s3_params *p, err *e);

typedef struct world_s3 world_s3;

/* Adds the actor `p->name` to r. w gives unix times (files carry them). */
int world_s3_new(rt *r, const world *w, const world_s3_params *p, world_s3 **out, err *e);
/* Releases the store and its files (answers in flight are dropped). */
void world_s3_free(world_s3 *s);
rt_actor world_s3_actor(const world_s3 *s);

/* A partition's files in upload order (for tests and reports): *out points
 * into the store until the next upload. NULL hotkey or none: 0. */
typedef struct world_s3_file {
    proto_resi_s3_file_info info;
    uint32_t nhead;
    proto_resi_entity head[PROTO_RESI_S3_HEAD_ROWS];
} world_s3_file;

size_t world_s3_files(const world_s3 *s, const char *hotkey, const world_s3_file **out);

#endif
