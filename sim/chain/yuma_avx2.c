/* AVX2 kernels of the dense core, four columns per instruction; chosen at run
 * time (yuma_have_avx2) and held bit for bit to the portable loops and the
 * reference by test_yuma_fast.c. Compiled for x86-64 with GCC or Clang only;
 * elsewhere yuma_have_avx2 is false and nothing here is called. */
#include "chain/yuma_fast.h"

#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))

#include <immintrin.h>

#define AVX2 __attribute__((target("avx2")))

bool yuma_have_avx2(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2");
}

/* Keys (value << 8 | slot) of four columns of one row; ABSENT counts as 0. */
AVX2 static inline __m256i key4(const fx *row, uint32_t j, __m256i slot)
{
    __m256i v = _mm256_loadu_si256((const __m256i *)(row + j));
    v = _mm256_andnot_si256(_mm256_cmpgt_epi64(_mm256_setzero_si256(), v), v);
    return _mm256_or_si256(_mm256_slli_epi64(v, 8), slot);
}

#define CE(a, b)                                                             \
    do {                                                                     \
        __m256i gt_ = _mm256_cmpgt_epi64(a, b);                              \
        __m256i lo_ = _mm256_blendv_epi8(a, b, gt_);                         \
        b = _mm256_blendv_epi8(b, a, gt_);                                   \
        a = lo_;                                                             \
    } while (0)

/* Lane by lane: of the keys inside (lo, hi], sorted, the first at which the
 * running stake from `below` exceeds minority; the largest when none does. */
static uint64_t walk(uint64_t *list, uint32_t cnt, const fx *stake, fx below, fx minority,
                     uint64_t fallback)
{
    for (uint32_t i = 1; i < cnt; i++) {
        uint64_t k = list[i];
        uint32_t q = i;
        for (; q > 0 && list[q - 1] > k; q--)
            list[q] = list[q - 1];
        list[q] = k;
    }
    for (uint32_t q = 0; q < cnt; q++) {
        below += stake[list[q] & 255];
        if (below > minority)
            return list[q];
    }
    return cnt ? list[cnt - 1] : fallback;
}

/* Consensus of four columns j..j+3 over `use` rows (row k's weights at
 * rows[k], its stake st[k]): eight sample keys per column, sorted by a
 * network, give nine buckets; one sweep sums the stake above each cut, the
 * bucket of the crossing is exact, a second sweep gathers its keys. */
AVX2 static void consensus4(const fx *const *rows, const fx *st, uint32_t use, uint32_t j,
                            fx total, fx minority, uint64_t *scratch, fx *out)
{
    __m256i c[8];
#pragma GCC unroll 8
    for (int t = 0; t < 8; t++) {
        uint32_t k = (uint32_t)((uint64_t)t * use / 8 + use / 16);
        c[t] = key4(rows[k], j, _mm256_set1_epi64x(k));
    }
    CE(c[0], c[1]); CE(c[2], c[3]); CE(c[4], c[5]); CE(c[6], c[7]);
    CE(c[0], c[2]); CE(c[1], c[3]); CE(c[4], c[6]); CE(c[5], c[7]);
    CE(c[1], c[2]); CE(c[5], c[6]); CE(c[0], c[4]); CE(c[3], c[7]);
    CE(c[1], c[5]); CE(c[2], c[6]); CE(c[1], c[4]); CE(c[3], c[6]);
    CE(c[2], c[4]); CE(c[3], c[5]); CE(c[3], c[4]);
    __m256i above[8];
#pragma GCC unroll 8
    for (int t = 0; t < 8; t++)
        above[t] = _mm256_setzero_si256();
    for (uint32_t k = 0; k < use; k++) {
        __m256i kv = key4(rows[k], j, _mm256_set1_epi64x(k));
        __m256i s = _mm256_set1_epi64x(st[k]);
#pragma GCC unroll 8
        for (int t = 0; t < 8; t++)
            above[t] = _mm256_add_epi64(above[t], _mm256_and_si256(_mm256_cmpgt_epi64(kv, c[t]), s));
    }
    uint64_t cuts[8][4];
    fx ab[8][4];
    for (int t = 0; t < 8; t++) {
        _mm256_storeu_si256((__m256i *)cuts[t], c[t]);
        _mm256_storeu_si256((__m256i *)ab[t], above[t]);
    }
    /* per lane: bucket b holds the keys in (cut[b-1], cut[b]] */
    int64_t lo[4], hi[4];
    fx below[4];
    for (int l = 0; l < 4; l++) {
        int b = 0;
        while (b < 8 && total - ab[b][l] <= minority)
            b++;
        lo[l] = b > 0 ? (int64_t)cuts[b - 1][l] : -1;
        hi[l] = b < 8 ? (int64_t)cuts[b][l] : INT64_MAX;
        below[l] = b > 0 ? total - ab[b - 1][l] : 0;
    }
    __m256i vlo = _mm256_loadu_si256((const __m256i *)lo);
    __m256i vhi = _mm256_loadu_si256((const __m256i *)hi);
    uint32_t cnt[4] = {0, 0, 0, 0};
    for (uint32_t k = 0; k < use; k++) {
        __m256i kv = key4(rows[k], j, _mm256_set1_epi64x(k));
        __m256i in = _mm256_andnot_si256(_mm256_cmpgt_epi64(kv, vhi), _mm256_cmpgt_epi64(kv, vlo));
        int mask = _mm256_movemask_pd(_mm256_castsi256_pd(in));
        if (!mask)
            continue;
        uint64_t kk[4];
        _mm256_storeu_si256((__m256i *)kk, kv);
        for (int l = 0; l < 4; l++)
            if (mask & (1 << l))
                scratch[l * 256 + cnt[l]++] = kk[l];
    }
    for (int l = 0; l < 4; l++)
        out[l] = (fx)(walk(scratch + l * 256, cnt[l], st, below[l], minority, cuts[7][l]) >> 8);
}

