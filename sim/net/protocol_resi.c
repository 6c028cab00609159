/* The resi listing's strings and its stored JSON form. Formatting is integer
 * based and locale free, so a listing serializes to the same bytes everywhere. */
#include "net/protocol_resi.h"

#include <math.h>
#include <string.h>

const char *proto_resi_status_name(int status)
{
    static const char *const names[] = {"FOR_SALE", "PENDING", "SOLD"};
    return status >= 0 && status < PROTO_RESI_STATUS_COUNT ? names[status] : "UNKNOWN";
}

const char *proto_resi_home_type_name(int type)
{
    static const char *const names[] = {"SINGLE_FAMILY", "CONDO", "TOWNHOUSE",
                                        "MULTI_FAMILY", "MANUFACTURED", "LOT"};
    return type >= 0 && type < PROTO_RESI_HOME_TYPE_COUNT ? names[type] : "UNKNOWN";
}

const char *proto_resi_lot_unit_name(int unit)
{
    return unit == PROTO_RESI_LOT_SQFT ? "sqft" : unit == PROTO_RESI_LOT_ACRES ? "acres" : NULL;
}

/* ------------------------------------------------------------ a writer */

/* A bounded writer over a caller's buffer: output past the end is counted but
 * dropped, so callers learn the length they would have needed. */
typedef struct wbuf {
    char *p;
    size_t len, cap;
} wbuf;

static inline void w_add(wbuf *w, const char *s, size_t n)
{
    if (w->len + n <= w->cap) {
        memcpy(w->p + w->len, s, n);
    } else if (w->len < w->cap) {
        memcpy(w->p + w->len, s, w->cap - w->len);
    }
    w->len += n;
}

static void w_str(wbuf *w, const char *s) { w_add(w, s, strlen(s)); }

static inline void w_chr(wbuf *w, char c)
{
    if (w->len < w->cap)
        w->p[w->len] = c;
    w->len++;
}

static void w_u64(wbuf *w, uint64_t v)
{
    char b[24];
    int k = 24;
    do
        b[--k] = (char)('0' + v % 10);
    while ((v /= 10));
    w_add(w, b + k, (size_t)(24 - k));
}

static void w_int(wbuf *w, int64_t v)
{
    if (v < 0) {
        w_chr(w, '-');
        w_u64(w, (uint64_t)0 - (uint64_t)v);
    } else {
        w_u64(w, (uint64_t)v);
    }
}

/* units / 10^decimals as a decimal with the trailing zeros dropped but one
 * fractional digit kept: "29.74566", "2.0". */
static void w_fixed(wbuf *w, int64_t units, int decimals)
{
    uint64_t scale = 1;
    for (int i = 0; i < decimals; i++)
        scale *= 10;
    if (units < 0)
        w_chr(w, '-');
    uint64_t u = units < 0 ? (uint64_t)0 - (uint64_t)units : (uint64_t)units;
    w_u64(w, u / scale);
    w_chr(w, '.');
    uint64_t frac = u % scale;
    int keep = decimals;
    while (keep > 1 && frac % 10 == 0) {
        frac /= 10;
        keep--;
    }
    char b[24];
    for (int i = keep - 1; i >= 0; i--, frac /= 10)
        b[i] = (char)('0' + frac % 10);
    w_add(w, b, (size_t)keep);
}

/* A float as Python's repr writes it: the shortest digits that read back the
 * same, always with a decimal point. Values with at most four decimals take
 * the fast path: a decimal of at most 15 significant digits is the shortest
 * form of its nearest double. */
