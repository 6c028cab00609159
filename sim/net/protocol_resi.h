/* protocol_resi: what miners, validators and the listings API of the real-estate
 * subnet exchange (SPEC.md section 2). Miners and validators never include each
 * other; they share this header (DESIGN.md). It depends on core and rt only.
 *
 * proto_resi_listing is THE listing record: what the listings API answers, what a
 * miner stores and serves in its buckets, and what a validator compares against
 * the API. Its serialized form (proto_resi_listing_json) mirrors the JSON the resi
 * miner stores for each entity (resi-labs-ai/resi a0996088,
 * scraping/zillow/model.py RealEstateContent.model_dump_json: same fields, same
 * order, compact separators), so entity sizes in bytes are realistic.
 *
 * The listings API speaks four messages (types below). Statuses are rt's
 * HTTP-like codes: 200 with a reply body; 400 (bad page), 404 (unknown zip or
 * zpid, or a listing that is gone), 429 (rate limit or quota), 5xx: all bare,
 * without a body. A hung request gets no answer: the caller's timeout fires. */
#ifndef SUBNETSIM_PROTOCOL_RESI_H
#define SUBNETSIM_PROTOCOL_RESI_H

#include "core/core.h"

/* ----------------------------------------------------------- the listing */

typedef enum {
    PROTO_RESI_FOR_SALE,
    PROTO_RESI_PENDING,
    PROTO_RESI_SOLD,
    PROTO_RESI_STATUS_COUNT
} proto_resi_status;

/* Zillow's homeType values. */
typedef enum {
    PROTO_RESI_SINGLE_FAMILY,
    PROTO_RESI_CONDO,
    PROTO_RESI_TOWNHOUSE,
    PROTO_RESI_MULTI_FAMILY,
    PROTO_RESI_MANUFACTURED,
    PROTO_RESI_LOT,
    PROTO_RESI_HOME_TYPE_COUNT
} proto_resi_home_type;

typedef enum { PROTO_RESI_LOT_NONE, PROTO_RESI_LOT_SQFT, PROTO_RESI_LOT_ACRES } proto_resi_lot_unit;

/* Flags (proto_resi_listing.flags): Zillow's media and listingSubType booleans. */
enum {
    PROTO_RESI_HAS_IMAGE = 1,
    PROTO_RESI_HAS_VIDEO = 2,
    PROTO_RESI_HAS_3D = 4,
    PROTO_RESI_IS_FSBA = 8,        /* for sale by agent */
    PROTO_RESI_IS_OPEN_HOUSE = 16,
    PROTO_RESI_IS_NEW_HOME = 32
};

/* Field sizes: every string is NUL-terminated inside its array. */
#define PROTO_RESI_STREET_MAX 32
#define PROTO_RESI_UNIT_MAX 12
#define PROTO_RESI_CITY_MAX 32

/* Plain data, 168 bytes, no pointers: copy it, store it, memcmp it (the
 * producers zero it first, so padding compares equal too). "None" is -1 for
 * integers (a LOT has no bedrooms), < 0 for lot_area_value, 0 for times. */
typedef struct proto_resi_listing {
    uint64_t zpid;                 /* unique and stable for the listing's life */
    int64_t scraped_at_ms;         /* unix ms when the API answered with this copy */
    int64_t date_price_changed_ms; /* unix ms of the last price change, 0 none */
    int32_t price;                 /* USD: asking price; the sale price once SOLD */
    int32_t price_change;          /* USD of the last change (negative: a cut), 0 none */
    int32_t zestimate;             /* USD, -1 none */
    int32_t rent_zestimate;        /* USD a month, -1 none */
    int32_t living_area;           /* sqft, -1 none */
    int32_t lat_e6, lon_e6;        /* degrees x 1e6 */
    int32_t days_on_zillow;        /* whole days since listed */
    double lot_area_value;         /* in lot_unit; < 0 none */
    uint32_t street_no;
    int16_t bedrooms;              /* -1 none */
    int16_t bathrooms_x2;          /* bathrooms x 2 (2.5 baths = 5), -1 none */
    uint8_t home_type;             /* proto_resi_home_type */
    uint8_t status;                /* proto_resi_status */
    uint8_t lot_unit;              /* proto_resi_lot_unit */
    uint8_t flags;                 /* PROTO_RESI_HAS_IMAGE ... */
    char street[PROTO_RESI_STREET_MAX];  /* "Maple Dr" */
    char unit[PROTO_RESI_UNIT_MAX];      /* "APT 4", "" for none */
    char city[PROTO_RESI_CITY_MAX];      /* "Katy" */
    char state[3];                 /* "TX" */
    char zip[6];                   /* "77494" */
} proto_resi_listing;

