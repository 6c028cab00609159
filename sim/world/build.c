/* A listing's fields: fixed ones drawn once from its attribute stream, and
 * the ones that move (price, zestimates, status, days on Zillow) evaluated at
 * the asked time from their own streams. Everything is a function of
 * (seed, zpid, t). */
#include "world/world_internal.h"

#include <math.h>
#include <string.h>

/* Model shape, not subnet numbers: a plausible mix of US for-sale inventory. */
static const double home_type_share[PROTO_RESI_HOME_TYPE_COUNT] = {
    [PROTO_RESI_SINGLE_FAMILY] = 0.62, [PROTO_RESI_CONDO] = 0.14, [PROTO_RESI_TOWNHOUSE] = 0.09,
    [PROTO_RESI_MULTI_FAMILY] = 0.05, [PROTO_RESI_MANUFACTURED] = 0.04, [PROTO_RESI_LOT] = 0.06,
};

/* Per home type: bedrooms min..max, living area = base + per_bed x beds (sqft),
 * median lot (sqft, 0 = none) and its lognormal spread. */
static const struct {
    int beds_min, beds_max;
    double area_base, area_per_bed, lot_median, lot_sigma;
} shape[PROTO_RESI_HOME_TYPE_COUNT] = {
    [PROTO_RESI_SINGLE_FAMILY] = {2, 5, 600, 450, 7500, 0.6},
    [PROTO_RESI_CONDO] = {0, 3, 450, 380, 0, 0},
    [PROTO_RESI_TOWNHOUSE] = {2, 4, 700, 380, 2200, 0.4},
    [PROTO_RESI_MULTI_FAMILY] = {3, 8, 900, 400, 6500, 0.5},
    [PROTO_RESI_MANUFACTURED] = {2, 4, 500, 350, 20000, 0.8},
    [PROTO_RESI_LOT] = {0, 0, 0, 0, 30000, 1.0},
};

static const char *const street_names[] = {
    "Main", "Oak", "Pine", "Maple", "Cedar", "Elm", "Washington", "Lake", "Hill", "Park",
    "Walnut", "Sunset", "Lincoln", "Jackson", "Church", "River", "Highland", "Ridge",
    "Spring", "Meadow", "Forest", "Willow", "Center", "Mill", "Jefferson", "Franklin",
    "Madison", "Chestnut", "Dogwood", "Hickory", "Magnolia", "Cherry", "Birch", "Aspen",
    "Sycamore", "Adams", "Lakeview", "Valley", "Broad", "Market", "Front", "Water", "Union",
    "Prospect", "Spruce", "Laurel", "Holly", "Poplar", "Locust", "Heritage", "Railroad",
    "School", "College", "Green", "Grove", "Orchard", "Summit", "Pleasant", "Bridge", "King",
    "Jasmine", "Bluebonnet", "Cypress", "Palm",
};
#define NNAMES (sizeof street_names / sizeof street_names[0])
#define NORDINALS 60 /* "1st" .. "60th" */

static const char *const suffixes[] = {"St", "Ave", "Dr", "Ln", "Rd", "Ct", "Blvd", "Way", "Pl",
                                       "Cir"};

#define ACRE_SQFT 43560.0

/* What the attribute stream fixes beyond the listing's own fields. */
typedef struct fixed {
    int32_t price0;
    bool charm;                 /* asks $X99,900 rather than $X00,000 */
    double zest_base, rent_base;
    double sold_factor;
    int64_t zest_phase;
} fixed;

static double lognormal(wrng *r, double median, double sigma)
{
    return median * exp(sigma * wrng_normal(r));
}

static int32_t round_to(double v, double step)
{
    double r = floor(v / step + 0.5) * step;
    return r > INT32_MAX ? INT32_MAX : (int32_t)r;
}

static int32_t ask_price(double v, bool charm)
{
    int32_t p = round_to(v < 10000 ? 10000 : v, 1000);
    return charm ? p - 100 : p;
}

static int home_type(wrng *r)
{
    double u = wrng_uniform(r), acc = 0;
    for (int t = 0; t < PROTO_RESI_HOME_TYPE_COUNT - 1; t++)
        if (u < (acc += home_type_share[t]))
            return t;
    return PROTO_RESI_HOME_TYPE_COUNT - 1;
}

