/* The zipcode universe: read the CSV, rank by population, keep the top N,
 * assign tiers and premium weights, index by zip and by state. */
#include "world/world_internal.h"

#include <errno.h>
#include <math.h>
#include <string.h>

/* The columns the world needs, found by name in the header. */
enum { COL_ZIP, COL_LAT, COL_LON, COL_STATE, COL_CITY, COL_POP, NCOLS };
static const char *const col_names[NCOLS] = {"zip", "lat", "lon", "state", "city", "population"};

#define MAX_FIELDS 64
#define FIELD_MAX 128

typedef struct csv {
    const char *path;
    const char *p, *end;
    int line;                      /* lines read so far */
    int rec;                       /* the line the current record starts on */
} csv;

/* Split one record into fields (RFC 4180: quotes, doubled quotes, CRLF).
 * Returns the field count, 0 at the end of input, or -1 with e set. */
static int csv_record(csv *c, char fields[][FIELD_MAX], err *e)
{
    if (c->p >= c->end)
        return 0;
    c->rec = ++c->line;
    int n = 0;
    for (;;) {
        if (n == MAX_FIELDS)
            return err_set(e, ERR_INPUT, "%s:%d: more than %d fields", c->path, c->rec,
                           MAX_FIELDS), -1;
        size_t len = 0;
        bool quoted = c->p < c->end && *c->p == '"';
        if (quoted)
            c->p++;
        for (; c->p < c->end; c->p++) {
            char ch = *c->p;
            if (quoted && ch == '"') {
                if (c->p + 1 < c->end && c->p[1] == '"') {
                    c->p++;
                } else {
                    quoted = false;
                    continue;
                }
            } else if (!quoted && (ch == ',' || ch == '\n' || ch == '\r')) {
                break;
            } else if (ch == '\n') {
                c->line++;   /* a newline inside quotes */
            }
            if (len + 1 >= FIELD_MAX)
                return err_set(e, ERR_INPUT, "%s:%d: field %d is longer than %d bytes", c->path,
                               c->rec, n + 1, FIELD_MAX - 1), -1;
            fields[n][len++] = ch;
        }
        if (quoted)
            return err_set(e, ERR_INPUT, "%s:%d: unterminated quoted field", c->path, c->rec), -1;
        fields[n++][len] = 0;
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            continue;
        }
        if (c->p < c->end && *c->p == '\r')
            c->p++;
        if (c->p < c->end && *c->p == '\n')
            c->p++;
        return n;
    }
}

static bool blank_record(int n, char fields[][FIELD_MAX]) { return n == 1 && !fields[0][0]; }

static int header(csv *c, int map[NCOLS], err *e)
{
    char f[MAX_FIELDS][FIELD_MAX];
    int n = csv_record(c, f, e);
    if (n < 0)
        return e->code;
    if (n == 0)
        return err_set(e, ERR_INPUT, "%s: empty file", c->path);
    /* a UTF-8 byte order mark is not part of the first name */
    if (!strncmp(f[0], "\xEF\xBB\xBF", 3))
        memmove(f[0], f[0] + 3, strlen(f[0]) - 2);
    for (int k = 0; k < NCOLS; k++) {
        map[k] = -1;
        for (int i = 0; i < n; i++)
            if (!strcmp(f[i], col_names[k]))
                map[k] = i;
        if (map[k] < 0)
            return err_set(e, ERR_INPUT, "%s:1: header has no '%s' column", c->path, col_names[k]);
    }
    return n;
}

static int field_err(const csv *c, const char *field, const char *value, const char *what, err *e)
{
    return err_set(e, ERR_INPUT, "%s:%d: %s: '%s' %s", c->path, c->rec, field, value, what);
}

static int parse_coord(const csv *c, const char *field, const char *s, double lim, double *out,
                       err *e)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || *end || errno || !isfinite(v) || fabs(v) > lim)
        return field_err(c, field, s, lim == 90 ? "is not a latitude (-90..90)"
                                                : "is not a longitude (-180..180)", e);
    *out = v;
    return 0;
}

