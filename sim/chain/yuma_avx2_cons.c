/* The dense core's consensus, eight columns at once (AVX2, chosen at run
 * time; yuma_dense.c runs the sparse core's selection instead without it).
 *
 * A column's consensus is its smallest value v with at most k1 stake on
 * values above v (yuma_fast.h: the stake-weighted median at kappa). A sweep
 * over the slots sums the stake above a few cut values (three instructions
 * per slot and cut, eight columns in a vector), which names exactly the
 * bucket holding the answer: above the last cut with more than k1 above
 * it, at or below the first with at most k1. Three such sweeps leave a
 * bucket of a value or two; only those are gathered, sorted and walked.
 * Any cuts give the same answer; good ones only make the bucket small.
 *
 * Weights are u32 (yuma_fast.h), compared as signed after flipping the sign
 * bit. A slot's stake is below 2^32 and every stake sum taken above a cut
 * leaves out the cut's own slot, so the sums fit u32 lanes. */
#include "chain/yuma_fast.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(SUBNETSIM_NO_AVX2)

#include "chain/yuma_avx2_inl.h"

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

/* Where each column's answer lies, eight columns a vector: above the cut
 * lo (`above` stake above it, more than k1) where has_lo, and at or below
 * the cut hi (at most k1 above) where has_hi; cuts sign-flipped. */
typedef struct bucket {
    __m256i has_lo, has_hi, lo, hi, above;
} bucket;

/* Narrows the buckets by three sorted cuts and the stake above each. The
 * masks "more than k1 above cut t" shrink as t rises, so each bound is a
 * chain of blends. Returns the masks (for picking the next cuts). */
AVX2 static void narrow(bucket *k, const __m256i cut[3], const __m256i above[3], __m256i k1,
                        __m256i gt[3])
{
    const __m256i sign = _mm256_set1_epi32(INT32_MIN);
    for (int t = 0; t < 3; t++)
        gt[t] = _mm256_cmpgt_epi32(_mm256_xor_si256(above[t], sign), k1);
    for (int t = 0; t < 3; t++) {
        k->lo = _mm256_blendv_epi8(k->lo, cut[t], gt[t]);
        k->above = _mm256_blendv_epi8(k->above, above[t], gt[t]);
    }
    k->has_lo = _mm256_or_si256(k->has_lo, gt[0]);
    __m256i hi = _mm256_blendv_epi8(cut[2], k->hi, gt[2]);
    hi = _mm256_blendv_epi8(cut[1], hi, gt[1]);
    k->hi = _mm256_blendv_epi8(cut[0], hi, gt[0]);
    k->has_hi = _mm256_or_si256(k->has_hi, _mm256_andnot_si256(gt[2], _mm256_set1_epi32(-1)));
}

/* The stake above three cuts in each of H groups of eight columns (H is 1
 * to 4, a constant in each copy): one sweep over the slots, each slot's
 * row pointer, stake and loop shared by the groups. Written out so that the
 * twelve sums stay in registers (the cuts are read from memory). */
