/* Cross-field rules of the Core schema: what no single field can say. Each
 * reports at the place a user would change: the group that overfills a subnet,
 * the weight target that names nobody. */
#include "scenario/core_schema.h"

#include <ctype.h>
#include <string.h>

void scenario_hotkey(const char *group, int64_t count, int64_t i, char *out, size_t n)
{
    if (count == 1)
        snprintf(out, n, "%s", group);
    else
        snprintf(out, n, "%s-%lld", group, (long long)i);
}

/* ------------------------------------------------------------- targets */

/* "name-k" with k written as members are named (no leading zeros): k, else -1. */
static int64_t member_suffix(const char *key, size_t *prefix_len)
{
    const char *dash = strrchr(key, '-');
    if (!dash || dash == key || !dash[1] || strlen(dash + 1) > 6)
        return -1;
    for (const char *p = dash + 1; *p; p++)
        if (!isdigit((unsigned char)*p))
            return -1;
    if (dash[1] == '0' && dash[2])
        return -1;
    *prefix_len = (size_t)(dash - key);
    return atoll(dash + 1);
}

static bool find_group(const scenario *s, const char *name, size_t len, scenario_target *t)
{
    for (int miner = 0; miner < 2; miner++) {
        size_t n = miner ? s->miners.n : s->validators.n;
        for (size_t i = 0; i < n; i++) {
            const char *g = miner ? s->miners.v[i].name : s->validators.v[i].name;
            if (strlen(g) == len && memcmp(g, name, len) == 0) {
                t->is_miner = miner;
                t->group = i;
                return true;
            }
        }
    }
    return false;
}

static int64_t group_count(const scenario *s, const scenario_target *t)
{
    return t->is_miner ? s->miners.v[t->group].count : s->validators.v[t->group].count;
}

int scenario_target_find(const scenario *s, const char *key, scenario_target *out)
{
    memset(out, 0, sizeof *out);
    size_t len = strlen(key), digits = strspn(key, "0123456789");
    if (len && digits == len && len <= 5) {
        out->kind = SCENARIO_TARGET_UID;
        out->uid = atoll(key);
        return out->uid <= 65535 ? 0 : ERR_NOTFOUND;
    }
    if (find_group(s, key, len, out)) {
        out->kind = group_count(s, out) == 1 ? SCENARIO_TARGET_HOTKEY : SCENARIO_TARGET_GROUP;
        return 0;
    }
    size_t plen;
    int64_t k = member_suffix(key, &plen);
    if (k >= 0 && find_group(s, key, plen, out) && group_count(s, out) > 1 &&
        k < group_count(s, out)) {
        out->kind = SCENARIO_TARGET_HOTKEY;
        out->member = k;
        return 0;
    }
    return ERR_NOTFOUND;
}

/* ------------------------------------------------------ per-object rules */

static int check_name(scenario_ctx *c, const char *name)
{
    if (!isalpha((unsigned char)name[0]) && name[0] != '_')
        return scenario_fail(c, "name", "a group name starts with a letter or '_', got \"%s\"", name);
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
            return scenario_fail(c, "name",
                                 "a group name holds letters, digits, '_' and '-' only, got \"%s\"",
                                 name);
    return 0;
}

int scn_core_check_validator(scenario_ctx *c, void *obj)
{
    return check_name(c, ((scenario_validator *)obj)->name);
}

int scn_core_check_miner(scenario_ctx *c, void *obj)
{
    const scenario_miner *m = obj;
    int r = check_name(c, m->name);
    for (size_t i = 1; !r && i < m->quality_changes.n; i++) {
        if (m->quality_changes.v[i].from_epoch <= m->quality_changes.v[i - 1].from_epoch) {
            char rel[64];
            snprintf(rel, sizeof rel, "quality_changes[%zu].from_epoch", i);
            r = scenario_fail(c, rel, "must come after the change before it (from_epoch %lld)",
                              (long long)m->quality_changes.v[i - 1].from_epoch);
        }
    }
    return r;
}

