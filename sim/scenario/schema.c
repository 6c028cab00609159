/* The JSON Schema of scenario files, generated from the same tables the loader
 * binds with, so the two cannot drift apart. (reference.c makes the Markdown.) */
#include "scenario/internal.h"

#include <math.h>
#include <string.h>

#define DURATION_PATTERN "^[0-9]+(\\.[0-9]+)?(us|ms|s|m|h|d|w)$"

/* ------------------------------------------------------- the tables */

static int collect(const scenario_table *t, scn_tables *out)
{
    if (!t)
        return 0;
    for (size_t i = 0; i < out->len; i++) {
        if (out->v[i] == t)
            return 0;
        if (strcmp(out->v[i]->name, t->name) == 0)
            return ERR_INTERNAL;   /* two tables, one name */
    }
    if (VEC_PUSH(out, t))
        return ERR_NOMEM;
    for (size_t i = 0; i < t->nfields; i++) {
        const scenario_field *f = &t->fields[i];
        if (f->type == SCENARIO_OBJECT || f->type == SCENARIO_ARRAY) {
            int r = collect(f->table, out);
            if (r)
                return r;
        }
    }
    return 0;
}

int scn_collect_tables(const scenario_family *const *fams, size_t n, scn_tables *out)
{
    /* Roots first, then what they hold, then the kinds: reading order. */
    for (size_t i = 0; i < n; i++) {
        int r = collect(fams[i]->root, out);
        if (r)
            return r;
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < fams[i]->nkinds; k++) {
            int r = collect(fams[i]->kinds[k].table, out);
            if (r)
                return r;
        }
    }
    return 0;
}

size_t scn_all_families(const scenario_family *const *fams, size_t n, const scenario_family **out)
{
    size_t k = 0;
    out[k++] = &scenario_core;
    for (size_t i = 0; i < n && k < SCN_MAX_FAMILIES; i++)
        out[k++] = fams[i];
    return k;
}

size_t scn_slot_kinds(const scenario_family *const *fams, size_t n, const char *slot,
                      const scenario_kind **out, size_t max)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < fams[i]->nkinds && k < max; j++)
            if (strcmp(fams[i]->kinds[j].slot, slot) == 0)
                out[k++] = &fams[i]->kinds[j];
    return k;
}

/* ------------------------------------------------------- building */

typedef struct gen {
    const scenario_family *const *fams;
    size_t nfams;
    bool oom;
} gen;

/* Add v under key (or to an array when key is NULL); remembers failure. */
static cJSON *put(gen *g, cJSON *to, const char *key, cJSON *v)
{
    bool ok = v && to && (key ? cJSON_AddItemToObject(to, key, v) : cJSON_AddItemToArray(to, v));
    if (!ok) {
        cJSON_Delete(v);
        g->oom = true;
        return NULL;
    }
    return v;
}

static cJSON *obj_with(gen *g, const char *key, const char *str)
{
    cJSON *o = cJSON_CreateObject();
    put(g, o, key, cJSON_CreateString(str));
    return o;
}

static void add_range(gen *g, cJSON *o, const scenario_field *f, bool integer)
{
    if (f->min == 0 && f->max == 0)
        return;
    double lim = integer ? SCENARIO_INT_LIMIT : INFINITY;
    if (isfinite(f->min) && f->min > -lim)
        put(g, o, "minimum", cJSON_CreateNumber(f->min));
    if (isfinite(f->max) && f->max < lim)
        put(g, o, "maximum", cJSON_CreateNumber(f->max));
}

static cJSON *ref(gen *g, const char *a, const char *b)
{
    char r[256];
    snprintf(r, sizeof r, "#/$defs/%s%s%s", a, b ? "." : "", b ? b : "");
    return obj_with(g, "$ref", r);
}

static cJSON *duration(gen *g)
{
    cJSON *o = obj_with(g, "type", "string");
    put(g, o, "pattern", cJSON_CreateString(DURATION_PATTERN));
    return o;
}

/* {"enum": [names of the slot]}, inside {"oneOf": [refs..., that]} for variants. */
static cJSON *slot_schema(gen *g, const char *slot, bool variant)
{
    const scenario_kind *ks[128];
    size_t n = scn_slot_kinds(g->fams, g->nfams, slot, ks, 128);
    cJSON *e = cJSON_CreateObject(), *names = put(g, e, "enum", cJSON_CreateArray());
    for (size_t i = 0; i < n; i++)
        put(g, names, NULL, cJSON_CreateString(ks[i]->name));
    if (!variant)
        return e;
    cJSON *o = cJSON_CreateObject(), *one = put(g, o, "oneOf", cJSON_CreateArray());
    for (size_t i = 0; i < n; i++)
        put(g, one, NULL, ref(g, ks[i]->slot, ks[i]->name));
    put(g, one, NULL, e);
    return o;
}