const char *proto_resi_status_name(int status);       /* "FOR_SALE", "PENDING", "SOLD" */
const char *proto_resi_home_type_name(int type);      /* "SINGLE_FAMILY", ... */
const char *proto_resi_lot_unit_name(int unit);       /* "sqft", "acres", NULL for none */

/* The strings a listing shows, built from its fields (n >= 256 always fits).
 * Return the length written. */
size_t proto_resi_listing_address(const proto_resi_listing *l, char *out, size_t n);
/* "/homedetails/123-Maple-Dr-Katy-TX-77494/123456789_zpid/" */
size_t proto_resi_listing_detail_url(const proto_resi_listing *l, char *out, size_t n);
/* The entity's URI: "https://zillow.com" + detail URL (as the resi miner builds
 * it); validators normalise and compare these to find duplicates. */
size_t proto_resi_listing_uri(const proto_resi_listing *l, char *out, size_t n);

/* The stored content: compact JSON, fields in the order of the resi model.
 * Appends to out. Returns 0 or ERR_NOMEM. */
int proto_resi_listing_json(const proto_resi_listing *l, sbuf *out);
/* Its length in bytes: the entity's content_size_bytes. */
size_t proto_resi_listing_size(const proto_resi_listing *l);
/* A 64-bit hash of the content (FNV-1a with a finaliser over the JSON), for
 * duplicate detection by content. */
uint64_t proto_resi_listing_hash(const proto_resi_listing *l);

/* The most bytes proto_resi_listing_json ever writes for one listing. */
#define PROTO_RESI_LISTING_JSON_MAX 2048

/* ---------------------------------------------------- the listings API */

/* Message types 200-299 are the resi family (protocol.h lists the ranges):
 * 200-219 the listings API; miners' and validators' own messages take the
 * rest. Every body is one malloc'd block released with free(). */
enum {
    PROTO_RESI_SEARCH = 200,       /* proto_resi_search_req -> proto_resi_search_reply */
    PROTO_RESI_SEARCH_REPLY,
    PROTO_RESI_LOOKUP,             /* proto_resi_lookup_req -> proto_resi_lookup_reply */
    PROTO_RESI_LOOKUP_REPLY
};

/* Search by zipcode: Zillow's propertyExtendedSearch with sort "Newest" and
 * status ForSale, as the resi scraper calls it: listings for sale, newest
 * first, page_size (41) a page. */
typedef struct proto_resi_search_req {
    char zip[6];
    int32_t page;                  /* 1-based */
} proto_resi_search_req;

/* One allocation: free() releases it. A page past the last has n = 0. */
typedef struct proto_resi_search_reply {
    char zip[6];
    int32_t page;
    int32_t total_results;         /* listings for sale in the zip now */
    int32_t total_pages;
    int32_t n;                     /* listings on this page */
    proto_resi_listing props[];
} proto_resi_search_reply;

/* Look-up by zpid: Zillow's /property endpoint. */
typedef struct proto_resi_lookup_req {
    uint64_t zpid;
} proto_resi_lookup_req;

typedef struct proto_resi_lookup_reply {
    proto_resi_listing listing;
} proto_resi_lookup_reply;

/* Request bodies (malloc'ed, released with free(); NULL on no memory):
 *   rt_msg m = {PROTO_RESI_SEARCH, q = proto_resi_search_new("77494", 1), NULL,
 *               proto_resi_wire_bytes(PROTO_RESI_SEARCH, q)};
 * A request without a body is answered 400. */
proto_resi_search_req *proto_resi_search_new(const char *zip, int page);
proto_resi_lookup_req *proto_resi_lookup_new(uint64_t zpid);

/* Bytes a message takes on the wire, for the link model. Answers count what
 * Zillow sends, which carries more fields a property than the stored entity. */
#define PROTO_RESI_WIRE_PER_PROP 1500
#define PROTO_RESI_WIRE_OVERHEAD 400
size_t proto_resi_wire_bytes(int type, const void *body);

#endif
