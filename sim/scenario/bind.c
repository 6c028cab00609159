/* The declarative binder: a JSON tree + field tables -> typed, defaulted
 * structs, with the first problem reported at its exact position. Members are
 * bound in document order, so the error a user sees first is the first one in
 * the file; defaults and required keys follow, then the table's check hook. */
#include "scenario/internal.h"

#include <math.h>
#include <string.h>

const char scenario_absent[] = "(absent)";

#define STRING_MAX_DEFAULT 4096

/* ----------------------------------------------------------- the path */

/* Paths grow on every member bound: plain copies, cut at the buffer's end. */
static void append(char *buf, size_t *len, const char *s)
{
    size_t n = strlen(s);
    if (n > SCN_PATH_MAX - 1 - *len)
        n = SCN_PATH_MAX - 1 - *len;
    memcpy(buf + *len, s, n);
    *len += n;
    buf[*len] = 0;
}

static scn_mark append_path(scenario_ctx *c, const char *p, const char *sp)
{
    scn_mark m = {c->plen, c->splen};
    append(c->path, &c->plen, p);
    append(c->spath, &c->splen, sp);
    return m;
}

scn_mark scn_push_key(scenario_ctx *c, const char *key)
{
    scn_mark m = {c->plen, c->splen};
    if (c->plen)
        append_path(c, ".", "");
    if (c->splen)
        append_path(c, "", ".");
    append_path(c, key, key);
    return m;
}

scn_mark scn_push_index(scenario_ctx *c, size_t i)
{
    char b[32];
    snprintf(b, sizeof b, "[%zu]", i);
    return append_path(c, b, "[]");
}

scn_mark scn_push_kind(scenario_ctx *c, const char *kind)
{
    char b[96];
    snprintf(b, sizeof b, "<%s>", kind);
    return append_path(c, "", b);
}

void scn_pop(scenario_ctx *c, scn_mark m)
{
    c->plen = m.plen;
    c->path[m.plen] = 0;
    c->splen = m.splen;
    c->spath[m.splen] = 0;
}

/* ---------------------------------------------------------- errors */

static const char *origin_label(const scenario_ctx *c, const cJSON *node)
{
    for (size_t i = 0; i < c->origins.len; i++)
        if (c->origins.v[i].node == node)
            return c->origins.v[i].label;
    return NULL;
}

int scn_verror(scenario_ctx *c, const cJSON *node, bool at_key, const char *path, const char *fmt,
               va_list ap)
{
    char what[ERR_MSG_MAX / 2], tail[96] = "";
    vsnprintf(what, sizeof what, fmt, ap);
    if (c->from_profile)
        snprintf(tail, sizeof tail, " (from profile %s)", c->from_profile);
    const char *p = path && *path ? path : "", *sep = *p ? ": " : "";
    const cJSON *tries[2] = {node, c->anchor};
    for (int i = 0; i < 2; i++) {
        if (!tries[i])
            continue;
        const char *label = origin_label(c, tries[i]);
        if (label)
            return err_set(c->e, ERR_INPUT, "%s: %s%s%s%s", label, p, sep, what, tail);
        int line, col;
        (at_key && i == 0 ? jdoc_key_pos : jdoc_pos)(c->doc, tries[i], &line, &col);
        if (line)
            return err_set(c->e, ERR_INPUT, "%s:%d:%d: %s%s%s%s", jdoc_name(c->doc), line, col, p,
                           sep, what, tail);
    }
    return err_set(c->e, ERR_INPUT, "%s: %s%s%s%s", jdoc_name(c->doc), p, sep, what, tail);
}

int scn_error(scenario_ctx *c, const cJSON *node, bool at_key, const char *path, const char *fmt,
              ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = scn_verror(c, node, at_key, path, fmt, ap);
    va_end(ap);
    return r;
}

static int nomem(scenario_ctx *c) { return err_set(c->e, ERR_NOMEM, "out of memory"); }

/* A value for messages, numbers in their shortest exact form. */
static void describe(const cJSON *v, char *out, size_t n)
{
    if (cJSON_IsNumber(v) && isfinite(v->valuedouble))
        scn_format_number(v->valuedouble, out, n);
    else
        json_describe(v, out, n);
}

/* "expected <what>, got <value>" at the current path. */
static int expected(scenario_ctx *c, const cJSON *v, const char *what)
{
    char got[80];
    describe(v, got, sizeof got);
    return scn_error(c, v, false, c->path, "expected %s, got %s", what, got);
}

