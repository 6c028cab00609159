/* The book's structures, shared by book.c (records, map, reads) and
 * book_set.c (index replacement). Private to validator/resi. */
#ifndef SUBNETSIM_VALIDATOR_RESI_BOOK_INTERNAL_H
#define SUBNETSIM_VALIDATOR_RESI_BOOK_INTERNAL_H

#include "validator/resi/resi.h"

/* A miner's entry: its bucket record and scorable bytes there (8 bytes). */
typedef struct bk_entry {
    uint32_t rec;
    uint32_t sb;
} bk_entry;

/* A bucket's holder: the miner, its bytes there, and where the bucket was in
 * the miner's index when last looked up (a hint, checked before use: indexes
 * change under it; BK_NO_HINT past 65534 entries). */
typedef struct bk_holder {
    uint16_t m;         /* miner slot (< BK_MAX_MINERS) */
    uint16_t hint;
    uint32_t size;
} bk_holder;

#define BK_NO_HINT UINT16_MAX

/* One (source, label, hour) bucket; holders inline while there is one.
 * 40 bytes: a validator of 192 miners keeps tens of thousands. */
typedef struct bk_rec {
    uint64_t key;       /* resi_book_key: the hour is its low 32 bits */
    uint64_t total;     /* sum of the holders' sizes */
    bk_holder h1;
    bk_holder *hs;
    int32_t wm;         /* job weight, thousandths */
    uint16_t nh, caph;  /* holders; caph 0: the one holder is h1 */
} bk_rec;

/* Map slots hold a record's index; the key is the record's. */
#define BK_EMPTY UINT32_MAX
/* Miner slots are uids: below this, so a bucket's holders fit nh. */
#define BK_MAX_MINERS 65535u

static inline int32_t bk_hour(const bk_rec *r)
{
    return (int32_t)((uint32_t)r->key ^ 0x80000000u);
}

typedef struct bk_miner {
    proto_resi_index *x;    /* a reference on the miner's snapshot, or NULL */
    bk_entry *e;            /* x->n entries */
    uint64_t *k;            /* their keys (resi_book_key), for searches by key */
    i128 a, ah;             /* see book.c */
    uint64_t s;             /* sum of scorable bytes */
    int32_t min_hour, max_hour;
} bk_miner;

struct resi_book {
    resi_book_opts o;
    uint32_t *map;      /* record indexes, BK_EMPTY where free */
    size_t map_cap, map_len;
    VEC(bk_rec) recs;
    VEC(uint32_t) free_recs;
    VEC(bk_miner) miners;
};

/* The packed key: ordered as proto_resi_bucket_id_cmp orders ids whose zips
 * are five digits (source, zip, hour). */
static inline uint64_t resi_book_key(const proto_resi_bucket_id *id)
{
    uint64_t zip = 0;
    for (int i = 0; i < 5; i++)
        zip = zip * 10 + (uint64_t)(id->zip[i] - '0');
    return (uint64_t)id->source << 56 | zip << 32 | (uint64_t)((uint32_t)id->hour ^ 0x80000000u);
}

/* book.c's helpers for book_set.c */
int resi_book_rec_get(resi_book *b, const proto_resi_bucket_id *id, uint64_t key, uint32_t *out);
int resi_book_rec_add(resi_book *b, uint32_t ri, uint32_t m, uint32_t size, size_t pos);
void resi_book_rec_resize(resi_book *b, uint32_t ri, uint32_t m, uint32_t size);
void resi_book_rec_drop(resi_book *b, uint32_t ri, uint32_t m);
void resi_book_rescore(resi_book *b, uint32_t ri, uint32_t skip);
void resi_book_adjust(bk_miner *mm, const bk_rec *r, uint32_t old_sb, uint32_t new_sb);
uint32_t resi_book_sb(uint32_t size, uint64_t total);

#endif
