/* Private to sim/scenario: the loading context shared by the binder (bind.c),
 * the overrides (override.c), the loader (load.c) and the emitters (emit.c,
 * schema.c). */
#ifndef SUBNETSIM_SCENARIO_INTERNAL_H
#define SUBNETSIM_SCENARIO_INTERNAL_H

#include "scenario/scenario.h"

/* ------------------------------------------------------------- arena */

/* Everything a scenario owns comes from one arena, freed at once: error paths
 * in the binder never have half-built structs to unwind. Memory is zeroed. */
typedef struct arena arena;
arena *arena_new(void);
void arena_free(arena *a);
void *arena_alloc(arena *a, size_t n);
char *arena_strdup(arena *a, const char *s);
char *arena_memdup(arena *a, const void *p, size_t n);   /* adds a NUL */

/* ------------------------------------------------------- the context */

#define SCN_PATH_MAX 1024
#define SCN_MAX_FAMILIES 16
#define SCN_MAX_PROFILE_DEPTH 8

/* A node that came from --set or --seed rather than the file. */
typedef struct scn_origin {
    const cJSON *node;
    const char *label;   /* "--set validators[1].stake=lots" */
} scn_origin;

struct scenario_internal {
    arena *arena;
    const scenario_family *fams[SCN_MAX_FAMILIES];   /* [0] is scenario_core */
    void *sections[SCN_MAX_FAMILIES];                /* [0] is the scenario itself */
    size_t nfams;
};

struct scenario_ctx {
    const jdoc *doc;
    scenario *s;
    scenario_internal *in;
    arena *a;
    err *e;
    const scenario_profile *profiles[SCN_MAX_PROFILE_DEPTH];  /* most specific first */
    size_t nprofiles;
    VEC(scn_origin) origins;
    VEC(cJSON *) graveyard;     /* replaced nodes, freed at the end so that no
                                   new node reuses an address jdoc has a position for */
    /* Where the binder is. */
    char path[SCN_PATH_MAX];    /* "validators[1].stake" */
    size_t plen;
    char spath[SCN_PATH_MAX];   /* schema path: "validators[].stake" */
    size_t splen;
    const cJSON *node;          /* the object a check hook is looking at */
    const cJSON *anchor;        /* nearest node whose origin is known */
    int in_default;             /* > 0 while binding a tree made from a default */
    const char *from_profile;   /* the value being bound came from this profile */
};

typedef struct scn_mark {
    size_t plen, splen;
} scn_mark;

scn_mark scn_push_key(scenario_ctx *c, const char *key);
scn_mark scn_push_index(scenario_ctx *c, size_t i);
scn_mark scn_push_kind(scenario_ctx *c, const char *kind);
void scn_pop(scenario_ctx *c, scn_mark m);

/* The one place errors are made: "file:line:col: path: msg", "--set X: path:
 * msg". node's own position when it has one, else the anchor's. */
int scn_error(scenario_ctx *c, const cJSON *node, bool at_key, const char *path, const char *fmt,
              ...) __attribute__((format(printf, 5, 6)));
int scn_verror(scenario_ctx *c, const cJSON *node, bool at_key, const char *path, const char *fmt,
               va_list ap);

/* ------------------------------------------------------ table lookups */

const scenario_field *scn_field_find(const scenario_table *t, const char *name);
/* Kinds of a slot across the loaded families. */
const scenario_kind *scn_kind_find(const scenario_ctx *c, const char *slot, const char *name);
/* "did you mean" / "one of" text for a bad name in a slot: appended to buf. */
void scn_kind_hint(const scenario_ctx *c, const char *slot, const char *name, char *buf, size_t n);
/* The default to use for f at the current schema path: a profile's value
 * (setting *profile) or the table's. */
const char *scn_default(const scenario_ctx *c, const scenario_field *f, const char *spath,
                        const scenario_profile **profile);
/* Resolve the "profile" member of root (and its bases) into c->profiles. */
int scn_profiles_resolve(scenario_ctx *c, const cJSON *root);
/* "did you mean" for a word among names: appended to buf (may add nothing). */
void scn_hint(const char *word, const char *const *names, size_t n, bool list_all, char *buf,
              size_t bufn);

/* --------------------------------------------------------- the binder */

/* Bind one JSON object into several tables at once (the root, shared by the
 * core and the families): every member must belong to one of them. skip is a
 * key to pass over (a variant's "kind"), or NULL. */
int scn_bind_objects(scenario_ctx *c, const scenario_table *const *tabs, void *const *objs,
                     size_t n, const cJSON *node, const char *skip);

/* Apply --set and --seed to the tree; nodes made are recorded in c->origins. */
int scn_overrides_apply(scenario_ctx *c, cJSON *root, const scenario_opts *o);

/* --------------------------------------------------------- emitters */

/* Canonical JSON text of a cJSON tree: two-space indent, short scalar arrays
 * on one line, numbers in their shortest exact form. */
int scn_print(const cJSON *v, char **out);
void scn_format_number(double x, char *buf, size_t n);
/* "between 0 and 65535", ">= 0", "" */
void scn_format_range(const scenario_field *f, char *buf, size_t n);
/* The tables reachable from the families' roots and kinds, each once. */
typedef VEC(const scenario_table *) scn_tables;
int scn_collect_tables(const scenario_family *const *fams, size_t n, scn_tables *out);
/* scenario_core then fams, as scenario_load orders them; returns the count. */
size_t scn_all_families(const scenario_family *const *fams, size_t n, const scenario_family **out);
size_t scn_slot_kinds(const scenario_family *const *fams, size_t n, const char *slot,
                      const scenario_kind **out, size_t max);

#endif