/* ---------------------------------------------------------- scalars */

static void put_ptr(void *obj, size_t off, const void *p) { memcpy((char *)obj + off, &p, sizeof p); }
static void put_size(void *obj, size_t off, size_t n) { memcpy((char *)obj + off, &n, sizeof n); }
static void *at(void *obj, size_t off) { return (char *)obj + off; }

static bool unbounded(const scenario_field *f) { return f->min == 0 && f->max == 0; }

/* An integer or a number within the field's range (lists and maps share it). */
static int number_in(scenario_ctx *c, const scenario_field *f, const cJSON *v, bool integer,
                     double *out)
{
    double x = cJSON_IsNumber(v) ? v->valuedouble : 0;
    bool ok = cJSON_IsNumber(v) && isfinite(x) &&
              (!integer || (x == floor(x) && fabs(x) <= SCENARIO_INT_LIMIT)) &&
              (unbounded(f) || (x >= f->min && x <= f->max));
    if (ok) {
        *out = x;
        return 0;
    }
    char range[128], what[160];
    scn_format_range(f, range, sizeof range);
    snprintf(what, sizeof what, "%s%s%s", integer ? "an integer" : "a number", *range ? " " : "",
             range);
    if (cJSON_IsNumber(v) && !isfinite(x))
        return scn_error(c, v, false, c->path, "expected %s, got a number too large to represent",
                         what);
    return expected(c, v, what);
}

static int string_in(scenario_ctx *c, const scenario_field *f, const cJSON *v, const char **out)
{
    if (!cJSON_IsString(v))
        return expected(c, v, "a string");
    size_t max = f->max > 0 ? (size_t)f->max : STRING_MAX_DEFAULT;
    size_t len = strlen(v->valuestring);
    if (len > max)
        return scn_error(c, v, false, c->path, "expected a string of at most %zu characters, got %zu",
                         max, len);
    *out = arena_memdup(c->a, v->valuestring, len);
    return *out ? 0 : nomem(c);
}

static int bind_enum(scenario_ctx *c, const scenario_field *f, const cJSON *v, int *out)
{
    size_t n = 0;
    while (f->choices[n])
        n++;
    if (cJSON_IsString(v)) {
        for (size_t i = 0; i < n; i++) {
            if (strcmp(v->valuestring, f->choices[i]) == 0) {
                *out = (int)i;
                return 0;
            }
        }
    }
    char hint[512] = "";
    if (!cJSON_IsString(v)) {
        scn_hint("", f->choices, n, true, hint, sizeof hint);
        char got[80];
        describe(v, got, sizeof got);
        return scn_error(c, v, false, c->path, "expected a string%s, got %s", hint, got);
    }
    scn_hint(v->valuestring, f->choices, n, true, hint, sizeof hint);
    return scn_error(c, v, false, c->path, "unknown value \"%.60s\"%s", v->valuestring, hint);
}

static int bind_duration(scenario_ctx *c, const scenario_field *f, const cJSON *v, int64_t *out)
{
    if (cJSON_IsNumber(v))
        return expected(c, v, "a duration string such as \"90s\" (a bare number has no unit)");
    if (!cJSON_IsString(v))
        return expected(c, v, "a duration such as \"250ms\", \"90s\", \"5m\", \"24h\" or \"30d\"");
    err pe;
    int64_t us;
    if (duration_parse(v->valuestring, &us, &pe))
        return scn_error(c, v, false, c->path, "%s", pe.msg);
    if (!unbounded(f) && ((double)us < f->min || (double)us > f->max)) {
        char range[128], what[160];
        scn_format_range(f, range, sizeof range);
        snprintf(what, sizeof what, "a duration %s", range);
        return expected(c, v, what);
    }
    *out = us;
    return 0;
}

static int bind_moment(scenario_ctx *c, const cJSON *v, scenario_moment *out)
{
    static const scenario_field blocks = {.min = 0, .max = SCENARIO_INT_LIMIT};
    if (cJSON_IsNumber(v)) {
        double x;
        if (number_in(c, &blocks, v, true, &x))
            return expected(c, v, "a block number (an integer >= 0) or a duration such as \"2h\"");
        *out = (scenario_moment){.at_block = true, .block = (int64_t)x};
        return 0;
    }
    if (!cJSON_IsString(v))
        return expected(c, v, "a block number or a duration such as \"2h\"");
    static const scenario_field any = {.type = SCENARIO_DURATION};
    int64_t us;
    int r = bind_duration(c, &any, v, &us);
    if (!r)
        *out = (scenario_moment){.at_block = false, .us = us};
    return r;
}