AVX2 static INLINE void stake_above(const ydense *d, uint32_t j, const int H, __m256i cut[4][3],
                                    __m256i above[4][3])
{
    const __m256i sign = _mm256_set1_epi32(INT32_MIN), z = _mm256_setzero_si256();
    __m256i a00 = z, a01 = z, a02 = z, a10 = z, a11 = z, a12 = z;
    __m256i a20 = z, a21 = z, a22 = z, a30 = z, a31 = z, a32 = z;
    const uint32_t *const *use_w = d->use_w, *use_st = d->use_st, use = d->use;
#define ABOVE(a, v, c) a = _mm256_add_epi32(a, _mm256_and_si256(_mm256_cmpgt_epi32(v, c), s))
#define GROUP(h)                                                                           \
    do {                                                                                   \
        __m256i v = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(row + 8 * h)), sign); \
        ABOVE(a##h##0, v, cut[h][0]);                                                      \
        ABOVE(a##h##1, v, cut[h][1]);                                                      \
        ABOVE(a##h##2, v, cut[h][2]);                                                      \
    } while (0)
    for (uint32_t k = 0; k < use; k++) {
        const uint32_t *row = use_w[k] + j;
        __m256i s = _mm256_set1_epi32((int32_t)use_st[k]);
        GROUP(0);
        if (H > 1)
            GROUP(1);
        if (H > 2)
            GROUP(2);
        if (H > 3)
            GROUP(3);
    }
#undef GROUP
#undef ABOVE
    above[0][0] = a00, above[0][1] = a01, above[0][2] = a02;
    above[1][0] = a10, above[1][1] = a11, above[1][2] = a12;
    above[2][0] = a20, above[2][1] = a21, above[2][2] = a22;
    above[3][0] = a30, above[3][1] = a31, above[3][2] = a32;
}

/* Sorts a bucket's keys by insertion: buckets hold a few keys (timed
 * against a branch-free network for up to eight: no faster). */
static void sort_keys(uint64_t *list, uint32_t cnt)
{
    for (uint32_t i = 1; i < cnt; i++) {
        uint64_t key = list[i], *q = list + i;
        for (; q > list && q[-1] > key; q--)
            q[0] = q[-1];
        q[0] = key;
    }
}

/* Compare-exchange of two keys, without a branch. */
#define CE64(a, b)                                                           \
    do {                                                                     \
        uint64_t lo_ = (a) < (b) ? (a) : (b);                                \
        (b) = (a) < (b) ? (b) : (a);                                         \
        (a) = lo_;                                                           \
    } while (0)

/* The walk: a bucket's keys (value << 8 | slot) in order, their stake
 * taken off `above` until at most k1 is left. The answer lies in the
 * bucket, so the walk ends inside it. Buckets of up to four keys (nine in
 * ten on a dense subnet) go without a branch, since their sizes and orders
 * are as good as random: the keys, padded with the largest key, sorted by
 * a network of five exchanges; the answer's place is the number of keys
 * before the last after which more than k1 stays above (that stake only
 * falls along the walk). */
static uint32_t walk(const ydense *d, uint64_t *list, uint32_t cnt, uint64_t above)
{
    const uint32_t *st = d->use_st;
    const uint64_t k1 = d->k1;
    if (cnt <= 4) {   /* list holds 256 keys a column: reading four is safe */
        /* padded by or-ing all ones in (a select here becomes a branch) */
        uint64_t k[4] = {list[0], list[1] | -(uint64_t)(cnt < 2), list[2] | -(uint64_t)(cnt < 3),
                         list[3] | -(uint64_t)(cnt < 4)};
        CE64(k[0], k[1]);
        CE64(k[2], k[3]);
        CE64(k[0], k[2]);
        CE64(k[1], k[3]);
        CE64(k[1], k[2]);
        /* step q takes key q's stake, for q < cnt - 1; a step not taken
         * reads slot 0 (there are at least two) and takes nothing */
        uint32_t step1 = -(uint32_t)(cnt > 2), step2 = -(uint32_t)(cnt > 3);
        above -= st[k[0] & 255];
        uint32_t at = (cnt > 1) & (above > k1);
        above -= st[k[1] & 255 & step1] & step1;
        at += (cnt > 2) & (above > k1);
        above -= st[k[2] & 255 & step2] & step2;
        at += (cnt > 3) & (above > k1);
        return (uint32_t)(k[at] >> 8);
    }
    sort_keys(list, cnt);
    for (uint32_t q = 0; q + 1 < cnt; q++) {
        above -= st[list[q] & 255];
        if (above <= k1)
            return (uint32_t)(list[q] >> 8);
    }
    return (uint32_t)(list[cnt - 1] >> 8);
}

/* The key of slot k in the first column of m (a missing one to the spare
 * list 32, bit 32 standing in for it), without a branch; returns m less
 * that column. */
static INLINE uint32_t put_first(uint64_t *lists, uint32_t cnt[33], const uint32_t *row, uint32_t k,
                                 uint32_t m)
{
    unsigned l = (unsigned)__builtin_ctzll((uint64_t)m | (uint64_t)1 << 32);
    lists[l * 256 + cnt[l]++] = (uint64_t)row[l & 31] << 8 | k;
    return m & (m - 1);
}

/* Gathers, per column of H groups of eight, its values inside lo..hi
 * (inclusive, sign-flipped) as keys into lists (256 a column). */
AVX2 static INLINE void gather(const ydense *d, uint32_t j, const int H, const __m256i lo[4],
                               const __m256i hi[4], uint32_t cnt[33])
{
    const __m256i sign = _mm256_set1_epi32(INT32_MIN);
    uint64_t *lists = d->lists;   /* fields in locals: the stores below may alias d */
    const uint32_t *const *use_w = d->use_w, use = d->use;
    for (uint32_t k = 0; k < use; k++) {
        const uint32_t *row = use_w[k] + j;
        uint32_t m = 0;
#define OUTSIDE(h)                                                                          \
    if (H > h) {                                                                            \
        __m256i v = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(row + 8 * h)), sign); \
        __m256i out = _mm256_or_si256(_mm256_cmpgt_epi32(lo[h], v), _mm256_cmpgt_epi32(v, hi[h])); \
        m |= (uint32_t)_mm256_movemask_ps(_mm256_castsi256_ps(out)) << (8 * h);            \
    }
        OUTSIDE(0) OUTSIDE(1) OUTSIDE(2) OUTSIDE(3)
#undef OUTSIDE
        m = ~m & (H == 4 ? 0xffffffffu : (1u << (8 * H)) - 1);
        /* A slot lies in one or two buckets, or none, as good as at
         * random: its first two are written without a branch, a missing
         * one to the spare list 32 (bit 32 stands in for it). */
        m = put_first(lists, cnt, row, k, m);
        m = put_first(lists, cnt, row, k, m);
        for (; m; m &= m - 1) {
            unsigned l = (unsigned)__builtin_ctz(m);
            lists[l * 256 + cnt[l]++] = (uint64_t)row[l] << 8 | k;
        }
    }
}

