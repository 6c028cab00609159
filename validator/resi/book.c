/* The book: every miner's last index as one validator knows it, with the
 * uniqueness totals per (source, label, hour) kept up to date incrementally.
 *
 * Layout: a bucket record per distinct key (its total, job weight, hour and
 * holders), found through an open-addressing map on a packed 64-bit key; per
 * miner, its index snapshot (shared with the miner, by reference) and a
 * parallel array of (record, scorable bytes). Per miner the sums
 *   a  = sum of job_weight_milli * scorable
 *   ah = sum of job_weight_milli * scorable * hour
 * make the raw score at hour H exact integer arithmetic:
 *   raw = source_weight * ((2 M - H) a + ah) / (2 M * 1000)     (M = max age)
 * as long as every bucket is between H - M and H hours old; otherwise (rare:
 * long runs, clocks ahead) the raw score is summed entry by entry with the
 * same integer formula, so both ways give the same bits. */
#include "validator/resi/book_internal.h"

#include <string.h>

_Static_assert(sizeof(bk_rec) == 40, "a bucket record stays 40 bytes");
_Static_assert(sizeof(bk_entry) == 8, "a miner's entry stays 8 bytes");

/* ------------------------------------------------------------ the map */

static uint64_t mix(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    return k ^ (k >> 33);
}

static uint64_t key_of(const resi_book *b, uint32_t ri) { return b->recs.v[ri].key; }

static int map_grow(resi_book *b)
{
    size_t cap = b->map_cap ? b->map_cap * 2 : 1024;
    uint32_t *s = malloc(cap * sizeof *s);
    if (!s)
        return ERR_NOMEM;
    memset(s, 0xff, cap * sizeof *s);   /* BK_EMPTY */
    for (size_t i = 0; i < b->map_cap; i++) {
        if (b->map[i] == BK_EMPTY)
            continue;
        size_t j = mix(key_of(b, b->map[i])) & (cap - 1);
        while (s[j] != BK_EMPTY)
            j = (j + 1) & (cap - 1);
        s[j] = b->map[i];
    }
    free(b->map);
    b->map = s;
    b->map_cap = cap;
    return 0;
}

static size_t map_find(const resi_book *b, uint64_t key)
{
    if (!b->map_cap)
        return SIZE_MAX;
    size_t j = mix(key) & (b->map_cap - 1);
    while (b->map[j] != BK_EMPTY) {
        if (key_of(b, b->map[j]) == key)
            return j;
        j = (j + 1) & (b->map_cap - 1);
    }
    return SIZE_MAX;
}

/* Backward-shift deletion keeps linear probing free of tombstones. */
static void map_remove(resi_book *b, size_t j)
{
    size_t mask = b->map_cap - 1;
    b->map[j] = BK_EMPTY;
    for (size_t i = (j + 1) & mask; b->map[i] != BK_EMPTY; i = (i + 1) & mask) {
        size_t home = mix(key_of(b, b->map[i])) & mask;
        /* move i back to j when its home is not cyclically within (j, i] */
        bool stays = j < i ? (home > j && home <= i) : (home > j || home <= i);
        if (!stays) {
            b->map[j] = b->map[i];
            b->map[i] = BK_EMPTY;
            j = i;
        }
    }
    b->map_len--;
}

/* ------------------------------------------------------------ records */

static bk_holder *holders(bk_rec *r) { return r->caph ? r->hs : &r->h1; }

static uint16_t hint_of(size_t pos) { return pos < BK_NO_HINT ? (uint16_t)pos : BK_NO_HINT; }

static int rec_add_holder(bk_rec *r, uint32_t m, uint32_t size, size_t pos)
{
    bk_holder h = {(uint16_t)m, hint_of(pos), size};
    if (r->nh == 0) {
        r->h1 = h;
    } else if (r->nh == 1 && !r->caph) {   /* nh never passes BK_MAX_MINERS */
        bk_holder *hs = malloc(4 * sizeof *hs);
        if (!hs)
            return ERR_NOMEM;
        hs[0] = r->h1;
        r->hs = hs;
        r->caph = 4;
        hs[1] = h;
    } else {
        if (r->nh == r->caph) {
            uint32_t cap = 2u * r->caph > BK_MAX_MINERS ? BK_MAX_MINERS : 2u * r->caph;
            bk_holder *hs = realloc(r->hs, cap * sizeof *hs);
            if (!hs)
                return ERR_NOMEM;
            r->hs = hs;
            r->caph = (uint16_t)cap;
        }
        r->hs[r->nh] = h;
    }
    r->nh++;
    r->total += size;
    return 0;
}

