/* Private to sim/world. */
#ifndef SUBNETSIM_WORLD_INTERNAL_H
#define SUBNETSIM_WORLD_INTERNAL_H

#include "world/world.h"

#define WORLD_DAY 86400
#define WORLD_ZIPNUM_MAX 100000

/* A listing for sale in a zip's cache: enough to page a search. Times are
 * seconds of simulated time (negative: listed before the run began). */
typedef struct wz_slot {
    uint64_t zpid;
    int32_t listed;
    int32_t fs_end;                /* leaves "for sale" at this second */
    int32_t until;                 /* the built copy holds for times before this */
    uint32_t built;                /* 1 + its index in the zip's pool; 0: none */
} wz_slot;

/* Holds every listing of windows <= w_hi whose fs_end > t_floor, in order of
 * listing time. Queries at t >= t_floor advance it; earlier ones rebuild it.
 * min_end is the earliest fs_end held: until then nothing leaves. Listings built
 * for a search are kept in the pool while their fields cannot change, so
 * many miners paging the same zip pay for each listing about once a day. */
typedef struct wz_cache {
    wz_slot *v;
    uint32_t len, cap;
    int32_t min_end;
    int32_t w_hi;
    int32_t t_floor;
    bool ready;
    VEC(proto_resi_listing) pool;
    VEC(uint32_t) spare;           /* free pool indexes */
} wz_cache;

/* Per zip: what listing generation needs, beside the public world_zip. */
typedef struct wz_state {
    uint32_t zipnum;               /* the zip as a number, 0..99999 */
    double rate;                   /* arrivals per second */
    double price_median;           /* this zip's typical price, USD */
    double lon_scale;              /* 1 / cos(latitude) */
    wz_cache cache;
} wz_state;

struct world {
    world_params p;
    uint64_t seed;
    world_zip *zips;               /* by rank */
    wz_state *zs;                  /* parallel to zips */
    size_t nzips;
    int32_t *by_zipnum;            /* WORLD_ZIPNUM_MAX entries: index or -1 */
    char (*states)[3];             /* sorted state codes */
    size_t nstates;
    uint32_t *state_start;         /* nstates + 1 offsets into state_idx */
    uint32_t *state_idx;           /* zip indexes grouped by state, rank order */
    uint32_t premium_idx[WORLD_PREMIUM_MAX];
    uint64_t perm_key[4];          /* the zpid permutation's round keys */
    uint64_t key[8];               /* stream keys by purpose (listings.c) */
    int64_t fs_max_s;              /* for_sale_max_days in seconds */
    size_t pool_bytes, pool_budget; /* built listings kept, and the most allowed */
};

/* Stream purposes: each aspect of a listing draws from its own stream. */
enum { WK_ARRIVALS, WK_LIFE, WK_ATTRS, WK_PRICE, WK_ZEST, WK_RENT, WK_ZIPPRICE, WK_COUNT };

/* A listing's life in seconds of simulated time. */
typedef struct wl_life {
    int64_t listed;
    int64_t fs_end;                /* leaves "for sale" */
    int64_t sold;                  /* closes, unless withdrawn */
    int64_t gone;                  /* no longer found (404) from here */
    bool withdrawn;
} wl_life;

/* A splitmix64 stream (Steele, Lea and Flood 2014) for the listings' many
 * short streams: seeding is one hash and each draw one mix, where xoshiro's
 * four-step seeding would cost more than the draws. */
typedef struct wrng {
    uint64_t x;
} wrng;

static inline void wrng_seed(wrng *r, uint64_t key, uint64_t id) { r->x = hash64_mix(key, id); }

static inline uint64_t wrng_u64(wrng *r)
{
    uint64_t z = (r->x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline double wrng_uniform(wrng *r) { return (double)(wrng_u64(r) >> 11) * 0x1.0p-53; }

/* [0, n): multiply-shift; the bias, n / 2^64, is far below anything measured. */
static inline uint64_t wrng_below(wrng *r, uint64_t n)
{
    return (uint64_t)(((u128)wrng_u64(r) * n) >> 64);
}

static inline bool wrng_chance(wrng *r, double p) { return wrng_uniform(r) < p; }

/* Exponential by inversion (exact: arrivals must be a Poisson stream). */
double wrng_exponential(wrng *r, double mean);
/* Standard normal by inverting the CDF (one uniform, no trigonometry). */
double wrng_normal(wrng *r);
double world_norm_inv(double p);

/* listings.c */
int64_t world_fs_end(const world *w, uint64_t zpid, int64_t listed);
void world_life(const world *w, uint64_t zpid, int64_t listed, wl_life *out);

/* build.c: the listing zpid of zip zi with life L, as it is at time t (any
 * time from L->listed until L->gone). Returns the first second after t at
 * which any field but scraped_at may differ. */
int64_t world_build(const world *w, size_t zi, uint64_t zpid, const wl_life *L, rt_time t,
                    proto_resi_listing *out);

/* zips.c: load and rank the CSV into w (p and seed already set). */
int world_zips_load(world *w, const char *path, err *e);
/* listings.c: per-zip generation state, once zips are loaded. */
int world_listings_init(world *w, err *e);
void world_listings_free(world *w);

#endif
