/* The per-miner checks: basic checks, the duplicate rule, the choice of
 * entities to verify, and the API comparison of one listing
 * (vali_utils/utils.py, scraping/zillow/utils.py, field_mapping.py). */
#include "validator/resi/resi.h"

#include <math.h>
#include <string.h>

static const char *const reason_names[RESI_REASON_COUNT] = {
    NULL, "no_index", "no_scorable_buckets", "bucket_failed", "basic_time", "basic_size",
    "duplicates"};

const char *resi_reason_name(int reason)
{
    return reason > 0 && reason < RESI_REASON_COUNT ? reason_names[reason] : NULL;
}

/* ------------------------------------------------------------ basic checks */

int resi_basic_check(const proto_resi_bucket_id *id, uint64_t index_size,
                     const proto_resi_entity *e, size_t n)
{
    uint64_t actual = 0, claimed = 0;
    for (size_t i = 0; i < n; i++) {
        actual += e[i].content_size;
        claimed += e[i].claimed_size;
        /* TimeBucket.to_date_range(...).contains: start <= t < end */
        if (proto_resi_hour_of_ms(e[i].scraped_ms) != id->hour)
            return RESI_REASON_BASIC_TIME;
    }
    if (actual < claimed || actual < index_size)
        return RESI_REASON_BASIC_SIZE;
    return RESI_REASON_NONE;
}

/* A set of 64-bit values (0 stands for itself through a flag). */
typedef struct u64set {
    uint64_t *v;
    size_t cap;
    bool has_zero;
} u64set;

static bool u64set_add(u64set *s, uint64_t x)
{
    if (!x) {
        bool had = s->has_zero;
        s->has_zero = true;
        return had;
    }
    size_t j = (size_t)(x * 0x9e3779b97f4a7c15ULL >> 20) & (s->cap - 1);
    while (s->v[j]) {
        if (s->v[j] == x)
            return true;
        j = (j + 1) & (s->cap - 1);
    }
    s->v[j] = x;
    return false;
}

/* The real check looks at two keys, the content's hash and the normalised
 * URI. Here an entity's content is a function of (zpid, src_zpid, scraped_ms,
 * alter) and contains its zpid, and its URI's identity is that zpid, so equal
 * contents always have equal URIs: counting repeated zpids counts every
 * entity either key would catch, without hashing the contents. */
size_t resi_count_duplicates(const proto_resi_entity *e, size_t n)
{
    size_t cap = 16;
    while (cap < 2 * n + 2)
        cap *= 2;
    uint64_t stack[512];
    u64set us = {cap <= 512 ? stack : calloc(cap, sizeof(uint64_t)), cap, false};
    if (!us.v)
        return n;   /* cannot check: the bucket fails, as an error there would */
    if (us.v == stack)
        memset(stack, 0, cap * sizeof *stack);
    size_t dup = 0;
    for (size_t i = 0; i < n; i++)
        dup += u64set_add(&us, e[i].zpid);
    if (us.v != stack)
        free(us.v);
    return dup;
}

size_t resi_choose_entities(const proto_resi_entity *e, size_t n, size_t k, rng *r, size_t *out)
{
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += e[i].claimed_size;
    size_t want = k < n ? k : n, got = 0;
    for (size_t t = 0; t < want; t++) {
        double chosen = rng_uniform(r) * (double)total;
        uint64_t iterated = 0;
        for (size_t i = 0; i < n; i++) {
            bool taken = false;
            for (size_t j = 0; j < got; j++)
                taken |= out[j] == i;
            if (taken)
                continue;
            if ((double)(iterated + e[i].claimed_size) >= chosen) {
                out[got++] = i;
                total -= e[i].claimed_size;
                break;
            }
            iterated += e[i].claimed_size;
        }
    }
    return got;
}

/* -------------------------------------------------------------- API check */

static const char *const field_names[RESI_FIELD_COUNT] = {
    NULL, "size", "uri", "label", "zpid", "address", "type", "bedrooms", "bathrooms",
    "living_area", "lot_area", "lot_unit", "lat", "lon", "detail_url", "price", "zestimate",
    "rent_zestimate", "days_on_market", "status", "has_image", "has_video", "has_3d", "is_fsba"};

const char *resi_field_name(int field)
{
    return field > 0 && field < RESI_FIELD_COUNT ? field_names[field] : NULL;
}

/* Exact, with None on one side: a critical field fails, the others pass. */
static bool exact_int(int64_t a, int64_t m, bool a_none, bool m_none, bool critical)
{
    if (a_none || m_none)
        return (a_none && m_none) || !critical;
    return a == m;
}

/* Tolerance: None on either side passes; relative is |a-m|/|a| <= tol with
 * a == 0 needing equality; absolute is |a-m| <= tol. */
static bool within_rel(double a, double m, bool none, double tol)
{
    if (none)
        return true;
    double diff = fabs(a - m);
    return a == 0 ? diff == 0 : diff / fabs(a) <= tol;
}

static bool within_abs(double a, double m, bool none, double tol)
{
    return none || fabs(a - m) <= tol;
}

/* field_mapping's listing_status is "compatible": utils.py
 * are_listing_statuses_compatible(actual, miner). */
static bool status_compatible(int actual, int miner)
{
    if (actual == miner)
        return true;
    switch (actual) {
    case PROTO_RESI_FOR_SALE:
        return miner == PROTO_RESI_PENDING || miner == PROTO_RESI_SOLD;
    case PROTO_RESI_PENDING:
        return miner == PROTO_RESI_SOLD || miner == PROTO_RESI_FOR_SALE;
    case PROTO_RESI_SOLD:
        return miner == PROTO_RESI_FOR_SALE;
    default:
        return false;
    }
}

