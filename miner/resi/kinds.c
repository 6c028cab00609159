/* The resi miner strategies as scenario kinds (slot "miner.strategy"): every
 * parameter with its default and where the number comes from. This is the
 * profile table of the miners: SPEC = /SPEC.md section 2 (profile
 * resi-2025-09); "model" marks this simulator's own choice where the subnet
 * says nothing. All kinds bind into resi_miner_cfg. */
#include "miner/resi/resi.h"

#include <string.h>

#define T resi_miner_cfg
#define DAY 86400e6

const char *const resi_plan_names[] = {"basic", "premium", "unlimited", NULL};
static const char *const select_names[] = {"premium", "regional", "broad", "tier-weighted", NULL};
static const char *const order_names[] = {"cycle", "random", NULL};
static const char *const arms_names[] = {"tiers", "states", NULL};
static const char *const signal_names[] = {"incentive", "weights", NULL};
static const char *const dup_names[] = {"exact", "rescrape", NULL};
static const char *const alter_names[] = {"price", "area", "address", "inflate", NULL};
static const int alter_values[] = {PROTO_RESI_ALTER_PRICE, PROTO_RESI_ALTER_AREA,
                                   PROTO_RESI_ALTER_ADDRESS, PROTO_RESI_ALTER_INFLATE};

int resi_alter_bits(const scenario_strings *names, size_t *bad)
{
    int bits = 0;
    for (size_t i = 0; i < names->n; i++) {
        int k = 0;
        while (alter_names[k] && strcmp(alter_names[k], names->v[i]))
            k++;
        if (!alter_names[k]) {
            *bad = i;
            return -1;
        }
        bits |= alter_values[k];
    }
    return bits;
}

/* ------------------------------------------------------------------ fields */

/* Every kind. */
#define COMMON_FIELDS                                                                             \
    /* SPEC 2.1: the basic RapidAPI plan (13K calls a month) is what a default miner buys */      \
    SCENARIO_FIELD_ENUM(T, plan, "plan", "\"basic\"", resi_plan_names,                            \
                        "listings API plan; sets the quota, the rate limit and the scrape "      \
                        "schedule (basic: 41 listings every 200 s; premium: 369 every 120 s)"),  \
    SCENARIO_FIELD_DURATION(T, scrape_every_us, "scrape_every", SCENARIO_ABSENT, 1e6, 30 * DAY,  \
                            "time between scrapes; absent: the plan's"),                         \
    SCENARIO_FIELD_INT(T, entities, "entities", SCENARIO_ABSENT, 1, 100000,                      \
                       "listings a scrape asks for (one call a 41-listing page); absent: the "   \
                       "plan's"),                                                                \
    /* model: read a zip to its last page (the API stops at 20) before the next zip */           \
    SCENARIO_FIELD_INT(T, pages_per_zip, "pages_per_zip", "0", 0, 1000,                          \
                       "pages of one zip read before the next zip; 0: all of them"),             \
    SCENARIO_FIELD_BOOL(T, allow_over_quota, "allow_over_quota", "false",                        \
                        "accept a schedule that needs more calls than the plan's quota (the "    \
                        "miner then runs out: 429s)"),                                           \
    /* resi dev-docs/0001-miner-storage-validation.md: "5 min testnet, 2 hours mainnet" */       \
    SCENARIO_FIELD_DURATION(T, upload_every_us, "upload_every", "\"2h\"", 0, 30 * DAY,           \
                            "object-store (S3) uploads, one file per job with new data; 0s: "    \
                            "never"),                                                            \
    /* data-universe: miners keep 30 days; SPEC 2.3: age scalar 0 beyond 720 h */                \
    SCENARIO_FIELD_DURATION(T, retention_us, "retention", "\"30d\"", 3600e6, 3650 * DAY,         \
                            "buckets older than this are dropped")

#define ORDER_FIELD                                                                              \
    SCENARIO_FIELD_ENUM(T, order, "order", "\"cycle\"", order_names,                             \
                        "within a pool of zips: cycle through them in a shuffled order, or "     \
                        "draw at random")

