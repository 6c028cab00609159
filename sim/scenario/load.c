/* Loading: read (with a size cap), parse, apply overrides, pick the profile,
 * bind the root into the core struct and every family's section. */
#include "scenario/internal.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

/* ------------------------------------------------------- families */

static int families_check(const scenario_internal *in, err *e)
{
    /* Families are compiled-in tables: a clash is a bug, said plainly. */
    for (size_t i = 0; i < in->nfams; i++) {
        const scenario_family *a = in->fams[i];
        for (size_t j = 0; j < i; j++) {
            const scenario_family *b = in->fams[j];
            if (strcmp(a->name, b->name) == 0)
                return err_set(e, ERR_INTERNAL, "family %s is loaded twice", a->name);
            for (size_t k = 0; a->root && b->root && k < a->root->nfields; k++)
                if (scn_field_find(b->root, a->root->fields[k].name))
                    return err_set(e, ERR_INTERNAL, "families %s and %s both own key %s", b->name,
                                   a->name, a->root->fields[k].name);
            for (size_t k = 0; k < a->nkinds; k++)
                for (size_t l = 0; l < b->nkinds; l++)
                    if (!strcmp(a->kinds[k].slot, b->kinds[l].slot) &&
                        !strcmp(a->kinds[k].name, b->kinds[l].name))
                        return err_set(e, ERR_INTERNAL, "families %s and %s both define %s %s",
                                       b->name, a->name, a->kinds[k].slot, a->kinds[k].name);
        }
    }
    return 0;
}

bool scenario_kind_is(const scenario_kind *k, const scenario_family *f, int id)
{
    for (size_t i = 0; k && i < f->nkinds; i++)
        if (k == &f->kinds[i])
            return k->id == id;
    return false;
}

const scenario_kind *scn_kind_find(const scenario_ctx *c, const char *slot, const char *name)
{
    for (size_t i = 0; i < c->in->nfams; i++) {
        const scenario_family *f = c->in->fams[i];
        for (size_t k = 0; k < f->nkinds; k++)
            if (!strcmp(f->kinds[k].slot, slot) && !strcmp(f->kinds[k].name, name))
                return &f->kinds[k];
    }
    return NULL;
}

void scn_kind_hint(const scenario_ctx *c, const char *slot, const char *name, char *buf, size_t n)
{
    const char *names[128];
    size_t k = 0;
    for (size_t i = 0; i < c->in->nfams; i++) {
        const scenario_family *f = c->in->fams[i];
        for (size_t j = 0; j < f->nkinds && k < 128; j++)
            if (!strcmp(f->kinds[j].slot, slot))
                names[k++] = f->kinds[j].name;
    }
    scn_hint(name, names, k, true, buf, n);
}

/* ------------------------------------------------------- profiles */

static const scenario_profile *profile_find(const scenario_ctx *c, const char *name)
{
    for (size_t i = 0; i < c->in->nfams; i++)
        for (size_t k = 0; k < c->in->fams[i]->nprofiles; k++)
            if (!strcmp(c->in->fams[i]->profiles[k].name, name))
                return &c->in->fams[i]->profiles[k];
    return NULL;
}

/* Whether a schema path ("subnets[].tempo", "validators[].policy<honest>.noise")
 * names a field of the loaded families. */
static bool path_exists(const scenario_ctx *c, const char *path)
{
    const scenario_table *ctx[SCN_MAX_FAMILIES];
    size_t nctx = 0;
    for (size_t i = 0; i < c->in->nfams; i++)
        if (c->in->fams[i]->root)
            ctx[nctx++] = c->in->fams[i]->root;
    const char *p = path;
    while (*p) {
        char key[128];
        size_t k = strcspn(p, ".[<");
        if (k == 0 || k >= sizeof key)
            return false;
        memcpy(key, p, k);
        key[k] = 0;
        p += k;
        const scenario_field *f = NULL;
        for (size_t i = 0; i < nctx && !f; i++)
            f = scn_field_find(ctx[i], key);
        if (!f)
            return false;
        nctx = 1;
        ctx[0] = f->table;
        if (strncmp(p, "[]", 2) == 0) {
            if (f->type != SCENARIO_ARRAY)
                return !p[2] && f->type != SCENARIO_MAP && f->type >= SCENARIO_INTS;
            p += 2;
        } else if (*p == '<') {
            const char *end = strchr(p, '>');
            char kind[128];
            if (f->type != SCENARIO_VARIANT || !end || (size_t)(end - p) >= sizeof kind)
                return false;
            snprintf(kind, sizeof kind, "%.*s", (int)(end - p - 1), p + 1);
            const scenario_kind *kd = scn_kind_find(c, f->slot, kind);
            if (!kd)
                return false;
            ctx[0] = kd->table;
            p = end + 1;
        }
        if (!*p)
            return true;
        if (*p++ != '.' || !ctx[0])
            return false;
    }
    return false;
}

