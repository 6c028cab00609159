/* Replacing one miner's index in the book: a merge of the old and the new
 * snapshot (both sorted), touching only the buckets that changed. */
#include "validator/resi/book_internal.h"

#include <string.h>

static bool zip_digits(const proto_resi_bucket_id *id)
{
    for (int i = 0; i < 5; i++)
        if (id->zip[i] < '0' || id->zip[i] > '9')
            return false;
    return true;
}

/* The keys of x, checked: sorted, unique, five-digit zips (what the merge
 * and the keys rely on). */
static bool index_keys(const proto_resi_index *x, uint64_t *k)
{
    for (uint32_t i = 0; i < x->n; i++) {
        if (!zip_digits(&x->b[i].id))
            return false;
        k[i] = resi_book_key(&x->b[i].id);
        if (i && k[i - 1] >= k[i])
            return false;
    }
    return true;
}

static int ensure_miner(resi_book *b, uint32_t m)
{
    while (b->miners.len <= m)
        if (VEC_PUSH(&b->miners, (bk_miner){0}))
            return ERR_NOMEM;
    return 0;
}

/* m's entry for a bucket it keeps, with a size that may have changed. */
static void keep(resi_book *b, bk_miner *mm, bk_entry old, uint32_t m, uint32_t old_size,
                 uint32_t size, bk_entry *out)
{
    *out = old;
    if (size == old_size)
        return;
    resi_book_rec_resize(b, old.rec, m, size);
    const bk_rec *r = &b->recs.v[old.rec];
    out->sb = resi_book_sb(size, r->total);
    resi_book_adjust(mm, r, old.sb, out->sb);
    resi_book_rescore(b, old.rec, m);
}

/* A bucket m no longer lists. */
static void drop(resi_book *b, bk_miner *mm, bk_entry old, uint32_t m)
{
    resi_book_adjust(mm, &b->recs.v[old.rec], old.sb, 0);
    resi_book_rec_drop(b, old.rec, m);
    /* the record may be gone now; when it is not, its others gain */
    if (b->recs.v[old.rec].nh)
        resi_book_rescore(b, old.rec, m);
}

/* A bucket m lists for the first time, at position pos of its new index. */
static int add(resi_book *b, uint32_t m, const proto_resi_index_entry *ne, uint64_t key,
               size_t pos, bk_entry *out)
{
    uint32_t ri;
    int rc = resi_book_rec_get(b, &ne->id, key, &ri);
    if (!rc)
        rc = resi_book_rec_add(b, ri, m, ne->size_bytes, pos);
    if (rc)
        return rc;
    bk_miner *mm = &b->miners.v[m];   /* after rec_get: miners never move there */
    const bk_rec *r = &b->recs.v[ri];
    out->rec = ri;
    out->sb = resi_book_sb(ne->size_bytes, r->total);
    resi_book_adjust(mm, r, 0, out->sb);
    resi_book_rescore(b, ri, m);
    return 0;
}

static void hours_of(bk_miner *mm)
{
    mm->min_hour = INT32_MAX;
    mm->max_hour = INT32_MIN;
    for (uint32_t i = 0; mm->x && i < mm->x->n; i++) {
        int32_t h = mm->x->b[i].id.hour;
        mm->min_hour = h < mm->min_hour ? h : mm->min_hour;
        mm->max_hour = h > mm->max_hour ? h : mm->max_hour;
    }
}

int resi_book_set(resi_book *b, uint32_t m, proto_resi_index *x)
{
    if (m >= BK_MAX_MINERS)
        return ERR_INPUT;
    if (ensure_miner(b, m))
        return ERR_NOMEM;
    bk_miner *mm = &b->miners.v[m];
    if (mm->x == x)
        return 0;
    uint32_t on = mm->x ? mm->x->n : 0, nn = x ? x->n : 0;
    bk_entry *ne = nn ? malloc(nn * sizeof *ne) : NULL;
    uint64_t *nk = nn ? malloc(nn * sizeof *nk) : NULL;
    if (nn && (!ne || !nk)) {
        free(ne);
        free(nk);
        return ERR_NOMEM;
    }
    if (x && !index_keys(x, nk)) {
        free(ne);
        free(nk);
        return ERR_INPUT;
    }
    uint32_t i = 0, k = 0;
    int rc = 0;
    while (!rc && (i < on || k < nn)) {
        uint64_t ko = i < on ? mm->k[i] : UINT64_MAX;
        uint64_t kn = k < nn ? nk[k] : UINT64_MAX;
        if (i < on && k < nn && ko == kn) {
            keep(b, mm, mm->e[i], m, mm->x->b[i].size_bytes, x->b[k].size_bytes, &ne[k]);
            i++, k++;
        } else if (k >= nn || (i < on && ko < kn)) {
            drop(b, mm, mm->e[i], m);
            i++;
        } else {
            rc = add(b, m, &x->b[k], kn, k, &ne[k]);
            mm = &b->miners.v[m];
            if (!rc)
                k++;
        }
    }
    if (rc) {
        /* out of memory halfway: the book is inconsistent now, and the caller
         * ends the run */
        free(ne);
        free(nk);
        return rc;
    }
    proto_resi_index_release(mm->x);
    free(mm->e);
    free(mm->k);
    mm->x = proto_resi_index_retain(x);
    mm->e = ne;
    mm->k = nk;
    hours_of(mm);
    if (!mm->x) {
        mm->a = mm->ah = 0;
        mm->s = 0;
    }
    return 0;
}
