/* A miner's bucketed storage: 16 bytes an entity, buckets kept in key order
 * (the index), and a zpid map so a newer copy of a listing replaces the older
 * one, as data-universe's SqliteMinerStorage replaces by URI. */
#include "miner/resi/resi_internal.h"

#include <string.h>

void rs_store_init(rs_store *s, int64_t epoch_s)
{
    memset(s, 0, sizeof *s);
    s->epoch_s = epoch_s;
    s->last = UINT32_MAX;
}

void rs_store_clear(rs_store *s)
{
    for (size_t i = 0; i < s->b.len; i++)
        free(s->b.v[i].e);
    VEC_FREE(&s->b);
    VEC_FREE(&s->freeb);
    VEC_FREE(&s->order);
    free(s->map);
    proto_resi_index_release(s->snap);
    rs_store_init(s, s->epoch_s);
}

int32_t rs_hour(const rs_store *s, uint32_t t) { return (int32_t)((s->epoch_s + t) / 3600); }

void rs_wire(const rs_store *s, const rs_entity *e, proto_resi_entity *out)
{
    int64_t ms = (s->epoch_s + e->t) * 1000;
    uint16_t alter = e->alter & (uint16_t)~RS_UNMAPPED;
    *out = (proto_resi_entity){
        .zpid = alter & PROTO_RESI_ALTER_INVENTED ? proto_resi_invented_zpid(e->zpid, ms) : e->zpid,
        .src_zpid = e->zpid, .scraped_ms = ms, .content_size = e->size, .claimed_size = e->size,
        .alter = alter};
    if (alter & PROTO_RESI_ALTER_INFLATE)
        out->claimed_size += proto_resi_entity_inflation(out);
}

uint32_t rs_claimed(const rs_store *s, const rs_entity *e)
{
    if (!(e->alter & PROTO_RESI_ALTER_INFLATE))
        return e->size;
    proto_resi_entity w;
    rs_wire(s, e, &w);
    return w.claimed_size;
}

/* ------------------------------------------------------------ zpid map */

static size_t slot_of(const rs_store *s, uint64_t zpid)
{
    return (size_t)((zpid * UINT64_C(0x9E3779B97F4A7C15)) >> 20) & (s->cap - 1);
}

static size_t map_find(const rs_store *s, uint64_t zpid)
{
    if (!s->cap)
        return SIZE_MAX;
    for (size_t i = slot_of(s, zpid);; i = (i + 1) & (s->cap - 1)) {
        if (s->map[i].zpid == zpid)
            return i;
        if (!s->map[i].zpid)
            return SIZE_MAX;
    }
}

static void map_insert_raw(rs_store *s, uint64_t zpid, uint64_t val)
{
    size_t i = slot_of(s, zpid);
    while (s->map[i].zpid && s->map[i].zpid != zpid)
        i = (i + 1) & (s->cap - 1);
    s->used += !s->map[i].zpid;
    s->map[i] = (rs_slot){zpid, val};
}

static int map_grow(rs_store *s)
{
    size_t ncap = s->cap ? s->cap * 2 : 1024;
    rs_slot *old = s->map;
    size_t ocap = s->cap;
    if (!(s->map = calloc(ncap, sizeof *s->map))) {
        s->map = old;
        return ERR_NOMEM;
    }
    s->cap = ncap;
    s->used = 0;
    for (size_t i = 0; i < ocap; i++)
        if (old[i].zpid)
            map_insert_raw(s, old[i].zpid, old[i].loc);
    free(old);
    return 0;
}

static int map_set(rs_store *s, uint64_t zpid, uint64_t val)
{
    if ((s->used + 1) * 4 > s->cap * 3 && map_grow(s))
        return ERR_NOMEM;
    map_insert_raw(s, zpid, val);
    return 0;
}

/* Backward-shift deletion: linear probing without tombstones. */
static void map_delete_at(rs_store *s, size_t i)
{
    size_t j = i;
    for (;;) {
        j = (j + 1) & (s->cap - 1);
        if (!s->map[j].zpid)
            break;
        size_t home = slot_of(s, s->map[j].zpid);
        /* move j back to i unless its home lies cyclically in (i, j] */
        bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (stays)
            continue;
        s->map[i] = s->map[j];
        i = j;
    }
    s->map[i].zpid = 0;
    s->used--;
}