static void w_pyfloat(wbuf *w, double v)
{
    if (isfinite(v) && (v == 0 || fabs(v) >= 1e-4) && fabs(v) < 1e10) {
        int64_t k = llround(v * 10000);
        if ((double)k / 10000 == v) {
            w_fixed(w, k, 4);
            return;
        }
    }
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

static void w_json_str(wbuf *w, const char *s)
{
    w_chr(w, '"');
    for (;;) {
        size_t run = 0;   /* copy runs that need no escaping in one go */
        while (s[run] && s[run] != '"' && s[run] != '\\' && (unsigned char)s[run] >= 0x20)
            run++;
        w_add(w, s, run);
        s += run;
        if (!*s)
            break;
        unsigned char c = (unsigned char)*s++;
        if (c == '"' || c == '\\') {
            w_chr(w, '\\');
            w_chr(w, (char)c);
        } else {
            char b[8];
            snprintf(b, sizeof b, "\\u%04x", c);
            w_str(w, b);
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

static void address(wbuf *w, const proto_resi_listing *l)
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

size_t proto_resi_listing_address(const proto_resi_listing *l, char *out, size_t n)
{
    wbuf w = {out, 0, n};
    address(&w, l);
    w_finish(&w);
    return w.len;
}

/* Zillow's slug: the address with separators turned into single dashes and
 * anything else that is not a letter or digit dropped. */
static void slug(wbuf *w, const proto_resi_listing *l)
{
    char a[256];
    size_t n = proto_resi_listing_address(l, a, sizeof a);
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

static void detail_url(wbuf *w, const proto_resi_listing *l)
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

size_t proto_resi_listing_detail_url(const proto_resi_listing *l, char *out, size_t n)
{
    wbuf w = {out, 0, n};
    detail_url(&w, l);
    w_finish(&w);
    return w.len;
}

size_t proto_resi_listing_uri(const proto_resi_listing *l, char *out, size_t n)
{
    wbuf w = {out, 0, n};
    w_str(&w, "https://zillow.com");
    detail_url(&w, l);
    w_finish(&w);
    return w.len;
}

/* ------------------------------------------------------------- the JSON */

/* k is the quoted key with its colon: "\"zpid\":". */
static void key(wbuf *w, const char *k)
{
    w_chr(w, w->len > 1 ? ',' : '{');
    w_str(w, k);
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

static void w_digits(wbuf *w, int64_t v, int width)
{
    char b[8];
    for (int i = width - 1; i >= 0; i--, v /= 10)
        b[i] = (char)('0' + v % 10);
    w_add(w, b, (size_t)width);
}

/* ISO 8601 in UTC with microseconds, as pydantic writes an aware datetime.
 * The civil date from days since 1970 (H. Hinnant's days_from_civil, inverted). */
static void w_time(wbuf *w, int64_t unix_ms)
{
    int64_t ms = unix_ms % 86400000;
    int64_t days = unix_ms / 86400000;
    if (ms < 0) {
        ms += 86400000;
        days--;
    }
    int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
    int64_t y = yoe + era * 400 + (m <= 2);
    w_chr(w, '"');
    w_digits(w, y, 4);
    w_chr(w, '-');
    w_digits(w, m, 2);
    w_chr(w, '-');
    w_digits(w, d, 2);
    w_chr(w, 'T');
    w_digits(w, ms / 3600000, 2);
    w_chr(w, ':');
    w_digits(w, ms / 60000 % 60, 2);
    w_chr(w, ':');
    w_digits(w, ms / 1000 % 60, 2);
    w_chr(w, '.');
    w_digits(w, ms % 1000, 3);
    w_str(w, "000Z\"");
}

static void w_hex64(wbuf *w, uint64_t v)
{
    char b[16];
    for (int i = 15; i >= 0; i--, v >>= 4)
        b[i] = "0123456789abcdef"[v & 15];
    w_add(w, b, 16);
}

/* A photo name stable for the listing (Zillow's are 32 hex digits). */
static void img_src(wbuf *w, const proto_resi_listing *l)
{
    uint64_t a = hash64_mix(l->zpid, 0x1ce4e5b9ULL), c = hash64_mix(a, l->zpid);
    w_str(w, "\"https://photos.zillowstatic.com/fp/");
    w_hex64(w, a);
    w_hex64(w, c);
    w_str(w, "-p_e.jpg\"");
}

static void json_core(wbuf *w, const proto_resi_listing *l)
{
    char s[256];
    key(w, "\"zpid\":");
    w_chr(w, '"');
    w_u64(w, l->zpid);
    w_chr(w, '"');
    key(w, "\"address\":");
    proto_resi_listing_address(l, s, sizeof s);
    w_json_str(w, s);
    key(w, "\"detail_url\":");
    proto_resi_listing_detail_url(l, s, sizeof s);
    w_json_str(w, s);
    key(w, "\"property_type\":");
    w_json_str(w, proto_resi_home_type_name(l->home_type));
    kv_int_or_null(w, "\"bedrooms\":", l->bedrooms, l->bedrooms >= 0);
    key(w, "\"bathrooms\":");
    if (l->bathrooms_x2 >= 0)
        w_fixed(w, l->bathrooms_x2 * 5, 1);
    else
        w_str(w, "null");
    kv_int_or_null(w, "\"living_area\":", l->living_area, l->living_area >= 0);
    key(w, "\"lot_area_value\":");
    if (l->lot_area_value >= 0)
        w_pyfloat(w, l->lot_area_value);
    else
        w_str(w, "null");
    key(w, "\"lot_area_unit\":");
    if (proto_resi_lot_unit_name(l->lot_unit))
        w_json_str(w, proto_resi_lot_unit_name(l->lot_unit));
    else
        w_str(w, "null");
}

static void json_money_place(wbuf *w, const proto_resi_listing *l)
{
    kv_int_or_null(w, "\"price\":", l->price, l->price >= 0);
    kv_int_or_null(w, "\"zestimate\":", l->zestimate, l->zestimate >= 0);
    kv_int_or_null(w, "\"rent_zestimate\":", l->rent_zestimate, l->rent_zestimate >= 0);
    kv_int_or_null(w, "\"price_change\":", l->price_change, l->price_change != 0);
    kv_int_or_null(w, "\"date_price_changed\":", l->date_price_changed_ms, l->date_price_changed_ms != 0);
    /* degrees x 1e6: six decimals name the double Python would print */
    key(w, "\"latitude\":");
    w_fixed(w, l->lat_e6, 6);
    key(w, "\"longitude\":");
    w_fixed(w, l->lon_e6, 6);
    key(w, "\"country\":");
    w_str(w, "\"USA\"");
    key(w, "\"currency\":");
    w_str(w, "\"USD\"");
    key(w, "\"listing_status\":");
    w_json_str(w, proto_resi_status_name(l->status));
    kv_int_or_null(w, "\"days_on_zillow\":", l->days_on_zillow, l->days_on_zillow >= 0);
    kv_null(w, "\"coming_soon_on_market_date\":");
}

static void json_rest(wbuf *w, const proto_resi_listing *l)
{
    key(w, "\"img_src\":");
    if (l->flags & PROTO_RESI_HAS_IMAGE)
        img_src(w, l);
    else
        w_str(w, "null");
    kv_bool(w, "\"has_image\":", l->flags & PROTO_RESI_HAS_IMAGE);
    kv_bool(w, "\"has_video\":", l->flags & PROTO_RESI_HAS_VIDEO);
    kv_bool(w, "\"has_3d_model\":", l->flags & PROTO_RESI_HAS_3D);
    kv_null(w, "\"carousel_photos\":");
    kv_bool(w, "\"is_fsba\":", l->flags & PROTO_RESI_IS_FSBA);
    kv_bool(w, "\"is_open_house\":", l->flags & PROTO_RESI_IS_OPEN_HOUSE);
    kv_bool(w, "\"is_new_home\":", l->flags & PROTO_RESI_IS_NEW_HOME);
    kv_bool(w, "\"is_coming_soon\":", false);
    kv_null(w, "\"new_construction_type\":");
    key(w, "\"unit\":");
    if (l->unit[0])
        w_json_str(w, l->unit);
    else
        w_str(w, "null");
    kv_null(w, "\"contingent_listing_type\":");
    kv_null(w, "\"variable_data\":");
    key(w, "\"scraped_at\":");
    w_time(w, l->scraped_at_ms);
    key(w, "\"data_source\":");
    w_str(w, "\"zillow_rapidapi\"}");
}

static size_t json(const proto_resi_listing *l, char *out, size_t n)
{
    wbuf w = {out, 0, n};
    json_core(&w, l);
    json_money_place(&w, l);
    json_rest(&w, l);
    w_finish(&w);
    return w.len;
}

int proto_resi_listing_json(const proto_resi_listing *l, sbuf *out)
{
    char b[PROTO_RESI_LISTING_JSON_MAX];
    size_t n = json(l, b, sizeof b);
    if (n >= sizeof b)
        return ERR_INTERNAL;   /* the field sizes bound it well below */
    return sbuf_add(out, b, n);
}

/* ------------------------------------------------------ the JSON's length */

/* The length of what json() writes, counted without writing: miners and
 * validators measure far more listings than they serialize. Each helper
 * mirrors the writer above it names; tests/unit/test_protocol_resi_data.c
 * compares the two over a hundred thousand listings and the edge cases. */

static size_t n_u64(uint64_t v)
{
    size_t n = 1;
    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

static size_t n_int(int64_t v) { return v < 0 ? 1 + n_u64((uint64_t)0 - (uint64_t)v) : n_u64((uint64_t)v); }

/* w_fixed */
static size_t n_fixed(int64_t units, int decimals)
{
    uint64_t scale = 1;
    for (int i = 0; i < decimals; i++)
        scale *= 10;
    uint64_t u = units < 0 ? (uint64_t)0 - (uint64_t)units : (uint64_t)units;
    uint64_t frac = u % scale;
    int keep = decimals;
    while (keep > 1 && frac % 10 == 0) {
        frac /= 10;
        keep--;
    }
    return (units < 0) + n_u64(u / scale) + 1 + (size_t)keep;
}

/* w_pyfloat: the fast path counted, the rare rest written */
static size_t n_pyfloat(double v)
{
    if (isfinite(v) && (v == 0 || fabs(v) >= 1e-4) && fabs(v) < 1e10) {
        int64_t k = llround(v * 10000);
        if ((double)k / 10000 == v)
            return n_fixed(k, 4);
    }
    char b[64];
    wbuf w = {b, 0, sizeof b};
    w_pyfloat(&w, v);
    return w.len;
}

/* Characters of s inside a JSON string (w_json_str, quotes not counted). */
static size_t n_esc(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        n += *p == '"' || *p == '\\' ? 2 : *p < 0x20 ? 6 : 1;
    return n;
}

static size_t n_json_str(const char *s) { return 2 + n_esc(s); }

/* slug(): the same state machine over the address's pieces. */
typedef struct slug_len {
    size_t len;
    bool dash;
} slug_len;

static void slug_feed(slug_len *sl, const char *s)
{
    for (; *s; s++) {
        char c = *s;
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (alnum) {
            sl->len += 1 + sl->dash;
            sl->dash = false;
        } else if (c == ' ' || c == ',' || c == '-' || c == '/') {
            sl->dash = sl->len > 0;
        }
    }
}

/* address() and detail_url() through slug(): the address is short enough
 * that slug()'s 255-byte copy never cuts it (asserted in the test). */
static void n_address(const proto_resi_listing *l, size_t *addr_json, size_t *url_json)
{
    char no[24];
    wbuf nw = {no, 0, sizeof no};
    w_u64(&nw, l->street_no);
    w_finish(&nw);
    slug_len sl = {0, false};
    const char *parts[] = {no, " ", l->street, l->unit[0] ? " " : "", l->unit, ", ", l->city, ", ",
                           l->state, " ", l->zip};
    size_t a = 0;
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
        a += n_esc(parts[i]);
        slug_feed(&sl, parts[i]);
    }
    *addr_json = 2 + a;
    /* "/homedetails/" slug "/" zpid "_zpid/", quoted; no character to escape */
    *url_json = 2 + 13 + sl.len + 1 + n_u64(l->zpid) + 6;
}

/* A key: its separator and its text. */
#define K(lit) (1 + sizeof(lit) - 1)
#define NUL 4
#define INT_OR_NULL(v, present) ((present) ? n_int(v) : NUL)
#define BOOL(b) ((b) ? 4 : 5)

static size_t n_core(const proto_resi_listing *l)
{
    size_t addr, url;
    n_address(l, &addr, &url);
    const char *unit = proto_resi_lot_unit_name(l->lot_unit);
    return K("\"zpid\":") + 2 + n_u64(l->zpid) + K("\"address\":") + addr +
           K("\"detail_url\":") + url + K("\"property_type\":") +
           n_json_str(proto_resi_home_type_name(l->home_type)) + K("\"bedrooms\":") +
           INT_OR_NULL(l->bedrooms, l->bedrooms >= 0) + K("\"bathrooms\":") +
           (l->bathrooms_x2 >= 0 ? n_fixed(l->bathrooms_x2 * 5, 1) : NUL) +
           K("\"living_area\":") + INT_OR_NULL(l->living_area, l->living_area >= 0) +
           K("\"lot_area_value\":") +
           (l->lot_area_value >= 0 ? n_pyfloat(l->lot_area_value) : NUL) +
           K("\"lot_area_unit\":") + (unit ? n_json_str(unit) : NUL);
}

static size_t n_money_place(const proto_resi_listing *l)
{
    return K("\"price\":") + INT_OR_NULL(l->price, l->price >= 0) + K("\"zestimate\":") +
           INT_OR_NULL(l->zestimate, l->zestimate >= 0) + K("\"rent_zestimate\":") +
           INT_OR_NULL(l->rent_zestimate, l->rent_zestimate >= 0) + K("\"price_change\":") +
           INT_OR_NULL(l->price_change, l->price_change != 0) + K("\"date_price_changed\":") +
           INT_OR_NULL(l->date_price_changed_ms, l->date_price_changed_ms != 0) +
           K("\"latitude\":") + n_fixed(l->lat_e6, 6) + K("\"longitude\":") +
           n_fixed(l->lon_e6, 6) + K("\"country\":") + 5 + K("\"currency\":") + 5 +
           K("\"listing_status\":") + n_json_str(proto_resi_status_name(l->status)) +
           K("\"days_on_zillow\":") + INT_OR_NULL(l->days_on_zillow, l->days_on_zillow >= 0) +
           K("\"coming_soon_on_market_date\":") + NUL;
}

/* w_time writes every part at a fixed width: '"', YYYY-MM-DDTHH:MM:SS.mmm,
 * "000Z", '"' */
#define TIME_LEN 29

static size_t n_rest(const proto_resi_listing *l)
{
    uint8_t f = l->flags;
    /* img_src: the quoted URL prefix, 32 hex digits, "-p_e.jpg" quoted */
    size_t img = (f & PROTO_RESI_HAS_IMAGE) ? (sizeof("\"https://photos.zillowstatic.com/fp/") - 1) +
                                                  32 + (sizeof("-p_e.jpg\"") - 1)
                                            : NUL;
    return K("\"img_src\":") + img + K("\"has_image\":") + BOOL(f & PROTO_RESI_HAS_IMAGE) +
           K("\"has_video\":") + BOOL(f & PROTO_RESI_HAS_VIDEO) + K("\"has_3d_model\":") +
           BOOL(f & PROTO_RESI_HAS_3D) + K("\"carousel_photos\":") + NUL + K("\"is_fsba\":") +
           BOOL(f & PROTO_RESI_IS_FSBA) + K("\"is_open_house\":") +
           BOOL(f & PROTO_RESI_IS_OPEN_HOUSE) + K("\"is_new_home\":") +
           BOOL(f & PROTO_RESI_IS_NEW_HOME) + K("\"is_coming_soon\":") + BOOL(false) +
           K("\"new_construction_type\":") + NUL + K("\"unit\":") +
           (l->unit[0] ? n_json_str(l->unit) : NUL) + K("\"contingent_listing_type\":") + NUL +
           K("\"variable_data\":") + NUL + K("\"scraped_at\":") + TIME_LEN +
           K("\"data_source\":") + (sizeof("\"zillow_rapidapi\"}") - 1);
}

size_t proto_resi_listing_size(const proto_resi_listing *l)
{
    return n_core(l) + n_money_place(l) + n_rest(l);
}

/* The writer's own count (what proto_resi_listing_size mirrors); tests. */
size_t proto_resi__listing_size_written(const proto_resi_listing *l);
size_t proto_resi__listing_size_written(const proto_resi_listing *l)
{
    char b[PROTO_RESI_LISTING_JSON_MAX];
    return json(l, b, sizeof b);
}

uint64_t proto_resi_listing_hash(const proto_resi_listing *l)
{
    char b[PROTO_RESI_LISTING_JSON_MAX];
    json(l, b, sizeof b);
    return hash64_str(b);
}