#define REGION_FIELDS                                                                            \
    SCENARIO_FIELD_STRINGS(T, zips, "zips", SCENARIO_ABSENT, 5, 100000,                          \
                           "zipcodes (5 digits) of the region; must be in the universe"),        \
    SCENARIO_FIELD_STRINGS(T, states, "states", SCENARIO_ABSENT, 2, 100,                         \
                           "states (\"TX\") whose zips join the region")

/* The cheaters' own zip choice. */
#define SELECT_FIELDS                                                                            \
    SCENARIO_FIELD_ENUM(T, select, "select", "\"broad\"", select_names,                          \
                        "which zips it scrapes, as the honest kinds of the same name"),          \
    REGION_FIELDS, ORDER_FIELD,                                                                  \
    SCENARIO_FIELD_NUMBER(T, premium_share, "premium_share", "1", 0, 1,                          \
                          "select premium: share of calls on the premium zips"),                 \
    CLASS_WEIGHTS_FIELD

/* SPEC 2.1: premium 4.0, tiers 3.0, 2.0, 1.5, 1.0 (the as-designed job weights) */
#define CLASS_WEIGHTS_FIELD                                                                      \
    SCENARIO_FIELD_MAP(T, class_weights, "class_weights",                                        \
                       "{\"premium\": 4, \"tier1\": 3, \"tier2\": 2, \"tier3\": 1.5, "           \
                       "\"tier4\": 1}",                                                          \
                       0, 1e6, 5,                                                                \
                       "weight of each zip class (premium, tier1..tier4): a call picks a class " \
                       "by weight, then the class's next zip")

static const scenario_field premium_fields[] = {
    COMMON_FIELDS, ORDER_FIELD,
    SCENARIO_FIELD_NUMBER(T, premium_share, "premium_share", "1", 0, 1,
                          "share of calls on the premium zips; the rest go to the other zips"),
};

static const scenario_field regional_fields[] = {COMMON_FIELDS, REGION_FIELDS, ORDER_FIELD};

static const scenario_field broad_fields[] = {COMMON_FIELDS, ORDER_FIELD};

static const scenario_field tier_fields[] = {COMMON_FIELDS, ORDER_FIELD, CLASS_WEIGHTS_FIELD};

static const scenario_field organic_fields[] = {
    COMMON_FIELDS, ORDER_FIELD,
    SCENARIO_FIELD_ENUM(T, arms, "arms", "\"tiers\"", arms_names,
                        "what it learns over: the five zip classes, or the states"),
    SCENARIO_FIELD_ENUM(T, signal, "signal", "\"incentive\"", signal_names,
                        "reward: change of its incentive over a round (read after epochs), or "
                        "of the stake-weighted share of validators' weights naming it"),
    /* model: a common epsilon-greedy setting */
    SCENARIO_FIELD_NUMBER(T, epsilon, "epsilon", "0.2", 0, 1,
                          "probability a round explores a uniformly random arm"),
    /* model: a constant step, so old rewards fade as the others move */
    SCENARIO_FIELD_NUMBER(T, learning_rate, "learning_rate", "0.5", 0.001, 1,
                          "step size of the value update"),
    SCENARIO_FIELD_INT(T, epochs_per_round, "epochs_per_round", "1", 1, 1000,
                       "signal incentive: epochs a round lasts"),
    /* SPEC 2.3: validators set weights every 20 min */
    SCENARIO_FIELD_DURATION(T, round_us, "round", "\"20m\"", 60e6, 30 * DAY,
                            "signal weights: how long a round lasts"),
};

static const scenario_field duplicator_fields[] = {
    COMMON_FIELDS, SELECT_FIELDS,
    /* model */
    SCENARIO_FIELD_NUMBER(T, p_duplicate, "p_duplicate", "0.1", 0, 1,
                          "probability a stored listing gets a second copy in its bucket"),
    SCENARIO_FIELD_ENUM(T, dup_mode, "mode", "\"exact\"", dup_names,
                        "exact: the same entity twice (same content hash); rescrape: the "
                        "listing a second apart (other content, same URI)"),
};

static const scenario_field fabricator_fields[] = {
    COMMON_FIELDS, SELECT_FIELDS,
    /* model */
    SCENARIO_FIELD_NUMBER(T, p_alter, "p_alter", "0.1", 0, 1,
                          "probability a stored listing is altered"),
    SCENARIO_FIELD_STRINGS(T, alter, "alter", "[\"price\"]", 16, 4,
                           "what an alteration changes: price (10-30 %), area (living area "
                           "5-25 %), address (street number), inflate (claimed size 51-400 "
                           "bytes over the content)"),
    SCENARIO_FIELD_NUMBER(T, p_invent, "p_invent", "0", 0, 1,
                          "probability a stored listing comes with a made-up one (a real "
                          "listing's content under an unknown zpid)"),
};