static cJSON *list_of(gen *g, cJSON *items, const scenario_field *f)
{
    cJSON *o = obj_with(g, "type", "array");
    put(g, o, "items", items);
    put(g, o, "maxItems", cJSON_CreateNumber((double)(f->max_items ? f->max_items : SCENARIO_MAX_ITEMS)));
    return o;
}

static cJSON *element(gen *g, const scenario_field *f, const char *type)
{
    cJSON *o = obj_with(g, "type", type);
    if (f->type == SCENARIO_STRINGS)
        put(g, o, "maxLength", cJSON_CreateNumber(f->max > 0 ? f->max : 4096));
    else
        add_range(g, o, f, f->type == SCENARIO_INTS);
    return o;
}

static cJSON *type_schema(gen *g, const scenario_field *f)
{
    cJSON *o;
    switch (f->type) {
    case SCENARIO_BOOL: return obj_with(g, "type", "boolean");
    case SCENARIO_INT:
    case SCENARIO_NUMBER:
        o = obj_with(g, "type", f->type == SCENARIO_INT ? "integer" : "number");
        add_range(g, o, f, f->type == SCENARIO_INT);
        return o;
    case SCENARIO_STRING:
        o = obj_with(g, "type", "string");
        put(g, o, "maxLength", cJSON_CreateNumber(f->max > 0 ? f->max : 4096));
        return o;
    case SCENARIO_ENUM: {
        o = cJSON_CreateObject();
        cJSON *names = put(g, o, "enum", cJSON_CreateArray());
        for (size_t i = 0; f->choices[i]; i++)
            put(g, names, NULL, cJSON_CreateString(f->choices[i]));
        return o;
    }
    case SCENARIO_DURATION: return duration(g);
    case SCENARIO_MOMENT: {
        o = cJSON_CreateObject();
        cJSON *one = put(g, o, "oneOf", cJSON_CreateArray());
        cJSON *block = put(g, one, NULL, obj_with(g, "type", "integer"));
        put(g, block, "minimum", cJSON_CreateNumber(0));
        put(g, one, NULL, duration(g));
        return o;
    }
    case SCENARIO_OBJECT: return ref(g, f->table->name, NULL);
    case SCENARIO_ARRAY: return list_of(g, ref(g, f->table->name, NULL), f);
    case SCENARIO_INTS: return list_of(g, element(g, f, "integer"), f);
    case SCENARIO_NUMBERS: return list_of(g, element(g, f, "number"), f);
    case SCENARIO_STRINGS: return list_of(g, element(g, f, "string"), f);
    case SCENARIO_MAP:
        o = obj_with(g, "type", "object");
        put(g, o, "additionalProperties", element(g, f, "number"));
        put(g, o, "maxProperties",
            cJSON_CreateNumber((double)(f->max_items ? f->max_items : SCENARIO_MAX_ITEMS)));
        return o;
    case SCENARIO_VARIANT: return slot_schema(g, f->slot, true);
    case SCENARIO_NAME: return slot_schema(g, f->slot, false);
    }
    return NULL;
}

static cJSON *field_schema(gen *g, const scenario_field *f)
{
    cJSON *o = type_schema(g, f);
    if (!o) {
        g->oom = true;
        return NULL;
    }
    char desc[600];
    snprintf(desc, sizeof desc, "%s", f->doc ? f->doc : "");
    if (f->type == SCENARIO_DURATION && !(f->min == 0 && f->max == 0)) {
        char range[128];
        scn_format_range(f, range, sizeof range);
        size_t k = strlen(desc);
        snprintf(desc + k, sizeof desc - k, " (a duration %s)", range);
    }
    put(g, o, "description", cJSON_CreateString(desc));
    if (f->def != SCENARIO_REQUIRED && f->def != SCENARIO_ABSENT)
        put(g, o, "default", cJSON_Parse(f->def));
    return o;
}