void yuma_avx2_consensus(const fx *const *rows, const fx *st, uint32_t use, uint32_t n,
                         fx minority, uint64_t *scratch, fx *out)
{
    fx total = 0;
    for (uint32_t k = 0; k < use; k++)
        total += st[k];
    uint32_t j = 0;
    for (; j + 4 <= n; j += 4)
        consensus4(rows, st, use, j, total, minority, scratch, out + j);
    for (; j < n; j++) {   /* the last columns one at a time */
        for (uint32_t k = 0; k < use; k++) {
            fx v = rows[k][j];
            scratch[k] = ((uint64_t)(v < 0 ? 0 : v) << 8) | k;
        }
        out[j] = (fx)(yuma_select_key(scratch, scratch + 256, use, st, minority) >> 8);
    }
}


/* ---------------------------------------------------------- row kernels */

#define V(p) _mm256_loadu_si256((const __m256i *)(p))
#define ST(p, v) _mm256_storeu_si256((__m256i *)(p), v)

AVX2 static inline __m256i nonneg(__m256i v)   /* ABSENT (negative) -> 0 */
{
    return _mm256_andnot_si256(_mm256_cmpgt_epi64(_mm256_setzero_si256(), v), v);
}

/* floor(a * b / 2^32) for lanes a in [0, 2^32] and b = s (broadcast, in
 * [0, 2^32), s != 2^32): the low halves' product, and s where a is 2^32. */
AVX2 static inline __m256i mul32_s(__m256i a, __m256i s)
{
    __m256i p = _mm256_srli_epi64(_mm256_mul_epu32(a, s), 32);
    __m256i one = _mm256_set1_epi64x(FX_ONE);
    return _mm256_blendv_epi8(p, s, _mm256_cmpeq_epi64(a, one));
}

/* floor(a * b / 2^32) for lanes a, b in [0, 2^32]. */
AVX2 static inline __m256i mul32_v(__m256i a, __m256i b)
{
    __m256i p = _mm256_srli_epi64(_mm256_mul_epu32(a, b), 32);
    __m256i one = _mm256_set1_epi64x(FX_ONE);
    p = _mm256_blendv_epi8(p, b, _mm256_cmpeq_epi64(a, one));
    return _mm256_blendv_epi8(p, a, _mm256_cmpeq_epi64(b, one));
}

AVX2 static inline int64_t hsum(__m256i v)
{
    int64_t t[4];
    ST(t, v);
    return t[0] + t[1] + t[2] + t[3];
}