static uint64_t loc(uint32_t b, uint32_t pos) { return (uint64_t)b << 32 | pos; }

void rs_store_prefetch(const rs_store *s, uint64_t zpid)
{
#if defined(__GNUC__)
    if (s->cap)
        __builtin_prefetch(&s->map[slot_of(s, zpid)]);
#else
    (void)s;
    (void)zpid;
#endif
}

const rs_entity *rs_store_get(const rs_store *s, uint64_t zpid)
{
    size_t i = map_find(s, zpid);
    if (i == SIZE_MAX)
        return NULL;
    const rs_bucket *b = &s->b.v[s->map[i].loc >> 32];
    return &b->e[(uint32_t)s->map[i].loc];
}

/* ------------------------------------------------------------- buckets */

/* Position of id in order (found or where it would go). */
static size_t order_pos(const rs_store *s, const proto_resi_bucket_id *id, bool *found)
{
    size_t lo = 0, hi = s->order.len;
    *found = false;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = proto_resi_bucket_id_cmp(&s->b.v[s->order.v[mid]].id, id);
        if (!c) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

rs_bucket *rs_store_find(const rs_store *s, const proto_resi_bucket_id *id)
{
    bool found;
    size_t p = order_pos(s, id, &found);
    return found ? &s->b.v[s->order.v[p]] : NULL;
}

static int bucket_open(rs_store *s, uint16_t zi, const proto_resi_bucket_id *id, uint32_t *out)
{
    if (s->last != UINT32_MAX && s->b.v[s->last].live &&
        !memcmp(&s->b.v[s->last].id, id, sizeof *id)) {
        *out = s->last;
        return 0;
    }
    bool found;
    size_t p = order_pos(s, id, &found);
    if (found) {
        *out = s->last = s->order.v[p];
        return 0;
    }
    uint32_t bi;
    if (s->freeb.len) {
        bi = s->freeb.v[--s->freeb.len];
    } else {
        if (VEC_PUSH(&s->b, (rs_bucket){0}))
            return ERR_NOMEM;
        bi = (uint32_t)s->b.len - 1;
    }
    if (VEC_RESERVE(&s->order, s->order.len + 1)) {
        VEC_PUSH(&s->freeb, bi);   /* room was there: it came from freeb or b */
        return ERR_NOMEM;
    }
    rs_bucket *b = &s->b.v[bi];
    rs_entity *keep = b->e;
    uint32_t cap = b->cap;
    *b = (rs_bucket){.id = *id, .zi = zi, .live = 1, .e = keep, .cap = cap};
    memmove(s->order.v + p + 1, s->order.v + p, (s->order.len - p) * sizeof *s->order.v);
    s->order.v[p] = bi;
    s->order.len++;
    *out = s->last = bi;
    return 0;
}

/* An emptied bucket leaves the order; its slot (and array) is reused. */
static void bucket_close(rs_store *s, uint32_t bi)
{
    bool found;
    size_t p = order_pos(s, &s->b.v[bi].id, &found);
    if (found) {
        memmove(s->order.v + p, s->order.v + p + 1, (s->order.len - p - 1) * sizeof *s->order.v);
        s->order.len--;
    }
    s->b.v[bi].n = 0;
    s->b.v[bi].bytes = 0;
    s->b.v[bi].live = 0;
    if (VEC_PUSH(&s->freeb, bi)) {
        /* no memory to remember the slot: it stays unused, which is harmless */
    }
}

/* Remove the entity at (bi, pos): the last one takes its place. */
static void bucket_remove(rs_store *s, uint32_t bi, uint32_t pos)
{
    rs_bucket *b = &s->b.v[bi];
    uint32_t c = rs_claimed(s, &b->e[pos]);
    b->bytes -= c;
    s->bytes -= c;
    s->entities--;
    uint32_t last = b->n - 1;
    if (pos != last) {
        b->e[pos] = b->e[last];
        if (!(b->e[pos].alter & RS_UNMAPPED)) {
            size_t i = map_find(s, b->e[pos].zpid);
            if (i != SIZE_MAX && s->map[i].loc == loc(bi, last))
                s->map[i].loc = loc(bi, pos);
        }
    }
    b->n = last;
    if (!b->n)
        bucket_close(s, bi);
}

static int bucket_append(rs_store *s, uint32_t bi, const rs_entity *e)
{
    rs_bucket *b = &s->b.v[bi];
    if (b->n == b->cap) {
        uint32_t nc = b->cap ? b->cap * 2 : 8;
        rs_entity *ne = realloc(b->e, nc * sizeof *ne);
        if (!ne)
            return ERR_NOMEM;
        b->e = ne;
        b->cap = nc;
    }
    b->e[b->n++] = *e;
    uint32_t c = rs_claimed(s, e);
    b->bytes += c;
    s->bytes += c;
    s->entities++;
    return 0;
}

int rs_store_put(rs_store *s, uint16_t zi, const char *zip, const rs_entity *e, bool mapped,
                 bool *replaced)
{
    *replaced = false;
    proto_resi_bucket_id id;
    if (!proto_resi_bucket_id_set(&id, PROTO_RESI_SOURCE_ZILLOW, zip, rs_hour(s, e->t)))
        return ERR_INPUT;
    rs_entity x = *e;
    x.alter = (uint16_t)((x.alter & ~RS_UNMAPPED) | (mapped ? 0 : RS_UNMAPPED));
    if (mapped) {
        size_t i = map_find(s, x.zpid);
        if (i != SIZE_MAX) {
            bucket_remove(s, (uint32_t)(s->map[i].loc >> 32), (uint32_t)s->map[i].loc);
            *replaced = true;
        }
    }
    uint32_t bi;
    int rc = bucket_open(s, zi, &id, &bi);
    if (!rc)
        rc = bucket_append(s, bi, &x);
    if (!rc && mapped) {
        rc = map_set(s, x.zpid, loc(bi, s->b.v[bi].n - 1));
        if (rc)
            bucket_remove(s, bi, s->b.v[bi].n - 1);
    }
    if (!rc) {
        proto_resi_index_release(s->snap);
        s->snap = NULL;
    }
    return rc;
}

void rs_store_expire(rs_store *s, int32_t min_hour)
{
    bool changed = false;
    for (size_t k = 0; k < s->order.len;) {
        uint32_t bi = s->order.v[k];
        rs_bucket *b = &s->b.v[bi];
        if (b->id.hour >= min_hour) {
            k++;
            continue;
        }
        for (uint32_t p = 0; p < b->n; p++) {
            size_t i = b->e[p].alter & RS_UNMAPPED ? SIZE_MAX : map_find(s, b->e[p].zpid);
            if (i != SIZE_MAX && s->map[i].loc == loc(bi, p))
                map_delete_at(s, i);
            s->bytes -= rs_claimed(s, &b->e[p]);
        }
        s->entities -= b->n;
        bucket_close(s, bi);   /* removes order[k]: k now names the next */
        changed = true;
    }
    if (changed) {
        proto_resi_index_release(s->snap);
        s->snap = NULL;
    }
}

proto_resi_index *rs_store_index(rs_store *s)
{
    if (!s->snap) {
        proto_resi_index *x = proto_resi_index_new((uint32_t)s->order.len);
        if (!x)
            return NULL;
        for (size_t k = 0; k < s->order.len; k++) {
            const rs_bucket *b = &s->b.v[s->order.v[k]];
            x->b[k].id = b->id;
            x->b[k].size_bytes = b->bytes;
            x->total_bytes += b->bytes;
        }
        s->snap = x;
    }
    return proto_resi_index_retain(s->snap);
}

size_t rs_store_memory(const rs_store *s)
{
    size_t m = s->b.cap * sizeof(rs_bucket) + s->order.cap * sizeof(uint32_t) +
               s->freeb.cap * sizeof(uint32_t) + s->cap * sizeof(rs_slot);
    for (size_t i = 0; i < s->b.len; i++)
        m += s->b.v[i].cap * sizeof(rs_entity);
    if (s->snap)
        m += sizeof *s->snap + s->snap->n * sizeof s->snap->b[0];
    return m;
}