/* ------------------------------------------------------- compounds */

static size_t array_len(const cJSON *v)
{
    size_t n = 0;
    for (const cJSON *x = v->child; x; x = x->next)
        n++;
    return n;
}

static int too_many(scenario_ctx *c, const scenario_field *f, const cJSON *v, size_t n,
                    size_t *max)
{
    *max = f->max_items ? f->max_items : SCENARIO_MAX_ITEMS;
    if (n <= *max)
        return 0;
    return scn_error(c, v, false, c->path, "has %zu elements, at most %zu allowed", n, *max);
}

static int bind_array(scenario_ctx *c, const scenario_field *f, void *obj, const cJSON *v)
{
    if (!cJSON_IsArray(v))
        return expected(c, v, "an array of objects");
    size_t n = array_len(v), max;
    if (too_many(c, f, v, n, &max))
        return ERR_INPUT;
    char *items = n ? arena_alloc(c->a, n * f->table->size) : NULL;
    if (n && !items)
        return nomem(c);
    size_t i = 0;
    for (const cJSON *el = v->child; el; el = el->next, i++) {
        scn_mark m = scn_push_index(c, i);
        void *item = items + i * f->table->size;
        int r = cJSON_IsObject(el) ? scn_bind_objects(c, &f->table, &item, 1, el, NULL)
                                   : expected(c, el, "an object");
        scn_pop(c, m);
        if (r)
            return r;
    }
    put_ptr(obj, f->offset, items);
    put_size(obj, f->count_offset, n);
    return 0;
}

/* Arrays of scalars: one element size and one element binder per type. */
static int bind_list(scenario_ctx *c, const scenario_field *f, void *obj, const cJSON *v)
{
    if (!cJSON_IsArray(v))
        return expected(c, v, f->type == SCENARIO_STRINGS ? "an array of strings" : "an array of numbers");
    size_t n = array_len(v), max;
    if (too_many(c, f, v, n, &max))
        return ERR_INPUT;
    size_t elem = f->type == SCENARIO_INTS ? sizeof(int64_t)
                  : f->type == SCENARIO_NUMBERS ? sizeof(double) : sizeof(char *);
    char *items = n ? arena_alloc(c->a, n * elem) : NULL;
    if (n && !items)
        return nomem(c);
    size_t i = 0;
    for (const cJSON *el = v->child; el; el = el->next, i++) {
        scn_mark m = scn_push_index(c, i);
        double x = 0;
        const char *s = NULL;
        int r = f->type == SCENARIO_STRINGS ? string_in(c, f, el, &s)
                                            : number_in(c, f, el, f->type == SCENARIO_INTS, &x);
        scn_pop(c, m);
        if (r)
            return r;
        if (f->type == SCENARIO_INTS)
            ((int64_t *)(void *)items)[i] = (int64_t)x;
        else if (f->type == SCENARIO_NUMBERS)
            ((double *)(void *)items)[i] = x;
        else
            ((const char **)(void *)items)[i] = s;
    }
    put_ptr(obj, f->offset, items);
    put_size(obj, f->count_offset, n);
    return 0;
}

static int bind_map(scenario_ctx *c, const scenario_field *f, void *obj, const cJSON *v)
{
    if (!cJSON_IsObject(v))
        return expected(c, v, "an object of name: number");
    size_t n = array_len(v), max;
    if (too_many(c, f, v, n, &max))
        return ERR_INPUT;
    scenario_map_entry *items = n ? arena_alloc(c->a, n * sizeof *items) : NULL;
    if (n && !items)
        return nomem(c);
    size_t i = 0;
    for (const cJSON *el = v->child; el; el = el->next, i++) {
        scn_mark m = scn_push_key(c, el->string);
        int r = number_in(c, f, el, false, &items[i].value);
        scn_pop(c, m);
        if (r)
            return r;
        if (!(items[i].key = arena_strdup(c->a, el->string)))
            return nomem(c);
    }
    put_ptr(obj, f->offset, items);
    put_size(obj, f->count_offset, n);
    return 0;
}