AVX2 static uint64_t mask_row(const uint16_t *val, const uint64_t *reg, uint64_t upd, uint64_t cb,
                              uint32_t self, uint32_t n, fx *wr)
{
    __m256i sign = _mm256_set1_epi64x(INT64_MIN);
    __m256i vupd = _mm256_set1_epi64x((int64_t)(upd ^ (uint64_t)INT64_MIN));
    __m256i vcb = _mm256_set1_epi64x((int64_t)(cb ^ (uint64_t)INT64_MIN));
    __m256i vself = _mm256_set1_epi64x(self), idx = _mm256_setr_epi64x(0, 1, 2, 3);
    __m256i four = _mm256_set1_epi64x(4), absent = _mm256_set1_epi64x(-1);
    __m256i sum = _mm256_setzero_si256();
    uint32_t j = 0;
    for (; j + 4 <= n; j += 4) {
        uint64_t raw;
        memcpy(&raw, val + j, sizeof raw);
        __m256i v = _mm256_cvtepu16_epi64(_mm_cvtsi64_si128((int64_t)raw));
        __m256i r = _mm256_xor_si256(V(reg + j), sign);
        __m256i keep = _mm256_andnot_si256(_mm256_cmpeq_epi64(idx, vself),
                                           _mm256_andnot_si256(_mm256_cmpgt_epi64(r, vcb),
                                                               _mm256_cmpgt_epi64(vupd, r)));
        ST(wr + j, _mm256_blendv_epi8(absent, v, keep));
        sum = _mm256_add_epi64(sum, _mm256_and_si256(v, keep));
        idx = _mm256_add_epi64(idx, four);
    }
    uint64_t total = (uint64_t)hsum(sum);
    for (; j < n; j++) {
        bool keep = (j != self) & (upd > reg[j]) & (cb >= reg[j]);
        wr[j] = keep ? val[j] : -1;
        total += keep ? val[j] : 0;
    }
    return total;
}

/* w -> floor(w * m / 2^L) (L >= 32, w < 2^16, m < 2^64), ABSENT kept. */
AVX2 static void scale_row(fx *wr, uint32_t n, uint64_t m, unsigned L)
{
    __m256i mlo = _mm256_set1_epi64x((int64_t)(m & 0xffffffffu));
    __m256i mhi = _mm256_set1_epi64x((int64_t)(m >> 32));
    __m128i sh = _mm_cvtsi32_si128((int)(L - 32));
    uint32_t j = 0;
    for (; j + 4 <= n; j += 4) {
        __m256i w = V(wr + j);
        __m256i q = _mm256_add_epi64(_mm256_mul_epu32(w, mhi),
                                     _mm256_srli_epi64(_mm256_mul_epu32(w, mlo), 32));
        q = _mm256_srl_epi64(q, sh);
        ST(wr + j, _mm256_blendv_epi8(q, w, _mm256_cmpgt_epi64(_mm256_setzero_si256(), w)));
    }
    for (; j < n; j++) {
        fx w = wr[j];
        wr[j] = w >= 0 ? (fx)(((u128)(uint64_t)w * m) >> L) : w;
    }
}

/* Ranks before and after clipping and the row's validator trust; and, when
 * clipped != NULL, the clipped row as the chain's Wc keeps it (ABSENT where
 * the weight is absent or clipped to a zero consensus). s in [0, 2^32]. */
AVX2 static uint64_t rank_row(const fx *wr, const fx *cons, uint64_t s, uint32_t n, fx *pre,
                              fx *ranks, fx *clipped)
{
    __m256i sv = _mm256_set1_epi64x((int64_t)s), zero = _mm256_setzero_si256();
    __m256i vt = zero, absent = _mm256_set1_epi64x(-1);
    uint32_t j = 0;
    for (; j + 4 <= n; j += 4) {
        __m256i w = V(wr + j), th = V(cons + j);
        __m256i v = nonneg(w);
        __m256i over = _mm256_cmpgt_epi64(v, th);
        __m256i c = _mm256_blendv_epi8(v, th, over);
        if (s == (uint64_t)FX_ONE) {   /* all the stake: the products are the values */
            ST(pre + j, _mm256_add_epi64(V(pre + j), v));
            ST(ranks + j, _mm256_add_epi64(V(ranks + j), c));
        } else if (s) {
            ST(pre + j, _mm256_add_epi64(V(pre + j), mul32_s(v, sv)));
            ST(ranks + j, _mm256_add_epi64(V(ranks + j), mul32_s(c, sv)));
        }
        vt = _mm256_add_epi64(vt, c);
        if (clipped) {
            __m256i gone = _mm256_or_si256(_mm256_cmpgt_epi64(zero, w),
                                           _mm256_and_si256(over, _mm256_cmpeq_epi64(th, zero)));
            ST(clipped + j, _mm256_blendv_epi8(c, absent, gone));
        }
    }
    uint64_t total = (uint64_t)hsum(vt);
    for (; j < n; j++) {
        fx w = wr[j], th = cons[j], v = w < 0 ? 0 : w, c = v < th ? v : th;
        if (s) {
            pre[j] += (fx)(((u128)s * (uint64_t)v) >> 32);
            ranks[j] += (fx)(((u128)s * (uint64_t)c) >> 32);
        }
        total += (uint64_t)c;
        if (clipped)
            clipped[j] = w < 0 || (v > th && th == 0) ? -1 : c;
    }
    return total;
}

