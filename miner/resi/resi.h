/* resi: the miners of the real-estate subnet (SPEC.md 2.2).
 *
 * A miner scrapes the listings API on its plan's schedule (basic: one search
 * page of 41 listings every 200 s; premium: nine pages, 369 listings, every
 * 120 s), keeps what it scraped in buckets keyed (source, `zip:NNNNN`, hour)
 * - one entity per listing, the newest copy, as data-universe's miner storage
 * replaces by URI - serves validators its index and buckets
 * (net/protocol_resi.h), and uploads each desirability job's new data to the
 * object store. Which zips it scrapes, and how it cheats, is its strategy:
 *
 *   premium-focus  the premium zips (premium_share of the calls; the rest broad)
 *   regional       a list of zips and/or states
 *   broad          every zip of the universe alike
 *   tier-weighted  zip classes (premium, tier1..tier4) by weight
 *   organic        learns from its own rewards: an epsilon-greedy bandit over
 *                  arms (the five classes, or the states) whose reward is the
 *                  change of its own incentive (or of the stake-weighted weight
 *                  validators give it) over a round, read from the metagraph
 *   duplicator     stores some entities twice in their bucket
 *   fabricator     alters fields of some listings, invents others
 *   stale          stops scraping after a while and serves what it has
 *   copier         scrapes nothing: fetches another miner's index and buckets
 *                  as a validator would and serves them as its own
 *   flaky          ignores some requests, restarts now and then, optionally
 *                  losing what it stored
 *
 * The cheaters pick their zips with `select` (premium, regional, broad,
 * tier-weighted). Every parameter, its default and its source is in the kind
 * tables of kinds.c (the scenario reference lists them).
 *
 * Records: `coverage` (per miner and zip it holds, every coverage period:
 * listings, how many scraped in the period, claimed bytes), `miner_activity`
 * (per miner and hour: API calls by outcome, entities, requests served and
 * dropped, uploads) and `miner_learn` (organic miners: one row a round). */
#ifndef SUBNETSIM_MINER_RESI_H
#define SUBNETSIM_MINER_RESI_H

#include "core/core.h"
#include "net/protocol_resi.h"
#include "runtime/rt.h"
#include "scenario/scenario.h"
#include "world/world.h"

/* ------------------------------------------------------ the strategy kinds */

/* Ids of the kinds in slot "miner.strategy" (scenario_kind.id). */
enum {
    RESI_STRATEGY_PREMIUM_FOCUS = 100,
    RESI_STRATEGY_REGIONAL,
    RESI_STRATEGY_BROAD,
    RESI_STRATEGY_TIER_WEIGHTED,
    RESI_STRATEGY_ORGANIC,
    RESI_STRATEGY_DUPLICATOR,
    RESI_STRATEGY_FABRICATOR,
    RESI_STRATEGY_STALE,
    RESI_STRATEGY_COPIER,
    RESI_STRATEGY_FLAKY
};

/* The kinds' tables, and the kinds as initializers: the family lists them
 * beside the validator kinds in one array (RESI_MINER_KINDS ends with a comma). */
extern const scenario_table resi_miner_table_premium, resi_miner_table_regional,
    resi_miner_table_broad, resi_miner_table_tier, resi_miner_table_organic,
    resi_miner_table_duplicator, resi_miner_table_fabricator, resi_miner_table_stale,
    resi_miner_table_copier, resi_miner_table_flaky;