/* Bedrooms, bathrooms, living area and lot. */
static void rooms_and_lot(wrng *r, proto_resi_listing *l)
{
    int t = l->home_type;
    l->bedrooms = l->bathrooms_x2 = -1;
    l->living_area = -1;
    if (t != PROTO_RESI_LOT) {
        int span = shape[t].beds_max - shape[t].beds_min + 1;
        /* the sum of two uniforms: middle sizes are the common ones */
        int beds = shape[t].beds_min + (int)((wrng_below(r, span) + wrng_below(r, span) + 1) / 2);
        l->bedrooms = (int16_t)beds;
        int x2 = 2 * (beds > 1 ? beds - 1 : 1) + (int)wrng_below(r, 3);
        l->bathrooms_x2 = (int16_t)x2;
        double area = (shape[t].area_base + shape[t].area_per_bed * beds) *
                      lognormal(r, 1.0, 0.18);
        l->living_area = (int32_t)lround(area);
    }
    l->lot_unit = PROTO_RESI_LOT_NONE;
    l->lot_area_value = -1;
    if (shape[t].lot_median > 0) {
        double sqft = lognormal(r, shape[t].lot_median, shape[t].lot_sigma);
        if (sqft >= ACRE_SQFT / 4) {
            l->lot_unit = PROTO_RESI_LOT_ACRES;
            l->lot_area_value = floor(sqft / ACRE_SQFT * 10000 + 0.5) / 10000;
        } else {
            l->lot_unit = PROTO_RESI_LOT_SQFT;
            l->lot_area_value = floor(sqft + 0.5);
        }
    }
}

/* Append src to dst (size n, NUL-terminated), truncating. */
static size_t put(char *dst, size_t at, size_t n, const char *src)
{
    while (*src && at + 1 < n)
        dst[at++] = *src++;
    dst[at] = 0;
    return at;
}

static size_t put_uint(char *dst, size_t at, size_t n, unsigned v)
{
    char b[12];
    int k = 0;
    do
        b[k++] = (char)('0' + v % 10);
    while ((v /= 10));
    while (k && at + 1 < n)
        dst[at++] = b[--k];
    dst[at] = 0;
    return at;
}

static const char *ordinal(unsigned n)
{
    if (n % 100 >= 11 && n % 100 <= 13)
        return "th";
    return n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
}

static void place(wrng *r, const world *w, size_t zi, proto_resi_listing *l)
{
    const world_zip *z = &w->zips[zi];
    double sd = w->p.spread_deg;
    double lat = z->lat + sd * wrng_normal(r);
    double lon = z->lon + sd * wrng_normal(r) * w->zs[zi].lon_scale;
    lat = fmin(90, fmax(-90, lat));
    lon = fmin(180, fmax(-180, lon));
    l->lat_e6 = (int32_t)lround(lat * 1e6);
    l->lon_e6 = (int32_t)lround(lon * 1e6);
    l->street_no = 1 + (uint32_t)wrng_below(r, 9999);
    uint64_t s = wrng_below(r, NNAMES + NORDINALS);
    const char *suf = suffixes[wrng_below(r, sizeof suffixes / sizeof suffixes[0])];
    size_t at = 0, n = sizeof l->street;
    if (s < NNAMES) {
        at = put(l->street, at, n, street_names[s]);
    } else {
        unsigned k = (unsigned)(s - NNAMES) + 1;
        at = put_uint(l->street, at, n, k);
        at = put(l->street, at, n, ordinal(k));
    }
    at = put(l->street, at, n, " ");
    put(l->street, at, n, suf);
    l->unit[0] = 0;
    if (l->home_type == PROTO_RESI_CONDO) {
        at = put(l->unit, 0, sizeof l->unit, wrng_chance(r, 0.5) ? "APT " : "UNIT ");
        put_uint(l->unit, at, sizeof l->unit, 1 + (unsigned)wrng_below(r, 40));
    }
    memcpy(l->city, z->city, sizeof l->city);
    memcpy(l->state, z->state, sizeof l->state);
    memcpy(l->zip, z->zip, sizeof l->zip);
}

static uint8_t flags(wrng *r, int type)
{
    uint8_t f = 0;
    f |= wrng_chance(r, 0.97) ? PROTO_RESI_HAS_IMAGE : 0;
    f |= wrng_chance(r, 0.08) ? PROTO_RESI_HAS_VIDEO : 0;
    f |= wrng_chance(r, 0.12) ? PROTO_RESI_HAS_3D : 0;
    f |= wrng_chance(r, 0.85) ? PROTO_RESI_IS_FSBA : 0;
    f |= wrng_chance(r, 0.10) ? PROTO_RESI_IS_OPEN_HOUSE : 0;
    f |= wrng_chance(r, type == PROTO_RESI_LOT ? 0 : 0.07) ? PROTO_RESI_IS_NEW_HOME : 0;
    return f;
}