/* The fixed-alpha EMA: alpha max(wb, 0) + keep max(b, 0); alpha + keep = 1. */
AVX2 static void ema_row(const fx *wb, const fx *br, uint64_t alpha, uint64_t keep, uint32_t n,
                         fx *er)
{
    __m256i av = _mm256_set1_epi64x((int64_t)alpha), kv = _mm256_set1_epi64x((int64_t)keep);
    bool a_one = alpha == (uint64_t)FX_ONE, k_one = keep == (uint64_t)FX_ONE;
    uint32_t j = 0;
    for (; j + 4 <= n; j += 4) {
        __m256i w = nonneg(V(wb + j)), b = nonneg(V(br + j));
        __m256i e1 = a_one ? w : mul32_s(w, av), e2 = k_one ? b : mul32_s(b, kv);
        ST(er + j, _mm256_add_epi64(e1, e2));
    }
    for (; j < n; j++) {
        uint64_t w = (uint64_t)(wb[j] < 0 ? 0 : wb[j]), b = (uint64_t)(br[j] < 0 ? 0 : br[j]);
        er[j] = (fx)((uint64_t)(((u128)alpha * w) >> 32) + (uint64_t)(((u128)keep * b) >> 32));
    }
}

/* Column sums of rows x n EMA values. */
AVX2 static void colsum_rows(const fx *e, uint32_t rows, uint32_t n, uint64_t *colsum)
{
    for (uint32_t r = 0; r < rows; r++) {
        const fx *er = e + (size_t)r * n;
        uint32_t j = 0;
        for (; j + 4 <= n; j += 4)
            ST(colsum + j, _mm256_add_epi64(V(colsum + j), V(er + j)));
        for (; j < n; j++)
            colsum[j] += (uint64_t)er[j];
    }
}

/* One row's bond total: sum_j floor(safe_div(e_j, colsum_j) * inc_j), with
 * the column reciprocals as arrays (m, sh1, sh2; m = 0 where unused).
 * Lanes with e = 2^32 take the scalar route. */
AVX2 static uint64_t bond_total(const fx *er, const fx *inc, const uint64_t *dm,
                                const uint64_t *dsh1, const uint64_t *dsh2, const uint8_t *pow2,
                                uint32_t n)
{
    __m256i zero = _mm256_setzero_si256(), one = _mm256_set1_epi64x(FX_ONE);
    __m256i tot = zero;
    uint64_t extra = 0;
    uint32_t j = 0;
    for (; j + 4 <= n; j += 4) {
        __m256i v = V(er + j), in = V(inc + j), m = V(dm + j);
        __m256i live = _mm256_and_si256(_mm256_cmpgt_epi64(v, zero), _mm256_cmpgt_epi64(in, zero));
        if (_mm256_testz_si256(live, live))
            continue;
        __m256i full = _mm256_cmpeq_epi64(v, one);
        if (!_mm256_testz_si256(full, live)) {   /* a bond of exactly 1: scalar */
            for (uint32_t l = j; l < j + 4; l++)
                if (er[l] > 0 && inc[l] > 0) {
                    ydiv d = {dm[l], (uint8_t)dsh1[l], (uint8_t)dsh2[l], pow2[l] != 0};
                    extra += (uint64_t)(((u128)(uint64_t)ydiv_fx(d, (uint64_t)er[l]) *
                                         (uint64_t)inc[l]) >> 32);
                }
            continue;
        }
        __m256i n64 = _mm256_slli_epi64(v, 32);
        __m256i t = _mm256_add_epi64(_mm256_mul_epu32(v, _mm256_srli_epi64(m, 32)),
                                     _mm256_srli_epi64(_mm256_mul_epu32(v, m), 32));
        __m256i q = _mm256_add_epi64(t, _mm256_srlv_epi64(_mm256_sub_epi64(n64, t), V(dsh1 + j)));
        q = _mm256_srlv_epi64(q, V(dsh2 + j));
        tot = _mm256_add_epi64(tot, _mm256_and_si256(mul32_v(q, in), live));
    }
    uint64_t total = (uint64_t)hsum(tot) + extra;
    for (; j < n; j++)
        if (er[j] > 0 && inc[j] > 0) {
            ydiv d = {dm[j], (uint8_t)dsh1[j], (uint8_t)dsh2[j], pow2[j] != 0};
            total += (uint64_t)(((u128)(uint64_t)ydiv_fx(d, (uint64_t)er[j]) * (uint64_t)inc[j]) >> 32);
        }
    return total;
}