/* Check and convert one data row into z. */
static int parse_row(const csv *c, char f[][FIELD_MAX], const int map[NCOLS], world_zip *z, err *e)
{
    const char *zip = f[map[COL_ZIP]], *st = f[map[COL_STATE]], *city = f[map[COL_CITY]],
               *pop = f[map[COL_POP]];
    if (strlen(zip) != 5 || strspn(zip, "0123456789") != 5)
        return field_err(c, "zip", zip, "is not a 5-digit zipcode", e);
    if (strlen(st) != 2 || strspn(st, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 2)
        return field_err(c, "state", st, "is not a two-letter state code", e);
    if (!*city || strlen(city) >= PROTO_RESI_CITY_MAX)
        return field_err(c, "city", city, "must have 1 to 31 bytes", e);
    *z = (world_zip){0};
    memcpy(z->zip, zip, 6);
    memcpy(z->state, st, 3);
    memcpy(z->city, city, strlen(city) + 1);
    int rc = parse_coord(c, "lat", f[map[COL_LAT]], 90, &z->lat, e);
    if (!rc)
        rc = parse_coord(c, "lon", f[map[COL_LON]], 180, &z->lon, e);
    if (rc)
        return rc;
    /* Territories without an ACS figure have an empty population: count 0. */
    if (*pop) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(pop, &end, 10);
        if (*end || errno || *pop == '-' || *pop == '+' || v > UINT32_MAX)
            return field_err(c, "population", pop, "is not a whole number of people", e);
        z->population = (uint32_t)v;
    }
    return 0;
}

/* Read every row of the file, checked, into rows (caller frees). */
static int read_rows(const char *path, world_zip **rows, size_t *nrows, err *e)
{
    char *text;
    size_t len;
    int rc = file_read(path, 256u << 20, &text, &len, e);
    if (rc)
        return rc;
    csv c = {path, text, text + len, 0, 0};
    int map[NCOLS];
    int ncols = header(&c, map, e);
    VEC(world_zip) v = {0};
    int32_t *line_of = calloc(WORLD_ZIPNUM_MAX, sizeof *line_of);
    rc = ncols < 0 ? ncols : line_of ? 0 : err_set(e, ERR_NOMEM, "out of memory");
    char (*f)[FIELD_MAX] = rc ? NULL : malloc(MAX_FIELDS * sizeof *f);
    if (!rc && !f)
        rc = err_set(e, ERR_NOMEM, "out of memory");
    while (!rc) {
        int n = csv_record(&c, f, e);
        if (n <= 0) {
            rc = n < 0 ? e->code : 0;
            break;
        }
        if (blank_record(n, f))
            continue;
        if (n != ncols) {
            rc = err_set(e, ERR_INPUT, "%s:%d: expected %d fields, found %d", path, c.rec,
                         ncols, n);
            break;
        }
        world_zip z;
        if ((rc = parse_row(&c, f, map, &z, e)))
            break;
        int num = atoi(z.zip);
        if (line_of[num]) {
            rc = err_set(e, ERR_INPUT, "%s:%d: zip: '%s' repeats line %d", path, c.rec, z.zip,
                         line_of[num]);
            break;
        }
        line_of[num] = c.rec;
        if (VEC_PUSH(&v, z))
            rc = err_set(e, ERR_NOMEM, "out of memory");
    }
    if (!rc && v.len == 0)
        rc = err_set(e, ERR_INPUT, "%s: no zipcode rows", path);
    free(f);
    free(line_of);
    free(text);
    if (rc) {
        VEC_FREE(&v);
        return rc;
    }
    *rows = v.v;
    *nrows = v.len;
    return 0;
}

/* Most populous first; equal populations by zip, so the ranking is total. */
static int by_population(const void *a, const void *b)
{
    const world_zip *x = a, *y = b;
    if (x->population != y->population)
        return x->population > y->population ? -1 : 1;
    return strcmp(x->zip, y->zip);
}

static int cmp_code(const void *a, const void *b) { return strcmp(a, b); }

static size_t state_slot(const world *w, const char *code)
{
    const char *hit = bsearch(code, w->states, w->nstates, sizeof *w->states, cmp_code);
    return hit ? (size_t)(hit - w->states[0]) / sizeof *w->states : SIZE_MAX;
}