static bk_holder *rec_holder(bk_rec *r, uint32_t m)
{
    bk_holder *h = holders(r);
    for (uint32_t i = 0; i < r->nh; i++)
        if (h[i].m == m)
            return &h[i];
    return NULL;
}

static void rec_drop_holder(bk_rec *r, uint32_t m)
{
    bk_holder *h = holders(r), *x = rec_holder(r, m);
    r->total -= x->size;
    *x = h[--r->nh];   /* order is irrelevant: the sums are exact */
    if (r->nh <= 1 && r->caph) {
        bk_holder keep = r->nh ? r->hs[0] : (bk_holder){0, 0, 0};
        free(r->hs);
        r->hs = NULL;
        r->caph = 0;
        r->h1 = keep;
    }
}

int resi_book_rec_get(resi_book *b, const proto_resi_bucket_id *id, uint64_t key, uint32_t *out)
{
    size_t j = map_find(b, key);
    if (j != SIZE_MAX) {
        *out = b->map[j];
        return 0;
    }
    if ((b->map_len + 1) * 2 > b->map_cap && map_grow(b))
        return ERR_NOMEM;
    uint32_t ri;
    if (b->free_recs.len) {
        ri = b->free_recs.v[--b->free_recs.len];
    } else {
        if (VEC_PUSH(&b->recs, (bk_rec){0}))
            return ERR_NOMEM;
        ri = (uint32_t)(b->recs.len - 1);
    }
    bk_rec *r = &b->recs.v[ri];
    memset(r, 0, sizeof *r);
    r->key = key;
    r->wm = b->o.job(b->o.ctx, id);
    size_t s = mix(key) & (b->map_cap - 1);
    while (b->map[s] != BK_EMPTY)
        s = (s + 1) & (b->map_cap - 1);
    b->map[s] = ri;
    b->map_len++;
    *out = ri;
    return 0;
}

static void rec_release(resi_book *b, uint32_t ri)
{
    bk_rec *r = &b->recs.v[ri];
    if (r->nh)
        return;
    map_remove(b, map_find(b, r->key));
    /* VEC_RESERVE on recs.len: never fails once every record was pushed */
    if (!VEC_RESERVE(&b->free_recs, b->recs.len))
        b->free_recs.v[b->free_recs.len++] = ri;
}

int resi_book_rec_add(resi_book *b, uint32_t ri, uint32_t m, uint32_t size, size_t pos)
{
    return rec_add_holder(&b->recs.v[ri], m, size, pos);
}

void resi_book_rec_resize(resi_book *b, uint32_t ri, uint32_t m, uint32_t size)
{
    bk_rec *r = &b->recs.v[ri];
    bk_holder *h = rec_holder(r, m);
    r->total = r->total - h->size + size;
    h->size = size;
}

void resi_book_rec_drop(resi_book *b, uint32_t ri, uint32_t m)
{
    rec_drop_holder(&b->recs.v[ri], m);
    rec_release(b, ri);
}

/* -------------------------------------------------------- miner sums */

uint32_t resi_book_sb(uint32_t size, uint64_t total)
{
    return total ? (uint32_t)((uint64_t)size * size / total) : 0;
}

void resi_book_adjust(bk_miner *mm, const bk_rec *r, uint32_t old_sb, uint32_t new_sb)
{
    int64_t d = (int64_t)new_sb - (int64_t)old_sb;
    if (!d)
        return;
    mm->s = (uint64_t)((int64_t)mm->s + d);
    mm->a += (i128)r->wm * d;
    mm->ah += (i128)r->wm * d * bk_hour(r);
}