int scn_core_check_scripted(scenario_ctx *c, void *obj)
{
    const scenario_policy_scripted *p = obj;
    for (size_t i = 1; i < p->schedule.n; i++) {
        if (p->schedule.v[i].from_epoch <= p->schedule.v[i - 1].from_epoch) {
            char rel[64];
            snprintf(rel, sizeof rel, "schedule[%zu].from_epoch", i);
            return scenario_fail(c, rel, "must come after the step before it (from_epoch %lld)",
                                 (long long)p->schedule.v[i - 1].from_epoch);
        }
    }
    return 0;
}

int scn_core_check_subnet(scenario_ctx *c, void *obj)
{
    const scenario_subnet *n = obj;
    if (n->alpha_low > n->alpha_high)
        return scenario_fail(c, "alpha_low", "alpha_low (%lld) is above alpha_high (%lld)",
                             (long long)n->alpha_low, (long long)n->alpha_high);
    if (n->max_allowed_validators > n->max_allowed_uids)
        return scenario_fail(c, "max_allowed_validators",
                             "more validator permits (%lld) than uid slots (max_allowed_uids %lld)",
                             (long long)n->max_allowed_validators, (long long)n->max_allowed_uids);
    return 0;
}

/* -------------------------------------------------------- the whole file */

/* The groups of both kinds in file order: validators, then miners. */
typedef struct group_ref {
    const char *name;
    int64_t count;
    int64_t *subnet;
    const scenario_moment *register_at;
    bool miner;
    size_t index;
} group_ref;

static const char *kind_of(const group_ref *g) { return g->miner ? "miners" : "validators"; }

static int by_name(const void *a, const void *b)
{
    return strcmp(((const group_ref *)a)->name, ((const group_ref *)b)->name);
}

static bool later(const group_ref *a, const group_ref *b)
{
    return a->miner != b->miner ? a->miner : a->index > b->index;
}

/* Runs are stored under the scenario's name: it must make a plain file name. */
static bool name_char(char ch)
{
    return isalnum((unsigned char)ch) || ch == '_' || ch == '-' || ch == '.';
}

static int fill_name(scenario_ctx *c, scenario *s)
{
    if (s->name) {
        for (const char *p = s->name; *p; p++)
            if (!name_char(*p) || (p == s->name && *p == '.'))
                return scenario_fail(c, "name",
                                     "a scenario name holds letters, digits, '_', '-' and '.' only "
                                     "(and does not start with '.'), got \"%s\"",
                                     s->name);
        return *s->name ? 0 : scenario_fail(c, "name", "the name is empty");
    }
    /* From the file name, without its directory and extension, made safe. */
    const char *path = jdoc_name(c->doc), *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    char *name = len ? arena_memdup(c->a, base, len) : arena_strdup(c->a, "scenario");
    if (!name)
        return err_set(c->e, ERR_NOMEM, "out of memory");
    for (char *p = name; *p; p++)
        if (!name_char(*p) || (p == name && *p == '.'))
            *p = '_';
    s->name = name;
    return 0;
}

static int check_length(scenario_ctx *c, scenario *s)
{
    if (s->duration_us && s->epochs)
        return scenario_fail(c, "epochs", "give duration or epochs, not both");
    if (!s->duration_us && !s->epochs)
        s->duration_us = SCN_DEFAULT_DURATION_US;
    return 0;
}

static const scenario_subnet *subnet_find(const scenario *s, int64_t netuid)
{
    for (size_t i = 0; i < s->subnets.n; i++)
        if (s->subnets.v[i].netuid == netuid)
            return &s->subnets.v[i];
    return NULL;
}

static int check_subnets(scenario_ctx *c, const scenario *s)
{
    if (s->subnets.n == 0)
        return scenario_fail(c, "subnets", "a scenario needs at least one subnet");
    for (size_t i = 1; i < s->subnets.n; i++) {
        const scenario_subnet *first = subnet_find(s, s->subnets.v[i].netuid);
        if (first != &s->subnets.v[i]) {
            char rel[64];
            snprintf(rel, sizeof rel, "subnets[%zu].netuid", i);
            return scenario_fail(c, rel, "netuid %lld is already subnets[%zu]'s",
                                 (long long)first->netuid, (size_t)(first - s->subnets.v));
        }
    }
    return 0;
}

