/* The resi listing's strings and its stored JSON form. Formatting is integer
 * based and locale free, so a listing serializes to the same bytes everywhere. */
#include "net/protocol_resi.h"

#include <math.h>
#include <string.h>
#include <time.h>

const char *resi_status_name(int status)
{
    static const char *const names[] = {"FOR_SALE", "PENDING", "SOLD"};
    return status >= 0 && status < RESI_STATUS_COUNT ? names[status] : "UNKNOWN";
}

const char *resi_home_type_name(int type)
{
    static const char *const names[] = {"SINGLE_FAMILY", "CONDO", "TOWNHOUSE",
                                        "MULTI_FAMILY", "MANUFACTURED", "LOT"};
    return type >= 0 && type < RESI_HOME_TYPE_COUNT ? names[type] : "UNKNOWN";
}

const char *resi_lot_unit_name(int unit)
{
    return unit == RESI_LOT_SQFT ? "sqft" : unit == RESI_LOT_ACRES ? "acres" : NULL;
}

/* ------------------------------------------------------------ a writer */

/* A bounded writer over a caller's buffer: output past the end is counted but
 * dropped, so callers learn the length they would have needed. */
typedef struct wbuf {
    char *p;
    size_t len, cap;
} wbuf;

static void w_add(wbuf *w, const char *s, size_t n)
{
    if (w->len < w->cap) {
        size_t room = w->cap - w->len;
        memcpy(w->p + w->len, s, n < room ? n : room);
    }
    w->len += n;
}

static void w_str(wbuf *w, const char *s) { w_add(w, s, strlen(s)); }
static void w_chr(wbuf *w, char c) { w_add(w, &c, 1); }

static void w_int(wbuf *w, int64_t v)
{
    char b[24];
    int n = snprintf(b, sizeof b, "%lld", (long long)v);
    w_add(w, b, (size_t)n);
}

static void w_u64(wbuf *w, uint64_t v)
{
    char b[24];
    int n = snprintf(b, sizeof b, "%llu", (unsigned long long)v);
    w_add(w, b, (size_t)n);
}

/* A float as Python's repr writes it (the shortest digits that read back the
 * same, always with a decimal point) for the magnitudes listings carry. */
static void w_pyfloat(wbuf *w, double v)
{
    char b[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(b, sizeof b, "%.*g", prec, v);
        if (strtod(b, NULL) == v)
            break;
    }
    w_str(w, b);
    if (!strpbrk(b, ".einn"))
        w_str(w, ".0");
}

/* degrees x 1e6 as a float: the same double a parser of "%.6f" would give. */
static void w_e6(wbuf *w, int32_t v)
{
    char b[24];
    snprintf(b, sizeof b, "%s%d.%06d", v < 0 ? "-" : "", abs(v / 1000000), abs(v % 1000000));
    w_pyfloat(w, strtod(b, NULL));
}

static void w_json_str(wbuf *w, const char *s)
{
    w_chr(w, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            w_chr(w, '\\');
            w_chr(w, (char)c);
        } else if (c < 0x20) {
            char b[8];
            snprintf(b, sizeof b, "\\u%04x", c);
            w_str(w, b);
        } else {
            w_chr(w, (char)c);
        }
    }
    w_chr(w, '"');
}

static void w_finish(wbuf *w)
{
    if (w->cap)
        w->p[w->len < w->cap ? w->len : w->cap - 1] = 0;
}

/* ------------------------------------------------------------ strings */

static void address(wbuf *w, const resi_listing *l)
{
    w_int(w, l->street_no);
    w_chr(w, ' ');
    w_str(w, l->street);
    if (l->unit[0]) {
        w_chr(w, ' ');
        w_str(w, l->unit);
    }
    w_str(w, ", ");
    w_str(w, l->city);
    w_str(w, ", ");
    w_str(w, l->state);
    w_chr(w, ' ');
    w_str(w, l->zip);
}

size_t resi_listing_address(const resi_listing *l, char *out, size_t n)
{
    wbuf w = {out, 0, n};
    address(&w, l);
    w_finish(&w);
    return w.len;
}

/* Zillow's slug: the address with separators turned into single dashes and
 * anything else that is not a letter or digit dropped. */
