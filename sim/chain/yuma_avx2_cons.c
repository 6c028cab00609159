/* The dense core's consensus, eight columns at once (AVX2, chosen at run
 * time; yuma_dense.c runs the sparse core's selection instead without it).
 *
 * A column's consensus is its smallest value v with at most k1 stake on
 * values above v (yuma_fast.h: the stake-weighted median at kappa). A sweep
 * over the slots sums the stake above a few cut values (three instructions
 * per slot and cut, eight columns in a vector), which names exactly the
 * bucket holding the answer: above the last cut with more than k1 above
 * it, at or below the first with at most k1. Two such sweeps, with cuts
 * taken from sixteen sorted samples of the column, leave a bucket of a few
 * values; only those are gathered, sorted and walked, and if none
 * qualifies the cut above them is the answer. Any samples give the same
 * answer; good ones only make the bucket small.
 *
 * Weights are u32 (yuma_fast.h), compared as signed after flipping the sign
 * bit. A slot's stake is below 2^32 and every stake sum taken above a cut
 * leaves out the cut's own slot, so the sums fit u32 lanes. */
#include "chain/yuma_fast.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))

#include <immintrin.h>

#define AVX2 __attribute__((target("avx2")))

#define CE(a, b)                                                             \
    do {                                                                     \
        __m256i lo_ = _mm256_min_epi32(a, b);                                \
        b = _mm256_max_epi32(a, b);                                          \
        a = lo_;                                                             \
    } while (0)

/* Slot k's values of columns j..j+7, sign-flipped for signed compares. */
AVX2 static inline __m256i slot_values(const ydense *d, uint32_t k, uint32_t j)
{
    __m256i v = _mm256_loadu_si256((const __m256i *)(d->use_w[k] + j));
    return _mm256_xor_si256(v, _mm256_set1_epi32(INT32_MIN));
}

/* Sixteen sample values per column, sorted (Batcher's odd-even merge sort,
 * 63 comparators; checked on all 2^16 inputs of zeros and ones). */
AVX2 static void sample_cuts(const ydense *d, uint32_t j, __m256i c[16])
{
    uint32_t use = d->use;
    for (uint32_t t = 0; t < 16; t++)
        c[t] = slot_values(d, t * use / 16 + use / 32, j);
    CE(c[0], c[1]); CE(c[2], c[3]); CE(c[0], c[2]); CE(c[1], c[3]);
    CE(c[1], c[2]); CE(c[4], c[5]); CE(c[6], c[7]); CE(c[4], c[6]);
    CE(c[5], c[7]); CE(c[5], c[6]); CE(c[0], c[4]); CE(c[2], c[6]);
    CE(c[2], c[4]); CE(c[1], c[5]); CE(c[3], c[7]); CE(c[3], c[5]);
    CE(c[1], c[2]); CE(c[3], c[4]); CE(c[5], c[6]); CE(c[8], c[9]);
    CE(c[10], c[11]); CE(c[8], c[10]); CE(c[9], c[11]); CE(c[9], c[10]);
    CE(c[12], c[13]); CE(c[14], c[15]); CE(c[12], c[14]); CE(c[13], c[15]);
    CE(c[13], c[14]); CE(c[8], c[12]); CE(c[10], c[14]); CE(c[10], c[12]);
    CE(c[9], c[13]); CE(c[11], c[15]); CE(c[11], c[13]); CE(c[9], c[10]);
    CE(c[11], c[12]); CE(c[13], c[14]); CE(c[0], c[8]); CE(c[4], c[12]);
    CE(c[4], c[8]); CE(c[2], c[10]); CE(c[6], c[14]); CE(c[6], c[10]);
    CE(c[2], c[4]); CE(c[6], c[8]); CE(c[10], c[12]); CE(c[1], c[9]);
    CE(c[5], c[13]); CE(c[5], c[9]); CE(c[3], c[11]); CE(c[7], c[15]);
    CE(c[7], c[11]); CE(c[3], c[5]); CE(c[7], c[9]); CE(c[11], c[13]);
    CE(c[1], c[2]); CE(c[3], c[4]); CE(c[5], c[6]); CE(c[7], c[8]);
    CE(c[9], c[10]); CE(c[11], c[12]); CE(c[13], c[14]);
}

/* above[t][l]: the stake on values above cut t of column j + l. */
AVX2 static void stake_above(const ydense *d, uint32_t j, __m256i c0, __m256i c1, __m256i c2,
                             uint32_t above[3][8])
{
    __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0;
    for (uint32_t k = 0; k < d->use; k++) {
        __m256i v = slot_values(d, k, j);
        __m256i s = _mm256_loadu_si256((const __m256i *)(d->use_st + 8 * (size_t)k));
        a0 = _mm256_add_epi32(a0, _mm256_and_si256(_mm256_cmpgt_epi32(v, c0), s));
        a1 = _mm256_add_epi32(a1, _mm256_and_si256(_mm256_cmpgt_epi32(v, c1), s));
        a2 = _mm256_add_epi32(a2, _mm256_and_si256(_mm256_cmpgt_epi32(v, c2), s));
    }
    _mm256_storeu_si256((__m256i *)above[0], a0);
    _mm256_storeu_si256((__m256i *)above[1], a1);
    _mm256_storeu_si256((__m256i *)above[2], a2);
}

