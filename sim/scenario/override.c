/* --set path=value and --seed N: edits to the parsed tree before binding.
 *
 * A path walks the schema as well as the tree, so a misspelt key is caught
 * here with a suggestion, and a path into something the file leaves out
 * (`subnets[0].tempo` in a file without "subnets") first writes that part's
 * default into the tree. Every node made here is recorded with its --set, so
 * the binder's errors about it name the --set instead of a file position. */
#include "scenario/internal.h"

#include <ctype.h>
#include <string.h>

#define SEG_MAX 32
#define KEY_MAX 128

typedef struct seg {
    bool is_index;
    size_t index;
    char key[KEY_MAX];
} seg;

/* Where the walk is: node is the value of field f (NULL: the root), or one
 * element of f's array when elem. */
typedef struct walk {
    cJSON *node;
    const scenario_field *f;
    bool elem;
} walk;

typedef struct setter {
    scenario_ctx *c;
    const char *label;            /* "--set validators[1].stake=lots" */
    bool linked;                  /* the value is in the tree now */
} setter;

static const scenario_field kind_field = {.name = "kind", .type = SCENARIO_STRING};
static const scenario_field map_value = {.name = "", .type = SCENARIO_NUMBER};

static int fail(setter *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(setter *st, const char *fmt, ...)
{
    char what[ERR_MSG_MAX / 2];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    /* The walk keeps the path so far in the context's path, as the binder does. */
    if (st->c->plen)
        return err_set(st->c->e, ERR_INPUT, "%s: %s: %s", st->label, st->c->path, what);
    return err_set(st->c->e, ERR_INPUT, "%s: %s", st->label, what);
}

static int parse_path(setter *st, const char *p, size_t len, seg *segs, size_t *n)
{
    *n = 0;
    size_t i = 0;
    while (i < len) {
        if (*n == SEG_MAX)
            return fail(st, "path has more than %d parts", SEG_MAX);
        seg *s = &segs[(*n)++];
        memset(s, 0, sizeof *s);
        if (p[i] == '[') {
            size_t j = i + 1, v = 0;
            while (j < len && isdigit((unsigned char)p[j]) && v < 100000000)
                v = v * 10 + (size_t)(p[j++] - '0');
            if (j == i + 1 || j >= len || p[j] != ']')
                return fail(st, "bad path \"%.*s\": expected [INDEX] at character %zu", (int)len, p,
                            i + 1);
            s->is_index = true;
            s->index = v;
            i = j + 1;
        } else {
            size_t j = i;
            while (j < len && p[j] != '.' && p[j] != '[' && p[j] != ']')
                j++;
            if (j == i || j - i >= KEY_MAX)
                return fail(st, "bad path \"%.*s\": expected a key at character %zu", (int)len, p,
                            i + 1);
            memcpy(s->key, p + i, j - i);
            i = j;
        }
        if (i < len && p[i] == '.') {
            if (++i == len)
                return fail(st, "bad path \"%.*s\": ends with '.'", (int)len, p);
        } else if (i < len && p[i] != '[') {
            return fail(st, "bad path \"%.*s\": unexpected '%c' at character %zu", (int)len, p, p[i],
                        i + 1);
        }
    }
    return *n ? 0 : fail(st, "expected PATH=VALUE, e.g. validators[0].stake=500");
}

/* Record v and everything under it as made by this override. */
static int remember(setter *st, cJSON *v)
{
    if (VEC_PUSH(&st->c->origins, ((scn_origin){v, st->label})))
        return err_set(st->c->e, ERR_NOMEM, "out of memory");
    for (cJSON *x = v->child; x; x = x->next)
        if (remember(st, x))
            return ERR_NOMEM;
    return 0;
}

/* ------------------------------------------------------- schema side */

static const scenario_field *root_field(setter *st, const char *key)
{
    const scenario_internal *in = st->c->in;
    for (size_t i = 0; i < in->nfams; i++) {
        const scenario_field *f = scn_field_find(in->fams[i]->root, key);
        if (f)
            return f;
    }
    const char *names[256];
    size_t k = 0;
    for (size_t i = 0; i < in->nfams; i++)
        for (size_t j = 0; in->fams[i]->root && j < in->fams[i]->root->nfields && k < 256; j++)
            names[k++] = in->fams[i]->root->fields[j].name;
    char hint[512] = "";
    scn_hint(key, names, k, false, hint, sizeof hint);
    fail(st, "unknown key \"%s\"%s", key, hint);
    return NULL;
}

static const scenario_field *table_field(setter *st, const scenario_table *t, const char *key)
{
    const scenario_field *f = scn_field_find(t, key);
    if (f)
        return f;
    const char *names[256];
    size_t k = 0;
    for (size_t j = 0; t && j < t->nfields && k < 256; j++)
        names[k++] = t->fields[j].name;
    char hint[512] = "";
    scn_hint(key, names, k, false, hint, sizeof hint);
    fail(st, "unknown key \"%s\"%s", key, hint);
    return NULL;
}

/* The field `key` names inside w (which is an object). */
static const scenario_field *member_field(setter *st, walk *w, const char *key)
{
    if (!w->f)
        return root_field(st, key);
    if (w->f->type == SCENARIO_OBJECT || (w->f->type == SCENARIO_ARRAY && w->elem))
        return table_field(st, w->f->table, key);
    if (w->f->type == SCENARIO_MAP && !w->elem)
        return &map_value;
    if (w->f->type == SCENARIO_VARIANT && !w->elem) {
        if (strcmp(key, "kind") == 0)
            return &kind_field;
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(w->node, "kind");
        const scenario_kind *kind =
            cJSON_IsString(k) ? scn_kind_find(st->c, w->f->slot, k->valuestring) : NULL;
        if (!kind) {
            fail(st, "set %s.kind to a known %s before its other keys", st->c->path, w->f->slot);
            return NULL;
        }
        return table_field(st, kind->table, key);
    }
    fail(st, "is not an object");
    return NULL;
}

/* A bare variant name stands for {"kind": name}; a key below it needs the object. */
static int expand_variant(setter *st, walk *w)
{
    if (!w->f || w->f->type != SCENARIO_VARIANT || w->elem || !cJSON_IsString(w->node))
        return 0;
    cJSON *kind = cJSON_CreateString(w->node->valuestring);
    if (!kind || remember(st, kind))
        return err_set(st->c->e, ERR_NOMEM, "out of memory");
    /* Turn the string node into an object in place: its position stays the file's. */
    cJSON_free(w->node->valuestring);
    w->node->valuestring = NULL;
    w->node->type = cJSON_Object;
    cJSON_AddItemToObject(w->node, "kind", kind);
    return 0;
}

/* Write the default for a part of the path the tree lacks. */
static cJSON *materialize(setter *st, const scenario_field *f)
{
    const scenario_profile *p;
    const char *spath = st->c->spath;
    const char *d = scn_default(st->c, f, spath, &p);
    cJSON *v = NULL;
    if (d != SCENARIO_REQUIRED && d != SCENARIO_ABSENT) {
        if (!(v = cJSON_Parse(d))) {
            err_set(st->c->e, ERR_INTERNAL, "%s: the default %s is not JSON", spath, d);
            return NULL;
        }
    } else if (f->type == SCENARIO_ARRAY || f->type == SCENARIO_INTS ||
             f->type == SCENARIO_NUMBERS || f->type == SCENARIO_STRINGS)
        v = cJSON_CreateArray();
    else if (f->type == SCENARIO_OBJECT || f->type == SCENARIO_VARIANT ||
             f->type == SCENARIO_MAP)
        v = cJSON_CreateObject();
    else {
        fail(st, "is not an object");
        return NULL;
    }
    if (!v) {
        err_set(st->c->e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    if (remember(st, v)) {
        cJSON_Delete(v);
        return NULL;
    }
    return v;
}

/* ------------------------------------------------------- tree side */

static void bury(scenario_ctx *c, cJSON *old)
{
    if (old && VEC_PUSH(&c->graveyard, old))
        cJSON_Delete(old);   /* out of memory: the load fails anyway */
}

/* Put v where old stands in parent's list, and unlink old (which is kept:
 * see bury). cJSON has no replace that keeps the old item alive. The list's
 * head points back to its tail through prev. */
static void swap_in(cJSON *parent, cJSON *old, cJSON *v)
{
    bool head = parent->child == old, tail = old->next == NULL;
    v->next = old->next;
    v->prev = head && tail ? v : old->prev;
    if (head)
        parent->child = v;
    else
        old->prev->next = v;
    if (tail)
        parent->child->prev = v;
    else
        old->next->prev = v;
    old->next = old->prev = NULL;
}

/* Put v (NULL: remove) as member key of obj, where the old one stood. */
static int set_member(setter *st, cJSON *obj, const char *key, cJSON *v)
{
    cJSON *old = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) {
        if (old)
            bury(st->c, cJSON_DetachItemViaPointer(obj, old));
        return 0;
    }
    /* Adding sets v's key; then it moves into the old one's place. */
    if (!cJSON_AddItemToObject(obj, key, v))
        return err_set(st->c->e, ERR_NOMEM, "out of memory");
    if (old) {
        cJSON_DetachItemViaPointer(obj, v);
        swap_in(obj, old, v);
        bury(st->c, old);
    }
    return 0;
}

static int set_element(setter *st, cJSON *arr, size_t i, cJSON *v)
{
    cJSON *old = cJSON_GetArrayItem(arr, (int)i);
    if (!v) {
        if (old)
            bury(st->c, cJSON_DetachItemViaPointer(arr, old));
        return 0;
    }
    if (old) {
        swap_in(arr, old, v);
        bury(st->c, old);
        return 0;
    }
    return cJSON_AddItemToArray(arr, v) ? 0 : err_set(st->c->e, ERR_NOMEM, "out of memory");
}

static cJSON *parse_value(const char *text)
{
    jdoc *d;
    err ignored;
    if (jdoc_parse("--set", text, strlen(text), &d, &ignored) == 0) {
        cJSON *v = cJSON_Duplicate(jdoc_root(d), true);
        jdoc_free(d);
        return v;
    }
    return cJSON_CreateString(text);
}

/* One step of the walk: to a member (key) or an element (index). */
static int step(setter *st, walk *w, const seg *s, bool last, cJSON *value)
{
    if (!s->is_index) {
        if (expand_variant(st, w))
            return ERR_NOMEM;
        if (!cJSON_IsObject(w->node))
            return fail(st, "is not an object");
        const scenario_field *f = member_field(st, w, s->key);
        if (!f)
            return ERR_INPUT;
        if (w->f && w->f->type == SCENARIO_VARIANT && f != &kind_field)
            scn_push_kind(st->c, cJSON_GetObjectItemCaseSensitive(w->node, "kind")->valuestring);
        scn_push_key(st->c, s->key);
        if (last) {
            int r = set_member(st, w->node, s->key, value);
            st->linked = !r;
            return r;
        }
        cJSON *next = cJSON_GetObjectItemCaseSensitive(w->node, s->key);
        if (!next) {
            if (!(next = materialize(st, f)))
                return st->c->e->code;
            if (set_member(st, w->node, s->key, next))
                return ERR_NOMEM;
        }
        *w = (walk){next, f, false};
        return 0;
    }
    bool list = w->f && !w->elem &&
                (w->f->type == SCENARIO_ARRAY || w->f->type == SCENARIO_INTS ||
                 w->f->type == SCENARIO_NUMBERS || w->f->type == SCENARIO_STRINGS);
    if (!list || !cJSON_IsArray(w->node))
        return fail(st, "is not an array");
    size_t n = (size_t)cJSON_GetArraySize(w->node);
    if (s->index > n)
        return fail(st, "has %zu elements: [%zu] is past the end (use [%zu] to add one)", n,
                    s->index, n);
    scn_push_index(st->c, s->index);
    if (last) {
        int r = set_element(st, w->node, s->index, value);
        st->linked = !r;
        return r;
    }
    if (w->f->type != SCENARIO_ARRAY)
        return fail(st, "is not an object");
    cJSON *next = cJSON_GetArrayItem(w->node, (int)s->index);
    if (!next) {
        if (!(next = cJSON_CreateObject()) || remember(st, next) ||
            set_element(st, w->node, s->index, next))
            return err_set(st->c->e, ERR_NOMEM, "out of memory");
    }
    *w = (walk){next, w->f, true};
    return 0;
}

static int apply_one(scenario_ctx *c, cJSON *root, const char *spec)
{
    setter st = {.c = c};
    char *label = arena_alloc(c->a, strlen(spec) + 8);
    if (!label)
        return err_set(c->e, ERR_NOMEM, "out of memory");
    sprintf(label, "--set %s", spec);
    st.label = label;
    const char *eq = strchr(spec, '=');
    if (!eq)
        return fail(&st, "expected PATH=VALUE, e.g. validators[0].stake=500");
    seg segs[SEG_MAX];
    size_t n;
    int r = parse_path(&st, spec, (size_t)(eq - spec), segs, &n);
    if (r)
        return r;
    /* Defaults written into the tree follow the profile the tree names now. */
    if ((r = scn_profiles_resolve(c, root)))
        return r;
    cJSON *value = parse_value(eq + 1);
    if (!value || remember(&st, value)) {
        cJSON_Delete(value);
        return err_set(c->e, ERR_NOMEM, "out of memory");
    }
    if (cJSON_IsNull(value)) {
        cJSON_Delete(value);
        value = NULL;
    }
    walk w = {root, NULL, false};
    for (size_t i = 0; i < n && !r; i++)
        r = step(&st, &w, &segs[i], i + 1 == n, value);
    scn_pop(c, (scn_mark){0, 0});
    if (value && !st.linked)   /* not in the tree: still ours */
        cJSON_Delete(value);
    return r;
}

static bool is_profile_spec(const char *spec) { return strncmp(spec, "profile=", 8) == 0; }

int scn_overrides_apply(scenario_ctx *c, cJSON *root, const scenario_opts *o)
{
    if (!o)
        return 0;
    /* The profile first: the defaults that other --set paths write follow it. */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < o->nsets; i++) {
            if (is_profile_spec(o->sets[i]) != (pass == 0))
                continue;
            int r = apply_one(c, root, o->sets[i]);
            if (r)
                return r;
        }
    }
    if (!o->has_seed)
        return 0;
    char *label = arena_alloc(c->a, 40);
    cJSON *v = cJSON_CreateNumber((double)o->seed);
    if (!label || !v) {
        cJSON_Delete(v);
        return err_set(c->e, ERR_NOMEM, "out of memory");
    }
    snprintf(label, 40, "--seed %lld", (long long)o->seed);
    setter st = {.c = c, .label = label};
    if (remember(&st, v)) {
        cJSON_Delete(v);
        return ERR_NOMEM;
    }
    return set_member(&st, root, "seed", v);
}