int scn_profiles_resolve(scenario_ctx *c, const cJSON *root)
{
    c->nprofiles = 0;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "profile");
    if (!v || !cJSON_IsString(v))
        return 0;   /* absent; a wrong type is the binder's to report */
    const scenario_profile *p = profile_find(c, v->valuestring);
    if (!p) {
        const char *names[128];
        size_t k = 0;
        for (size_t i = 0; i < c->in->nfams; i++)
            for (size_t j = 0; j < c->in->fams[i]->nprofiles && k < 128; j++)
                names[k++] = c->in->fams[i]->profiles[j].name;
        char hint[512] = "";
        scn_hint(v->valuestring, names, k, true, hint, sizeof hint);
        return scn_error(c, v, false, "profile", "unknown profile \"%.60s\"%s", v->valuestring, hint);
    }
    while (p) {
        if (c->nprofiles == SCN_MAX_PROFILE_DEPTH)
            return err_set(c->e, ERR_INTERNAL, "profile %s: bases nest too deep", v->valuestring);
        c->profiles[c->nprofiles++] = p;
        for (size_t k = 0; k < p->nvalues; k++)
            if (!path_exists(c, p->values[k].path))
                return err_set(c->e, ERR_INTERNAL, "profile %s: no field at %s", p->name,
                               p->values[k].path);
        if (!p->base)
            break;
        const scenario_profile *base = profile_find(c, p->base);
        if (!base)
            return err_set(c->e, ERR_INTERNAL, "profile %s: no base profile %s", p->name, p->base);
        p = base;
    }
    return 0;
}

const char *scn_default(const scenario_ctx *c, const scenario_field *f, const char *spath,
                        const scenario_profile **profile)
{
    for (size_t i = 0; i < c->nprofiles; i++) {
        const scenario_profile *p = c->profiles[i];
        for (size_t k = 0; k < p->nvalues; k++) {
            if (strcmp(p->values[k].path, spath) == 0) {
                *profile = p;
                return p->values[k].json;
            }
        }
    }
    *profile = NULL;
    return f->def;
}

/* --------------------------------------------------- check hooks */

static int fail_rel(scenario_ctx *c, const char *rel, bool at_key, const char *fmt, va_list ap)
{
    char path[SCN_PATH_MAX];
    const char *sep = c->plen && rel && *rel && *rel != '[' ? "." : "";
    if (snprintf(path, sizeof path, "%s%s%s", c->path, sep, rel ? rel : "") >= (int)sizeof path)
        path[sizeof path - 1] = 0;   /* a cut path still says where */
    /* Walk as far as the input goes; a defaulted member reports at its object. */
    const cJSON *n = c->node;
    bool whole = true;
    for (const char *p = rel ? rel : ""; *p && whole;) {
        const cJSON *next = NULL;
        if (*p == '[') {
            char *end;
            long i = strtol(p + 1, &end, 10);
            if (cJSON_IsArray(n) && *end == ']')
                next = cJSON_GetArrayItem(n, (int)i);
            p = *end ? end + 1 : end;
        } else {
            char key[256];
            size_t k = 0;
            while (*p && *p != '.' && *p != '[' && k < sizeof key - 1)
                key[k++] = *p++;
            key[k] = 0;
            if (cJSON_IsObject(n))
                next = cJSON_GetObjectItemCaseSensitive(n, key);
        }
        if (*p == '.')
            p++;
        if (next)
            n = next;
        else
            whole = false;
    }
    return scn_verror(c, n, at_key && whole, path, fmt, ap);
}

int scenario_fail(scenario_ctx *c, const char *rel, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = fail_rel(c, rel, false, fmt, ap);
    va_end(ap);
    return r;
}

int scenario_fail_key(scenario_ctx *c, const char *rel, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = fail_rel(c, rel, true, fmt, ap);
    va_end(ap);
    return r;
}

const scenario *scenario_ctx_scenario(const scenario_ctx *c) { return c->s; }

const cJSON *scenario_ctx_member(const scenario_ctx *c, const char *key)
{
    return cJSON_IsObject(c->node) ? cJSON_GetObjectItemCaseSensitive(c->node, key) : NULL;
}

/* ---------------------------------------------------------- loading */

static int bind_root(scenario_ctx *c, const cJSON *root)
{
    const scenario_table *tabs[SCN_MAX_FAMILIES];
    void *objs[SCN_MAX_FAMILIES];
    size_t n = 0;
    for (size_t i = 0; i < c->in->nfams; i++) {
        const scenario_table *t = c->in->fams[i]->root;
        if (!t)
            continue;
        void *obj = i == 0 ? (void *)c->s : arena_alloc(c->a, t->size);
        if (!obj)
            return err_set(c->e, ERR_NOMEM, "out of memory");
        c->in->sections[i] = obj;
        tabs[n] = t;
        objs[n++] = obj;
    }
    return scn_bind_objects(c, tabs, objs, n, root, NULL);
}

static int setup(scenario_ctx *c, const scenario_opts *o)
{
    c->in->fams[c->in->nfams++] = &scenario_core;
    for (size_t i = 0; o && i < o->nfamilies; i++) {
        if (c->in->nfams == SCN_MAX_FAMILIES)
            return err_set(c->e, ERR_INTERNAL, "more than %d families", SCN_MAX_FAMILIES);
        c->in->fams[c->in->nfams++] = o->families[i];
    }
    return families_check(c->in, c->e);
}

