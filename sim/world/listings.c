/* The listings universe: zpids, arrivals, lives, and the per-zip caches that
 * answer searches. See world.h for the shape of the model. */
#include "world/world_internal.h"

#include <math.h>
#include <string.h>

/* ----------------------------------------------------------------- zpids */

/* A zpid is 1 + perm(x), x = zip (17 bits) | window + bias (15) | index (12):
 * 44 bits through a keyed four-round Feistel permutation. Windows are days, so
 * the scheme covers +-44 years around time 0 and 4,095 listings a zip a day. */
#define ZIP_SHIFT 27
#define WIN_SHIFT 12
#define WIN_BIAS 16384
#define WIN_MAX (WIN_BIAS - 1)
#define IDX_MAX 4095
#define HALF_BITS 22
#define HALF_MASK ((1ULL << HALF_BITS) - 1)
#define ZPID_SPACE (1ULL << (2 * HALF_BITS))

static uint64_t perm(const world *w, uint64_t x)
{
    uint64_t l = x >> HALF_BITS, r = x & HALF_MASK;
    for (int i = 0; i < 4; i++) {
        uint64_t nl = r;
        r = l ^ (hash64_mix(w->perm_key[i], r) & HALF_MASK);
        l = nl;
    }
    return (l << HALF_BITS) | r;
}

static uint64_t perm_inverse(const world *w, uint64_t y)
{
    uint64_t l = y >> HALF_BITS, r = y & HALF_MASK;
    for (int i = 3; i >= 0; i--) {
        uint64_t pr = l;
        l = r ^ (hash64_mix(w->perm_key[i], l) & HALF_MASK);
        r = pr;
    }
    return (l << HALF_BITS) | r;
}

static uint64_t zpid_make(const world *w, uint32_t zipnum, int32_t win, int idx)
{
    uint64_t x = ((uint64_t)zipnum << ZIP_SHIFT) | ((uint64_t)(win + WIN_BIAS) << WIN_SHIFT) |
                 (uint64_t)idx;
    return perm(w, x) + 1;
}

static bool zpid_split(const world *w, uint64_t zpid, uint32_t *zipnum, int32_t *win, int *idx)
{
    if (zpid == 0 || zpid > ZPID_SPACE)
        return false;
    uint64_t x = perm_inverse(w, zpid - 1);
    *zipnum = (uint32_t)(x >> ZIP_SHIFT);
    *win = (int32_t)((x >> WIN_SHIFT) & 0x7fff) - WIN_BIAS;
    *idx = (int)(x & IDX_MAX);
    return *zipnum < WORLD_ZIPNUM_MAX;
}

static int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

/* -------------------------------------------------------------- arrivals */

/* A zip's arrivals in one window: a Poisson stream by exponential gaps, so
 * they come out in time order and the i-th is found by drawing i + 1 gaps. */
typedef struct arrivals {
    wrng r;
    double gap, at;
    int idx;
    int32_t win;
} arrivals;

static void arrivals_start(const world *w, const wz_state *z, int32_t win, arrivals *a)
{
    wrng_seed(&a->r, hash64_mix(w->key[WK_ARRIVALS], z->zipnum), (uint64_t)win);
    a->gap = z->rate > 0 ? 1.0 / z->rate : 0;
    a->at = 0;
    a->idx = -1;
    a->win = win;
}

static bool arrivals_next(arrivals *a, int64_t *listed)
{
    if (a->gap <= 0 || a->idx >= IDX_MAX)
        return false;
    a->at += wrng_exponential(&a->r, a->gap);
    if (a->at >= WORLD_DAY)
        return false;
    a->idx++;
    *listed = (int64_t)a->win * WORLD_DAY + (int64_t)a->at;
    return true;
}

/* ------------------------------------------------------------------ lives */

/* The first draw of a listing's life stream: its time for sale. Searches need
 * only this, so it stands alone. */
static int64_t for_sale_seconds(const world *w, wrng *r, bool *capped)
{
    double d = wrng_exponential(r, w->p.for_sale_mean_days * WORLD_DAY);
    *capped = d >= (double)w->fs_max_s;
    int64_t s = *capped ? w->fs_max_s : (int64_t)d;
    return s < 1 ? 1 : s;
}

int64_t world_fs_end(const world *w, uint64_t zpid, int64_t listed)
{
    wrng r;
    wrng_seed(&r, w->key[WK_LIFE], zpid);
    bool capped;
    return listed + for_sale_seconds(w, &r, &capped);
}

