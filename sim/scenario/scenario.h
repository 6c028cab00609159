/* scenario: a scenario file (JSON with comments) -> a validated, defaulted C
 * struct, with every error naming file:line:column and the JSON path:
 *
 *     scenarios/x.json:14:9: validators[1].stake: expected a number >= 0, got "lots"
 *
 * Two halves:
 *  - a declarative binder: tables of fields (name, type, offset into a C struct,
 *    default as JSON text, range, enum names, sub-table, doc line) bind a jdoc
 *    into typed structs. Unknown keys, wrong types, out-of-range values and
 *    missing required keys are errors (with a "did you mean" where one fits);
 *    cross-field rules run in a table's `check` hook, which reports through
 *    scenario_fail() with the same precision. The tables also generate the JSON
 *    Schema and the field reference (scenarios/), so docs and loader agree.
 *  - the Core schema (core_schema.c): chain, subnets, validator and miner
 *    groups, thresholds, records: `scenario` below.
 *
 * Families (real estate, 3D, faults, ...) extend a scenario without touching
 * the core tables: a `scenario_family` adds top-level sections, kinds in the
 * variant slots (validator policies, miner strategies), threshold metrics and
 * profiles. Callers pass the families they link in; nothing registers itself
 * into global state.
 *
 * Ownership: everything a loaded scenario points to (strings, arrays, variant
 * configs, family sections, the original text) lives in one allocation arena
 * freed by scenario_free(). Treat it as read-only. */
#ifndef SUBNETSIM_SCENARIO_H
#define SUBNETSIM_SCENARIO_H

#include "core/core.h"
#include "json/json.h"

/* Files above this size are refused before parsing. */
#define SCENARIO_MAX_BYTES ((size_t)16 << 20)
/* Arrays, lists and maps without their own limit hold at most this many. */
#define SCENARIO_MAX_ITEMS 100000
/* Integers travel as JSON numbers (doubles): exact up to 2^53. */
#define SCENARIO_INT_LIMIT 9007199254740992.0

/* ============================================================ the binder */

typedef enum scenario_type {
    SCENARIO_BOOL,      /* bool */
    SCENARIO_INT,       /* int64_t; a JSON integer within [min, max] */
    SCENARIO_NUMBER,    /* double; finite, within [min, max] */
    SCENARIO_STRING,    /* const char *; max = longest length allowed (0: 4096) */
    SCENARIO_ENUM,      /* int: index into choices */
    SCENARIO_DURATION,  /* int64_t microseconds; a string "250ms" "90s" "5m" "24h"
                           "30d" (bare numbers are refused: seconds? blocks?);
                           min/max in microseconds */
    SCENARIO_MOMENT,    /* scenario_moment: a block number or a duration string */
    SCENARIO_OBJECT,    /* an embedded struct described by table */
    SCENARIO_ARRAY,     /* SCENARIO_ARRAY(T): JSON array of objects (table) */
    SCENARIO_INTS,      /* scenario_ints: array of integers in [min, max] */
    SCENARIO_NUMBERS,   /* scenario_numbers: array of numbers in [min, max] */
    SCENARIO_STRINGS,   /* scenario_strings: array of strings */
    SCENARIO_MAP,       /* scenario_map: object of string -> number in [min, max] */
    SCENARIO_VARIANT,   /* scenario_variant: {"kind": K, ...K's fields}, K from slot;
                           the bare string "K" stands for {"kind": "K"} */
    SCENARIO_NAME       /* const scenario_kind *: a string naming a kind of slot */
} scenario_type;

/* A field's default: JSON text ("360", "\"12s\"", "{}"), or one of these. */
#define SCENARIO_REQUIRED NULL
/* Optional without a default: absent leaves the zero value (0, NULL, false),
 * and the effective JSON leaves a zero value out. */
extern const char scenario_absent[];
#define SCENARIO_ABSENT scenario_absent

typedef struct scenario_table scenario_table;