/* The position of a key in miner j's index (present by construction). */
static size_t entry_of(const bk_miner *mm, uint64_t key)
{
    size_t lo = 0, hi = mm->x->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint64_t k = mm->k[mid];
        if (k == key)
            return mid;
        if (k < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return SIZE_MAX;
}

/* A record's total changed: every holder but `skip` gets its scorable bytes
 * again, and its sums follow. */
void resi_book_rescore(resi_book *b, uint32_t ri, uint32_t skip)
{
    bk_rec *r = &b->recs.v[ri];
    bk_holder *h = holders(r);
    for (uint32_t i = 0; i < r->nh; i++) {
        if (h[i].m == skip)
            continue;
        bk_miner *mm = &b->miners.v[h[i].m];
        size_t pos = h[i].hint;
        if (pos >= mm->x->n || mm->k[pos] != r->key) {
            pos = entry_of(mm, r->key);
            h[i].hint = hint_of(pos);
        }
        uint32_t sb = resi_book_sb(h[i].size, r->total);
        resi_book_adjust(mm, r, mm->e[pos].sb, sb);
        mm->e[pos].sb = sb;
    }
}

/* ------------------------------------------------------------ public */

int resi_book_new(const resi_book_opts *o, resi_book **out)
{
    resi_book *b = calloc(1, sizeof *b);
    if (!b)
        return ERR_NOMEM;
    b->o = *o;
    *out = b;
    return 0;
}

void resi_book_free(resi_book *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->miners.len; i++) {
        proto_resi_index_release(b->miners.v[i].x);
        free(b->miners.v[i].e);
        free(b->miners.v[i].k);
    }
    for (size_t i = 0; i < b->recs.len; i++)
        if (b->recs.v[i].caph)
            free(b->recs.v[i].hs);
    VEC_FREE(&b->miners);
    VEC_FREE(&b->recs);
    VEC_FREE(&b->free_recs);
    free(b->map);
    free(b);
}

static bk_miner *miner_at(const resi_book *b, uint32_t m)
{
    return m < b->miners.len ? &b->miners.v[m] : NULL;
}

const proto_resi_index *resi_book_index(const resi_book *b, uint32_t m)
{
    const bk_miner *mm = miner_at(b, m);
    return mm ? mm->x : NULL;
}

uint64_t resi_book_scorable_total(const resi_book *b, uint32_t m)
{
    const bk_miner *mm = miner_at(b, m);
    return mm ? mm->s : 0;
}

uint32_t resi_book_scorable(const resi_book *b, uint32_t m, size_t i)
{
    const bk_miner *mm = miner_at(b, m);
    return mm && mm->x && i < mm->x->n ? mm->e[i].sb : 0;
}

uint64_t resi_book_bucket_total(const resi_book *b, const proto_resi_bucket_id *id)
{
    size_t j = map_find(b, resi_book_key(id));
    return j == SIZE_MAX ? 0 : b->recs.v[b->map[j]].total;
}

size_t resi_book_bucket_count(const resi_book *b) { return b->map_len; }

size_t resi_book_memory(const resi_book *b)
{
    size_t n = sizeof *b + b->map_cap * sizeof *b->map + b->recs.cap * sizeof *b->recs.v +
               b->free_recs.cap * sizeof *b->free_recs.v + b->miners.cap * sizeof *b->miners.v;
    for (size_t i = 0; i < b->recs.len; i++)
        n += b->recs.v[i].caph * sizeof(bk_holder);
    for (size_t i = 0; i < b->miners.len; i++)
        n += b->miners.v[i].x ? b->miners.v[i].x->n * (sizeof(bk_entry) + sizeof(uint64_t)) : 0;
    return n;
}

double resi_book_raw(const resi_book *b, uint32_t m, int32_t hour)
{
    const bk_miner *mm = miner_at(b, m);
    if (!mm || !mm->x || !mm->x->n)
        return 0;
    int64_t two_m = 2 * b->o.max_age_hours;
    i128 num = 0;
    if (mm->min_hour >= (int64_t)hour - b->o.max_age_hours && mm->max_hour <= hour) {
        num = (i128)(two_m - hour) * mm->a + mm->ah;
    } else {
        for (uint32_t i = 0; i < mm->x->n; i++) {
            const bk_rec *r = &b->recs.v[mm->e[i].rec];
            int64_t age = (int64_t)hour - bk_hour(r);
            if (age < 0)
                age = 0;
            if (age <= b->o.max_age_hours)
                num += (i128)r->wm * mm->e[i].sb * (two_m - age);
        }
    }
    return b->o.source_weight * ((double)num / ((double)two_m * 1000.0));
}

size_t resi_book_pick(const resi_book *b, uint32_t m, double u)
{
    const bk_miner *mm = miner_at(b, m);
    if (!mm || !mm->x || !mm->s)
        return SIZE_MAX;
    double total = (double)mm->s;
    double chosen = u * total;
    if (chosen > total * 0.999999)
        chosen = total * 0.999999;   /* "guarantee a bucket is found" */
    uint64_t cum = 0;
    for (uint32_t i = 0; i < mm->x->n; i++) {
        cum += mm->e[i].sb;
        if ((double)cum > chosen)
            return i;
    }
    return SIZE_MAX;
}