/* Where one column's answer lies: above the cut lo (the stake above it is
 * `above`, more than k1) and at or below the cut hi (at most k1 above it);
 * cuts sign-flipped, either may be missing. */
typedef struct bucket {
    bool has_lo, has_hi;
    int32_t lo, hi;
    uint64_t above;
} bucket;

/* Narrows k by three sorted cuts and the stake above each; returns how
 * many of them lie below the answer. */
static int narrow(bucket *k, const int32_t cut[3], const uint32_t above[3], uint32_t k1)
{
    int b = 0;
    while (b < 3 && above[b] > k1)   /* stake above falls as the cut rises */
        b++;
    if (b > 0)
        k->has_lo = true, k->lo = cut[b - 1], k->above = above[b - 1];
    if (b < 3)
        k->has_hi = true, k->hi = cut[b];
    return b;
}

/* The walk: the bucket's keys (value << 8 | slot) sorted, their stake
 * taken off `above` until at most k1 is left; else the cut hi. */
static uint32_t walk(const ydense *d, uint64_t *list, uint32_t cnt, bucket k)
{
    for (uint32_t i = 1; i < cnt; i++) {
        uint64_t key = list[i];
        uint32_t q = i;
        for (; q > 0 && list[q - 1] > key; q--)
            list[q] = list[q - 1];
        list[q] = key;
    }
    uint64_t above = k.above;
    for (uint32_t q = 0; q < cnt; q++) {
        above -= d->use_st[8 * (list[q] & 255)];
        if (above <= d->k1)
            return (uint32_t)(list[q] >> 8);
    }
    /* with no cut above, the largest value qualifies (k1 >= 0): not reached */
    return (uint32_t)k.hi ^ 0x80000000u;
}

/* Gathers, per column, the values strictly inside its bucket (inclusive
 * bounds lo..hi, sign-flipped) as keys into d->lists. */
AVX2 static void gather(const ydense *d, uint32_t j, const int32_t lo[8], const int32_t hi[8],
                        uint32_t cnt[8])
{
    __m256i vlo = _mm256_loadu_si256((const __m256i *)lo);
    __m256i vhi = _mm256_loadu_si256((const __m256i *)hi);
    for (uint32_t k = 0; k < d->use; k++) {
        __m256i v = slot_values(d, k, j);
        __m256i out = _mm256_or_si256(_mm256_cmpgt_epi32(vlo, v), _mm256_cmpgt_epi32(v, vhi));
        unsigned m = ~(unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(out)) & 0xffu;
        for (; m; m &= m - 1) {
            int l = __builtin_ctz(m);
            d->lists[l * 256 + cnt[l]++] = (uint64_t)d->use_w[k][j + l] << 8 | k;
        }
    }
}

/* Two rounds of three cuts: the 4th, 8th and 12th samples, then the three
 * samples inside the bucket the first round found. About 64/17 values are
 * left to sort in a column of 64. */
AVX2 static void consensus8(const ydense *d, uint32_t j)
{
    __m256i c[16];
    sample_cuts(d, j, c);
    int32_t s[16][8], cut2[3][8];
    uint32_t above1[3][8], above2[3][8];
    for (int t = 0; t < 16; t++)
        _mm256_storeu_si256((__m256i *)s[t], c[t]);
    stake_above(d, j, c[3], c[7], c[11], above1);
    bucket bk[8];
    for (int l = 0; l < 8; l++) {
        bk[l] = (bucket){false, false, 0, 0, d->total};
        int32_t cut[3] = {s[3][l], s[7][l], s[11][l]};
        uint32_t ab[3] = {above1[0][l], above1[1][l], above1[2][l]};
        int b = narrow(&bk[l], cut, ab, d->k1);
        for (int t = 0; t < 3; t++)
            cut2[t][l] = s[4 * b + t][l];
    }
    stake_above(d, j, _mm256_loadu_si256((const __m256i *)cut2[0]),
                _mm256_loadu_si256((const __m256i *)cut2[1]),
                _mm256_loadu_si256((const __m256i *)cut2[2]), above2);
    int32_t lo[8], hi[8];
    for (int l = 0; l < 8; l++) {
        int32_t cut[3] = {cut2[0][l], cut2[1][l], cut2[2][l]};
        uint32_t ab[3] = {above2[0][l], above2[1][l], above2[2][l]};
        narrow(&bk[l], cut, ab, d->k1);
        /* a value above lo exists (its stake is above k1 >= 0): lo + 1 is safe */
        lo[l] = bk[l].has_lo ? bk[l].lo + 1 : INT32_MIN;
        hi[l] = bk[l].has_hi ? bk[l].hi - 1 : INT32_MAX;
        if (bk[l].has_hi && bk[l].hi == INT32_MIN)   /* the answer is 0: none below */
            lo[l] = INT32_MAX, hi[l] = INT32_MIN;
    }
    uint32_t cnt[8] = {0};
    gather(d, j, lo, hi, cnt);
    for (int l = 0; l < 8; l++)
        d->cons[j + l] = walk(d, d->lists + l * 256, cnt[l], bk[l]);
}

void yuma_avx2_consensus8(const ydense *d, uint32_t j) { consensus8(d, j); }

#else

void yuma_avx2_consensus8(const ydense *d, uint32_t j) { (void)d, (void)j; }

#endif
