/* The resi messages: the listings API's requests, the miner/validator and
 * object-store messages (bucket keys, shared index snapshots, entities and
 * their alterations), and every message's wire size. */
#include "net/protocol_resi.h"

#include <math.h>
#include <string.h>

/* ---------------------------------------------- the listings API's messages */

size_t proto_resi__data_wire_bytes(int type, const void *body);


proto_resi_search_req *proto_resi_search_new(const char *zip, int page)
{
    proto_resi_search_req *q = calloc(1, sizeof *q);
    if (q) {
        size_t n = strlen(zip);
        memcpy(q->zip, zip, n < 5 ? n : 5);
        q->page = page;
    }
    return q;
}

proto_resi_lookup_req *proto_resi_lookup_new(uint64_t zpid)
{
    proto_resi_lookup_req *q = calloc(1, sizeof *q);
    if (q)
        q->zpid = zpid;
    return q;
}

size_t proto_resi_wire_bytes(int type, const void *body)
{
    switch (type) {
    case PROTO_RESI_SEARCH_REPLY:
        return PROTO_RESI_WIRE_OVERHEAD +
               (body ? (size_t)((const proto_resi_search_reply *)body)->n : 0) *
                   PROTO_RESI_WIRE_PER_PROP;
    case PROTO_RESI_LOOKUP_REPLY:
        return PROTO_RESI_WIRE_OVERHEAD + 2 * PROTO_RESI_WIRE_PER_PROP;
    case PROTO_RESI_SEARCH:
    case PROTO_RESI_LOOKUP:
        return 200;   /* a GET with its query string and RapidAPI headers */
    default:
        return proto_resi__data_wire_bytes(type, body);
    }
}

/* ------------------------------------------------------------ bucket keys */

int proto_resi_bucket_id_cmp(const proto_resi_bucket_id *a, const proto_resi_bucket_id *b)
{
    if (a->source != b->source)
        return a->source < b->source ? -1 : 1;
    int c = memcmp(a->zip, b->zip, 5);
    if (c)
        return c < 0 ? -1 : 1;
    return a->hour < b->hour ? -1 : a->hour > b->hour;
}

static bool five_digits(const char *zip)
{
    for (int i = 0; i < 5; i++)
        if (zip[i] < '0' || zip[i] > '9')
            return false;
    return zip[5] == 0;
}

bool proto_resi_bucket_id_set(proto_resi_bucket_id *id, int source, const char *zip, int32_t hour)
{
    memset(id, 0, sizeof *id);
    if (!zip || strlen(zip) != 5 || !five_digits(zip))
        return false;
    id->hour = hour;
    id->source = (uint8_t)source;
    memcpy(id->zip, zip, 5);
    return true;
}

size_t proto_resi_label(const char *zip, char *out, size_t n)
{
    int k = snprintf(out, n, "zip:%s", zip);
    return k < 0 ? 0 : (size_t)k;
}

int32_t proto_resi_hour_of_ms(int64_t unix_ms)
{
    int64_t h = unix_ms >= 0 ? unix_ms / 3600000 : -((-unix_ms + 3599999) / 3600000);
    return (int32_t)h;
}

/* ------------------------------------------------------------------ index */

proto_resi_index *proto_resi_index_new(uint32_t n)
{
    proto_resi_index *x = calloc(1, sizeof *x + (size_t)n * sizeof x->b[0]);
    if (x) {
        x->refs = 1;
        x->n = n;
    }
    return x;
}

proto_resi_index *proto_resi_index_retain(proto_resi_index *x)
{
    if (x)
        x->refs++;
    return x;
}

void proto_resi_index_release(void *p)
{
    proto_resi_index *x = p;
    if (x && --x->refs == 0)
        free(x);
}

