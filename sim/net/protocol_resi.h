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
 * The listings API speaks four messages (types below); miners and validators
 * speak the index and bucket messages, and both use the object store (S3)
 * messages, further down. Statuses are rt's
 * HTTP-like codes: 200 with a reply body; 400 (bad page), 404 (unknown zip or
 * zpid, or a listing that is gone), 429 (rate limit or quota), 5xx: all bare,
 * without a body. A hung request gets no answer: the caller's timeout fires. */
#ifndef SUBNETSIM_PROTOCOL_RESI_H
#define SUBNETSIM_PROTOCOL_RESI_H

#include "core/core.h"
#include "net/protocol.h"

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

/* ------------------------------------------- miners <-> validators: data */

/* Types 220-229: what validators ask miners (SPEC.md 2.2, 2.3), after
 * data-universe's GetMinerIndex and GetDataEntityBucket synapses:
 *   PROTO_RESI_INDEX   no body (NULL)          -> proto_resi_index (shared)
 *   PROTO_RESI_BUCKET  proto_resi_bucket_req   -> proto_resi_bucket_reply
 * A miner that has nothing answers 200 with an empty index or bucket; one
 * that will not answer (flaky) lets the validator's timeout fire. */
enum {
    PROTO_RESI_INDEX = 220,
    PROTO_RESI_INDEX_REPLY,
    PROTO_RESI_BUCKET,
    PROTO_RESI_BUCKET_REPLY
};

/* Sources (data-universe DataSource). Zillow through RapidAPI is the only
 * one; its source weight is 1.0 (SPEC 2.3). */
enum { PROTO_RESI_SOURCE_ZILLOW = 1 };

/* A bucket's key: (source, label, time bucket). The label is "zip:NNNNN"
 * (proto_resi_label); the time bucket is the hour the entities were scraped
 * in, counted from the unix epoch (data-universe TimeBucket.id). 12 bytes,
 * zeroed before filling so it compares with memcmp. */
typedef struct proto_resi_bucket_id {
    int32_t hour;                  /* unix hours: floor(unix_s / 3600) */
    uint8_t source;                /* PROTO_RESI_SOURCE_* */
    char zip[6];                   /* the label's zip, NUL-terminated */
    uint8_t pad;                   /* 0 */
} proto_resi_bucket_id;

/* Order (source, zip, hour): the order index entries are sent in. */
int proto_resi_bucket_id_cmp(const proto_resi_bucket_id *a, const proto_resi_bucket_id *b);
/* Fill a key (zeroing it first). Returns false when zip is not 5 digits. */
bool proto_resi_bucket_id_set(proto_resi_bucket_id *id, int source, const char *zip, int32_t hour);
/* "zip:77494" into out (n >= 10). Returns the length. */
size_t proto_resi_label(const char *zip, char *out, size_t n);
/* The unix hour of a unix time in ms (floor, also before 1970). */
int32_t proto_resi_hour_of_ms(int64_t unix_ms);

/* One index row: a bucket and the bytes the miner claims it holds (the sum of
 * its entities' claimed sizes). 16 bytes. */
typedef struct proto_resi_index_entry {
    proto_resi_bucket_id id;
    uint32_t size_bytes;
} proto_resi_index_entry;

/* The index reply. SHARED: a miner builds one snapshot after each change and
 * hands the same block to every validator that asks until it changes again,
 * so 64 validators holding "the last index" of 192 miners hold a few
 * snapshots a miner, not 64 copies. Never modify a snapshot once sent.
 * Replies carry free_body = proto_resi_index_release; a validator that takes
 * the body (rt_take_body) owns one reference and releases it when done.
 * Entries are sorted by proto_resi_bucket_id_cmp with no key twice. */
typedef struct proto_resi_index {
    uint32_t refs;                 /* owners; the block is freed at 0 */
    uint32_t n;
    uint64_t total_bytes;          /* sum of size_bytes */
    proto_resi_index_entry b[];
} proto_resi_index;

/* A snapshot for n entries (refs = 1, n set, entries zeroed); NULL: no memory. */
proto_resi_index *proto_resi_index_new(uint32_t n);
proto_resi_index *proto_resi_index_retain(proto_resi_index *x);
void proto_resi_index_release(void *x);      /* NULL is fine; a free_body */
/* The entry for a key, or NULL (binary search). */
const proto_resi_index_entry *proto_resi_index_find(const proto_resi_index *x,
                                                    const proto_resi_bucket_id *id);

/* --------------------------------------------------------------- entities */