static const scenario_field stale_fields[] = {
    COMMON_FIELDS, SELECT_FIELDS,
    SCENARIO_FIELD_DURATION(T, stop_after_us, "stop_after", "\"6h\"", 0, 3650 * DAY,
                            "after this long it scrapes no more and serves what it has"),
};

static const scenario_field copier_fields[] = {
    COMMON_FIELDS, SELECT_FIELDS,
    SCENARIO_FIELD_STRING(T, target, "target", SCENARIO_REQUIRED, 128,
                          "hotkey of the miner it copies (a miner group of one: its name)"),
    /* model: often enough to keep up with an hourly bucket */
    SCENARIO_FIELD_DURATION(T, copy_every_us, "copy_every", "\"10m\"", 1e6, 30 * DAY,
                            "how often it fetches the target's index"),
    SCENARIO_FIELD_INT(T, copy_buckets, "copy_buckets", "50", 1, 1000000,
                       "new or changed buckets it fetches a round at most (newest first)"),
    SCENARIO_FIELD_BOOL(T, also_scrape, "also_scrape", "false",
                        "scrape as well, on its plan's schedule"),
};

static const scenario_field flaky_fields[] = {
    COMMON_FIELDS, SELECT_FIELDS,
    /* model */
    SCENARIO_FIELD_NUMBER(T, p_drop, "p_drop", "0.3", 0, 1,
                          "probability it ignores a validator's request (the caller times out)"),
    SCENARIO_FIELD_DURATION(T, restart_every_us, "restart_every", "\"6h\"", 0, 3650 * DAY,
                            "mean time between restarts (exponential); 0s: never"),
    SCENARIO_FIELD_DURATION(T, downtime_us, "downtime", "\"10m\"", 0, 30 * DAY,
                            "how long a restart keeps it down"),
    SCENARIO_FIELD_BOOL(T, lose_state, "lose_state", "false",
                        "a restart loses everything it stored"),
};

/* ------------------------------------------------------------------ checks */

static int unknown_name(scenario_ctx *c, const char *rel, const char *word,
                        const char *const *names, size_t n, const char *what)
{
    const char *s = scenario_suggest(word, names, n);
    if (s)
        return scenario_fail(c, rel, "unknown %s \"%s\"; did you mean \"%s\"?", what, word, s);
    return scenario_fail(c, rel, "unknown %s \"%s\"", what, word);
}

static int check_zip_forms(scenario_ctx *c, const resi_miner_cfg *m)
{
    char rel[48];
    for (size_t i = 0; i < m->zips.n; i++) {
        const char *z = m->zips.v[i];
        bool ok = strlen(z) == 5;
        for (int k = 0; ok && k < 5; k++)
            ok = z[k] >= '0' && z[k] <= '9';
        if (!ok) {
            snprintf(rel, sizeof rel, "zips[%zu]", i);
            return scenario_fail(c, rel, "a zipcode is 5 digits, got \"%s\"", z);
        }
    }
    for (size_t i = 0; i < m->states.n; i++) {
        const char *s = m->states.v[i];
        if (strlen(s) != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z') {
            snprintf(rel, sizeof rel, "states[%zu]", i);
            return scenario_fail(c, rel, "a state is two capital letters (\"TX\"), got \"%s\"", s);
        }
    }
    return 0;
}

static int check_class_weights(scenario_ctx *c, const resi_miner_cfg *m)
{
    double total = 0;
    for (size_t i = 0; i < m->class_weights.n; i++) {
        const char *k = m->class_weights.v[i].key;
        size_t j = 0;
        while (resi_class_names[j] && strcmp(resi_class_names[j], k))
            j++;
        if (!resi_class_names[j]) {
            char rel[64];
            snprintf(rel, sizeof rel, "class_weights.%.40s", k);
            const char *s = scenario_suggest(k, resi_class_names, RESI_NCLASSES);
            return s ? scenario_fail_key(c, rel, "unknown zip class \"%s\"; did you mean \"%s\"?", k, s)
                     : scenario_fail_key(c, rel, "unknown zip class \"%s\" (expected premium, "
                                         "tier1, tier2, tier3 or tier4)", k);
        }
        total += m->class_weights.v[i].value;
    }
    if (!(total > 0))
        return scenario_fail(c, "class_weights", "at least one class needs a weight above 0");
    return 0;
}