typedef struct scenario_field {
    const char *name;            /* the JSON key */
    scenario_type type;
    size_t offset;               /* of the value (arrays: of their `v`) */
    size_t count_offset;         /* arrays, lists, maps: of their `n` */
    const char *def;             /* JSON text, SCENARIO_REQUIRED or SCENARIO_ABSENT */
    double min, max;             /* ints, numbers, durations, list and map elements */
    size_t max_items;            /* arrays, lists, maps; 0: SCENARIO_MAX_ITEMS */
    const char *const *choices;  /* enums: NULL-terminated */
    const scenario_table *table; /* objects and array elements */
    const char *slot;            /* variants and names: "validator.policy", "metric" */
    const char *doc;             /* one line, for the schema and the reference */
} scenario_field;

typedef struct scenario_ctx scenario_ctx;

struct scenario_table {
    const char *name;            /* "subnet": the schema's $defs key */
    size_t size;                 /* sizeof the struct it fills */
    const scenario_field *fields;
    size_t nfields;
    /* Cross-field rules, run once the object's fields are bound (may be NULL).
     * obj is the struct; report with scenario_fail(). Returns 0 or an error. */
    int (*check)(scenario_ctx *c, void *obj);
    const char *doc;
};

#define SCENARIO_TABLE(nm, T, fieldarr, checkfn, docstr)                                    \
    {.name = (nm), .size = sizeof(T), .fields = (fieldarr),                                  \
     .nfields = sizeof(fieldarr) / sizeof *(fieldarr), .check = (checkfn), .doc = (docstr)}

/* Storage of the compound types. */
#define SCENARIO_ARRAY(T) struct { T *v; size_t n; }
typedef struct scenario_ints { int64_t *v; size_t n; } scenario_ints;
typedef struct scenario_numbers { double *v; size_t n; } scenario_numbers;
typedef struct scenario_strings { const char **v; size_t n; } scenario_strings;
typedef struct scenario_map_entry { const char *key; double value; } scenario_map_entry;
typedef struct scenario_map { scenario_map_entry *v; size_t n; } scenario_map;  /* file order */

typedef struct scenario_moment {
    bool at_block;   /* true: `block`; false: `us` after the start */
    int64_t block;
    int64_t us;
} scenario_moment;

typedef struct scenario_kind scenario_kind;
typedef struct scenario_variant {
    const scenario_kind *kind;
    void *cfg;       /* kind->table's struct */
} scenario_variant;

/* Field definitions for tables: T is the struct, m its member, key the JSON name,
 * D the default (JSON text, SCENARIO_REQUIRED or SCENARIO_ABSENT). */
#define SCENARIO_F_(T, m, key, ty, D, docstr)                                                \
    .name = (key), .type = (ty), .offset = offsetof(T, m), .def = (D), .doc = (docstr)
#define SCENARIO_FIELD_BOOL(T, m, key, D, docstr) {SCENARIO_F_(T, m, key, SCENARIO_BOOL, D, docstr)}
#define SCENARIO_FIELD_INT(T, m, key, D, lo, hi, docstr)                                     \
    {SCENARIO_F_(T, m, key, SCENARIO_INT, D, docstr), .min = (lo), .max = (hi)}
#define SCENARIO_FIELD_NUMBER(T, m, key, D, lo, hi, docstr)                                  \
    {SCENARIO_F_(T, m, key, SCENARIO_NUMBER, D, docstr), .min = (lo), .max = (hi)}
#define SCENARIO_FIELD_STRING(T, m, key, D, maxlen, docstr)                                  \
    {SCENARIO_F_(T, m, key, SCENARIO_STRING, D, docstr), .max = (maxlen)}
#define SCENARIO_FIELD_ENUM(T, m, key, D, names, docstr)                                     \
    {SCENARIO_F_(T, m, key, SCENARIO_ENUM, D, docstr), .choices = (names)}
#define SCENARIO_FIELD_DURATION(T, m, key, D, lo_us, hi_us, docstr)                          \
    {SCENARIO_F_(T, m, key, SCENARIO_DURATION, D, docstr), .min = (lo_us), .max = (hi_us)}
#define SCENARIO_FIELD_MOMENT(T, m, key, D, docstr)                                          \
    {SCENARIO_F_(T, m, key, SCENARIO_MOMENT, D, docstr)}
