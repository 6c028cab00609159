/* Private to sim/runner: the real-estate family's scenario section and glue.
 * family_resi_schema.c holds the section's tables and profiles,
 * family_resi_check.c the load-time checks that need the zip universe,
 * family_resi.c the runner family that builds the world and the neurons. */
#ifndef SUBNETSIM_RUNNER_FAMILY_RESI_H
#define SUBNETSIM_RUNNER_FAMILY_RESI_H

#include "miner/resi/resi.h"
#include "runner/runner.h"
#include "validator/resi/resi.h"
#include "world/world.h"

/* validator/resi's kinds and its testnet profile values join the family here
 * (each ends with a comma, or is empty). */
#ifndef RESI_VALIDATOR_KINDS
#define RESI_VALIDATOR_KINDS
#endif
#ifndef RESI_VALIDATOR_TESTNET_DEFAULTS
#define RESI_VALIDATOR_TESTNET_DEFAULTS
#endif

/* The "resi" section. Durations in microseconds. */
typedef struct resi_world_cfg {
    const char *zip_file;
    int64_t epoch_unix_s;
    int64_t top_n;
    scenario_ints tier_max_rank;
    scenario_numbers tier_weights;
    scenario_strings premium;
    double premium_weight;
    double listings_per_1000;
    double for_sale_mean_days, for_sale_max_days, p_withdrawn;
    double pending_mean_days, sold_visible_days;
    double price_changes_per_day, p_price_cut;
    double zip_price_median, rent_yield;
    int64_t page_size, max_pages;
    double cache_mb;
} resi_world_cfg;

typedef struct resi_api_faults_cfg {
    double p_404, p_429, p_5xx, p_timeout;
    int64_t status_5xx;
} resi_api_faults_cfg;

typedef struct resi_api_cfg {
    int64_t quota_period_us, search_latency_us, lookup_latency_us;
    double latency_sigma;
    int64_t hang_release_us;
    resi_api_faults_cfg faults;
} resi_api_cfg;

typedef struct resi_plan_cfg {
    int64_t quota;
    double rate_per_s, burst;
    int64_t scrape_every_us;
    int64_t entities;
} resi_plan_cfg;

typedef struct resi_plans_cfg {
    resi_plan_cfg basic, premium, unlimited;   /* world_plan order */
} resi_plans_cfg;

/* A plan by world_plan. */
const resi_plan_cfg *resi_plan_get(const resi_plans_cfg *p, int plan);

typedef struct resi_s3_cfg {
    int64_t latency_us;
    double latency_sigma;
} resi_s3_cfg;

enum { RESI_AS_DEPLOYED, RESI_AS_DESIGNED };
extern const char *const resi_desirability_names[];

typedef struct resi_section {
    int desirability;
    const char *data_dir;
    int64_t coverage_every_us;
    resi_world_cfg world;
    resi_api_cfg api;
    resi_plans_cfg plans;
    resi_s3_cfg s3;
} resi_section;

typedef struct resi_root {
    resi_section resi;
} resi_root;

/* Threshold metrics of the family (slot "metric"); sim/report measures them
 * (report_family_resi). Each reads a record table over zips, so each takes
 * where.tier. */
enum {
    RESI_METRIC_COVERAGE = 300,
    RESI_METRIC_EVALUATION_SUCCESS,
    RESI_METRIC_API_CHECK_SUCCESS,
    RESI_METRIC_API_CHECK_MADE
};

extern const scenario_table resi_root_table;
extern const scenario_profile resi_profiles[];
extern const size_t resi_nprofiles;

/* family_resi_check.c: the root's check hook (plans and quotas, zips and
 * states against the universe, copier targets). */
int resi_check_root(scenario_ctx *c, void *obj);

/* Fill the world, API and object store parameters from a section (over the
 * world profile resi-2025-09 for what the section does not name). */
int resi_section_params(const resi_section *s, world_params *wp, world_api_params *ap,
                        world_s3_params *sp, err *e);
/* Is this miner group one of the family's (a resi strategy)? */
bool resi_is_miner_kind(const scenario_kind *k);

#endif