/* What a cheater changed (proto_resi_entity.alter, bits). The content a
 * validator sees is the source listing as the world had it at scraped_ms,
 * with these applied by proto_resi_entity_apply; how much a field moves is
 * drawn from a hash of (zpid, scraped_ms), so the miner and every validator
 * rebuild the same bytes. Validators use alter and src_zpid only to rebuild
 * the content, never to judge it: judging is comparing with the API. */
enum {
    PROTO_RESI_ALTER_PRICE = 1,    /* price moved 10..30 % (outside the 5 % tolerance) */
    PROTO_RESI_ALTER_AREA = 2,     /* living area moved 5..25 % (an exact field) */
    PROTO_RESI_ALTER_ADDRESS = 4,  /* street number moved 1..40 (an exact field) */
    PROTO_RESI_ALTER_INVENTED = 8, /* a listing that does not exist: a real one's
                                      content under a made-up zpid (the API 404s it) */
    PROTO_RESI_ALTER_INFLATE = 16, /* claimed size 51..400 bytes above the content's
                                      (over the 50-byte allowance); content unchanged */
    PROTO_RESI_ALTER_CONTENT = 15  /* the bits that change the content */
};

/* An entity as a miner serves it (a bucket row, an S3 row): a stand-in for
 * data-universe's DataEntity (uri, datetime, source, label, content,
 * content_size_bytes) that carries what decides the content instead of the
 * content itself, plus two measurements of that content.
 *
 * - The content is a function of (src_zpid, scraped_ms, alter, zpid): rebuild
 *   it with world_lookup(src_zpid, at scraped_ms) then proto_resi_entity_apply.
 *   Different values give different content (zpid and scraped_at are in it),
 *   so content duplicates are exactly equal proto_resi_entity_content_hash
 *   values and URI duplicates are equal served zpids (the URI ends in it).
 * - content_size is len(content), measured by the miner with
 *   proto_resi_entity_measure when it stored the entity: what a validator
 *   would count from the bytes, never a strategy's choice.
 * - claimed_size is content_size_bytes, the miner's claim (INFLATE raises it).
 * The label and source are the bucket's; the time bucket is scraped_ms's hour
 * (a miner that files an entity elsewhere breaks the basic checks). 40 bytes. */
typedef struct proto_resi_entity {
    uint64_t zpid;                 /* the listing the entity claims to be */
    uint64_t src_zpid;             /* whose content it shows: == zpid unless INVENTED */
    int64_t scraped_ms;            /* unix ms, whole seconds: the entity's datetime */
    uint32_t content_size;         /* len(content) */
    uint32_t claimed_size;         /* content_size_bytes as claimed */
    uint16_t alter;                /* PROTO_RESI_ALTER_* bits; 0 = as scraped */
    uint16_t pad[3];
} proto_resi_entity;

/* Apply e's alterations to l, the source listing as of e->scraped_ms (what
 * world_lookup(e->src_zpid, ...) gave): sets zpid and scraped_at_ms too. */
void proto_resi_entity_apply(const proto_resi_entity *e, proto_resi_listing *l);
/* Fill content_size and claimed_size of e from its source listing (as
 * world_lookup gave it): applies the alterations to a copy and measures it. */
void proto_resi_entity_measure(proto_resi_entity *e, const proto_resi_listing *src);
/* The bytes INFLATE adds to e's claim (51..400), 0 without INFLATE. */
uint32_t proto_resi_entity_inflation(const proto_resi_entity *e);
/* The zpid an INVENTED entity claims, made from its source: inside the
 * 44-bit zpid range, so it looks like any other, and unknown to the world
 * with overwhelming probability. */
uint64_t proto_resi_invented_zpid(uint64_t src_zpid, int64_t scraped_ms);
/* Equal exactly when the two entities' contents are equal (see above). */
uint64_t proto_resi_entity_content_hash(const proto_resi_entity *e);

/* Bucket request and reply. The reply is one malloc'd block (free()). */
typedef struct proto_resi_bucket_req {
    proto_resi_bucket_id id;
} proto_resi_bucket_req;

typedef struct proto_resi_bucket_reply {
    proto_resi_bucket_id id;
    uint32_t n;
    proto_resi_entity e[];
} proto_resi_bucket_reply;

proto_resi_bucket_req *proto_resi_bucket_req_new(const proto_resi_bucket_id *id);
/* A reply for n entities (zeroed but for id and n); NULL: no memory. */
proto_resi_bucket_reply *proto_resi_bucket_reply_new(const proto_resi_bucket_id *id, uint32_t n);
/* The same with the entities left for the caller to fill, every byte. */
proto_resi_bucket_reply *proto_resi_bucket_reply_alloc(const proto_resi_bucket_id *id, uint32_t n);

