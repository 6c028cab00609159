/* protocol_resi: what miners, validators and the listings API of the real-estate
 * subnet exchange (SPEC.md section 2). Miners and validators never include each
 * other; they share this header (DESIGN.md). It depends on core and rt only.
 *
 * resi_listing is THE listing record: what the listings API answers, what a
 * miner stores and serves in its buckets, and what a validator compares against
 * the API. Its serialized form (resi_listing_json) mirrors the JSON the resi
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
#include "runtime/rt.h"

/* ----------------------------------------------------------- the listing */

typedef enum {
    RESI_FOR_SALE,
    RESI_PENDING,
    RESI_SOLD,
    RESI_STATUS_COUNT
} resi_status;

/* Zillow's homeType values. */
typedef enum {
    RESI_SINGLE_FAMILY,
    RESI_CONDO,
    RESI_TOWNHOUSE,
    RESI_MULTI_FAMILY,
    RESI_MANUFACTURED,
    RESI_LOT,
    RESI_HOME_TYPE_COUNT
} resi_home_type;

typedef enum { RESI_LOT_NONE, RESI_LOT_SQFT, RESI_LOT_ACRES } resi_lot_unit;

/* Flags (resi_listing.flags): Zillow's media and listingSubType booleans. */
enum {
    RESI_HAS_IMAGE = 1,
    RESI_HAS_VIDEO = 2,
    RESI_HAS_3D = 4,
    RESI_IS_FSBA = 8,        /* for sale by agent */
    RESI_IS_OPEN_HOUSE = 16,
    RESI_IS_NEW_HOME = 32
};

/* Field sizes: every string is NUL-terminated inside its array. */
#define RESI_STREET_MAX 32
#define RESI_UNIT_MAX 12
#define RESI_CITY_MAX 32

/* Plain data, about 150 bytes, no pointers: copy it, store it, memcmp it (the
 * producers zero it first, so padding compares equal too). "None" is -1 for
 * integers (a LOT has no bedrooms), < 0 for lot_area_value, 0 for times. */
typedef struct resi_listing {
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
    uint8_t home_type;             /* resi_home_type */
    uint8_t status;                /* resi_status */
    uint8_t lot_unit;              /* resi_lot_unit */
    uint8_t flags;                 /* RESI_HAS_IMAGE ... */
    char street[RESI_STREET_MAX];  /* "Maple Dr" */
    char unit[RESI_UNIT_MAX];      /* "APT 4", "" for none */
    char city[RESI_CITY_MAX];      /* "Katy" */
    char state[3];                 /* "TX" */
    char zip[6];                   /* "77494" */
} resi_listing;

const char *resi_status_name(int status);       /* "FOR_SALE", "PENDING", "SOLD" */
const char *resi_home_type_name(int type);      /* "SINGLE_FAMILY", ... */
const char *resi_lot_unit_name(int unit);       /* "sqft", "acres", NULL for none */

/* The strings a listing shows, built from its fields (n >= 256 always fits).
 * Return the length written. */
size_t resi_listing_address(const resi_listing *l, char *out, size_t n);
/* "/homedetails/123-Maple-Dr-Katy-TX-77494/123456789_zpid/" */
size_t resi_listing_detail_url(const resi_listing *l, char *out, size_t n);
/* The entity's URI: "https://zillow.com" + detail URL (as the resi miner builds
 * it); validators normalise and compare these to find duplicates. */
size_t resi_listing_uri(const resi_listing *l, char *out, size_t n);

/* The stored content: compact JSON, fields in the order of the resi model.
 * Appends to out. Returns 0 or ERR_NOMEM. */
int resi_listing_json(const resi_listing *l, sbuf *out);
/* Its length in bytes: the entity's content_size_bytes. */
size_t resi_listing_size(const resi_listing *l);
/* A 64-bit hash of the content (FNV-1a with a finaliser over the JSON), for
 * duplicate detection by content. */
uint64_t resi_listing_hash(const resi_listing *l);

/* The most bytes resi_listing_json ever writes for one listing. */
#define RESI_LISTING_JSON_MAX 2048

/* ---------------------------------------------------- the listings API */

/* Message types: 0x52xx is the resi family (0x5200-0x520f the listings API;
 * miners' and validators' own messages take the rest). */
enum {
    RESI_MSG_SEARCH = 0x5201,       /* body: resi_search_req */
    RESI_MSG_SEARCH_REPLY = 0x5202, /* body: resi_search_reply */
    RESI_MSG_LOOKUP = 0x5203,       /* body: resi_lookup_req */
    RESI_MSG_LOOKUP_REPLY = 0x5204  /* body: resi_lookup_reply */
};

/* Search by zipcode: Zillow's propertyExtendedSearch with sort "Newest" and
 * status ForSale, as the resi scraper calls it: listings for sale, newest
 * first, page_size (41) a page. */
typedef struct resi_search_req {
    char zip[6];
    int32_t page;                  /* 1-based */
} resi_search_req;

/* One allocation: free() releases it. A page past the last has n = 0. */
typedef struct resi_search_reply {
    char zip[6];
    int32_t page;
    int32_t total_results;         /* listings for sale in the zip now */
    int32_t total_pages;
    int32_t n;                     /* listings on this page */
    resi_listing props[];
} resi_search_reply;

/* Look-up by zpid: Zillow's /property endpoint. */
typedef struct resi_lookup_req {
    uint64_t zpid;
} resi_lookup_req;

typedef struct resi_lookup_reply {
    resi_listing listing;
} resi_lookup_reply;

/* Build request messages (the body is malloc'ed; rt owns it once sent). When
 * the allocation fails the body is NULL, and the API answers such a request
 * with 400. */
rt_msg resi_search_msg(const char *zip, int page);
rt_msg resi_lookup_msg(uint64_t zpid);

/* Approximate wire sizes for the link model: Zillow's search answers carry
 * about this many bytes per property (more fields than the stored entity). */
#define RESI_WIRE_PER_PROP 1500
#define RESI_WIRE_OVERHEAD 400

#endif