/* An object schema: the table's fields, plus {"kind": const} for a variant case. */
static cJSON *table_schema(gen *g, const scenario_table *const *tabs, size_t n,
                           const scenario_kind *kind)
{
    cJSON *o = obj_with(g, "type", "object");
    const char *doc = kind ? kind->doc : n ? tabs[0]->doc : NULL;
    if (doc)
        put(g, o, "description", cJSON_CreateString(doc));
    cJSON *props = put(g, o, "properties", cJSON_CreateObject());
    cJSON *req = cJSON_CreateArray();
    if (kind) {
        put(g, props, "kind", obj_with(g, "const", kind->name));
        put(g, req, NULL, cJSON_CreateString("kind"));
    }
    for (size_t t = 0; t < n; t++) {
        for (size_t i = 0; tabs[t] && i < tabs[t]->nfields; i++) {
            const scenario_field *f = &tabs[t]->fields[i];
            put(g, props, f->name, field_schema(g, f));
            if (f->def == SCENARIO_REQUIRED)
                put(g, req, NULL, cJSON_CreateString(f->name));
        }
    }
    if (cJSON_GetArraySize(req))
        put(g, o, "required", req);
    else
        cJSON_Delete(req);
    put(g, o, "additionalProperties", cJSON_CreateFalse());
    return o;
}

static bool slot_is_variant(const scn_tables *tabs, const char *slot)
{
    for (size_t i = 0; i < tabs->len; i++)
        for (size_t k = 0; k < tabs->v[i]->nfields; k++)
            if (tabs->v[i]->fields[k].type == SCENARIO_VARIANT &&
                strcmp(tabs->v[i]->fields[k].slot, slot) == 0)
                return true;
    return false;
}

static void add_defs(gen *g, cJSON *defs, const scn_tables *tabs)
{
    for (size_t i = 0; i < tabs->len; i++) {
        /* Roots are the document itself; kind tables appear under their kind. */
        bool root = false;
        for (size_t k = 0; k < g->nfams; k++)
            root |= g->fams[k]->root == tabs->v[i];
        bool in_field = false;
        for (size_t j = 0; j < tabs->len && !in_field; j++)
            for (size_t k = 0; k < tabs->v[j]->nfields; k++)
                in_field |= tabs->v[j]->fields[k].table == tabs->v[i];
        if (!root && in_field)
            put(g, defs, tabs->v[i]->name, table_schema(g, &tabs->v[i], 1, NULL));
    }
    for (size_t k = 0; k < g->nfams; k++) {
        for (size_t j = 0; j < g->fams[k]->nkinds; j++) {
            const scenario_kind *kind = &g->fams[k]->kinds[j];
            if (!slot_is_variant(tabs, kind->slot))
                continue;   /* plain names: an enum where used */
            char name[256];
            snprintf(name, sizeof name, "%s.%s", kind->slot, kind->name);
            put(g, defs, name, table_schema(g, &kind->table, kind->table ? 1 : 0, kind));
        }
    }
}

int scenario_schema_json(const scenario_family *const *families, size_t n, char **out, err *e)
{
    *out = NULL;
    const scenario_family *fams[SCN_MAX_FAMILIES];
    gen g = {fams, scn_all_families(families, n, fams), false};
    scn_tables tabs = {0};
    int r = scn_collect_tables(fams, g.nfams, &tabs);
    if (r) {
        VEC_FREE(&tabs);
        return err_set(e, r, "cannot list the scenario tables (two tables share a name?)");
    }
    const scenario_table *roots[SCN_MAX_FAMILIES];
    size_t nroots = 0;
    for (size_t i = 0; i < g.nfams; i++)
        if (fams[i]->root)
            roots[nroots++] = fams[i]->root;
    cJSON *doc = cJSON_CreateObject();
    put(&g, doc, "$schema", cJSON_CreateString("https://json-schema.org/draft/2020-12/schema"));
    put(&g, doc, "title", cJSON_CreateString("subnetsim scenario"));
    cJSON *body = table_schema(&g, roots, nroots, NULL);
    /* Hoist the root object's keys into the document. */
    for (cJSON *x = body ? body->child : NULL; x;) {
        cJSON *next = x->next;
        put(&g, doc, x->string, cJSON_DetachItemViaPointer(body, x));
        x = next;
    }
    cJSON_Delete(body);
    cJSON *defs = put(&g, doc, "$defs", cJSON_CreateObject());
    add_defs(&g, defs, &tabs);
    VEC_FREE(&tabs);
    if (g.oom || scn_print(doc, out)) {
        cJSON_Delete(doc);
        free(*out);
        *out = NULL;
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    cJSON_Delete(doc);
    return 0;
}