static void ctx_done(scenario_ctx *c)
{
    for (size_t i = 0; i < c->graveyard.len; i++)
        cJSON_Delete(c->graveyard.v[i]);
    VEC_FREE(&c->graveyard);
    VEC_FREE(&c->origins);
}

static int load_doc(scenario_ctx *c, jdoc *doc, const scenario_opts *o)
{
    cJSON *root = jdoc_root(doc);
    if (!cJSON_IsObject(root)) {
        char got[80];
        json_describe(root, got, sizeof got);
        return scn_error(c, root, false, NULL, "expected an object at the top level, got %s", got);
    }
    int r = scn_overrides_apply(c, root, o);
    if (!r)
        r = scn_profiles_resolve(c, root);
    if (!r)
        r = bind_root(c, root);
    return r;
}

/* An error is one line (a path or key from the input may hold a newline). */
static int one_line(err *e, int code)
{
    err_oneline(e);
    return code;
}

static int parse(const char *name, const char *text, size_t len, const scenario_opts *o,
                 scenario **out, err *e);

int scenario_parse(const char *name, const char *text, size_t len, const scenario_opts *o,
                   scenario **out, err *e)
{
    err local;
    if (!e)
        e = &local;   /* the binder reads back the code it set */
    int r = parse(name, text, len, o, out, e);
    return r ? one_line(e, r) : 0;
}

static int parse(const char *name, const char *text, size_t len, const scenario_opts *o,
                 scenario **out, err *e)
{
    *out = NULL;
    size_t max = o && o->max_bytes ? o->max_bytes : SCENARIO_MAX_BYTES;
    if (len > max)
        return err_set(e, ERR_INPUT, "%s: larger than the %zu bytes allowed for a scenario", name,
                       max);
    arena *a = arena_new();
    scenario *s = a ? arena_alloc(a, sizeof *s) : NULL;
    scenario_internal *in = s ? arena_alloc(a, sizeof *in) : NULL;
    if (!in) {
        arena_free(a);
        return err_set(e, ERR_NOMEM, "%s: out of memory", name);
    }
    s->internal = in;
    in->arena = a;
    jdoc *doc = NULL;
    scenario_ctx c = {.s = s, .in = in, .a = a, .e = e};
    int r = setup(&c, o);
    if (!r)
        r = jdoc_parse(name, text, len, &doc, e);
    if (!r) {
        c.doc = doc;
        r = load_doc(&c, doc, o);
    }
    ctx_done(&c);
    jdoc_free(doc);
    if (!r && (!(s->text = arena_memdup(a, text, len)) || !(s->path = arena_strdup(a, name))))
        r = err_set(e, ERR_NOMEM, "%s: out of memory", name);
    if (r) {
        arena_free(a);
        return r;
    }
    s->text_len = len;
    *out = s;
    return 0;
}

/* Where byte `off` of a file is, as line:col (columns in characters). */
static void byte_position(const char *t, size_t off, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off; i++) {
        if (t[i] == '\n') {
            ++*line;
            *col = 1;
        } else if (((unsigned char)t[i] & 0xC0) != 0x80) {
            ++*col;
        }
    }
}

int scenario_load(const char *path, const scenario_opts *o, scenario **out, err *e)
{
    err local;
    if (!e)
        e = &local;
    *out = NULL;
    size_t max = o && o->max_bytes ? o->max_bytes : SCENARIO_MAX_BYTES;
    FILE *f = fopen(path, "rb");
    if (!f)
        return one_line(e, err_set(e, errno == ENOENT ? ERR_NOTFOUND : ERR_IO, "cannot open '%s': %s",
                                   path, strerror(errno)));
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        return one_line(e, err_set(e, ERR_INPUT, "%s: is a directory, not a scenario file", path));
    }
    /* Read one byte past the cap: enough to know, never the whole of a huge file. */
    char *text = malloc(max + 1);
    size_t len = text ? fread(text, 1, max + 1, f) : 0;
    int bad = ferror(f);
    fclose(f);
    if (!text)
        return err_set(e, ERR_NOMEM, "%s: out of memory", path);
    if (bad) {
        free(text);
        return err_set(e, ERR_IO, "cannot read '%s'", path);
    }
    if (len > max) {
        int line, col;
        byte_position(text, max, &line, &col);
        free(text);
        return one_line(e, err_set(e, ERR_INPUT,
                                   "%s:%d:%d: the file goes on past %zu bytes, the limit for a scenario",
                                   path, line, col, max));
    }
    int r = scenario_parse(path, text, len, o, out, e);
    free(text);
    return r;
}

void scenario_free(scenario *s)
{
    if (s)
        arena_free(s->internal->arena);
}

void *scenario_section(const scenario *s, const scenario_family *f)
{
    for (size_t i = 1; s && i < s->internal->nfams; i++)
        if (s->internal->fams[i] == f)
            return s->internal->sections[i];
    return NULL;
}
