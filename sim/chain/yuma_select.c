/* Exact stake-weighted selection on packed keys (value << 8 | slot): the
 * consensus kernel of the fast paths. */
#include "chain/yuma_fast.h"

/* The smallest key whose stake, with every smaller key's, exceeds minority
 * (the largest when none does): a weighted quickselect on distinct keys
 * (value << 8 | row), branch-free partitions ping-ponging between a and tmp.
 * Ordering by key breaks ties in value by row, which leaves that value. */
static uint64_t quickselect(uint64_t *a, uint64_t *tmp, uint32_t m, const fx *stake,
                                fx minority)
{
    if (minority < 0) {
        uint64_t lo = a[0];
        for (uint32_t t = 1; t < m; t++)
            lo = a[t] < lo ? a[t] : lo;
        return lo;
    }
    fx below = 0;
    for (;;) {
        if (m == 1)
            return a[0];   /* below <= minority: it crosses, or it is the largest */
        uint64_t x = a[0], y = a[m / 2], z = a[m - 1];   /* median of three */
        uint64_t pv = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        uint32_t nl = 0, ng = 0;
        fx sl = 0;
        for (uint32_t t = 0; t < m; t++) {
            uint64_t k = a[t];
            uint64_t lt = k < pv, gt = k > pv;
            tmp[nl] = k;
            tmp[m - 1 - ng] = k;
            sl += stake[k & 255] & -(fx)lt;
            nl += (uint32_t)lt;
            ng += (uint32_t)gt;
        }
        fx sp = stake[pv & 255];
        uint64_t *next = a;
        if (below + sl > minority) {
            a = tmp;
            m = nl;
        } else if (below + sl + sp > minority || ng == 0) {
            return pv;
        } else {
            below += sl + sp;
            a = tmp + (m - ng);
            m = ng;
        }
        tmp = next;
    }
}


/* Sorts a few keys (insertion: the middle of a bracket is small). */
static void sort_small(uint64_t *a, uint32_t m)
{
    for (uint32_t i = 1; i < m; i++) {
        uint64_t k = a[i];
        uint32_t j = i;
        for (; j > 0 && a[j - 1] > k; j--)
            a[j] = a[j - 1];
        a[j] = k;
    }
}

/* The key of yuma_weighted_median: the smallest key whose stake with every
 * smaller key's exceeds minority, the largest if none does. a holds the m
 * keys of one column with slot k's stake at stake[k]; a and tmp (m each) are
 * scratch.
 *
 * Eight sample keys, sorted, cut the keys into nine buckets; one pass puts
 * every key's stake in its bucket (a branch-free binary search), the bucket
 * where the running stake crosses minority is found exactly, and only its
 * keys (about m / 9) are gathered and sorted. Small columns use the
 * quickselect. */
uint64_t yuma_select_key(uint64_t *a, uint64_t *tmp, uint32_t m, const fx *stake, fx minority)
{
    if (m < 24 || m > 255 || minority < 0)
        return quickselect(a, tmp, m, stake, minority);
    uint64_t cut[8];
    for (uint32_t t = 0; t < 8; t++)
        cut[t] = a[(uint32_t)((uint64_t)t * m / 8 + m / 16)];
    sort_small(cut, 8);
    fx bucket[9] = {0};
    uint8_t which[256];
    for (uint32_t q = 0; q < m; q++) {
        uint64_t k = a[q];
        uint32_t b = (k > cut[3]) * 4;   /* b = how many cuts lie below k */
        b += (k > cut[b + 1]) * 2;
        b += k > cut[b];
        b += b == 7 && k > cut[7];
        which[q] = (uint8_t)b;
        bucket[b] += stake[k & 255];
    }
    fx below = 0;
    uint32_t hit = 0;
    for (; hit < 9 && below + bucket[hit] <= minority; hit++)
        below += bucket[hit];
    if (hit == 9) {   /* the stake never exceeds minority: the largest key */
        uint64_t hi = a[0];
        for (uint32_t q = 1; q < m; q++)
            hi = a[q] > hi ? a[q] : hi;
        return hi;
    }
    uint32_t nm = 0;
    for (uint32_t q = 0; q < m; q++) {
        tmp[nm] = a[q];
        nm += which[q] == hit;
    }
    sort_small(tmp, nm);
    for (uint32_t q = 0;; q++) {   /* the bucket's stake crosses minority */
        below += stake[tmp[q] & 255];
        if (below > minority || q + 1 == nm)
            return tmp[q];
    }
}