static int bind_name(scenario_ctx *c, const scenario_field *f, const cJSON *v,
                     const scenario_kind **out)
{
    if (cJSON_IsString(v) && (*out = scn_kind_find(c, f->slot, v->valuestring)))
        return 0;
    char hint[512] = "";
    if (!cJSON_IsString(v)) {
        scn_kind_hint(c, f->slot, "", hint, sizeof hint);
        char got[80];
        describe(v, got, sizeof got);
        return scn_error(c, v, false, c->path, "expected a name%s, got %s", hint, got);
    }
    scn_kind_hint(c, f->slot, v->valuestring, hint, sizeof hint);
    return scn_error(c, v, false, c->path, "unknown %s \"%.60s\"%s", f->slot, v->valuestring, hint);
}

/* {"kind": "honest", ...} or the bare "honest". */
static int bind_variant(scenario_ctx *c, const scenario_field *f, const cJSON *v,
                        scenario_variant *out)
{
    const cJSON *kind = v, *body = NULL;
    char hint[512] = "";
    if (cJSON_IsObject(v)) {
        body = v;
        kind = cJSON_GetObjectItemCaseSensitive(v, "kind");
        if (!kind) {
            scn_kind_hint(c, f->slot, "", hint, sizeof hint);
            return scn_error(c, v, false, c->path, "missing required key \"kind\"%s", hint);
        }
    } else if (!cJSON_IsString(v)) {
        return expected(c, v, "an object with a \"kind\", or a kind's name");
    }
    scn_mark m = body ? scn_push_key(c, "kind") : (scn_mark){c->plen, c->splen};
    int r = 0;
    if (!cJSON_IsString(kind) || !(out->kind = scn_kind_find(c, f->slot, kind->valuestring))) {
        scn_kind_hint(c, f->slot, cJSON_IsString(kind) ? kind->valuestring : "", hint, sizeof hint);
        char got[80];
        describe(kind, got, sizeof got);
        r = scn_error(c, kind, false, c->path, "unknown %s %s%s", f->slot, got, hint);
    }
    scn_pop(c, m);
    if (r)
        return r;
    const scenario_table *t = out->kind->table;
    if (t && !(out->cfg = arena_alloc(c->a, t->size)))
        return nomem(c);
    cJSON *empty = NULL;
    if (!body && !(body = empty = cJSON_CreateObject()))
        return nomem(c);
    m = scn_push_kind(c, out->kind->name);
    void *cfg = out->cfg;
    c->in_default += empty != NULL;
    r = scn_bind_objects(c, &t, &cfg, t ? 1 : 0, body, "kind");
    c->in_default -= empty != NULL;
    scn_pop(c, m);
    cJSON_Delete(empty);
    return r;
}

static int bind_value(scenario_ctx *c, const scenario_field *f, void *obj, const cJSON *v)
{
    double x;
    switch (f->type) {
    case SCENARIO_BOOL:
        if (!cJSON_IsBool(v))
            return expected(c, v, "true or false");
        *(bool *)at(obj, f->offset) = cJSON_IsTrue(v);
        return 0;
    case SCENARIO_INT:
        if (number_in(c, f, v, true, &x))
            return ERR_INPUT;
        *(int64_t *)at(obj, f->offset) = (int64_t)x;
        return 0;
    case SCENARIO_NUMBER:
        return number_in(c, f, v, false, (double *)at(obj, f->offset));
    case SCENARIO_STRING: {
        const char *s;
        int r = string_in(c, f, v, &s);
        if (!r)
            put_ptr(obj, f->offset, s);
        return r;
    }
    case SCENARIO_ENUM:
        return bind_enum(c, f, v, (int *)at(obj, f->offset));
    case SCENARIO_DURATION:
        return bind_duration(c, f, v, (int64_t *)at(obj, f->offset));
    case SCENARIO_MOMENT:
        return bind_moment(c, v, (scenario_moment *)at(obj, f->offset));
    case SCENARIO_OBJECT: {
        if (!cJSON_IsObject(v))
            return expected(c, v, "an object");
        void *sub = at(obj, f->offset);
        return scn_bind_objects(c, &f->table, &sub, 1, v, NULL);
    }
    case SCENARIO_ARRAY:
        return bind_array(c, f, obj, v);
    case SCENARIO_INTS:
    case SCENARIO_NUMBERS:
    case SCENARIO_STRINGS:
        return bind_list(c, f, obj, v);
    case SCENARIO_MAP:
        return bind_map(c, f, obj, v);
    case SCENARIO_VARIANT:
        return bind_variant(c, f, v, (scenario_variant *)at(obj, f->offset));
    case SCENARIO_NAME: {
        const scenario_kind *k = NULL;
        int r = bind_name(c, f, v, &k);
        if (!r)
            put_ptr(obj, f->offset, k);
        return r;
    }
    }
    return err_set(c->e, ERR_INTERNAL, "%s: field of unknown type %d", c->path, (int)f->type);
}

