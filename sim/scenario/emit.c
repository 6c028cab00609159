/* The effective scenario as canonical JSON, and the printer behind it and the
 * schema: one text for one scenario, so runs can store and compare it. */
#include "scenario/internal.h"

#include <math.h>
#include <string.h>

/* ------------------------------------------------------------ numbers */

void scn_format_number(double x, char *buf, size_t n)
{
    if (x == 0) {
        snprintf(buf, n, "0");   /* -0 too */
        return;
    }
    if (x == floor(x) && fabs(x) < 1e17) {
        snprintf(buf, n, "%.0f", x);
        return;
    }
    /* The shortest of %.15g .. %.17g that reads back as the same double. */
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, x);
        if (strtod(buf, NULL) == x)
            return;
    }
}

static bool open_bound(double x) { return isinf(x) || fabs(x) >= SCENARIO_INT_LIMIT * 1e3; }

void scn_format_range(const scenario_field *f, char *buf, size_t n)
{
    *buf = 0;
    if (f->min == 0 && f->max == 0)
        return;
    bool dur = f->type == SCENARIO_DURATION;
    bool integer = f->type == SCENARIO_INT || f->type == SCENARIO_INTS;
    double lim = integer ? SCENARIO_INT_LIMIT : INFINITY;
    bool lo = !open_bound(f->min) && f->min > -lim, hi = !open_bound(f->max) && f->max < lim;
    char a[48], b[48];
    if (dur) {
        duration_format((int64_t)f->min, a, sizeof a);
        duration_format((int64_t)f->max, b, sizeof b);
        if (f->min == 0)
            snprintf(a, sizeof a, "0s");
    } else {
        scn_format_number(f->min, a, sizeof a);
        scn_format_number(f->max, b, sizeof b);
    }
    if (lo && hi)
        snprintf(buf, n, "between %s and %s", a, b);
    else if (lo)
        snprintf(buf, n, dur ? "of at least %s" : ">= %s", a);
    else if (hi)
        snprintf(buf, n, dur ? "of at most %s" : "<= %s", b);
}

/* ------------------------------------------------------------ printing */

static void put_string(sbuf *b, const char *s)
{
    sbuf_puts(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': sbuf_puts(b, "\\\""); break;
        case '\\': sbuf_puts(b, "\\\\"); break;
        case '\n': sbuf_puts(b, "\\n"); break;
        case '\r': sbuf_puts(b, "\\r"); break;
        case '\t': sbuf_puts(b, "\\t"); break;
        case '\b': sbuf_puts(b, "\\b"); break;
        case '\f': sbuf_puts(b, "\\f"); break;
        default:
            if (*p < 0x20)
                sbuf_printf(b, "\\u%04x", *p);
            else
                sbuf_add(b, (const char *)p, 1);
        }
    }
    sbuf_puts(b, "\"");
}

static void print_value(sbuf *b, const cJSON *v, int indent);

static bool inline_array(const cJSON *v)
{
    size_t width = 0;
    for (const cJSON *x = v->child; x; x = x->next) {
        if (cJSON_IsArray(x) || cJSON_IsObject(x))
            return false;
        width += cJSON_IsString(x) ? strlen(x->valuestring) + 4 : 12;
    }
    return width <= 72;
}

static void print_container(sbuf *b, const cJSON *v, int indent, bool object)
{
    if (!v->child) {
        sbuf_puts(b, object ? "{}" : "[]");
        return;
    }
    if (!object && inline_array(v)) {
        sbuf_puts(b, "[");
        for (const cJSON *x = v->child; x; x = x->next) {
            print_value(b, x, indent);
            sbuf_puts(b, x->next ? ", " : "");
        }
        sbuf_puts(b, "]");
        return;
    }
    sbuf_puts(b, object ? "{\n" : "[\n");
    for (const cJSON *x = v->child; x; x = x->next) {
        sbuf_printf(b, "%*s", indent + 2, "");
        if (object) {
            put_string(b, x->string);
            sbuf_puts(b, ": ");
        }
        print_value(b, x, indent + 2);
        sbuf_puts(b, x->next ? ",\n" : "\n");
    }
    sbuf_printf(b, "%*s%s", indent, "", object ? "}" : "]");
}

static void print_value(sbuf *b, const cJSON *v, int indent)
{
    char num[64];
    if (cJSON_IsObject(v) || cJSON_IsArray(v)) {
        print_container(b, v, indent, cJSON_IsObject(v));
    } else if (cJSON_IsString(v)) {
        put_string(b, v->valuestring);
    } else if (cJSON_IsNumber(v)) {
        scn_format_number(v->valuedouble, num, sizeof num);
        sbuf_puts(b, num);
    } else {
        sbuf_puts(b, cJSON_IsTrue(v) ? "true" : cJSON_IsFalse(v) ? "false" : "null");
    }
}

int scn_print(const cJSON *v, char **out)
{
    sbuf b;
    sbuf_init(&b);
    print_value(&b, v, 0);
    sbuf_puts(&b, "\n");
    if (b.oom) {
        sbuf_free(&b);
        *out = NULL;
        return ERR_NOMEM;
    }
    *out = sbuf_take(&b);
    return *out ? 0 : ERR_NOMEM;
}

/* ------------------------------------------------- the effective scenario */

static const void *at(const void *obj, size_t off) { return (const char *)obj + off; }

static const void *get_ptr(const void *obj, size_t off)
{
    const void *p;
    memcpy(&p, at(obj, off), sizeof p);
    return p;
}