static int resolve_subnet(scenario_ctx *c, const scenario *s, const group_ref *g)
{
    if (*g->subnet == 0)
        *g->subnet = s->subnets.v[0].netuid;
    if (subnet_find(s, *g->subnet))
        return 0;
    char rel[64];
    snprintf(rel, sizeof rel, "%s[%zu].subnet", kind_of(g), g->index);
    return scenario_fail(c, rel, "no subnet has netuid %lld", (long long)*g->subnet);
}

/* A one-neuron group's hotkey is its name: it must not be another group's member. */
static int check_hotkeys(scenario_ctx *c, const group_ref *sorted, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t plen;
        int64_t k = member_suffix(sorted[i].name, &plen);
        if (sorted[i].count != 1 || k < 0)
            continue;
        char prefix[128];
        snprintf(prefix, sizeof prefix, "%.*s", (int)plen, sorted[i].name);
        group_ref key = {.name = prefix};
        const group_ref *g = bsearch(&key, sorted, n, sizeof *sorted, by_name);
        if (g && g->count > k) {
            char rel[64];
            snprintf(rel, sizeof rel, "%s[%zu].name", kind_of(&sorted[i]), sorted[i].index);
            return scenario_fail(c, rel, "hotkey \"%s\" is also a member of group \"%s\" (%s[%zu])",
                                 sorted[i].name, g->name, kind_of(g), g->index);
        }
    }
    return 0;
}

static int check_names(scenario_ctx *c, group_ref *g, size_t n)
{
    qsort(g, n, sizeof *g, by_name);
    for (size_t i = 1; i < n; i++) {
        if (strcmp(g[i].name, g[i - 1].name) != 0)
            continue;
        const group_ref *second = later(&g[i], &g[i - 1]) ? &g[i] : &g[i - 1];
        const group_ref *first = second == &g[i] ? &g[i - 1] : &g[i];
        char rel[64];
        snprintf(rel, sizeof rel, "%s[%zu].name", kind_of(second), second->index);
        return scenario_fail(c, rel, "name \"%s\" is taken by %s[%zu]", second->name,
                             kind_of(first), first->index);
    }
    return check_hotkeys(c, g, n);
}

static bool at_start(const scenario_moment *m) { return m->at_block ? m->block == 0 : m->us == 0; }

/* More validators than permits, or more neurons at the start than uids. */
static int check_slots(scenario_ctx *c, const scenario *s, const group_ref *g, size_t n)
{
    for (size_t j = 0; j < s->subnets.n; j++) {
        const scenario_subnet *sn = &s->subnets.v[j];
        int64_t validators = 0, starting = 0;
        for (size_t i = 0; i < n; i++) {
            if (*g[i].subnet != sn->netuid)
                continue;
            char rel[64];
            snprintf(rel, sizeof rel, "%s[%zu].count", kind_of(&g[i]), g[i].index);
            if (!g[i].miner && (validators += g[i].count) > sn->max_allowed_validators)
                return scenario_fail(c, rel,
                                     "subnet %lld would have %lld validators, more than its %lld "
                                     "validator slots (max_allowed_validators)",
                                     (long long)sn->netuid, (long long)validators,
                                     (long long)sn->max_allowed_validators);
            if (at_start(g[i].register_at) && (starting += g[i].count) > sn->max_allowed_uids)
                return scenario_fail(c, rel,
                                     "subnet %lld would start with %lld neurons, more than its %lld "
                                     "uid slots (max_allowed_uids); register the rest later with "
                                     "register_at",
                                     (long long)sn->netuid, (long long)starting,
                                     (long long)sn->max_allowed_uids);
        }
    }
    return 0;
}