/* Per group of eight columns, three rounds of three cuts: the 4th, 8th and
 * 12th samples; the three samples inside the bucket that found; then three
 * values splitting the bucket evenly. Any number serves as a cut: the stake
 * above c is at most k1 exactly when c is at or above the answer. A column
 * of 64 has one or two values left in its bucket, gathered and walked. */
AVX2 static INLINE void consensus_h(const ydense *d, uint32_t j, const int H)
{
    const __m256i sign = _mm256_set1_epi32(INT32_MIN);
    const __m256i k1 = _mm256_set1_epi32((int32_t)(d->k1 ^ 0x80000000u));
    __m256i c[4][16], cut[4][3], above[4][3], gt[3], lo[4], hi[4];
    bucket k[4];
    for (int h = 0; h < H; h++) {
        sample_cuts(d, j + 8 * h, c[h]);
        k[h] = (bucket){_mm256_setzero_si256(), _mm256_setzero_si256(), sign, sign,
                        _mm256_setzero_si256()};
        cut[h][0] = c[h][3], cut[h][1] = c[h][7], cut[h][2] = c[h][11];
    }
    stake_above(d, j, H, cut, above);
    for (int h = 0; h < H; h++) {
        narrow(&k[h], cut[h], above[h], k1, gt);
        for (int t = 0; t < 3; t++) {   /* the samples inside: 4b + t for b cuts below */
            __m256i x = _mm256_blendv_epi8(c[h][t], c[h][4 + t], gt[0]);
            x = _mm256_blendv_epi8(x, c[h][8 + t], gt[1]);
            cut[h][t] = _mm256_blendv_epi8(x, c[h][12 + t], gt[2]);
        }
    }
    stake_above(d, j, H, cut, above);
    for (int h = 0; h < H; h++) {
        narrow(&k[h], cut[h], above[h], k1, gt);
        /* lo + q t for a quarter q of the bucket; the cuts stay at or
         * above lo, a value, so the stake above them stays below 2^32.
         * A bucket open at either end keeps its cuts on its bound. */
        __m256i both = _mm256_and_si256(k[h].has_lo, k[h].has_hi);
        __m256i q = _mm256_srli_epi32(_mm256_sub_epi32(k[h].hi, k[h].lo), 2);
        __m256i base = _mm256_blendv_epi8(k[h].hi, k[h].lo, k[h].has_lo);
        q = _mm256_and_si256(q, both);
        for (int t = 0; t < 3; t++)
            cut[h][t] = _mm256_add_epi32(base, _mm256_mullo_epi32(q, _mm256_set1_epi32(t + 1)));
    }
    stake_above(d, j, H, cut, above);
    uint32_t cnt[33] = {0}, above_lo[32], has_lo[32];
    for (int h = 0; h < H; h++) {
        narrow(&k[h], cut[h], above[h], k1, gt);
        /* the bucket, inclusive: a value above lo exists (more than k1 >= 0
         * stake lies there), so lo + 1 is safe */
        lo[h] = _mm256_blendv_epi8(sign, _mm256_add_epi32(k[h].lo, _mm256_set1_epi32(1)), k[h].has_lo);
        hi[h] = _mm256_blendv_epi8(_mm256_set1_epi32(INT32_MAX), k[h].hi, k[h].has_hi);
        _mm256_storeu_si256((__m256i *)(above_lo + 8 * h), k[h].above);
        _mm256_storeu_si256((__m256i *)(has_lo + 8 * h), k[h].has_lo);
    }
    gather(d, j, H, lo, hi, cnt);
    for (int l = 0; l < 8 * H; l++)
        d->cons[j + l] = walk(d, d->lists + l * 256, cnt[l], has_lo[l] ? above_lo[l] : d->total);
}

AVX2 static void consensus8(const ydense *d, uint32_t j) { consensus_h(d, j, 1); }
AVX2 static void consensus16(const ydense *d, uint32_t j) { consensus_h(d, j, 2); }
AVX2 static void consensus32(const ydense *d, uint32_t j) { consensus_h(d, j, 4); }

void yuma_avx2_consensus16(const ydense *d, uint32_t j) { consensus16(d, j); }
void yuma_avx2_consensus32(const ydense *d, uint32_t j) { consensus32(d, j); }
void yuma_avx2_consensus8(const ydense *d, uint32_t j) { consensus8(d, j); }

#else

void yuma_avx2_consensus8(const ydense *d, uint32_t j) { (void)d, (void)j; }
void yuma_avx2_consensus16(const ydense *d, uint32_t j) { (void)d, (void)j; }
void yuma_avx2_consensus32(const ydense *d, uint32_t j) { (void)d, (void)j; }

#endif