#define SCENARIO_FIELD_OBJECT(T, m, key, D, tab, docstr)                                     \
    {SCENARIO_F_(T, m, key, SCENARIO_OBJECT, D, docstr), .table = (tab)}
#define SCENARIO_FIELD_ARRAY(T, m, key, D, tab, maxn, docstr)                                \
    {SCENARIO_F_(T, m.v, key, SCENARIO_ARRAY, D, docstr), .count_offset = offsetof(T, m.n), \
     .table = (tab), .max_items = (maxn)}
#define SCENARIO_FIELD_LIST_(T, m, key, ty, D, lo, hi, maxn, docstr)                          \
    {SCENARIO_F_(T, m.v, key, ty, D, docstr), .count_offset = offsetof(T, m.n), .min = (lo), \
     .max = (hi), .max_items = (maxn)}
#define SCENARIO_FIELD_INTS(T, m, key, D, lo, hi, maxn, docstr)                              \
    SCENARIO_FIELD_LIST_(T, m, key, SCENARIO_INTS, D, lo, hi, maxn, docstr)
#define SCENARIO_FIELD_NUMBERS(T, m, key, D, lo, hi, maxn, docstr)                           \
    SCENARIO_FIELD_LIST_(T, m, key, SCENARIO_NUMBERS, D, lo, hi, maxn, docstr)
#define SCENARIO_FIELD_STRINGS(T, m, key, D, maxlen, maxn, docstr)                           \
    SCENARIO_FIELD_LIST_(T, m, key, SCENARIO_STRINGS, D, 0, maxlen, maxn, docstr)
#define SCENARIO_FIELD_MAP(T, m, key, D, lo, hi, maxn, docstr)                               \
    SCENARIO_FIELD_LIST_(T, m, key, SCENARIO_MAP, D, lo, hi, maxn, docstr)
#define SCENARIO_FIELD_VARIANT(T, m, key, D, slotname, docstr)                               \
    {SCENARIO_F_(T, m, key, SCENARIO_VARIANT, D, docstr), .slot = (slotname)}
#define SCENARIO_FIELD_NAME(T, m, key, D, slotname, docstr)                                  \
    {SCENARIO_F_(T, m, key, SCENARIO_NAME, D, docstr), .slot = (slotname)}

/* ------------------------------------------------------------- families */

/* One entry of a slot: a validator policy, a miner strategy, a metric name. */
struct scenario_kind {
    const char *slot;            /* "validator.policy", "miner.strategy", "metric", ... */
    const char *name;            /* what files write: "honest" */
    int id;                      /* the owning family's number, for switch statements */
    const scenario_table *table; /* variants: the fields beside "kind"; names: NULL */
    const char *doc;
};

/* A profile: defaults taken from one snapshot of a real system. `path` names a
 * field by its schema path: keys joined by '.', "[]" for array elements, and
 * "<kind>" after a variant for that kind's fields, e.g. "subnets[].tempo",
 * "chain.block_time", "validators[].policy<honest>.noise". A profile value is
 * used where the file gives none, before the table's default. */
typedef struct scenario_default {
    const char *path;
    const char *json;    /* the value as JSON text */
    const char *source;  /* where the number comes from (SPEC.md) */
} scenario_default;

typedef struct scenario_profile {
    const char *name;    /* "localnet-fast", "resi-2025-09" */
    const char *base;    /* a profile whose values apply beneath this one's, or NULL */
    const char *doc;
    const scenario_default *values;
    size_t nvalues;
} scenario_profile;

typedef struct scenario_family {
    const char *name;                 /* "core", "resi", "gen404", "faults" */
    /* Top-level keys this family owns, bound into a struct of root->size that
     * scenario_section() returns (NULL: the family adds no section). */
    const scenario_table *root;
    const scenario_kind *kinds;
    size_t nkinds;
    const scenario_profile *profiles;
    size_t nprofiles;
} scenario_family;

/* The core family: always loaded first; callers pass only the others. */
extern const scenario_family scenario_core;

