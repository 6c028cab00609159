/* The world's profiles: every default in one table, each with its source.
 * SPEC = /SPEC.md section 2.1 (the testnet-428 plan); resi = resi-labs-ai/resi
 * at a0996088. Numbers marked "model" are this simulator's choices where the
 * subnet says nothing: plausible US-market figures, to be overridden freely. */
#include "world/world_internal.h"

#include <string.h>

static const world_profile profiles[] = {
    {
        .name = "resi-2025-09",
        .world = {
            .data_dir = NULL,
            .zip_file = "us_zipcodes.csv",
            /* 2025-09-12 00:00 UTC: the date of resi a0996088 and the testnet-428 plan */
            .epoch_unix_s = 1757635200,
            /* SPEC 2.1: "the 7,572 most populous US zipcodes" (population rank
             * stands in for Zillow's SizeRank) */
            .top_n = 7572,
            /* SPEC 2.1: tiers by rank <=100, <=500, <=2000, else tier 4 */
            .tier_max_rank = {100, 500, 2000},
            /* SPEC 2.1: tier weights 3.0, 2.0, 1.5, 1.0 */
            .tier_weight = {3.0, 2.0, 1.5, 1.0},
            /* SPEC 2.1 and notes/resi-multi-miner-evaluation-day2.md: the ten
             * premium zips, weight 4.0 */
            .premium = {"77494", "08701", "77449", "77084", "79936", "11385", "78660", "11208",
                        "90011", "77433"},
            .npremium = 10,
            .premium_weight = 4.0,
            /* model: ~1.1M active US for-sale listings (2025 market reports) over
             * 334M residents (sum of the CSV's population) */
            .listings_per_1000 = 3.3,
            /* model: median days on market ~40-60 in 2025; exponential, so a
             * copy goes stale at a constant rate */
            .for_sale_mean_days = 60,
            /* model: a listing agreement runs out after about a year */
            .for_sale_max_days = 365,
            /* model: delistings ran near one in five listings in 2025 */
            .p_withdrawn = 0.2,
            /* model: 30-45 days from contract to closing */
            .pending_mean_days = 30,
            /* model: Zillow shows "sold" a while, then the page drops off search */
            .sold_visible_days = 30,
            /* model: about one in five listings takes a price cut in a month */
            .price_changes_per_day = 1.0 / 120,
            .p_price_cut = 0.9,
            .price_cut_min = 0.01,
            .price_cut_max = 0.08,
            .price_raise_min = 0.01,
            .price_raise_max = 0.05,
            /* model: US median list price ~$420K in 2025 */
            .zip_price_median = 420000,
            .zip_price_sigma = 0.45,
            .listing_price_sigma = 0.25,
            .zestimate_sigma = 0.05,
            .zestimate_noise = 0.02,
            .zestimate_update_days = 7,
            /* model: gross rent yield ~6.5%/year */
            .rent_yield = 0.0055,
            .spread_deg = 0.012,
            /* SPEC 2.1 and resi's API_RATE_LIMITING_REQUIREMENTS.md: "~41
             * properties" a propertyExtendedSearch page */
            .page_size = 41,
            /* model: Zillow's own search stops at 20 pages (820 homes) */
            .max_pages = 20,
            /* speed: the scale benchmark's day costs the world 19.5 s of CPU
             * with no reuse, 9.4 s with 64 MB, 7.5 s with 256 MB
             * (tests/bench/RESULTS.md) */
            .cache_mb = 64,
        },
        .api = {
            .name = "listings-api",
            .plans = {
                /* SPEC 2.1 (resi API_RATE_LIMITING_REQUIREMENTS.md): basic 13,000
                 * calls a month; 2 req/s (resi rapid_zillow_scraper.py
                 * MAX_REQUESTS_PER_SECOND, SPEC: "validators 2 req/s") */
                [WORLD_PLAN_BASIC] = {13000, 2.0, 2.0},
                /* SPEC 2.1: premium 198,000 calls a month; same rate limit */
                [WORLD_PLAN_PREMIUM] = {198000, 2.0, 2.0},
                /* for tests and what-if runs */
                [WORLD_PLAN_UNLIMITED] = {0, 0, 0},
            },
            .default_plan = WORLD_PLAN_BASIC,
            /* resi API_RATE_LIMITING_REQUIREMENTS.md: days_in_month = 30 */
            .quota_period_us = 30LL * 86400 * 1000000,
            /* model: RapidAPI answers in a few hundred milliseconds */
            .search_latency_us = 450000,
            .lookup_latency_us = 300000,
            .latency_sigma = 0.5,
            .usage_bucket_us = 3600LL * 1000000,
            /* model: a gateway gives up on a hung backend after minutes */
            .hang_release_us = 600LL * 1000000,
            .faults = {0, 0, 0, 0, 500},
        },
    },
};

const world_profile *world_profile_find(const char *name)
{
    for (size_t i = 0; i < sizeof profiles / sizeof profiles[0]; i++)
        if (name && !strcmp(profiles[i].name, name))
            return &profiles[i];
    return NULL;
}

const char *world_plan_name(world_plan plan)
{
    static const char *const names[] = {"basic", "premium", "unlimited"};
    return plan >= 0 && plan < WORLD_PLAN_COUNT ? names[plan] : "?";
}

static bool in01(double x) { return x >= 0 && x <= 1; }

static int bad(err *e, const char *field, const char *what)
{
    return err_set(e, ERR_INPUT, "world.%s %s", field, what);
}