/* Zip indexes grouped by state (codes sorted), rank order within a state. */
static int index_states(world *w, err *e)
{
    w->states = malloc(w->nzips * sizeof *w->states);
    w->state_start = calloc(w->nzips + 1, sizeof *w->state_start);
    w->state_idx = malloc(w->nzips * sizeof *w->state_idx);
    if (!w->states || !w->state_start || !w->state_idx)
        return err_set(e, ERR_NOMEM, "out of memory");
    size_t ns = 0;
    for (size_t i = 0; i < w->nzips; i++) {
        size_t k = 0;
        while (k < ns && strcmp(w->states[k], w->zips[i].state))
            k++;
        if (k == ns)
            memcpy(w->states[ns++], w->zips[i].state, 3);
    }
    qsort(w->states, ns, sizeof *w->states, cmp_code);
    w->nstates = ns;
    uint32_t *start = w->state_start;
    for (size_t i = 0; i < w->nzips; i++)
        start[state_slot(w, w->zips[i].state) + 1]++;
    for (size_t k = 0; k < ns; k++)
        start[k + 1] += start[k];
    /* fill in rank order; fill[k] walks state k's range */
    uint32_t *fill = malloc((ns + 1) * sizeof *fill);
    if (!fill)
        return err_set(e, ERR_NOMEM, "out of memory");
    memcpy(fill, start, (ns + 1) * sizeof *fill);
    for (size_t i = 0; i < w->nzips; i++)
        w->state_idx[fill[state_slot(w, w->zips[i].state)]++] = (uint32_t)i;
    free(fill);
    return 0;
}

static uint8_t tier_of(const world_params *p, uint32_t rank)
{
    for (int t = 0; t < WORLD_TIERS - 1; t++)
        if (rank <= (uint32_t)p->tier_max_rank[t])
            return (uint8_t)(t + 1);
    return WORLD_TIERS;
}

static int mark_premium(world *w, err *e)
{
    const world_params *p = &w->p;
    for (int k = 0; k < p->npremium; k++) {
        int i = world_zip_find(w, p->premium[k]);
        if (i < 0)
            return err_set(e, ERR_INPUT, "world.premium: zip '%s' is not among the %zu most "
                           "populous zipcodes of the data", p->premium[k], w->nzips);
        if (w->zips[i].premium)
            return err_set(e, ERR_INPUT, "world.premium: zip '%s' is listed twice", p->premium[k]);
        w->zips[i].premium = true;
        w->zips[i].weight = p->premium_weight;
        w->premium_idx[k] = (uint32_t)i;
    }
    return 0;
}

int world_zips_load(world *w, const char *path, err *e)
{
    world_zip *rows;
    size_t n;
    int rc = read_rows(path, &rows, &n, e);
    if (rc)
        return rc;
    if ((size_t)w->p.top_n > n) {
        free(rows);
        return err_set(e, ERR_INPUT, "world.top_n: %d exceeds the %zu zipcodes in %s",
                       w->p.top_n, n, path);
    }
    qsort(rows, n, sizeof *rows, by_population);
    w->nzips = (size_t)w->p.top_n;
    w->zips = realloc(rows, w->nzips * sizeof *rows);
    w->by_zipnum = malloc(WORLD_ZIPNUM_MAX * sizeof *w->by_zipnum);
    if (!w->zips || !w->by_zipnum) {
        if (!w->zips)
            free(rows);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < WORLD_ZIPNUM_MAX; i++)
        w->by_zipnum[i] = -1;
    for (size_t i = 0; i < w->nzips; i++) {
        world_zip *z = &w->zips[i];
        z->rank = (uint32_t)(i + 1);
        z->tier = tier_of(&w->p, z->rank);
        z->weight = w->p.tier_weight[z->tier - 1];
        z->listings_mean = z->population * w->p.listings_per_1000 / 1000.0;
        w->by_zipnum[atoi(z->zip)] = (int32_t)i;
    }
    rc = mark_premium(w, e);
    return rc ? rc : index_states(w, e);
}

/* ---------------------------------------------------------------- lookups */

size_t world_zip_count(const world *w) { return w->nzips; }

const world_zip *world_zip_at(const world *w, size_t i) { return i < w->nzips ? &w->zips[i] : NULL; }

int world_zip_find(const world *w, const char *zip)
{
    if (!zip || strlen(zip) != 5 || strspn(zip, "0123456789") != 5)
        return -1;
    return w->by_zipnum[atoi(zip)];
}

size_t world_state_zips(const world *w, const char *state, const uint32_t **idx)
{
    size_t k = state && strlen(state) == 2 ? state_slot(w, state) : SIZE_MAX;
    if (k == SIZE_MAX) {
        *idx = NULL;
        return 0;
    }
    *idx = w->state_idx + w->state_start[k];
    return w->state_start[k + 1] - w->state_start[k];
}

size_t world_state_count(const world *w) { return w->nstates; }

const char *world_state_at(const world *w, size_t i) { return i < w->nstates ? w->states[i] : NULL; }

size_t world_premium(const world *w, const uint32_t **idx)
{
    *idx = w->premium_idx;
    return (size_t)w->p.npremium;
}