void world_life(const world *w, uint64_t zpid, int64_t listed, wl_life *out)
{
    wrng r;
    wrng_seed(&r, w->key[WK_LIFE], zpid);
    bool capped;
    out->listed = listed;
    out->fs_end = listed + for_sale_seconds(w, &r, &capped);
    double u = wrng_uniform(&r);
    double pend = wrng_exponential(&r, w->p.pending_mean_days * WORLD_DAY);
    if (pend > 3650.0 * WORLD_DAY)
        pend = 3650.0 * WORLD_DAY;
    out->withdrawn = capped || u < w->p.p_withdrawn;
    out->sold = out->fs_end + 1 + (int64_t)pend;
    out->gone = out->withdrawn ? out->fs_end
                               : out->sold + (int64_t)(w->p.sold_visible_days * WORLD_DAY);
}

static world_state state_at(const wl_life *L, int64_t ts)
{
    if (ts < L->listed)
        return WORLD_UNLISTED;
    if (ts < L->fs_end)
        return WORLD_FOR_SALE;
    if (ts >= L->gone)
        return WORLD_GONE;
    return ts < L->sold ? WORLD_PENDING : WORLD_SOLD;
}

/* Find a zpid's zip and listing time: false when it names no listing. */
static bool locate(const world *w, uint64_t zpid, int *zi, int64_t *listed)
{
    uint32_t zipnum;
    int32_t win;
    int idx;
    if (!zpid_split(w, zpid, &zipnum, &win, &idx) || (*zi = w->by_zipnum[zipnum]) < 0)
        return false;
    arrivals a;
    arrivals_start(w, &w->zs[*zi], win, &a);
    for (int i = 0; i <= idx; i++)
        if (!arrivals_next(&a, listed))
            return false;
    return true;
}

/* --------------------------------------------------------------- caches */

static int slot_push(wz_cache *c, uint64_t zpid, int64_t listed, int64_t fs_end)
{
    if (c->len == c->cap) {
        uint32_t cap = c->cap ? c->cap * 2 : 64;
        wz_slot *v = realloc(c->v, cap * sizeof *v);
        if (!v)
            return ERR_NOMEM;
        c->v = v;
        c->cap = cap;
    }
    c->v[c->len++] = (wz_slot){zpid, (int32_t)listed, (int32_t)fs_end, 0, 0};
    if (fs_end < c->min_end)
        c->min_end = (int32_t)fs_end;
    return 0;
}

/* Drop the listings no longer for sale at ts, freeing their built copies. */
static int cache_prune(wz_cache *c, int32_t ts)
{
    uint32_t k = 0;
    c->min_end = INT32_MAX;
    for (uint32_t i = 0; i < c->len; i++) {
        wz_slot *s = &c->v[i];
        if (s->fs_end > ts) {
            c->v[k++] = *s;
            if (s->fs_end < c->min_end)
                c->min_end = s->fs_end;
        } else if (s->built && VEC_PUSH(&c->spare, s->built - 1)) {
            return ERR_NOMEM;
        }
    }
    c->len = k;
    return 0;
}

/* Bring zip zi's cache to time ts: afterwards it holds exactly the listings of
 * windows up to ts's whose for-sale time ends after ts, in listing order. */
static int cache_advance(world *w, size_t zi, int32_t ts)
{
    wz_state *z = &w->zs[zi];
    wz_cache *c = &z->cache;
    if (!c->ready || ts < c->t_floor) {
        c->len = 0;
        c->pool.len = c->spare.len = 0;
        c->min_end = INT32_MAX;
        c->w_hi = (int32_t)floor_div(ts - w->fs_max_s, WORLD_DAY) - 1;
        c->ready = true;
    } else if (ts >= c->min_end && cache_prune(c, ts)) {
        return ERR_NOMEM;
    }
    c->t_floor = ts;
    int32_t now = (int32_t)floor_div(ts, WORLD_DAY);
    for (int32_t win = c->w_hi + 1; win <= now; win++) {
        arrivals a;
        arrivals_start(w, z, win, &a);
        int64_t listed;
        while (arrivals_next(&a, &listed)) {
            uint64_t zpid = zpid_make(w, z->zipnum, win, a.idx);
            int64_t fs_end = world_fs_end(w, zpid, listed);
            if (fs_end > ts && slot_push(c, zpid, listed, fs_end))
                return ERR_NOMEM;
        }
        c->w_hi = win;
    }
    return 0;
}