static int check_universe(const world_params *p, err *e)
{
    if (p->top_n < 1)
        return bad(e, "top_n", "must be at least 1");
    for (int i = 0; i < WORLD_TIERS - 1; i++)
        if (p->tier_max_rank[i] < 1 || (i && p->tier_max_rank[i] <= p->tier_max_rank[i - 1]))
            return bad(e, "tier_max_rank", "must be positive and increasing");
    for (int i = 0; i < WORLD_TIERS; i++)
        if (!(p->tier_weight[i] >= 0))
            return bad(e, "tier_weight", "must not be negative");
    if (p->npremium < 0 || p->npremium > WORLD_PREMIUM_MAX)
        return bad(e, "premium", "holds at most 32 zips");
    if (!(p->premium_weight >= 0))
        return bad(e, "premium_weight", "must not be negative");
    return 0;
}

static int check_listings(const world_params *p, err *e)
{
    if (!(p->listings_per_1000 >= 0 && p->listings_per_1000 <= 1000))
        return bad(e, "listings_per_1000", "must be between 0 and 1000");
    if (!(p->for_sale_mean_days > 0) || !(p->for_sale_max_days >= 1) ||
        p->for_sale_max_days > 3650)
        return bad(e, "for_sale_mean_days", "and for_sale_max_days must be > 0 and 1..3650");
    if (!(p->pending_mean_days > 0) || !(p->sold_visible_days >= 0) ||
        p->sold_visible_days > 3650)
        return bad(e, "pending_mean_days", "must be > 0, sold_visible_days 0..3650");
    if (!in01(p->p_withdrawn) || !in01(p->p_price_cut))
        return bad(e, "p_withdrawn", "and p_price_cut must be probabilities");
    if (!(p->price_changes_per_day >= 0))
        return bad(e, "price_changes_per_day", "must not be negative");
    if (!(p->price_cut_min >= 0 && p->price_cut_min <= p->price_cut_max && p->price_cut_max < 1))
        return bad(e, "price_cut_min", "<= price_cut_max < 1 must hold");
    if (!(p->price_raise_min >= 0 && p->price_raise_min <= p->price_raise_max &&
          p->price_raise_max <= 1))
        return bad(e, "price_raise_min", "<= price_raise_max <= 1 must hold");
    if (!(p->zip_price_median >= 1000 && p->zip_price_median <= 1e8))
        return bad(e, "zip_price_median", "must be between 1000 and 1e8");
    double sig[] = {p->zip_price_sigma, p->listing_price_sigma, p->zestimate_sigma,
                    p->zestimate_noise};
    for (int i = 0; i < 4; i++)
        if (!(sig[i] >= 0 && sig[i] <= 1))
            return bad(e, "zip_price_sigma", "and the other sigmas must be between 0 and 1");
    if (!(p->zestimate_update_days > 0) || !(p->rent_yield >= 0 && p->rent_yield < 1))
        return bad(e, "zestimate_update_days", "must be > 0 and rent_yield in [0, 1)");
    if (!(p->spread_deg >= 0 && p->spread_deg <= 1))
        return bad(e, "spread_deg", "must be between 0 and 1");
    return 0;
}

int world_params_check(const world_params *p, err *e)
{
    int rc = check_universe(p, e);
    if (!rc)
        rc = check_listings(p, e);
    if (rc)
        return rc;
    if (p->page_size < 1 || p->page_size > 1000)
        return bad(e, "page_size", "must be between 1 and 1000");
    if (p->max_pages < 0)
        return bad(e, "max_pages", "must not be negative");
    if (!(p->cache_mb >= 0))
        return bad(e, "cache_mb", "must not be negative");
    return 0;
}

int world_api_params_check(const world_api_params *p, err *e)
{
    if (!p->name || !*p->name)
        return err_set(e, ERR_INPUT, "world.api.name must not be empty");
    for (int i = 0; i < WORLD_PLAN_COUNT; i++) {
        const world_plan_params *pl = &p->plans[i];
        if (pl->quota < 0 || !(pl->rate_per_s >= 0) || !(pl->burst >= 0) ||
            (pl->rate_per_s > 0 && pl->burst < 1))
            return err_set(e, ERR_INPUT, "world.api.plans.%s: quota and rate must not be "
                           "negative, burst at least 1 with a rate", world_plan_name(i));
    }
    if (p->default_plan < 0 || p->default_plan >= WORLD_PLAN_COUNT)
        return err_set(e, ERR_INPUT, "world.api.default_plan is not a plan");
    if (p->quota_period_us <= 0 || p->usage_bucket_us <= 0 || p->hang_release_us < 0)
        return err_set(e, ERR_INPUT, "world.api.quota_period and usage_bucket must be > 0, "
                       "hang_release >= 0");
    if (p->search_latency_us < 0 || p->lookup_latency_us < 0 ||
        !(p->latency_sigma >= 0 && p->latency_sigma <= 3))
        return err_set(e, ERR_INPUT, "world.api latencies must not be negative, sigma 0..3");
    const world_api_faults *f = &p->faults;
    if (!in01(f->p_404) || !in01(f->p_429) || !in01(f->p_5xx) || !in01(f->p_timeout) ||
        f->p_404 + f->p_429 + f->p_5xx + f->p_timeout > 1 + 1e-12)
        return err_set(e, ERR_INPUT, "world.api.faults: probabilities must sum to at most 1");
    if (f->status_5xx < 500 || f->status_5xx > 599)
        return err_set(e, ERR_INPUT, "world.api.faults.status_5xx must be 500..599");
    return 0;
}