/* The selection a kind (or a cheater's `select`) uses must have its inputs. */
static int check_selection(scenario_ctx *c, const resi_miner_cfg *m, int select)
{
    int r = check_zip_forms(c, m);
    if (r)
        return r;
    if (select == RESI_SELECT_REGIONAL && !m->zips.n && !m->states.n)
        return scenario_fail(c, NULL, "a regional selection needs \"zips\" or \"states\"");
    if (select == RESI_SELECT_TIER_WEIGHTED)
        return check_class_weights(c, m);
    return 0;
}

static int check_premium(scenario_ctx *c, void *obj)
{
    return check_selection(c, obj, RESI_SELECT_PREMIUM);
}

static int check_regional(scenario_ctx *c, void *obj)
{
    return check_selection(c, obj, RESI_SELECT_REGIONAL);
}

static int check_tier(scenario_ctx *c, void *obj)
{
    return check_selection(c, obj, RESI_SELECT_TIER_WEIGHTED);
}

static int check_cheater(scenario_ctx *c, void *obj)
{
    const resi_miner_cfg *m = obj;
    return check_selection(c, m, m->select);
}

static int check_fabricator(scenario_ctx *c, void *obj)
{
    const resi_miner_cfg *m = obj;
    int r = check_selection(c, m, m->select);
    if (r)
        return r;
    size_t bad = 0;   /* set whenever resi_alter_bits fails; -O3 cannot see it */
    if (resi_alter_bits(&m->alter, &bad) < 0) {
        char rel[32];
        snprintf(rel, sizeof rel, "alter[%zu]", bad);
        return unknown_name(c, rel, m->alter.v[bad], alter_names, 4, "alteration");
    }
    if (m->p_alter > 0 && !m->alter.n)
        return scenario_fail(c, "alter", "p_alter is above 0 but nothing is named to alter");
    return 0;
}

static int check_copier(scenario_ctx *c, void *obj)
{
    const resi_miner_cfg *m = obj;
    if (!m->target || !*m->target)
        return scenario_fail(c, "target", "name the miner to copy");
    return m->also_scrape ? check_selection(c, m, m->select) : check_zip_forms(c, m);
}

/* ------------------------------------------------------------------ kinds */

#define TABLE(nm, arr, chk, docstr) SCENARIO_TABLE(nm, T, arr, chk, docstr)

const scenario_table resi_miner_table_premium =
    TABLE("resi_premium_focus", premium_fields, check_premium, "premium-focus miner");
const scenario_table resi_miner_table_regional =
    TABLE("resi_regional", regional_fields, check_regional, "regional miner");
const scenario_table resi_miner_table_broad = TABLE("resi_broad", broad_fields, NULL, "broad miner");
const scenario_table resi_miner_table_tier =
    TABLE("resi_tier_weighted", tier_fields, check_tier, "tier-weighted miner");
const scenario_table resi_miner_table_organic =
    TABLE("resi_organic", organic_fields, NULL, "organic (learning) miner");
const scenario_table resi_miner_table_duplicator =
    TABLE("resi_duplicator", duplicator_fields, check_cheater, "duplicator miner");
const scenario_table resi_miner_table_fabricator =
    TABLE("resi_fabricator", fabricator_fields, check_fabricator, "fabricator miner");
const scenario_table resi_miner_table_stale =
    TABLE("resi_stale", stale_fields, check_cheater, "stale miner");
const scenario_table resi_miner_table_copier =
    TABLE("resi_copier", copier_fields, check_copier, "copier miner");
const scenario_table resi_miner_table_flaky =
    TABLE("resi_flaky", flaky_fields, check_cheater, "flaky miner");

const scenario_kind resi_miner_kinds[] = {RESI_MINER_KINDS};
const size_t resi_miner_nkinds = sizeof resi_miner_kinds / sizeof *resi_miner_kinds;