uint64_t yuma_avx2_mask_row(const uint16_t *val, const uint64_t *reg, uint64_t upd, uint64_t cb,
                            uint32_t self, uint32_t n, fx *wr)
{
    return mask_row(val, reg, upd, cb, self, n, wr);
}

void yuma_avx2_scale_row(fx *wr, uint32_t n, uint64_t m, unsigned L) { scale_row(wr, n, m, L); }

uint64_t yuma_avx2_rank_row(const fx *wr, const fx *cons, uint64_t s, uint32_t n, fx *pre,
                            fx *ranks, fx *clipped)
{
    return rank_row(wr, cons, s, n, pre, ranks, clipped);
}

void yuma_avx2_ema_row(const fx *wb, const fx *br, uint64_t alpha, uint64_t keep, uint32_t n,
                       fx *er)
{
    ema_row(wb, br, alpha, keep, n, er);
}

void yuma_avx2_colsum(const fx *e, uint32_t rows, uint32_t n, uint64_t *colsum)
{
    colsum_rows(e, rows, n, colsum);
}

uint64_t yuma_avx2_bond_total(const fx *er, const fx *inc, const uint64_t *dm,
                              const uint64_t *dsh1, const uint64_t *dsh2, const uint8_t *pow2,
                              uint32_t n)
{
    return bond_total(er, inc, dm, dsh1, dsh2, pow2, n);
}


/* One bond row into its dense row (pre-filled with ABSENT): b * 2^32 / 65535,
 * which is b * 65537 + (b == 65535), or ABSENT for uids registered since the
 * last epoch (last <= reg, unsigned through the flipped sign bit). Runs of
 * four consecutive columns go four at a time. */
AVX2 static void bond_row_v(const uint16_t *col, const uint16_t *val, uint32_t cnt,
                            const uint64_t *reg, uint64_t last, fx *br)
{
    __m256i sign = _mm256_set1_epi64x(INT64_MIN), k65537 = _mm256_set1_epi64x(65537);
    __m256i vmax = _mm256_set1_epi64x(65535), vlast = _mm256_set1_epi64x((int64_t)(last ^ (uint64_t)INT64_MIN));
    __m256i absent = _mm256_set1_epi64x(-1), one = _mm256_set1_epi64x(1);
    uint32_t k = 0;
    while (k < cnt) {
        uint32_t j = col[k];
        if (k + 4 <= cnt && col[k + 3] == j + 3) {
            uint64_t raw;
            memcpy(&raw, val + k, sizeof raw);
            __m256i b = _mm256_cvtepu16_epi64(_mm_cvtsi64_si128((int64_t)raw));
            __m256i p = _mm256_add_epi64(_mm256_mul_epu32(b, k65537),
                                         _mm256_and_si256(_mm256_cmpeq_epi64(b, vmax), one));
            __m256i keep = _mm256_cmpgt_epi64(vlast, _mm256_xor_si256(V(reg + j), sign));
            ST(br + j, _mm256_blendv_epi8(absent, p, keep));
            k += 4;
        } else {
            br[j] = last > reg[j] ? (fx)((uint64_t)val[k] * 65537u + (val[k] == 65535)) : -1;
            k++;
        }
    }
}

/* The stored bonds of one EMA row: (column, floor(v * 65535 / 2^32)) for
 * v > 0, as ((v << 16) - v) >> 32 (v <= 2^32); returns how many. */