static void slug(wbuf *w, const resi_listing *l)
{
    char a[256];
    size_t n = resi_listing_address(l, a, sizeof a);
    if (n >= sizeof a)
        n = sizeof a - 1;
    bool dash = false;
    for (size_t i = 0; i < n; i++) {
        char c = a[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (alnum) {
            if (dash)
                w_chr(w, '-');
            dash = false;
            w_chr(w, c);
        } else if (c == ' ' || c == ',' || c == '-' || c == '/') {
            dash = w->len > 0;
        }
    }
}

static void detail_url(wbuf *w, const resi_listing *l)
{
    char b[256];
    wbuf s = {b, 0, sizeof b};
    slug(&s, l);
    w_finish(&s);
    w_str(w, "/homedetails/");
    w_str(w, b);
    w_chr(w, '/');
    w_u64(w, l->zpid);
    w_str(w, "_zpid/");
}

size_t resi_listing_detail_url(const resi_listing *l, char *out, size_t n)
{
    wbuf w = {out, 0, n};
    detail_url(&w, l);
    w_finish(&w);
    return w.len;
}

size_t resi_listing_uri(const resi_listing *l, char *out, size_t n)
{
    wbuf w = {out, 0, n};
    w_str(&w, "https://zillow.com");
    detail_url(&w, l);
    w_finish(&w);
    return w.len;
}

/* ------------------------------------------------------------- the JSON */

static void key(wbuf *w, const char *k)
{
    w_chr(w, w->len > 1 ? ',' : '{');
    w_chr(w, '"');
    w_str(w, k);
    w_str(w, "\":");
}

static void kv_int_or_null(wbuf *w, const char *k, int64_t v, bool present)
{
    key(w, k);
    if (present)
        w_int(w, v);
    else
        w_str(w, "null");
}

static void kv_bool(wbuf *w, const char *k, bool v)
{
    key(w, k);
    w_str(w, v ? "true" : "false");
}

static void kv_null(wbuf *w, const char *k)
{
    key(w, k);
    w_str(w, "null");
}

/* ISO 8601 in UTC with microseconds, as pydantic writes an aware datetime. */
static void w_time(wbuf *w, int64_t unix_ms)
{
    time_t secs = (time_t)(unix_ms >= 0 ? unix_ms / 1000 : (unix_ms - 999) / 1000);
    int ms = (int)(unix_ms - (int64_t)secs * 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char b[96];
    snprintf(b, sizeof b, "\"%04d-%02d-%02dT%02d:%02d:%02d.%03d000Z\"", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
    w_str(w, b);
}

/* A photo name stable for the listing (Zillow's are 32 hex digits). */
static void img_src(wbuf *w, const resi_listing *l)
{
    char b[96];
    uint64_t a = hash64_mix(l->zpid, 0x1ce4e5b9ULL), c = hash64_mix(a, l->zpid);
    snprintf(b, sizeof b, "\"https://photos.zillowstatic.com/fp/%016llx%016llx-p_e.jpg\"",
             (unsigned long long)a, (unsigned long long)c);
    w_str(w, b);
}

static void json_core(wbuf *w, const resi_listing *l)
{
    char s[256];
    key(w, "zpid");
    w_chr(w, '"');
    w_u64(w, l->zpid);
    w_chr(w, '"');
    key(w, "address");
    resi_listing_address(l, s, sizeof s);
    w_json_str(w, s);
    key(w, "detail_url");
    resi_listing_detail_url(l, s, sizeof s);
    w_json_str(w, s);
    key(w, "property_type");
    w_json_str(w, resi_home_type_name(l->home_type));
    kv_int_or_null(w, "bedrooms", l->bedrooms, l->bedrooms >= 0);
    key(w, "bathrooms");
    if (l->bathrooms_x2 >= 0)
        w_pyfloat(w, l->bathrooms_x2 / 2.0);
    else
        w_str(w, "null");
    kv_int_or_null(w, "living_area", l->living_area, l->living_area >= 0);
    key(w, "lot_area_value");
    if (l->lot_area_value >= 0)
        w_pyfloat(w, l->lot_area_value);
    else
        w_str(w, "null");
    key(w, "lot_area_unit");
    if (resi_lot_unit_name(l->lot_unit))
        w_json_str(w, resi_lot_unit_name(l->lot_unit));
    else
        w_str(w, "null");
}

static void json_money_place(wbuf *w, const resi_listing *l)
{
    kv_int_or_null(w, "price", l->price, l->price >= 0);
    kv_int_or_null(w, "zestimate", l->zestimate, l->zestimate >= 0);
    kv_int_or_null(w, "rent_zestimate", l->rent_zestimate, l->rent_zestimate >= 0);
    kv_int_or_null(w, "price_change", l->price_change, l->price_change != 0);
    kv_int_or_null(w, "date_price_changed", l->date_price_changed_ms, l->date_price_changed_ms != 0);
    key(w, "latitude");
    w_e6(w, l->lat_e6);
    key(w, "longitude");
    w_e6(w, l->lon_e6);
    key(w, "country");
    w_str(w, "\"USA\"");
    key(w, "currency");
    w_str(w, "\"USD\"");
    key(w, "listing_status");
    w_json_str(w, resi_status_name(l->status));
    kv_int_or_null(w, "days_on_zillow", l->days_on_zillow, l->days_on_zillow >= 0);
    kv_null(w, "coming_soon_on_market_date");
}

static void json_rest(wbuf *w, const resi_listing *l)
{
    key(w, "img_src");
    if (l->flags & RESI_HAS_IMAGE)
        img_src(w, l);
    else
        w_str(w, "null");
    kv_bool(w, "has_image", l->flags & RESI_HAS_IMAGE);
    kv_bool(w, "has_video", l->flags & RESI_HAS_VIDEO);
    kv_bool(w, "has_3d_model", l->flags & RESI_HAS_3D);
    kv_null(w, "carousel_photos");
    kv_bool(w, "is_fsba", l->flags & RESI_IS_FSBA);
    kv_bool(w, "is_open_house", l->flags & RESI_IS_OPEN_HOUSE);
    kv_bool(w, "is_new_home", l->flags & RESI_IS_NEW_HOME);
    kv_bool(w, "is_coming_soon", false);
    kv_null(w, "new_construction_type");
    key(w, "unit");
    if (l->unit[0])
        w_json_str(w, l->unit);
    else
        w_str(w, "null");
    kv_null(w, "contingent_listing_type");
    kv_null(w, "variable_data");
    key(w, "scraped_at");
    w_time(w, l->scraped_at_ms);
    key(w, "data_source");
    w_str(w, "\"zillow_rapidapi\"}");
}

static size_t json(const resi_listing *l, char *out, size_t n)
{
    wbuf w = {out, 0, n};
    json_core(&w, l);
    json_money_place(&w, l);
    json_rest(&w, l);
    w_finish(&w);
    return w.len;
}

int resi_listing_json(const resi_listing *l, sbuf *out)
{
    char b[RESI_LISTING_JSON_MAX];
    size_t n = json(l, b, sizeof b);
    if (n >= sizeof b)
        return ERR_INTERNAL;   /* the field sizes bound it well below */
    return sbuf_add(out, b, n);
}

size_t resi_listing_size(const resi_listing *l)
{
    char b[RESI_LISTING_JSON_MAX];
    return json(l, b, sizeof b);
}

uint64_t resi_listing_hash(const resi_listing *l)
{
    char b[RESI_LISTING_JSON_MAX];
    json(l, b, sizeof b);
    return hash64_str(b);
}

/* ------------------------------------------------------------- messages */

rt_msg resi_search_msg(const char *zip, int page)
{
    resi_search_req *q = calloc(1, sizeof *q);
    if (q) {
        snprintf(q->zip, sizeof q->zip, "%s", zip);
        q->page = page;
    }
    return (rt_msg){.type = RESI_MSG_SEARCH, .body = q, .wire_bytes = 200};
}

rt_msg resi_lookup_msg(uint64_t zpid)
{
    resi_lookup_req *q = calloc(1, sizeof *q);
    if (q)
        q->zpid = zpid;
    return (rt_msg){.type = RESI_MSG_LOOKUP, .body = q, .wire_bytes = 200};
}