static int check_groups(scenario_ctx *c, scenario *s)
{
    size_t n = s->validators.n + s->miners.n;
    group_ref *g = arena_alloc(c->a, (n ? n : 1) * sizeof *g);
    if (!g)
        return err_set(c->e, ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < s->validators.n; i++) {
        scenario_validator *v = &s->validators.v[i];
        g[i] = (group_ref){v->name, v->count, &v->subnet, &v->register_at, false, i};
    }
    for (size_t i = 0; i < s->miners.n; i++) {
        scenario_miner *m = &s->miners.v[i];
        g[s->validators.n + i] = (group_ref){m->name, m->count, &m->subnet, &m->register_at, true, i};
    }
    int r = 0;
    for (size_t i = 0; i < n && !r; i++)
        r = resolve_subnet(c, s, &g[i]);
    if (!r)
        r = check_slots(c, s, g, n);
    if (!r)
        r = check_names(c, g, n);   /* sorts g */
    return r;
}

static int target_fail(scenario_ctx *c, const char *at, const char *key, bool hotkey_only,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* A weight target is a map key: the error sits at the key, under the map's
 * path. An owner or a threshold's hotkey is a value at `at`. */
static int target_fail(scenario_ctx *c, const char *at, const char *key, bool hotkey_only,
                       const char *fmt, ...)
{
    char rel[SCN_PATH_MAX], what[ERR_MSG_MAX / 2];
    snprintf(rel, sizeof rel, "%s%s%s", at, hotkey_only ? "" : ".", hotkey_only ? "" : key);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return hotkey_only ? scenario_fail(c, rel, "%s", what) : scenario_fail_key(c, rel, "%s", what);
}

/* A weight target (hotkey, group or uid) or an owner's or a threshold's
 * hotkey: present, and in `netuid` unless that is 0. */
static int check_target(scenario_ctx *c, const scenario *s, const char *at, const char *key,
                        int64_t netuid, bool hotkey_only)
{
    scenario_target t;
    if (scenario_target_find(s, key, &t) == 0 && !(hotkey_only && t.kind != SCENARIO_TARGET_HOTKEY)) {
        if (t.kind == SCENARIO_TARGET_UID) {
            const scenario_subnet *sn = subnet_find(s, netuid);
            if (t.uid < sn->max_allowed_uids)
                return 0;
            return target_fail(c, at, key, hotkey_only, "uid %lld is past subnet %lld's %lld uid slots",
                               (long long)t.uid, (long long)netuid, (long long)sn->max_allowed_uids);
        }
        int64_t its = t.is_miner ? s->miners.v[t.group].subnet : s->validators.v[t.group].subnet;
        if (netuid == 0 || its == netuid)
            return 0;
        return target_fail(c, at, key, hotkey_only, "\"%s\" is in subnet %lld, not %lld", key,
                           (long long)its, (long long)netuid);
    }
    size_t plen;
    int64_t member = member_suffix(key, &plen);
    if (member >= 0 && find_group(s, key, plen, &t) && group_count(s, &t) > 1)
        return target_fail(c, at, key, hotkey_only, "group \"%.*s\" has %lld members: %.*s-0 .. %.*s-%lld",
                           (int)plen, key, (long long)group_count(s, &t), (int)plen, key, (int)plen,
                           key, (long long)group_count(s, &t) - 1);
    const char *names[256];
    size_t k = 0;
    for (size_t i = 0; i < s->validators.n && k < 256; i++)
        names[k++] = s->validators.v[i].name;
    for (size_t i = 0; i < s->miners.n && k < 256; i++)
        names[k++] = s->miners.v[i].name;
    char hint[512] = "";
    scn_hint(key, names, k, false, hint, sizeof hint);
    return target_fail(c, at, key, hotkey_only, "no neuron%s is called \"%s\"%s",
                       hotkey_only ? "" : ", group or uid", key, hint);
}

static int check_weights(scenario_ctx *c, const scenario *s, const char *at, const scenario_map *w,
                         int64_t netuid)
{
    for (size_t i = 0; i < w->n; i++) {
        int r = check_target(c, s, at, w->v[i].key, netuid, false);
        if (r)
            return r;
    }
    return 0;
}

static int check_policies(scenario_ctx *c, const scenario *s)
{
    for (size_t i = 0; i < s->validators.n; i++) {
        const scenario_validator *v = &s->validators.v[i];
        char at[128];
        int r = 0;
        if (scenario_kind_is(v->policy.kind, &scenario_core, SCENARIO_POLICY_SCRIPTED)) {
            const scenario_policy_scripted *p = v->policy.cfg;
            for (size_t k = 0; k < p->schedule.n && !r; k++) {
                snprintf(at, sizeof at, "validators[%zu].policy.schedule[%zu].weights", i, k);
                r = check_weights(c, s, at, &p->schedule.v[k].weights, v->subnet);
            }
        } else if (scenario_kind_is(v->policy.kind, &scenario_core, SCENARIO_POLICY_DEVIATE)) {
            const scenario_policy_deviate *p = v->policy.cfg;
            snprintf(at, sizeof at, "validators[%zu].policy.weights", i);
            r = check_weights(c, s, at, &p->weights, v->subnet);
        }
        if (r)
            return r;
    }
    return 0;
}

/* Whether a group's strategy or policy is the kind called `name`; the names
 * in use go to `used` for the message. */
static bool strategy_used(const scenario *s, const char *name, char *used, size_t n)
{
    bool found = false;
    size_t len = 0;
    used[0] = 0;
    for (int miner = 0; miner < 2; miner++) {
        size_t ng = miner ? s->miners.n : s->validators.n;
        for (size_t i = 0; i < ng; i++) {
            const scenario_kind *k = miner ? s->miners.v[i].strategy.kind
                                           : s->validators.v[i].policy.kind;
            if (!k)
                continue;
            found |= !strcmp(k->name, name);
            char quoted[80];
            snprintf(quoted, sizeof quoted, "\"%s\"", k->name);
            if (!strstr(used, quoted) && len + strlen(quoted) + 3 < n)
                len += (size_t)snprintf(used + len, n - len, "%s%s", len ? ", " : "", quoted);
        }
    }
    return found;
}

static int check_refs(scenario_ctx *c, const scenario *s)
{
    for (size_t i = 0; i < s->subnets.n; i++) {
        char rel[64];
        snprintf(rel, sizeof rel, "subnets[%zu].owner", i);
        int r = s->subnets.v[i].owner
                    ? check_target(c, s, rel, s->subnets.v[i].owner, s->subnets.v[i].netuid, true)
                    : 0;
        if (r)
            return r;
    }
    for (size_t i = 0; i < s->thresholds.n; i++) {
        const scenario_where *w = &s->thresholds.v[i].where;
        char rel[64];
        int r = 0;
        if (w->group && w->hotkey) {
            snprintf(rel, sizeof rel, "thresholds[%zu].where.hotkey", i);
            return scenario_fail(c, rel, "give group or hotkey, not both");
        }
        scenario_target t;
        if (w->group && !find_group(s, w->group, strlen(w->group), &t)) {
            snprintf(rel, sizeof rel, "thresholds[%zu].where.group", i);
            return scenario_fail(c, rel, "no validator or miner group is called \"%s\"", w->group);
        }
        snprintf(rel, sizeof rel, "thresholds[%zu].where.hotkey", i);
        if (w->hotkey && (r = check_target(c, s, rel, w->hotkey, 0, true)))
            return r;
        snprintf(rel, sizeof rel, "thresholds[%zu].where.netuid", i);
        if (w->netuid && !subnet_find(s, w->netuid))
            return scenario_fail(c, rel, "no subnet has netuid %lld", (long long)w->netuid);
        char used[512];
        snprintf(rel, sizeof rel, "thresholds[%zu].where.strategy", i);
        if (w->strategy && !strategy_used(s, w->strategy, used, sizeof used))
            return scenario_fail(c, rel, "no group's strategy or policy is \"%s\" (used: %s)",
                                 w->strategy, *used ? used : "none");
    }
    return 0;
}

int scn_core_check_root(scenario_ctx *c, void *obj)
{
    scenario *s = obj;
    int r = fill_name(c, s);
    if (!r)
        r = check_length(c, s);
    if (!r)
        r = check_subnets(c, s);
    if (!r)
        r = check_groups(c, s);
    if (!r)
        r = check_policies(c, s);
    if (!r)
        r = check_refs(c, s);
    return r;
}