#define RESI_MINER_KIND_(nm, id, tab, docstr) {"miner.strategy", nm, id, &tab, docstr},
#define RESI_MINER_KINDS                                                                         \
    RESI_MINER_KIND_("premium-focus", RESI_STRATEGY_PREMIUM_FOCUS, resi_miner_table_premium,     \
                     "resi: scrapes the ten premium zips (weight 4.0)")                          \
    RESI_MINER_KIND_("regional", RESI_STRATEGY_REGIONAL, resi_miner_table_regional,              \
                     "resi: scrapes a list of zips and/or states")                               \
    RESI_MINER_KIND_("broad", RESI_STRATEGY_BROAD, resi_miner_table_broad,                       \
                     "resi: scrapes every zip alike")                                            \
    RESI_MINER_KIND_("tier-weighted", RESI_STRATEGY_TIER_WEIGHTED, resi_miner_table_tier,        \
                     "resi: picks zip classes (premium, tier1..tier4) by weight")                \
    RESI_MINER_KIND_("organic", RESI_STRATEGY_ORGANIC, resi_miner_table_organic,                 \
                     "resi: learns which zips pay from its own incentive (a bandit)")            \
    RESI_MINER_KIND_("duplicator", RESI_STRATEGY_DUPLICATOR, resi_miner_table_duplicator,        \
                     "resi: stores some entities twice")                                         \
    RESI_MINER_KIND_("fabricator", RESI_STRATEGY_FABRICATOR, resi_miner_table_fabricator,        \
                     "resi: alters or invents listings with a probability")                      \
    RESI_MINER_KIND_("stale", RESI_STRATEGY_STALE, resi_miner_table_stale,                       \
                     "resi: stops refreshing after a while")                                     \
    RESI_MINER_KIND_("copier", RESI_STRATEGY_COPIER, resi_miner_table_copier,                    \
                     "resi: serves another miner's data, fetched as a validator would")          \
    RESI_MINER_KIND_("flaky", RESI_STRATEGY_FLAKY, resi_miner_table_flaky,                       \
                     "resi: ignores requests, restarts, may lose its data")

/* The same kinds on their own (tests, tools). The scenario's kinds are the
 * family's copies: compare kinds by id, not by address. */
extern const scenario_kind resi_miner_kinds[];
extern const size_t resi_miner_nkinds;

/* How a miner picks zips (the honest kinds; the cheaters' `select`). */
enum { RESI_SELECT_PREMIUM, RESI_SELECT_REGIONAL, RESI_SELECT_BROAD, RESI_SELECT_TIER_WEIGHTED };
/* Zip classes: tier-weighted's weights and organic's "tiers" arms. */
enum { RESI_CLASS_PREMIUM, RESI_CLASS_TIER1, RESI_CLASS_TIER2, RESI_CLASS_TIER3,
       RESI_CLASS_TIER4, RESI_NCLASSES };
extern const char *const resi_class_names[];   /* "premium", "tier1", ... */
/* API plans, in world_plan order. */
extern const char *const resi_plan_names[];    /* "basic", "premium", "unlimited" */

enum { RESI_ORDER_CYCLE, RESI_ORDER_RANDOM };
enum { RESI_ARMS_TIERS, RESI_ARMS_STATES };
enum { RESI_SIGNAL_INCENTIVE, RESI_SIGNAL_WEIGHTS };
enum { RESI_DUP_EXACT, RESI_DUP_RESCRAPE };

/* Every kind binds into this one struct; a kind's table lists the fields it
 * takes (the others stay zero). Durations in microseconds. */
typedef struct resi_miner_cfg {
    /* all kinds */
    int plan;                    /* world_plan */
    int64_t scrape_every_us;     /* 0: the plan's */
    int64_t entities;            /* a scrape's listings; 0: the plan's */
    int64_t pages_per_zip;       /* pages of one zip before the next; 0: all */
    bool allow_over_quota;       /* a schedule the quota cannot pay is refused unless set */
    int64_t upload_every_us;     /* S3 uploads; 0: never */
    int64_t retention_us;        /* buckets older than this are dropped */
    /* zip selection */
    int select;                  /* RESI_SELECT_*: the kind's own, or a cheater's choice */
    scenario_strings zips;       /* regional */
    scenario_strings states;     /* regional */
    int order;                   /* RESI_ORDER_* within a pool */
    double premium_share;        /* premium-focus */
    scenario_map class_weights;  /* tier-weighted: class name -> weight */
    /* organic */
    int arms;                    /* RESI_ARMS_* */
    int signal;                  /* RESI_SIGNAL_* */
    double epsilon;
    double learning_rate;
    int64_t epochs_per_round;    /* signal incentive */
    int64_t round_us;            /* signal weights */
    /* duplicator */
    double p_duplicate;
    int dup_mode;                /* RESI_DUP_* */
    /* fabricator */
    double p_alter;
    scenario_strings alter;      /* "price", "area", "address", "inflate" */
    double p_invent;
    /* stale */
    int64_t stop_after_us;
    /* copier */
    const char *target;          /* a miner's hotkey (or a group of one) */
    int64_t copy_every_us;
    int64_t copy_buckets;        /* buckets fetched a round at most */
    bool also_scrape;
    /* flaky */
    double p_drop;
    int64_t restart_every_us;    /* mean time between restarts; 0: never */
    int64_t downtime_us;
    bool lose_state;
} resi_miner_cfg;