AVX2 static uint32_t store_row(const fx *er, uint32_t n, uint16_t *col, uint16_t *val)
{
    __m256i zero = _mm256_setzero_si256();
    /* the low 16 bits of each 64-bit lane into the low 8 bytes */
    __m256i pick = _mm256_setr_epi8(0, 1, 8, 9, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                    0, 1, 8, 9, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
    uint32_t out = 0, j = 0;
    for (; j + 4 <= n; j += 4) {
        __m256i v = V(er + j);
        __m256i u = _mm256_srli_epi64(_mm256_sub_epi64(_mm256_slli_epi64(v, 16), v), 32);
        int pos = _mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpgt_epi64(v, zero)));
        if (pos == 15) {   /* all four stored: pack them */
            __m256i packed = _mm256_shuffle_epi8(u, pick);
            uint32_t lo = (uint32_t)_mm256_extract_epi32(packed, 0);
            uint32_t hi = (uint32_t)_mm256_extract_epi32(packed, 4);
            uint64_t vals = lo | (uint64_t)hi << 32;
            uint64_t cols = (uint64_t)j | (uint64_t)(j + 1) << 16 | (uint64_t)(j + 2) << 32 |
                            (uint64_t)(j + 3) << 48;
            memcpy(val + out, &vals, sizeof vals);
            memcpy(col + out, &cols, sizeof cols);
            out += 4;
            continue;
        }
        uint64_t uu[4];
        ST(uu, u);
        for (int l = 0; l < 4; l++) {
            col[out] = (uint16_t)(j + l);
            val[out] = (uint16_t)uu[l];
            out += (pos >> l) & 1;
        }
    }
    for (; j < n; j++) {
        uint64_t v = (uint64_t)er[j];
        col[out] = (uint16_t)j;
        val[out] = (uint16_t)(((v << 16) - v) >> 32);
        out += er[j] > 0;
    }
    return out;
}

void yuma_avx2_bond_row(const uint16_t *col, const uint16_t *val, uint32_t cnt,
                        const uint64_t *reg, uint64_t last, fx *br)
{
    bond_row_v(col, val, cnt, reg, last, br);
}

uint32_t yuma_avx2_store_row(const fx *er, uint32_t n, uint16_t *col, uint16_t *val)
{
    return store_row(er, n, col, val);
}

#else

bool yuma_have_avx2(void) { return false; }

void yuma_avx2_consensus(const fx *const *rows, const fx *st, uint32_t use, uint32_t n,
                         fx minority, uint64_t *scratch, fx *out)
{
    (void)rows, (void)st, (void)use, (void)n, (void)minority, (void)scratch, (void)out;
}


uint64_t yuma_avx2_mask_row(const uint16_t *val, const uint64_t *reg, uint64_t upd, uint64_t cb,
                            uint32_t self, uint32_t n, fx *wr)
{
    (void)val, (void)reg, (void)upd, (void)cb, (void)self, (void)n, (void)wr;
    return 0;
}
void yuma_avx2_scale_row(fx *wr, uint32_t n, uint64_t m, unsigned L) { (void)wr, (void)n, (void)m, (void)L; }
uint64_t yuma_avx2_rank_row(const fx *wr, const fx *cons, uint64_t s, uint32_t n, fx *pre,
                            fx *ranks, fx *clipped)
{
    (void)wr, (void)cons, (void)s, (void)n, (void)pre, (void)ranks, (void)clipped;
    return 0;
}
void yuma_avx2_ema_row(const fx *wb, const fx *br, uint64_t alpha, uint64_t keep, uint32_t n,
                       fx *er)
{
    (void)wb, (void)br, (void)alpha, (void)keep, (void)n, (void)er;
}
void yuma_avx2_colsum(const fx *e, uint32_t rows, uint32_t n, uint64_t *colsum)
{
    (void)e, (void)rows, (void)n, (void)colsum;
}
uint64_t yuma_avx2_bond_total(const fx *er, const fx *inc, const uint64_t *dm,
                              const uint64_t *dsh1, const uint64_t *dsh2, const uint8_t *pow2,
                              uint32_t n)
{
    (void)er, (void)inc, (void)dm, (void)dsh1, (void)dsh2, (void)pow2, (void)n;
    return 0;
}


void yuma_avx2_bond_row(const uint16_t *col, const uint16_t *val, uint32_t cnt,
                        const uint64_t *reg, uint64_t last, fx *br)
{
    (void)col, (void)val, (void)cnt, (void)reg, (void)last, (void)br;
}
uint32_t yuma_avx2_store_row(const fx *er, uint32_t n, uint16_t *col, uint16_t *val)
{
    (void)er, (void)n, (void)col, (void)val;
    return 0;
}

#endif