static size_t get_size(const void *obj, size_t off)
{
    size_t n;
    memcpy(&n, at(obj, off), sizeof n);
    return n;
}

static size_t storage_size(const scenario_field *f)
{
    switch (f->type) {
    case SCENARIO_BOOL: return sizeof(bool);
    case SCENARIO_INT:
    case SCENARIO_DURATION: return sizeof(int64_t);
    case SCENARIO_NUMBER: return sizeof(double);
    case SCENARIO_ENUM: return sizeof(int);
    case SCENARIO_MOMENT: return sizeof(scenario_moment);
    case SCENARIO_OBJECT: return f->table->size;
    case SCENARIO_VARIANT: return sizeof(scenario_variant);
    default: return sizeof(void *);   /* strings, names, lists' pointers */
    }
}

/* An optional field left at its zero value is left out. */
static bool omitted(const scenario_field *f, const void *obj)
{
    if (f->def != SCENARIO_ABSENT)
        return false;
    const unsigned char *p = at(obj, f->offset);
    for (size_t i = 0; i < storage_size(f); i++)
        if (p[i])
            return false;
    return true;
}

static cJSON *emit_object(const scenario_table *t, const void *obj, cJSON *into);

static cJSON *duration_json(int64_t us)
{
    char b[48] = "0s";
    if (us)
        duration_format(us, b, sizeof b);
    return cJSON_CreateString(b);
}

static cJSON *emit_list(const scenario_field *f, const void *obj)
{
    const void *items = get_ptr(obj, f->offset);
    size_t n = get_size(obj, f->count_offset);
    cJSON *a = f->type == SCENARIO_MAP ? cJSON_CreateObject() : cJSON_CreateArray();
    for (size_t i = 0; a && i < n; i++) {
        cJSON *x = NULL;
        if (f->type == SCENARIO_ARRAY)
            x = emit_object(f->table, (const char *)items + i * f->table->size, NULL);
        else if (f->type == SCENARIO_INTS)
            x = cJSON_CreateNumber((double)((const int64_t *)items)[i]);
        else if (f->type == SCENARIO_NUMBERS)
            x = cJSON_CreateNumber(((const double *)items)[i]);
        else if (f->type == SCENARIO_STRINGS)
            x = cJSON_CreateString(((const char *const *)items)[i]);
        else
            x = cJSON_CreateNumber(((const scenario_map_entry *)items)[i].value);
        bool ok = x && (f->type == SCENARIO_MAP
                            ? cJSON_AddItemToObject(a, ((const scenario_map_entry *)items)[i].key, x)
                            : cJSON_AddItemToArray(a, x));
        if (!ok) {
            cJSON_Delete(x);
            cJSON_Delete(a);
            return NULL;
        }
    }
    return a;
}

static cJSON *emit_value(const scenario_field *f, const void *obj)
{
    const void *p = at(obj, f->offset);
    switch (f->type) {
    case SCENARIO_BOOL: return cJSON_CreateBool(*(const bool *)p);
    case SCENARIO_INT: return cJSON_CreateNumber((double)*(const int64_t *)p);
    case SCENARIO_NUMBER: return cJSON_CreateNumber(*(const double *)p);
    case SCENARIO_STRING: return cJSON_CreateString(get_ptr(obj, f->offset));
    case SCENARIO_ENUM: return cJSON_CreateString(f->choices[*(const int *)p]);
    case SCENARIO_DURATION: return duration_json(*(const int64_t *)p);
    case SCENARIO_MOMENT: {
        const scenario_moment *m = p;
        return m->at_block ? cJSON_CreateNumber((double)m->block) : duration_json(m->us);
    }
    case SCENARIO_OBJECT: return emit_object(f->table, p, NULL);
    case SCENARIO_VARIANT: {
        const scenario_variant *v = p;
        cJSON *o = cJSON_CreateObject();
        if (o && !cJSON_AddStringToObject(o, "kind", v->kind->name)) {
            cJSON_Delete(o);
            return NULL;
        }
        return v->kind->table ? emit_object(v->kind->table, v->cfg, o) : o;
    }
    case SCENARIO_NAME: {
        const scenario_kind *k = get_ptr(obj, f->offset);
        return cJSON_CreateString(k->name);
    }
    default: return emit_list(f, obj);
    }
}

/* Fields of t from obj, added to `into` (a new object when NULL). */
static cJSON *emit_object(const scenario_table *t, const void *obj, cJSON *into)
{
    cJSON *o = into ? into : cJSON_CreateObject();
    for (size_t i = 0; o && i < t->nfields; i++) {
        const scenario_field *f = &t->fields[i];
        if (omitted(f, obj))
            continue;
        cJSON *v = emit_value(f, obj);
        if (!v || !cJSON_AddItemToObject(o, f->name, v)) {
            cJSON_Delete(v);
            cJSON_Delete(o);
            return NULL;
        }
    }
    return o;
}

int scenario_to_json(const scenario *s, char **out, err *e)
{
    *out = NULL;
    const scenario_internal *in = s->internal;
    cJSON *root = cJSON_CreateObject();
    for (size_t i = 0; root && i < in->nfams; i++)
        if (in->fams[i]->root)
            root = emit_object(in->fams[i]->root, in->sections[i], root);
    if (!root || scn_print(root, out)) {
        cJSON_Delete(root);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    cJSON_Delete(root);
    return 0;
}
