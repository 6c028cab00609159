/* Content sizes shared by every miner of a run. Measuring a listing means
 * writing its JSON (about a microsecond); miners store the same listings
 * again and again (a refresh every few minutes, many miners on the same
 * zips), and a listing's JSON length changes only with the fields that move
 * over time. So the length is kept per zpid with those fields, and reused
 * while they match: exact, because every other field of a listing is a pure
 * function of its zpid in one world (sim/world/build.c: attributes() draws
 * them from the zpid's own stream; tests/unit/test_resi_sizes.c checks it),
 * and scraped_at is written at a fixed width. Direct-mapped: a clash only
 * costs a measurement. */
#include "miner/resi/resi_internal.h"

#include <string.h>

typedef struct size_slot {
    uint64_t zpid;                   /* 0: empty */
    int64_t date_price_changed_ms;
    int32_t price, price_change, zestimate, rent_zestimate, days_on_zillow;
    uint16_t size;
    uint8_t status;
} size_slot;

struct resi_sizes {
    size_slot *slot;
    unsigned bits;
    uint64_t hits, misses;
};

int resi_sizes_new(unsigned log2_slots, resi_sizes **out)
{
    *out = NULL;
    if (log2_slots < 4 || log2_slots > 28)
        return ERR_INPUT;
    resi_sizes *s = calloc(1, sizeof *s);
    if (!s || !(s->slot = calloc((size_t)1 << log2_slots, sizeof *s->slot))) {
        free(s);
        return ERR_NOMEM;
    }
    s->bits = log2_slots;
    *out = s;
    return 0;
}

void resi_sizes_free(resi_sizes *s)
{
    if (s) {
        free(s->slot);
        free(s);
    }
}

static bool same(const size_slot *k, const proto_resi_listing *l)
{
    return k->zpid == l->zpid && k->date_price_changed_ms == l->date_price_changed_ms &&
           k->price == l->price && k->price_change == l->price_change &&
           k->zestimate == l->zestimate && k->rent_zestimate == l->rent_zestimate &&
           k->days_on_zillow == l->days_on_zillow && k->status == l->status;
}

static size_slot *slot_of(const resi_sizes *s, uint64_t zpid)
{
    return &s->slot[(zpid * UINT64_C(0x9E3779B97F4A7C15)) >> (64 - s->bits)];
}

void resi_sizes_prefetch(const resi_sizes *s, uint64_t zpid)
{
#if defined(__GNUC__)
    if (s)
        __builtin_prefetch(slot_of(s, zpid));
#else
    (void)s;
    (void)zpid;
#endif
}

uint32_t resi_sizes_get(resi_sizes *s, const proto_resi_listing *l)
{
    if (!s)
        return (uint32_t)proto_resi_listing_size(l);
    size_slot *k = slot_of(s, l->zpid);
    if (same(k, l)) {
        s->hits++;
        return k->size;
    }
    s->misses++;
    uint32_t n = (uint32_t)proto_resi_listing_size(l);
    *k = (size_slot){l->zpid, l->date_price_changed_ms, l->price, l->price_change, l->zestimate,
                     l->rent_zestimate, l->days_on_zillow, (uint16_t)n, l->status};
    return n;
}

void resi_sizes_counts(const resi_sizes *s, uint64_t *hits, uint64_t *misses)
{
    *hits = s ? s->hits : 0;
    *misses = s ? s->misses : 0;
}
