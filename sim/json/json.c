/* JSON with comments and positions. cJSON builds the tree; a second walk over
 * the same (already valid) text pairs each node with its offset. */
#include "json/json.h"

#include <string.h>

typedef struct jpos {
    const cJSON *node;
    uint32_t key_off, val_off;
} jpos;

struct jdoc {
    char *name;
    char *text;        /* comments blanked */
    size_t len;
    uint32_t *lines;   /* offset where each line starts */
    size_t nlines;
    cJSON *root;
    jpos *map;         /* open addressing on the node pointer */
    size_t mapcap, mapused;
};

/* ------------------------------------------------------------ positions */

static void offset_to_lc(const jdoc *d, size_t off, int *line, int *col)
{
    size_t lo = 0, hi = d->nlines;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (d->lines[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    /* Columns count characters, not bytes: skip UTF-8 continuation bytes. */
    int c = 1;
    for (size_t i = d->lines[lo]; i < off && i < d->len; i++)
        if (((unsigned char)d->text[i] & 0xC0) != 0x80)
            c++;
    *line = (int)lo + 1;
    *col = c;
}

static size_t ptr_hash(const void *p, size_t cap)
{
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x & (cap - 1);
}

static int map_put(jdoc *d, const cJSON *node, size_t key_off, size_t val_off)
{
    if ((d->mapused + 1) * 2 > d->mapcap) {
        size_t ncap = d->mapcap ? d->mapcap * 2 : 64;
        jpos *nm = calloc(ncap, sizeof *nm);
        if (!nm)
            return ERR_NOMEM;
        for (size_t i = 0; i < d->mapcap; i++) {
            if (!d->map[i].node)
                continue;
            size_t h = ptr_hash(d->map[i].node, ncap);
            while (nm[h].node)
                h = (h + 1) & (ncap - 1);
            nm[h] = d->map[i];
        }
        free(d->map);
        d->map = nm;
        d->mapcap = ncap;
    }
    size_t h = ptr_hash(node, d->mapcap);
    while (d->map[h].node && d->map[h].node != node)
        h = (h + 1) & (d->mapcap - 1);
    if (!d->map[h].node)
        d->mapused++;
    d->map[h] = (jpos){node, (uint32_t)key_off, (uint32_t)val_off};
    return 0;
}

static const jpos *map_get(const jdoc *d, const cJSON *node)
{
    if (!d || !node || !d->mapcap)
        return NULL;
    size_t h = ptr_hash(node, d->mapcap);
    while (d->map[h].node) {
        if (d->map[h].node == node)
            return &d->map[h];
        h = (h + 1) & (d->mapcap - 1);
    }
    return NULL;
}

void jdoc_pos(const jdoc *d, const cJSON *node, int *line, int *col)
{
    const jpos *p = map_get(d, node);
    *line = *col = 0;
    if (p)
        offset_to_lc(d, p->val_off, line, col);
}

void jdoc_key_pos(const jdoc *d, const cJSON *node, int *line, int *col)
{
    const jpos *p = map_get(d, node);
    *line = *col = 0;
    if (p)
        offset_to_lc(d, p->key_off, line, col);
}

const char *jdoc_value_text(const jdoc *d, const cJSON *node)
{
    const jpos *p = map_get(d, node);
    return p ? d->text + p->val_off : "";
}

/* ----------------------------------------------------------- the walk */

typedef struct walker {
    jdoc *d;
    size_t i;
    err *e;
} walker;

static void skip_ws(walker *w)
{
    while (w->i < w->d->len && strchr(" \t\r\n", w->d->text[w->i]) && w->d->text[w->i])
        w->i++;
}

static void skip_string(walker *w)
{
    const char *t = w->d->text;
    w->i++; /* opening quote */
    while (w->i < w->d->len && t[w->i] != '"')
        w->i += t[w->i] == '\\' ? 2 : 1;
    w->i++;
}

static int walk_value(walker *w, const cJSON *node, size_t key_off, int depth);

/* Keys seen in one object: open addressing on the key's hash, so a large
 * object costs linear time rather than a comparison with every earlier key. */
typedef struct keyset {
    const char **slot;
    uint64_t *hash;
    size_t cap;
} keyset;

static int keyset_init(keyset *k, size_t members)
{
    k->cap = 16;
    while (k->cap < members * 2)
        k->cap *= 2;
    k->slot = calloc(k->cap, sizeof *k->slot);
    k->hash = calloc(k->cap, sizeof *k->hash);
    return k->slot && k->hash ? 0 : ERR_NOMEM;
}

/* Insert key; false when it was already there. */
static bool keyset_add(keyset *k, const char *key)
{
    uint64_t h = hash64_str(key);
    size_t i = (size_t)h & (k->cap - 1);
    for (; k->slot[i]; i = (i + 1) & (k->cap - 1))
        if (k->hash[i] == h && strcmp(k->slot[i], key) == 0)
            return false;
    k->slot[i] = key;
    k->hash[i] = h;
    return true;
}

static int walk_object(walker *w, const cJSON *node, int depth)
{
    size_t members = 0;
    for (const cJSON *m = node->child; m; m = m->next)
        members++;
    keyset seen = {0};
    if (keyset_init(&seen, members)) {
        free(seen.slot);
        free(seen.hash);
        return err_set(w->e, ERR_NOMEM, "%s: out of memory", w->d->name);
    }
    int r = 0;
    w->i++; /* { */
    for (const cJSON *m = node->child; m && !r; m = m->next) {
        skip_ws(w);
        size_t key_off = w->i;
        skip_string(w);
        skip_ws(w);
        w->i++; /* : */
        skip_ws(w);
        if (!keyset_add(&seen, m->string)) {
            int line, col;
            offset_to_lc(w->d, key_off, &line, &col);
            r = err_set(w->e, ERR_INPUT, "%s:%d:%d: duplicate key \"%s\"", w->d->name, line, col,
                        m->string);
            break;
        }
        r = walk_value(w, m, key_off, depth + 1);
        skip_ws(w);
        if (w->d->text[w->i] == ',')
            w->i++;
    }
    free(seen.slot);
    free(seen.hash);
    if (r)
        return r;
    skip_ws(w);
    w->i++; /* } */
    return 0;
}

static int walk_array(walker *w, const cJSON *node, int depth)
{
    w->i++; /* [ */
    for (const cJSON *m = node->child; m; m = m->next) {
        skip_ws(w);
        int r = walk_value(w, m, w->i, depth + 1);
        if (r)
            return r;
        skip_ws(w);
        if (w->d->text[w->i] == ',')
            w->i++;
    }
    skip_ws(w);
    w->i++; /* ] */
    return 0;
}

static int walk_value(walker *w, const cJSON *node, size_t key_off, int depth)
{
    if (depth > JSON_MAX_DEPTH) {
        int line, col;
        offset_to_lc(w->d, w->i, &line, &col);
        return err_set(w->e, ERR_INPUT, "%s:%d:%d: nested deeper than %d levels", w->d->name,
                       line, col, JSON_MAX_DEPTH);
    }
    skip_ws(w);
    if (map_put(w->d, node, key_off, w->i))
        return err_set(w->e, ERR_NOMEM, "%s: out of memory", w->d->name);
    const char *t = w->d->text;
    if (cJSON_IsObject(node))
        return walk_object(w, node, depth);
    if (cJSON_IsArray(node))
        return walk_array(w, node, depth);
    if (cJSON_IsString(node)) {
        skip_string(w);
        return 0;
    }
    /* number, true, false, null: up to the next delimiter */
    while (w->i < w->d->len && !strchr(",]} \t\r\n", t[w->i]))
        w->i++;
    return 0;
}

/* ------------------------------------------------------------- parsing */

/* Blank out comments with spaces (newlines kept) so offsets stay true. */
static int strip_comments(jdoc *d, err *e)
{
    char *t = d->text;
    bool in_str = false;
    for (size_t i = 0; i < d->len; i++) {
        if (in_str) {
            if (t[i] == '\\')
                i++;
            else if (t[i] == '"')
                in_str = false;
            continue;
        }
        if (t[i] == '"') {
            in_str = true;
        } else if (t[i] == '/' && i + 1 < d->len && t[i + 1] == '/') {
            while (i < d->len && t[i] != '\n')
                t[i++] = ' ';
        } else if (t[i] == '/' && i + 1 < d->len && t[i + 1] == '*') {
            size_t start = i;
            t[i] = t[i + 1] = ' ';
            i += 2;
            while (i + 1 < d->len && !(t[i] == '*' && t[i + 1] == '/')) {
                if (t[i] != '\n')
                    t[i] = ' ';
                i++;
            }
            if (i + 1 >= d->len) {
                int line, col;
                offset_to_lc(d, start, &line, &col);
                return err_set(e, ERR_INPUT, "%s:%d:%d: unterminated /* comment", d->name, line, col);
            }
            t[i] = t[i + 1] = ' ';
            i++;
        }
    }
    return 0;
}

static int index_lines(jdoc *d)
{
    size_t cap = 64;
    d->lines = malloc(cap * sizeof *d->lines);
    if (!d->lines)
        return ERR_NOMEM;
    d->lines[0] = 0;
    d->nlines = 1;
    for (size_t i = 0; i < d->len; i++) {
        if (d->text[i] != '\n')
            continue;
        if (vec_grow_((void **)&d->lines, &cap, d->nlines + 1, sizeof *d->lines))
            return ERR_NOMEM;
        d->lines[d->nlines++] = (uint32_t)(i + 1);
    }
    return 0;
}

static int syntax_error(jdoc *d, size_t off, err *e)
{
    int line, col;
    size_t i = off;
    while (i < d->len && strchr(" \t\r\n", d->text[i]) && d->text[i])
        i++;
    offset_to_lc(d, i < d->len ? i : off, &line, &col);
    if (i >= d->len) {
        bool blank = true;
        for (size_t k = 0; k < d->len && blank; k++)
            blank = strchr(" \t\r\n", d->text[k]) != NULL;
        if (blank)
            return err_set(e, ERR_INPUT, "%s:%d:%d: empty document: expected a JSON object", d->name,
                           line, col);
        return err_set(e, ERR_INPUT, "%s:%d:%d: unexpected end of input (unclosed bracket or string?)",
                       d->name, line, col);
    }
    char near[24];
    size_t k = 0;
    while (k < sizeof near - 1 && i + k < d->len && d->text[i + k] != '\n' && d->text[i + k])
        near[k] = d->text[i + k], k++;
    near[k] = 0;
    return err_set(e, ERR_INPUT, "%s:%d:%d: invalid JSON at '%s'", d->name, line, col, near);
}

int jdoc_parse(const char *name, const char *text, size_t len, jdoc **out, err *e)
{
    *out = NULL;
    if (len >= UINT32_MAX)
        return err_set(e, ERR_INPUT, "%s: document too large", name);
    jdoc *d = calloc(1, sizeof *d);
    if (!d || !(d->name = strdup(name)) || !(d->text = malloc(len + 1))) {
        jdoc_free(d);
        return err_set(e, ERR_NOMEM, "%s: out of memory", name);
    }
    memcpy(d->text, text, len);
    d->text[len] = 0;
    d->len = len;
    int r = index_lines(d);
    if (r) {
        jdoc_free(d);
        return err_set(e, r, "%s: out of memory", name);
    }
    if (memchr(text, 0, len)) {
        size_t off = (size_t)((const char *)memchr(text, 0, len) - text);
        int line, col;
        offset_to_lc(d, off, &line, &col);
        jdoc_free(d);
        return err_set(e, ERR_INPUT, "%s:%d:%d: NUL byte in text", name, line, col);
    }
    if ((r = strip_comments(d, e))) {
        jdoc_free(d);
        return r;
    }
    /* Refuse deep nesting before cJSON recurses into it. */
    int depth = 0;
    bool in_str = false;
    for (size_t i = 0; i < len; i++) {
        char c = d->text[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = false;
        } else if (c == '"') {
            in_str = true;
        } else if (c == '{' || c == '[') {
            if (++depth > JSON_MAX_DEPTH) {
                int line, col;
                offset_to_lc(d, i, &line, &col);
                jdoc_free(d);
                return err_set(e, ERR_INPUT, "%s:%d:%d: nested deeper than %d levels", name, line,
                               col, JSON_MAX_DEPTH);
            }
        } else if (c == '}' || c == ']') {
            depth--;
        }
    }
    const char *end = NULL;
    d->root = cJSON_ParseWithLengthOpts(d->text, len + 1, &end, true);
    if (!d->root) {
        size_t off = end ? (size_t)(end - d->text) : 0;
        r = syntax_error(d, off, e);
        jdoc_free(d);
        return r;
    }
    walker w = {d, 0, e};
    if ((r = walk_value(&w, d->root, 0, 0))) {
        jdoc_free(d);
        return r;
    }
    *out = d;
    return 0;
}

int jdoc_load(const char *path, size_t max_bytes, jdoc **out, err *e)
{
    char *text;
    size_t len;
    int r = file_read(path, max_bytes, &text, &len, e);
    if (r)
        return r;
    r = jdoc_parse(path, text, len, out, e);
    free(text);
    return r;
}

void jdoc_free(jdoc *d)
{
    if (!d)
        return;
    cJSON_Delete(d->root);
    free(d->map);
    free(d->lines);
    free(d->text);
    free(d->name);
    free(d);
}

cJSON *jdoc_root(const jdoc *d) { return d ? d->root : NULL; }
const char *jdoc_name(const jdoc *d) { return d ? d->name : ""; }

int jdoc_errorf(const jdoc *d, const cJSON *node, bool at_key, const char *path, err *e,
                const char *fmt, ...)
{
    char what[ERR_MSG_MAX / 2];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    int line = 0, col = 0;
    if (node)
        (at_key ? jdoc_key_pos : jdoc_pos)(d, node, &line, &col);
    const char *name = d ? d->name : "";
    const char *p = path && *path ? path : NULL;
    if (line)
        return err_set(e, ERR_INPUT, "%s:%d:%d: %s%s%s", name, line, col, p ? p : "", p ? ": " : "",
                       what);
    if (*name)
        return err_set(e, ERR_INPUT, "%s: %s%s%s", name, p ? p : "", p ? ": " : "", what);
    return err_set(e, ERR_INPUT, "%s%s%s", p ? p : "", p ? ": " : "", what);
}

void json_describe(const cJSON *v, char *out, size_t n)
{
    if (!v)
        snprintf(out, n, "nothing");
    else if (cJSON_IsString(v)) {
        size_t len = strlen(v->valuestring);
        snprintf(out, n, "\"%.40s%s\"", v->valuestring, len > 40 ? "..." : "");
    } else if (cJSON_IsNumber(v))
        snprintf(out, n, "%.17g", v->valuedouble);
    else if (cJSON_IsTrue(v))
        snprintf(out, n, "true");
    else if (cJSON_IsFalse(v))
        snprintf(out, n, "false");
    else if (cJSON_IsNull(v))
        snprintf(out, n, "null");
    else if (cJSON_IsArray(v))
        snprintf(out, n, "an array");
    else
        snprintf(out, n, "an object");
}