/* A search result: the built copy while it holds, else built afresh (and
 * kept for the next search). */
static int slot_listing(world *w, size_t zi, wz_slot *s, rt_time t, proto_resi_listing *out)
{
    wz_cache *c = &w->zs[zi].cache;
    int64_t ts = t / 1000000;
    if (s->built && ts < s->until) {
        *out = c->pool.v[s->built - 1];
        out->scraped_at_ms = world_unix_ms(w, t);
        return 0;
    }
    wl_life L;
    world_life(w, s->zpid, s->listed, &L);
    int64_t until = world_build(w, zi, s->zpid, &L, t, out);
    if (!s->built) {
        if (c->spare.len) {
            s->built = c->spare.v[--c->spare.len] + 1;
        } else {
            size_t cap = c->pool.cap, grow = cap ? cap : 8;
            if (c->pool.len == cap && w->pool_bytes + grow * sizeof *out > w->pool_budget)
                return 0;   /* over the budget: built, not kept */
            if (VEC_PUSH(&c->pool, *out))
                return ERR_NOMEM;
            w->pool_bytes += (c->pool.cap - cap) * sizeof *out;
            s->built = (uint32_t)c->pool.len;
        }
    }
    c->pool.v[s->built - 1] = *out;
    s->until = until > INT32_MAX ? INT32_MAX : (int32_t)until;
    return 0;
}

/* Searchable times: the windows a zpid can name, less the longest life. */
static bool time_ok(rt_time t)
{
    return t >= 0 && t / 1000000 < (int64_t)(WIN_MAX - 3650) * WORLD_DAY;
}

/* Listings for sale at ts: the cache's prefix of those already listed. */
static uint32_t listed_by(const wz_cache *c, int32_t ts)
{
    uint32_t k = c->len;
    while (k > 0 && c->v[k - 1].listed > ts)
        k--;
    return k;
}

int world_search(world *w, const char *zip, int page, rt_time t, proto_resi_listing *out,
                 world_page *info)
{
    *info = (world_page){0};
    int zi = world_zip_find(w, zip);
    if (zi < 0)
        return ERR_NOTFOUND;
    if (page < 1 || !time_ok(t))
        return ERR_INPUT;
    int32_t ts = (int32_t)(t / 1000000);
    if (cache_advance(w, (size_t)zi, ts))
        return ERR_NOMEM;
    wz_cache *c = &w->zs[zi].cache;
    int ps = w->p.page_size;
    uint32_t k = listed_by(c, ts);
    int pages = (int)((k + (uint32_t)ps - 1) / (uint32_t)ps);
    if (w->p.max_pages && pages > w->p.max_pages)
        pages = w->p.max_pages;
    info->total_results = (int)k;
    info->total_pages = pages;
    if (page > pages)
        return 0;
    /* newest first: page 1 starts at the last listed */
    int64_t first = (int64_t)k - 1 - (int64_t)(page - 1) * ps;
    for (int j = 0; j < ps && first - j >= 0; j++) {
        if (slot_listing(w, (size_t)zi, &c->v[first - j], t, &out[j]))
            return ERR_NOMEM;
        info->n++;
    }
    return 0;
}

/* A listing for sale at ts in a warm cache: its window's slots lie together
 * (slots are in listing order), found by bisection. NULL: not there. */
static wz_slot *cached_slot(world *w, size_t zi, uint64_t zpid, int32_t win, int32_t ts)
{
    wz_cache *c = &w->zs[zi].cache;
    if (!c->ready || ts < c->t_floor || cache_advance(w, zi, ts))
        return NULL;
    int64_t from = (int64_t)win * WORLD_DAY, to = from + WORLD_DAY;
    uint32_t lo = 0, hi = c->len;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (c->v[mid].listed < from)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (uint32_t i = lo; i < c->len && c->v[i].listed < to; i++)
        if (c->v[i].zpid == zpid)
            return c->v[i].listed <= ts ? &c->v[i] : NULL;
    return NULL;
}