const proto_resi_index_entry *proto_resi_index_find(const proto_resi_index *x,
                                                    const proto_resi_bucket_id *id)
{
    size_t lo = 0, hi = x ? x->n : 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = proto_resi_bucket_id_cmp(&x->b[mid].id, id);
        if (!c)
            return &x->b[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* --------------------------------------------------------------- entities */

/* The draws behind an entity's alterations: one 64-bit value per entity. */
static uint64_t alter_draw(const proto_resi_entity *e)
{
    return hash64_mix(hash64_mix(e->src_zpid, (uint64_t)e->scraped_ms), 0xa17e5eedULL);
}

/* A signed fraction lo..hi (either sign) from 16 bits of d. */
static double frac(uint64_t d, int shift, double lo, double hi)
{
    double u = (double)((d >> shift) & 0xffff) / 65535.0;
    double m = lo + u * (hi - lo);
    return (d >> (shift + 16)) & 1 ? -m : m;
}

uint64_t proto_resi_invented_zpid(uint64_t src_zpid, int64_t scraped_ms)
{
    /* zpids run 1 .. 2^44 (world: 44-bit permutation) */
    return 1 + (hash64_mix(src_zpid ^ 0x1f4b7e0d5c3a2918ULL, (uint64_t)scraped_ms) &
                ((UINT64_C(1) << 44) - 1));
}

void proto_resi_entity_apply(const proto_resi_entity *e, proto_resi_listing *l)
{
    uint64_t d = alter_draw(e);
    l->zpid = e->zpid;
    l->scraped_at_ms = e->scraped_ms;
    if (e->alter & PROTO_RESI_ALTER_PRICE) {
        double f = 1 + frac(d, 0, 0.10, 0.30);
        l->price = l->price > 0 ? (int32_t)llround(l->price * f) : 250000;
    }
    if (e->alter & PROTO_RESI_ALTER_AREA) {
        double f = 1 + frac(d, 17, 0.05, 0.25);
        l->living_area = l->living_area > 0 ? (int32_t)llround(l->living_area * f) : 1200;
    }
    if (e->alter & PROTO_RESI_ALTER_ADDRESS)
        l->street_no += 1 + (uint32_t)((d >> 34) % 40);
}

void proto_resi_entity_measure(proto_resi_entity *e, const proto_resi_listing *src)
{
    proto_resi_listing l = *src;
    proto_resi_entity_apply(e, &l);
    e->content_size = (uint32_t)proto_resi_listing_size(&l);
    e->claimed_size = e->content_size + proto_resi_entity_inflation(e);
}

uint32_t proto_resi_entity_inflation(const proto_resi_entity *e)
{
    if (!(e->alter & PROTO_RESI_ALTER_INFLATE))
        return 0;
    return 51 + (uint32_t)((alter_draw(e) >> 40) % 350);
}

uint64_t proto_resi_entity_content_hash(const proto_resi_entity *e)
{
    /* unix ms fit in 48 bits until the year 10889: the alterations above */
    uint64_t t = (uint64_t)e->scraped_ms ^ ((uint64_t)(e->alter & PROTO_RESI_ALTER_CONTENT) << 56);
    return hash64_mix(hash64_mix(e->zpid, e->src_zpid), t);
}

proto_resi_bucket_req *proto_resi_bucket_req_new(const proto_resi_bucket_id *id)
{
    proto_resi_bucket_req *q = calloc(1, sizeof *q);
    if (q)
        q->id = *id;
    return q;
}

proto_resi_bucket_reply *proto_resi_bucket_reply_new(const proto_resi_bucket_id *id, uint32_t n)
{
    proto_resi_bucket_reply *b = calloc(1, sizeof *b + (size_t)n * sizeof b->e[0]);
    if (b) {
        b->id = *id;
        b->n = n;
    }
    return b;
}

proto_resi_bucket_reply *proto_resi_bucket_reply_alloc(const proto_resi_bucket_id *id, uint32_t n)
{
    proto_resi_bucket_reply *b = malloc(sizeof *b + (size_t)n * sizeof b->e[0]);
    if (b) {
        memset(b, 0, sizeof *b);
        b->id = *id;
        b->n = n;
    }
    return b;
}

/* --------------------------------------------------------------------- S3 */

static void copy_key(char *dst, size_t n, const char *src)
{
    size_t k = src ? strlen(src) : 0;
    if (k >= n)
        k = n - 1;
    memcpy(dst, src ? src : "", k);
    dst[k] = 0;
}

proto_resi_s3_upload *proto_resi_s3_upload_new(const char *job, uint32_t nhead)
{
    proto_resi_s3_upload *u = calloc(1, sizeof *u + (size_t)nhead * sizeof u->head[0]);
    if (u) {
        copy_key(u->job, sizeof u->job, job);
        u->nhead = nhead;
    }
    return u;
}

proto_resi_s3_list_req *proto_resi_s3_list_req_new(const char *hotkey, int64_t newer_than_ms)
{
    proto_resi_s3_list_req *q = calloc(1, sizeof *q);
    if (q) {
        copy_key(q->hotkey, sizeof q->hotkey, hotkey);
        q->newer_than_ms = newer_than_ms;
    }
    return q;
}

proto_resi_s3_read_req *proto_resi_s3_read_req_new(const char *hotkey, uint32_t file_id)
{
    proto_resi_s3_read_req *q = calloc(1, sizeof *q);
    if (q) {
        copy_key(q->hotkey, sizeof q->hotkey, hotkey);
        q->file_id = file_id;
    }
    return q;
}

/* ------------------------------------------------------------- wire sizes */

static size_t index_wire(const proto_resi_index *x)
{
    size_t zips = 0;
    for (uint32_t i = 0; i < x->n; i++)
        zips += !i || memcmp(x->b[i].id.zip, x->b[i - 1].id.zip, 5) ||
                x->b[i].id.source != x->b[i - 1].id.source;
    return PROTO_RESI_WIRE_REQUEST + zips * PROTO_RESI_WIRE_INDEX_PER_ZIP +
           (size_t)x->n * PROTO_RESI_WIRE_INDEX_PER_BUCKET;
}

static size_t entities_wire(const proto_resi_entity *e, uint32_t n)
{
    size_t b = PROTO_RESI_WIRE_REQUEST;
    for (uint32_t i = 0; i < n; i++)
        b += e[i].content_size + PROTO_RESI_WIRE_ENTITY_EXTRA;
    return b;
}

/* The miner/validator and S3 types (proto_resi_wire_bytes dispatches here). */
size_t proto_resi__data_wire_bytes(int type, const void *body)
{
    switch (type) {
    case PROTO_RESI_INDEX_REPLY:
        return body ? index_wire(body) : PROTO_RESI_WIRE_REQUEST;
    case PROTO_RESI_BUCKET_REPLY: {
        const proto_resi_bucket_reply *b = body;
        return b ? entities_wire(b->e, b->n) : PROTO_RESI_WIRE_REQUEST;
    }
    case PROTO_RESI_S3_UPLOAD: {
        const proto_resi_s3_upload *u = body;
        return PROTO_RESI_WIRE_REQUEST + (u ? (size_t)u->size_bytes : 0);
    }
    case PROTO_RESI_S3_LIST_REPLY: {
        const proto_resi_s3_list_reply *l = body;
        return PROTO_RESI_WIRE_REQUEST + (l ? (size_t)l->n * PROTO_RESI_WIRE_S3_PER_FILE : 0);
    }
    case PROTO_RESI_S3_READ_REPLY: {
        const proto_resi_s3_file *f = body;
        return PROTO_RESI_WIRE_REQUEST + (f ? (size_t)f->info.size_bytes : 0);
    }
    default:
        return PROTO_RESI_WIRE_REQUEST;
    }
}