/* PROTO_RESI_ALTER_* bits of a fabricator's `alter` list; -1 on an unknown name. */
int resi_alter_bits(const scenario_strings *names, size_t *bad);

/* ------------------------------------------------------------ the miner */

/* A plan's scrape schedule (SPEC 2.2) beside its API quota. */
typedef struct resi_plan_schedule {
    int64_t scrape_every_us;
    int64_t entities;
} resi_plan_schedule;

/* Content sizes shared by a run's miners (sizes.c): a listing's JSON length
 * kept per zpid while its changing fields stay the same. NULL everywhere
 * means "measure every time" (same results, slower). */
typedef struct resi_sizes resi_sizes;
int resi_sizes_new(unsigned log2_slots, resi_sizes **out);
void resi_sizes_free(resi_sizes *s);
/* proto_resi_listing_size(l), from the cache when it can. */
uint32_t resi_sizes_get(resi_sizes *s, const proto_resi_listing *l);
void resi_sizes_counts(const resi_sizes *s, uint64_t *hits, uint64_t *misses);
/* Start loading zpid's slot (a page's listings are looked up together). */
void resi_sizes_prefetch(const resi_sizes *s, uint64_t zpid);

/* What the family gives every miner: the world and the actors it talks to.
 * Everything outlives the miners. */
typedef struct resi_miner_env {
    world *w;
    world_api *api;              /* the listings API: the miner sets its own plan there */
    rt_actor s3, chain;
    rt_actor supervisor;         /* owns flaky restarts' timers (RT_NO_ACTOR: none) */
    uint16_t netuid;
    rt_time block_time;
    bool as_designed;            /* desirability: tier jobs upload too */
    int64_t coverage_every_us;   /* coverage rows; 0: none */
    int page_size;
    resi_plan_schedule plans[WORLD_PLAN_COUNT];
    resi_sizes *sizes;           /* shared size cache, or NULL */
} resi_miner_env;

typedef struct resi_miner resi_miner;

/* Adds the miner actor `hotkey` (copied) to r; it starts scraping at `start`
 * (its registration), at a random offset within its first period. The
 * strategy's kind must be one of resi_miner_kinds. Errors: ERR_INPUT (a zip,
 * state or target the world or runtime does not know), ERR_NOMEM. */
int resi_miner_new(rt *r, const resi_miner_env *env, const char *hotkey,
                   const scenario_variant *strategy, rt_time start, resi_miner **out, err *e);
void resi_miner_free(resi_miner *m);
rt_actor resi_miner_actor(const resi_miner *m);
/* Write the rows still open (coverage and activity): call once the run ended. */
void resi_miner_flush(resi_miner *m);

/* What a miner holds and has done (tests, benchmarks). */
typedef struct resi_miner_stats {
    size_t entities, buckets, zips;
    uint64_t bytes;              /* claimed */
    int64_t calls, calls_ok, calls_failed;
    int64_t stored, refreshed, altered, invented, duplicated, copied;
    int64_t index_served, buckets_served, dropped, restarts;
    int64_t uploads, uploads_failed;
    size_t memory;               /* bytes of storage */
} resi_miner_stats;

void resi_miner_stats_get(const resi_miner *m, resi_miner_stats *out);
/* The index as a validator would get it now (one reference: release it). */
proto_resi_index *resi_miner_index(resi_miner *m);
/* A bucket as served (free() it), NULL when the miner has no such bucket. */
proto_resi_bucket_reply *resi_miner_bucket(resi_miner *m, const proto_resi_bucket_id *id);
/* An organic miner's current arm and its learned values (NULL, 0 otherwise). */
size_t resi_miner_arms(const resi_miner *m, const double **values, size_t *current);

/* Record tables. */
extern const rt_table resi_coverage_table;
extern const rt_table resi_activity_table;
extern const rt_table resi_learn_table;

#endif