int world_lookup(world *w, uint64_t zpid, rt_time t, proto_resi_listing *out)
{
    int zi;
    int64_t listed;
    if (!time_ok(t))
        return ERR_INPUT;
    uint32_t zipnum;
    int32_t win;
    int idx;
    if (zpid_split(w, zpid, &zipnum, &win, &idx) && (zi = w->by_zipnum[zipnum]) >= 0) {
        wz_slot *s = cached_slot(w, (size_t)zi, zpid, win, (int32_t)(t / 1000000));
        if (s)
            return slot_listing(w, (size_t)zi, s, t, out);
    }
    if (!locate(w, zpid, &zi, &listed))
        return ERR_NOTFOUND;
    wl_life L;
    world_life(w, zpid, listed, &L);
    world_state st = state_at(&L, t / 1000000);
    if (st == WORLD_UNLISTED || st == WORLD_GONE)
        return ERR_NOTFOUND;
    world_build(w, (size_t)zi, zpid, &L, t, out);
    return 0;
}

world_state world_listing_state(const world *w, uint64_t zpid, rt_time t)
{
    int zi;
    int64_t listed;
    if (!time_ok(t) || !locate(w, zpid, &zi, &listed))
        return WORLD_UNLISTED;
    wl_life L;
    world_life(w, zpid, listed, &L);
    return state_at(&L, t / 1000000);
}

int world_zip_for_sale(world *w, size_t zi, rt_time t)
{
    if (zi >= w->nzips || !time_ok(t))
        return 0;
    int32_t ts = (int32_t)(t / 1000000);
    if (cache_advance(w, zi, ts))
        return 0;
    return (int)listed_by(&w->zs[zi].cache, ts);
}

/* ---------------------------------------------------------- setting up */

int world_listings_init(world *w, err *e)
{
    const world_params *p = &w->p;
    for (int k = 0; k < WK_COUNT; k++)
        w->key[k] = hash64_mix(hash64_mix(w->seed, 0x6c697374696e6773ULL), (uint64_t)k);
    for (int k = 0; k < 4; k++)
        w->perm_key[k] = hash64_mix(hash64_mix(w->seed, 0x7a706964ULL), (uint64_t)k);
    w->fs_max_s = (int64_t)(p->for_sale_max_days * WORLD_DAY);
    w->pool_budget = (size_t)(p->cache_mb * 1e6);
    /* Steady state (M/G/infinity): listings for sale = rate x mean time for
     * sale, where the mean is that of the capped exponential. */
    double mu = p->for_sale_mean_days * WORLD_DAY;
    double mean_s = mu * (1 - exp(-(double)w->fs_max_s / mu));
    w->zs = calloc(w->nzips, sizeof *w->zs);
    if (!w->zs)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < w->nzips; i++) {
        wz_state *z = &w->zs[i];
        z->zipnum = (uint32_t)atoi(w->zips[i].zip);
        z->rate = w->zips[i].listings_mean / mean_s;
        /* a degree of longitude shrinks with latitude; keep the scatter round */
        z->lon_scale = 1 / fmax(0.2, cos(w->zips[i].lat * M_PI / 180));
        if (z->rate * WORLD_DAY > 2000)
            return err_set(e, ERR_INPUT, "world.listings_per_1000: zip %s would list %.0f homes "
                           "a day; the zpid scheme allows 2000", w->zips[i].zip,
                           z->rate * WORLD_DAY);
        rng r;
        rng_seed(&r, hash64_mix(w->key[WK_ZIPPRICE], z->zipnum));
        z->price_median = rng_lognormal(&r, p->zip_price_median, p->zip_price_sigma);
    }
    return 0;
}

void world_listings_free(world *w)
{
    for (size_t i = 0; w->zs && i < w->nzips; i++) {
        free(w->zs[i].cache.v);
        VEC_FREE(&w->zs[i].cache.pool);
        VEC_FREE(&w->zs[i].cache.spare);
    }
    free(w->zs);
}

size_t world_memory(const world *w)
{
    size_t n = sizeof *w + w->nzips * (sizeof *w->zips + sizeof *w->zs + 3 + 2 * sizeof(uint32_t)) +
               WORLD_ZIPNUM_MAX * sizeof *w->by_zipnum;
    for (size_t i = 0; i < w->nzips; i++) {
        const wz_cache *c = &w->zs[i].cache;
        n += c->cap * sizeof(wz_slot) + c->pool.cap * sizeof(proto_resi_listing) +
             c->spare.cap * sizeof(uint32_t);
    }
    return n;
}