static int compare_strings(const proto_resi_listing *a, const proto_resi_listing *m,
                           const char *bucket_zip)
{
    char sa[512], sm[512];
    proto_resi_listing_uri(a, sa, sizeof sa);
    proto_resi_listing_uri(m, sm, sizeof sm);
    if (strcmp(sa, sm))
        return RESI_FIELD_URI;
    if (strcmp(a->zip, bucket_zip))   /* the entity's label is its bucket's */
        return RESI_FIELD_LABEL;
    if (a->zpid != m->zpid)
        return RESI_FIELD_ZPID;
    proto_resi_listing_address(a, sa, sizeof sa);
    proto_resi_listing_address(m, sm, sizeof sm);
    if (strcmp(sa, sm))
        return RESI_FIELD_ADDRESS;
    return RESI_FIELD_NONE;
}

int resi_api_compare(const resi_tolerances *t, uint32_t claimed_size,
                     const proto_resi_listing *mine, const char *bucket_zip,
                     const proto_resi_listing *fresh)
{
    const proto_resi_listing *a = fresh, *m = mine;
    if ((int64_t)claimed_size - (int64_t)proto_resi_listing_size(a) > t->size_bytes)
        return RESI_FIELD_SIZE;
    int f = compare_strings(a, m, bucket_zip);
    if (f)
        return f;
    if (a->home_type != m->home_type)
        return RESI_FIELD_TYPE;
    if (!exact_int(a->bedrooms, m->bedrooms, a->bedrooms < 0, m->bedrooms < 0, false))
        return RESI_FIELD_BEDROOMS;
    if (!exact_int(a->bathrooms_x2, m->bathrooms_x2, a->bathrooms_x2 < 0, m->bathrooms_x2 < 0,
                   false))
        return RESI_FIELD_BATHROOMS;
    if (!exact_int(a->living_area, m->living_area, a->living_area < 0, m->living_area < 0, false))
        return RESI_FIELD_LIVING_AREA;
    if (!within_rel(a->lot_area_value, m->lot_area_value,
                    a->lot_area_value < 0 || m->lot_area_value < 0, t->lot_area))
        return RESI_FIELD_LOT_AREA;
    if (!exact_int(a->lot_unit, m->lot_unit, a->lot_unit == PROTO_RESI_LOT_NONE,
                   m->lot_unit == PROTO_RESI_LOT_NONE, false))
        return RESI_FIELD_LOT_UNIT;
    if (!within_abs(a->lat_e6 / 1e6, m->lat_e6 / 1e6, false, t->lat_lon))
        return RESI_FIELD_LAT;
    if (!within_abs(a->lon_e6 / 1e6, m->lon_e6 / 1e6, false, t->lat_lon))
        return RESI_FIELD_LON;
    /* country and currency are USA and USD on both sides */
    char da[300], dm[300];
    proto_resi_listing_detail_url(a, da, sizeof da);
    proto_resi_listing_detail_url(m, dm, sizeof dm);
    if (strcmp(da, dm))
        return RESI_FIELD_DETAIL_URL;
    if (!within_rel(a->price, m->price, false, t->price))
        return RESI_FIELD_PRICE;
    if (!within_rel(a->zestimate, m->zestimate, a->zestimate < 0 || m->zestimate < 0,
                    t->zestimate))
        return RESI_FIELD_ZESTIMATE;
    if (!within_rel(a->rent_zestimate, m->rent_zestimate,
                    a->rent_zestimate < 0 || m->rent_zestimate < 0, t->rent_zestimate))
        return RESI_FIELD_RENT_ZESTIMATE;
    if (!within_abs(a->days_on_zillow, m->days_on_zillow, false, (double)t->days_on_market))
        return RESI_FIELD_DAYS_ON_MARKET;
    if (!status_compatible(a->status, m->status))
        return RESI_FIELD_STATUS;
    static const struct { int flag, field; } flags[] = {
        {PROTO_RESI_HAS_IMAGE, RESI_FIELD_HAS_IMAGE}, {PROTO_RESI_HAS_VIDEO, RESI_FIELD_HAS_VIDEO},
        {PROTO_RESI_HAS_3D, RESI_FIELD_HAS_3D}, {PROTO_RESI_IS_FSBA, RESI_FIELD_IS_FSBA}};
    for (size_t i = 0; i < sizeof flags / sizeof *flags; i++)
        if ((a->flags & flags[i].flag) != (m->flags & flags[i].flag))
            return flags[i].field;
    return RESI_FIELD_NONE;   /* is_open_house and the rest are "ignore" */
}

/* ------------------------------------------------------- API call results */

static const char *const result_names[RESI_API_RESULT_COUNT] = {
    "valid", "mismatch", "no_zpid", "not_found", "rate_limited", "error", "timeout"};

const char *resi_api_result_name(int result)
{
    return result >= 0 && result < RESI_API_RESULT_COUNT ? result_names[result] : NULL;
}

int resi_api_classify(int transport_result, int status)
{
    if (transport_result == ERR_TIMEOUT)
        return RESI_API_TIMEOUT;
    if (transport_result)
        return RESI_API_ERROR;
    if (status == RT_OK)
        return RESI_API_VALID;
    if (status == RT_NOT_FOUND)
        return RESI_API_NOT_FOUND;
    if (status == RT_TOO_MANY)
        return RESI_API_RATE_LIMITED;
    return RESI_API_ERROR;
}

bool resi_api_counts_valid(const resi_val_params *p, int result)
{
    switch (result) {
    case RESI_API_VALID:
        return true;
    case RESI_API_RATE_LIMITED:
        return p->count_429_valid;
    case RESI_API_ERROR:
    case RESI_API_TIMEOUT:
        return p->count_errors_valid;
    default:
        return false;
    }
}