/* ---------------------------------------------------------- objects */

static int unknown_key(scenario_ctx *c, const scenario_table *const *tabs, size_t n,
                       const cJSON *m)
{
    const char *names[256];
    size_t k = 0;
    for (size_t t = 0; t < n; t++)
        for (size_t i = 0; i < tabs[t]->nfields && k < 256; i++)
            names[k++] = tabs[t]->fields[i].name;
    char hint[512] = "";
    scn_hint(m->string, names, k, false, hint, sizeof hint);
    return scn_error(c, m, true, c->path, "unknown key \"%.60s\"%s", m->string, hint);
}

static int bind_default(scenario_ctx *c, const scenario_field *f, void *obj, const cJSON *node)
{
    scn_mark m = scn_push_key(c, f->name);
    const scenario_profile *p = NULL;
    const char *d = scn_default(c, f, c->spath, &p);
    if (d == SCENARIO_REQUIRED || d == SCENARIO_ABSENT) {
        scn_pop(c, m);
        if (d == SCENARIO_ABSENT)
            return 0;
        return scn_error(c, node, false, c->path, "missing required key \"%s\"", f->name);
    }
    cJSON *v = cJSON_Parse(d);
    if (!v) {
        int r = err_set(c->e, ERR_INTERNAL, "%s: the default %s is not JSON", c->spath, d);
        scn_pop(c, m);
        return r;
    }
    const char *saved = c->from_profile;
    if (p)
        c->from_profile = p->name;
    c->in_default++;
    int r = bind_value(c, f, obj, v);
    c->in_default--;
    c->from_profile = saved;
    cJSON_Delete(v);
    scn_pop(c, m);
    return r;
}

static const scenario_field *find_in(const scenario_table *const *tabs, size_t n,
                                     const char *name, size_t *which)
{
    for (size_t t = 0; t < n; t++) {
        const scenario_field *f = scn_field_find(tabs[t], name);
        if (f) {
            *which = t;
            return f;
        }
    }
    return NULL;
}

static int bind_members(scenario_ctx *c, const scenario_table *const *tabs, void *const *objs,
                        size_t n, const cJSON *node, const char *skip)
{
    for (const cJSON *m = node->child; m; m = m->next) {
        if (skip && strcmp(m->string, skip) == 0)
            continue;
        size_t t = 0;
        const scenario_field *f = find_in(tabs, n, m->string, &t);
        if (!f)
            return unknown_key(c, tabs, n, m);
        scn_mark mk = scn_push_key(c, f->name);
        int r = bind_value(c, f, objs[t], m);
        scn_pop(c, mk);
        if (r)
            return r;
    }
    for (size_t t = 0; t < n; t++) {
        for (size_t i = 0; i < tabs[t]->nfields; i++) {
            const scenario_field *f = &tabs[t]->fields[i];
            if (cJSON_GetObjectItemCaseSensitive(node, f->name))
                continue;
            int r = bind_default(c, f, objs[t], node);
            if (r)
                return r;
        }
    }
    for (size_t t = 0; t < n; t++) {
        if (!tabs[t]->check)
            continue;
        const cJSON *saved = c->node;
        c->node = node;
        int r = tabs[t]->check(c, objs[t]);
        c->node = saved;
        if (r)
            return r;
    }
    return 0;
}

int scn_bind_objects(scenario_ctx *c, const scenario_table *const *tabs, void *const *objs,
                     size_t n, const cJSON *node, const char *skip)
{
    /* Nodes of the tree have a place to report (the file's or a --set's);
     * those of a default's own little tree report at the object lacking it. */
    const cJSON *saved = c->anchor;
    if (!c->in_default)
        c->anchor = node;
    int r = bind_members(c, tabs, objs, n, node, skip);
    c->anchor = saved;
    return r;
}

const scenario_field *scn_field_find(const scenario_table *t, const char *name)
{
    for (size_t i = 0; t && i < t->nfields; i++)
        if (strcmp(t->fields[i].name, name) == 0)
            return &t->fields[i];
    return NULL;
}