/* Whether k is family f's kind with this id: ids are only unique within a
 * family, so model code asks `scenario_kind_is(v->policy.kind, &scenario_core,
 * SCENARIO_POLICY_HONEST)` rather than comparing ids alone. */
bool scenario_kind_is(const scenario_kind *k, const scenario_family *f, int id);

/* ---------------------------------------------------- check hooks' helpers */

/* Report a problem from a table's check hook. `rel` is a path relative to the
 * object being checked ("count", "validators[3].count", NULL: the object); the
 * error sits at the deepest part of it present in the input, and names the
 * full path. Returns ERR_INPUT. */
int scenario_fail(scenario_ctx *c, const char *rel, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The same at a key's position rather than its value's (map keys). */
int scenario_fail_key(scenario_ctx *c, const char *rel, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The scenario being loaded: the core part is complete when a family's root
 * check runs; inside core tables, only what is bound so far. */
const struct scenario *scenario_ctx_scenario(const scenario_ctx *c);
/* The JSON value of a member of the object being checked (NULL: absent). */
const cJSON *scenario_ctx_member(const scenario_ctx *c, const char *key);

/* Edit distance (with transpositions), for "did you mean". */
size_t scenario_edit_distance(const char *a, const char *b);
/* The candidate closest to `word` if close enough to be a likely typo, else NULL. */
const char *scenario_suggest(const char *word, const char *const *cands, size_t n);

/* ========================================================= the Core schema */

/* Hotkeys: a group of count 1 is one neuron whose hotkey is the group's name;
 * a larger group's members are NAME-0 .. NAME-(count-1). */
void scenario_hotkey(const char *group, int64_t count, int64_t i, char *out, size_t n);

typedef struct scenario_chain {
    int64_t block_time_us;       /* "block_time" */
    int64_t block_emission_rao;  /* per block per subnet */
    int64_t owner_cut;           /* of 65535 */
} scenario_chain;

typedef struct scenario_subnet {
    int64_t netuid;
    int64_t tempo;
    int64_t max_allowed_uids;
    int64_t max_allowed_validators;
    int64_t immunity_period;         /* blocks */
    int64_t min_allowed_weights;
    int64_t weights_rate_limit;      /* blocks */
    int64_t kappa;                   /* of 65535 */
    int64_t bonds_moving_average;    /* of 1e6 */
    int64_t bonds_penalty;           /* of 65535 */
    bool yuma3;
    bool liquid_alpha;
    int64_t alpha_low, alpha_high;   /* of 65535 */
    int64_t alpha_sigmoid_steepness;
    int64_t activity_cutoff;         /* blocks */
    bool commit_reveal;
    int64_t reveal_period_epochs;
    int64_t burn_rao;
    int64_t min_non_immune_uids;
    double validator_permit_stake;   /* TAO; the subnet's own code, not the chain's */
    const char *owner;               /* hotkey of the owner's neuron, or NULL */
} scenario_subnet;

/* Validator policies (slot "validator.policy"). */
enum {
    SCENARIO_POLICY_SCRIPTED = 1,
    SCENARIO_POLICY_HONEST,
    SCENARIO_POLICY_COPIER,
    SCENARIO_POLICY_LAZY,
    SCENARIO_POLICY_DEVIATE
};

/* Weight targets (map keys): a hotkey, a group's name (each member gets the
 * weight) or a uid written in decimal; values are relative (normalised). */
typedef struct scenario_weights_step {
    int64_t from_epoch;
    scenario_map weights;
} scenario_weights_step;

typedef struct scenario_policy_scripted {
    SCENARIO_ARRAY(scenario_weights_step) schedule;  /* ascending from_epoch */
} scenario_policy_scripted;

typedef struct scenario_policy_honest {
    double noise;
} scenario_policy_honest;

/* Where a copier copies from: the weight rows other permitted validators have
 * on chain now (stake-weighted), or the last epoch's consensus. */
enum { SCENARIO_COPY_WEIGHTS, SCENARIO_COPY_CONSENSUS };
extern const char *const scenario_copy_names[];   /* "weights", "consensus" */

typedef struct scenario_policy_copier {
    double noise;
    int source;                      /* SCENARIO_COPY_* */
    int64_t late_blocks;             /* acts this many blocks before the next epoch */
} scenario_policy_copier;

typedef struct scenario_policy_lazy {
    int64_t every_epochs;
    int64_t first_epoch;
    int64_t delay_blocks;
    double noise;
} scenario_policy_lazy;

typedef struct scenario_policy_deviate {
    double noise;
    scenario_ints at_epochs;
    scenario_map weights;
} scenario_policy_deviate;

typedef struct scenario_validator {
    const char *name;
    int64_t count;
    double stake;                    /* TAO, each */
    int64_t subnet;                  /* netuid */
    const char *coldkey;             /* NULL: each neuron its own */
    scenario_moment register_at;
    scenario_variant policy;         /* slot "validator.policy" */
} scenario_validator;

/* Miner strategies (slot "miner.strategy"). */
enum { SCENARIO_STRATEGY_PASSIVE = 1 };

typedef struct scenario_quality_change {
    int64_t from_epoch;
    double quality;
} scenario_quality_change;

typedef struct scenario_miner {
    const char *name;
    int64_t count;
    double stake;
    int64_t subnet;
    const char *coldkey;
    scenario_moment register_at;
    double quality;                  /* true quality, what honest validators measure */
    /* Member i of n has quality + spread * (i / (n - 1) - 0.5), clipped to
     * [0, 1] (n == 1: quality); quality_changes move `quality`, not the spread. */
    double quality_spread;
    double quality_jitter;           /* sd of each member's per-epoch variation */
    SCENARIO_ARRAY(scenario_quality_change) quality_changes;
    scenario_variant strategy;       /* slot "miner.strategy" */
} scenario_miner;

/* A miner's true quality at an epoch: the group's quality (or its latest
 * quality_change with from_epoch <= epoch), with member i of a group of n spread
 * evenly over quality +- spread/2, plus its jitter for that epoch (a normal draw
 * from a stream keyed by (seed, hotkey, epoch): the same for every validator),
 * clipped to [0, 1]. The _keyed form takes scenario_jitter_key(s, hotkey),
 * computed once per miner, for callers that ask every epoch. */
uint64_t scenario_jitter_key(const struct scenario *s, const char *hotkey);
double scenario_miner_quality_keyed(const scenario_miner *m, int64_t member, int64_t epoch,
                                    uint64_t jitter_key);
double scenario_miner_quality(const struct scenario *s, const scenario_miner *m, int64_t member,
                              int64_t epoch);

/* Threshold metrics (slot "metric"). */
enum {
    SCENARIO_METRIC_INCENTIVE = 1,
    SCENARIO_METRIC_DIVIDENDS,
    SCENARIO_METRIC_EMISSION,
    SCENARIO_METRIC_CONSENSUS,
    SCENARIO_METRIC_VALIDATOR_TRUST,
    SCENARIO_METRIC_STAKE,
    SCENARIO_METRIC_EMISSION_SHARE
};
enum { SCENARIO_OP_GE, SCENARIO_OP_GT, SCENARIO_OP_LE, SCENARIO_OP_LT, SCENARIO_OP_EQ, SCENARIO_OP_NE };
enum { SCENARIO_AGG_SUM, SCENARIO_AGG_MEAN, SCENARIO_AGG_MIN, SCENARIO_AGG_MAX };
enum { SCENARIO_OVER_LAST, SCENARIO_OVER_MEAN, SCENARIO_OVER_MIN, SCENARIO_OVER_MAX };
extern const char *const scenario_op_names[];       /* ">=", ">", ... by SCENARIO_OP_* */
extern const char *const scenario_agg_names[];      /* "sum", "mean", "min", "max" */
extern const char *const scenario_over_names[];     /* "last", "mean", "min", "max" */

typedef struct scenario_where {
    const char *group;               /* a validator or miner group, or NULL */
    const char *hotkey;              /* one neuron, or NULL */
    int64_t netuid;                  /* 0: every subnet */
    const char *strategy;            /* neurons of this strategy or policy kind, or NULL */
    /* Metrics over zipcodes (a family's: the real-estate one checks the
     * name and that the metric has zips): only zips of this class. */
    const char *tier;
} scenario_where;

typedef struct scenario_threshold {
    const char *name;                /* NULL: reports make one from the fields */
    const scenario_kind *metric;
    scenario_where where;
    int neurons;                     /* SCENARIO_AGG_*: across matching neurons */
    int epochs;                      /* SCENARIO_OVER_*: across epochs from from_epoch */
    int64_t from_epoch;
    int op;                          /* SCENARIO_OP_* */
    double value;
} scenario_threshold;

typedef struct scenario_record {
    bool epochs;                     /* per-epoch neuron state */
    int64_t weights_every_epochs;    /* 0: never */
    int64_t bonds_every_epochs;      /* 0: never */
} scenario_record;

typedef struct scenario_internal scenario_internal;

typedef struct scenario {
    const char *schema;              /* "$schema": for editors; ignored */
    const char *name;
    const char *description;
    int64_t seed;
    const char *profile;             /* NULL: none */
    int64_t duration_us;             /* exactly one of duration_us, epochs is non-zero */
    int64_t epochs;
    scenario_chain chain;
    SCENARIO_ARRAY(scenario_subnet) subnets;
    SCENARIO_ARRAY(scenario_validator) validators;
    SCENARIO_ARRAY(scenario_miner) miners;
    SCENARIO_ARRAY(scenario_threshold) thresholds;
    scenario_record record;

    /* What the run records to be reproducible. */
    const char *path;                /* as given to scenario_load */
    const char *text;                /* the file as read */
    size_t text_len;
    scenario_internal *internal;     /* arena, families, sections: private */
} scenario;

/* ================================================================= loading */

typedef struct scenario_opts {
    /* "path=value" overrides (--set), applied in order to the parsed file before
     * binding: value is JSON if it parses as JSON, else a string; null removes
     * the key (its default applies). */
    const char *const *sets;
    size_t nsets;
    bool has_seed;                   /* --seed: replaces "seed" */
    int64_t seed;
    const scenario_family *const *families;   /* beside scenario_core */
    size_t nfamilies;
    size_t max_bytes;                /* 0: SCENARIO_MAX_BYTES */
} scenario_opts;

/* Read, parse, override, bind and check a scenario file. On error *out is NULL
 * and e holds one line: "file:line:col: path: what" (or "--set SPEC: path: what").
 * opts may be NULL. The caller frees *out with scenario_free. */
int scenario_load(const char *path, const scenario_opts *opts, scenario **out, err *e);
/* The same from text in memory; `name` starts every message. */
int scenario_parse(const char *name, const char *text, size_t len, const scenario_opts *opts,
                   scenario **out, err *e);
void scenario_free(scenario *s);

/* A family's section (its root table's struct), or NULL if the family was not
 * loaded or has no section. */
void *scenario_section(const scenario *s, const scenario_family *f);

/* The effective scenario (defaults and overrides applied) as canonical JSON:
 * every field, in table order, two-space indent. Loading it with the same
 * families gives the same scenario. Caller frees *out. */
int scenario_to_json(const scenario *s, char **out, err *e);

/* The JSON Schema of scenario files, generated from the tables of scenario_core
 * and the given families. Caller frees *out. */
int scenario_schema_json(const scenario_family *const *families, size_t n, char **out, err *e);
/* The same as a Markdown field reference (one table per object). */
int scenario_reference_md(const scenario_family *const *families, size_t n, char **out, err *e);

/* What a weight target names (see scenario_weights_step). */
typedef struct scenario_target {
    enum { SCENARIO_TARGET_HOTKEY, SCENARIO_TARGET_GROUP, SCENARIO_TARGET_UID } kind;
    bool is_miner;                   /* hotkeys and groups: a miner group (else validator) */
    size_t group;                    /* index into miners or validators */
    int64_t member;                  /* hotkeys: the member index */
    int64_t uid;                     /* uids */
} scenario_target;
/* Resolve a weight target; ERR_NOTFOUND if it names nothing. */
int scenario_target_find(const scenario *s, const char *key, scenario_target *out);

#endif