/* ------------------------------------------------ the object store (S3) */

/* Types 230-239: the miners' uploads and the validators' S3 validation
 * (SPEC 2.3), after resi's S3 partitioned uploader: objects live under
 * hotkey={hotkey}/job_id={job}/data_{time}_{rows}.parquet, one file per job
 * per upload. The store partitions by the uploading actor's name (its hotkey):
 * a miner writes only its own prefix.
 *   PROTO_RESI_S3_UPLOAD  proto_resi_s3_upload   -> bare 200
 *   PROTO_RESI_S3_LIST    proto_resi_s3_list_req -> proto_resi_s3_list_reply
 *   PROTO_RESI_S3_READ    proto_resi_s3_read_req -> proto_resi_s3_file (404: no such file)
 * A file keeps its rows' count, its size and its first PROTO_RESI_S3_HEAD_ROWS
 * rows: the validation reads no further (first 20 rows a file; the scraper
 * check takes its rows from the first 3). */
enum {
    PROTO_RESI_S3_UPLOAD = 230,
    PROTO_RESI_S3_LIST,
    PROTO_RESI_S3_LIST_REPLY,
    PROTO_RESI_S3_READ,
    PROTO_RESI_S3_READ_REPLY
};

/* SPEC 2.3: the S3 validation reads the first 20 rows of a file. */
#define PROTO_RESI_S3_HEAD_ROWS 20
/* A job id: the desirability job's label ("zip:77494") or a tier job ("tier:2"). */
#define PROTO_RESI_JOB_MAX 24

/* Upload one file of one job: its row count, its size in bytes (what it costs
 * on the wire) and its first min(rows, 20) rows. One malloc'd block. */
typedef struct proto_resi_s3_upload {
    char job[PROTO_RESI_JOB_MAX];
    uint32_t rows;
    uint64_t size_bytes;
    uint32_t nhead;
    proto_resi_entity head[];
} proto_resi_s3_upload;

proto_resi_s3_upload *proto_resi_s3_upload_new(const char *job, uint32_t nhead);

/* A file as the store lists it. */
typedef struct proto_resi_s3_file_info {
    char job[PROTO_RESI_JOB_MAX];
    uint32_t file_id;              /* unique within the hotkey's prefix */
    int64_t uploaded_ms;           /* unix ms the store received it (LastModified) */
    uint32_t rows;
    uint64_t size_bytes;
} proto_resi_s3_file_info;

/* List a hotkey's files uploaded at or after newer_than_ms (0: all), newest
 * first within each job, jobs in name order. */
typedef struct proto_resi_s3_list_req {
    char hotkey[PROTO_KEY_MAX];
    int64_t newer_than_ms;
} proto_resi_s3_list_req;

typedef struct proto_resi_s3_list_reply {
    uint32_t total_files;          /* the hotkey's files, listed or not */
    uint64_t total_bytes;          /* and their size */
    uint32_t n;
    proto_resi_s3_file_info f[];
} proto_resi_s3_list_reply;

/* Read one file: its info and its first rows (up to PROTO_RESI_S3_HEAD_ROWS).
 * On the wire this costs the whole object (size_bytes): GetObject. */
typedef struct proto_resi_s3_read_req {
    char hotkey[PROTO_KEY_MAX];
    uint32_t file_id;
} proto_resi_s3_read_req;

typedef struct proto_resi_s3_file {
    proto_resi_s3_file_info info;
    uint32_t n;
    proto_resi_entity rows[];
} proto_resi_s3_file;

proto_resi_s3_list_req *proto_resi_s3_list_req_new(const char *hotkey, int64_t newer_than_ms);
proto_resi_s3_read_req *proto_resi_s3_read_req_new(const char *hotkey, uint32_t file_id);

/* Wire sizes of the miner/validator and S3 messages (proto_resi_wire_bytes
 * answers every resi type). Index: a compressed index's JSON, a label per zip
 * and two numbers per bucket; a bucket: each entity's content plus its uri,
 * datetime, label and size fields; S3 objects: their size. */
#define PROTO_RESI_WIRE_REQUEST 300        /* a synapse or S3 request with its headers */
#define PROTO_RESI_WIRE_INDEX_PER_ZIP 24
#define PROTO_RESI_WIRE_INDEX_PER_BUCKET 16
#define PROTO_RESI_WIRE_ENTITY_EXTRA 200
#define PROTO_RESI_WIRE_S3_PER_FILE 160    /* a ListObjectsV2 <Contents> element */

#endif