/* The fixed fields, in one draw order. */
static void attributes(const world *w, size_t zi, uint64_t zpid, proto_resi_listing *l, fixed *x)
{
    const world_params *p = &w->p;
    wrng r;
    wrng_seed(&r, w->key[WK_ATTRS], zpid);
    l->home_type = (uint8_t)home_type(&r);
    rooms_and_lot(&r, l);
    place(&r, w, zi, l);
    l->flags = flags(&r, l->home_type);
    /* price: the zip's level, scaled by size (a lot by its area) */
    double level = w->zs[zi].price_median;
    double size = l->home_type == PROTO_RESI_LOT
                      ? 0.25 * pow(fmax(l->lot_area_value, 0.05) * (l->lot_unit == PROTO_RESI_LOT_ACRES
                                                                        ? 1 : 1 / ACRE_SQFT),
                                   0.3)
                      : pow(l->living_area / 1800.0, 0.7);
    x->charm = wrng_chance(&r, 0.5);
    x->price0 = ask_price(level * size * lognormal(&r, 1.0, p->listing_price_sigma), x->charm);
    x->zest_base = x->price0 * lognormal(&r, 1.0, p->zestimate_sigma);
    x->rent_base = x->price0 * p->rent_yield * lognormal(&r, 1.0, 0.1);
    x->sold_factor = 0.97 + 0.06 * wrng_uniform(&r);
    x->zest_phase = (int64_t)wrng_below(&r, (uint64_t)(p->zestimate_update_days * WORLD_DAY));
}

/* Asking price at ts: the first price, moved by Poisson price changes while
 * for sale (the event times never depend on ts, so prices are consistent).
 * Returns when the next change applies (INT64_MAX: none while for sale). */
static int64_t price_at(const world *w, uint64_t zpid, const wl_life *L, int64_t ts,
                        const fixed *x, proto_resi_listing *l)
{
    const world_params *p = &w->p;
    int32_t price = x->price0;
    int64_t next = INT64_MAX;
    l->price_change = 0;
    l->date_price_changed_ms = 0;
    if (p->price_changes_per_day > 0) {
        wrng r;
        wrng_seed(&r, w->key[WK_PRICE], zpid);
        double gap = WORLD_DAY / p->price_changes_per_day, at = (double)L->listed;
        int64_t until = ts < L->fs_end - 1 ? ts : L->fs_end - 1;
        for (int k = 0; k < 100000; k++) {
            at += wrng_exponential(&r, gap);
            bool cut = wrng_chance(&r, p->p_price_cut);
            double u = wrng_uniform(&r);
            if (at > (double)until) {
                if (at <= (double)(L->fs_end - 1))
                    next = (int64_t)ceil(at);
                break;
            }
            double f = cut ? 1 - (p->price_cut_min + u * (p->price_cut_max - p->price_cut_min))
                           : 1 + (p->price_raise_min + u * (p->price_raise_max - p->price_raise_min));
            int32_t np = ask_price(price * f, x->charm);
            l->price_change = np - price;
            l->date_price_changed_ms = world_unix_ms(w, (rt_time)at * 1000000);
            price = np;
        }
    }
    l->price = price;
    if (ts >= L->sold && !L->withdrawn)
        l->price = round_to(price * x->sold_factor, 500);
    return next;
}

/* A zestimate-like value at ts: a base times lognormal noise redrawn each
 * update period (per listing phase, so not every listing moves at once).
 * *next is when the period ends. */
static int32_t estimate(const world *w, int purpose, uint64_t zpid, double base, int64_t ts,
                        int64_t phase, double step, int64_t *next)
{
    int64_t period = (int64_t)(w->p.zestimate_update_days * WORLD_DAY);
    int64_t k = ts + phase >= 0 ? (ts + phase) / period : -((-(ts + phase) + period - 1) / period);
    *next = (k + 1) * period - phase;
    wrng r;
    wrng_seed(&r, hash64_mix(w->key[purpose], zpid), (uint64_t)k);
    return round_to(base * exp(w->p.zestimate_noise * wrng_normal(&r)), step);
}

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

int64_t world_build(const world *w, size_t zi, uint64_t zpid, const wl_life *L, rt_time t,
                    proto_resi_listing *out)
{
    int64_t ts = t / 1000000;
    fixed x;
    memset(out, 0, sizeof *out);
    out->zpid = zpid;
    out->scraped_at_ms = world_unix_ms(w, t);
    attributes(w, zi, zpid, out, &x);
    int64_t until = price_at(w, zpid, L, ts, &x, out);
    out->status = ts < L->fs_end ? PROTO_RESI_FOR_SALE : ts < L->sold ? PROTO_RESI_PENDING : PROTO_RESI_SOLD;
    until = min64(until, ts < L->fs_end ? L->fs_end : ts < L->sold ? L->sold : L->gone);
    out->days_on_zillow = (int32_t)((ts - L->listed) / WORLD_DAY);
    until = min64(until, L->listed + (int64_t)(out->days_on_zillow + 1) * WORLD_DAY);
    out->zestimate = out->rent_zestimate = -1;
    if (out->home_type != PROTO_RESI_LOT) {
        int64_t next;
        out->zestimate = estimate(w, WK_ZEST, zpid, x.zest_base, ts, x.zest_phase, 100, &next);
        out->rent_zestimate = estimate(w, WK_RENT, zpid, x.rent_base, ts, x.zest_phase, 5, &next);
        until = min64(until, next);
    }
    return until;
}
