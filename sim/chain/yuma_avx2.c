/* AVX2 row kernels of the dense core (yuma_dense.c), chosen at run time
 * (yuma_have_avx2) and held bit for bit to the reference by
 * test_yuma_fast.c. Compiled for x86-64 with GCC or Clang only; elsewhere
 * yuma_have_avx2 is false and nothing here is called.
 *
 * Values are u32 lanes holding I32F32 bits below 2^32 (yuma_fast.h). The
 * chain's product floor(a b / 2^32) of two of them is the high half of
 * _mm256_mul_epu32, which multiplies the even lanes; the odd lanes go
 * through a shift. Sums of products are kept as 64-bit lanes, the even
 * columns and the odd ones apart, and put back in column order at the end
 * of a block. */
#include "chain/yuma_fast.h"

#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(SUBNETSIM_NO_AVX2)

#include "chain/yuma_avx2_inl.h"

bool yuma_have_avx2(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

/* Columns j..j+7 of the live rows. Per row: the clipped weights
 * c = min(w, consensus); ranks += s w and s c; validator trust += c; the
 * weights for bonds wb (w, c, or w - ceil(ratio (w - c)), the chain's
 * interpolation with its floor); the EMA alpha wb + keep b, its column sums
 * and maxima. Live rows hold weights, bonds and stakes below 1 and weight
 * rows summing below 1, so ranks (at most the largest weight times the
 * stake, which sums to 1), validator trust and every EMA bond fit u32
 * lanes; column sums of EMA bonds take 64 bits. mode is a constant in each
 * copy the compiler makes. */
AVX2 static INLINE void rows8_mode(const ydense *d, uint32_t j, const int mode)
{
    const __m256i cons = V(d->cons + j), low = _mm256_set1_epi64x(0xffffffff);
    const __m256i al = _mm256_set1_epi64x((int64_t)d->alpha);
    const __m256i kp = _mm256_set1_epi64x((int64_t)d->keep);
    const __m256i rt = _mm256_set1_epi64x((int64_t)d->ratio);
    __m256i pre = _mm256_setzero_si256(), rk = pre, se = pre, so = pre, mx = pre;
    /* vector stores may alias anything: the loop reads d only through locals */
    for (const yrow *row = d->live, *end = row + d->nlive; row < end; row++) {
        __m256i w = V(row->w + j), w_o = ODD(w);
        __m256i c = _mm256_min_epu32(w, cons), c_o = ODD(c);
        uint64_t s = row->s;
        if (s) {
            __m256i sv = _mm256_set1_epi64x((int64_t)s);
            pre = _mm256_add_epi32(pre, mulhi8(w, w_o, sv));
            rk = _mm256_add_epi32(rk, mulhi8(c, c_o, sv));
        }
        ST(row->vt, _mm256_add_epi32(V(row->vt), c));
        __m256i wb = c, wb_o = c_o;
        if (mode == 0) {
            wb = w, wb_o = w_o;
        } else if (mode == 2) {
            __m256i dl = _mm256_sub_epi32(w, c), dl_o = ODD(dl);
            __m256i ue = _mm256_add_epi64(_mm256_mul_epu32(dl, rt), low);
            __m256i uo = _mm256_add_epi64(_mm256_mul_epu32(dl_o, rt), low);
            wb = _mm256_sub_epi32(w, _mm256_blend_epi32(_mm256_srli_epi64(ue, 32), uo, 0xaa));
            wb_o = ODD(wb);
        }
        /* b * 65537 is b / 65535 as I32F32 bits below 1 (a bond of 1 is careful) */
        __m256i b = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(row->b + j)));
        b = _mm256_or_si256(_mm256_slli_epi32(b, 16), b);
        __m256i e = _mm256_add_epi32(mulhi8(wb, wb_o, al), mulhi8(b, ODD(b), kp));
        se = _mm256_add_epi64(se, _mm256_and_si256(e, low));
        so = _mm256_add_epi64(so, ODD(e));
        ST(row->e + j, e);
        mx = _mm256_max_epu32(mx, e);
    }
    store_wide(d->pre + j, pre);
    store_wide(d->ranks + j, rk);
    store_columns(d->cs + j, se, so);
    ST(d->emax + j, mx);
}

/* rows8_mode for sixteen columns, EMA column sums in u32 lanes (the
 * caller's bound keeps them below 2^32) and no maxima: fewer accumulators,
 * so two column groups share each row's loads and loop. Products are taken
 * pair-swapped (mulhi8_swapped): the rank sums stay so until the end, the
 * EMA bonds are put back before they are stored. The stored bonds b become
 * b * 65537 (b / 65535 as I32F32 bits) by interleaving each u16 with
 * itself, after a qword permute that puts columns 0-7 in the low halves. */
AVX2 static INLINE void rows16_mode(const ydense *d, uint32_t j, const int mode)
{
    const __m256i cons0 = V(d->cons + j), cons1 = V(d->cons + j + 8), low = _mm256_set1_epi64x(0xffffffff);
    const __m256i al = _mm256_set1_epi64x((int64_t)d->alpha);
    const __m256i kp = _mm256_set1_epi64x((int64_t)d->keep);
    const __m256i rt = _mm256_set1_epi64x((int64_t)d->ratio);
    __m256i p0 = _mm256_setzero_si256(), p1 = p0, r0 = p0, r1 = p0, s0 = p0, s1 = p0;
    for (const yrow *row = d->live, *end = row + d->nlive; row < end; row++) {
        __m256i w0 = V(row->w + j), w1 = V(row->w + j + 8), w0o = ODD(w0), w1o = ODD(w1);
        __m256i c0 = _mm256_min_epu32(w0, cons0), c1 = _mm256_min_epu32(w1, cons1);
        __m256i c0o = ODD(c0), c1o = ODD(c1);
        uint64_t s = row->s;
        uint32_t *e = row->e + j;
        if (s) {
            __m256i sv = _mm256_set1_epi64x((int64_t)s);
            p0 = _mm256_add_epi32(p0, mulhi8_swapped(w0, w0o, sv));
            p1 = _mm256_add_epi32(p1, mulhi8_swapped(w1, w1o, sv));
            r0 = _mm256_add_epi32(r0, mulhi8_swapped(c0, c0o, sv));
            r1 = _mm256_add_epi32(r1, mulhi8_swapped(c1, c1o, sv));
        }
        ST(row->vt, _mm256_add_epi32(V(row->vt), _mm256_add_epi32(c0, c1)));
        __m256i wb0 = c0, wb0o = c0o, wb1 = c1, wb1o = c1o;
        if (mode == 0) {
            wb0 = w0, wb0o = w0o, wb1 = w1, wb1o = w1o;
        } else if (mode == 2) {
            __m256i d0 = _mm256_sub_epi32(w0, c0), d1 = _mm256_sub_epi32(w1, c1);
            __m256i u0 = _mm256_blend_epi32(_mm256_srli_epi64(_mm256_add_epi64(_mm256_mul_epu32(d0, rt), low), 32),
                                            _mm256_add_epi64(_mm256_mul_epu32(ODD(d0), rt), low), 0xaa);
            __m256i u1 = _mm256_blend_epi32(_mm256_srli_epi64(_mm256_add_epi64(_mm256_mul_epu32(d1, rt), low), 32),
                                            _mm256_add_epi64(_mm256_mul_epu32(ODD(d1), rt), low), 0xaa);
            wb0 = _mm256_sub_epi32(w0, u0), wb1 = _mm256_sub_epi32(w1, u1);
            wb0o = ODD(wb0), wb1o = ODD(wb1);
        }
        __m256i b = _mm256_permute4x64_epi64(V(row->b + j), _MM_SHUFFLE(3, 1, 2, 0));
        __m256i b0 = _mm256_unpacklo_epi16(b, b), b1 = _mm256_unpackhi_epi16(b, b);
        __m256i e0 = _mm256_add_epi32(mulhi8_swapped(wb0, wb0o, al), mulhi8_swapped(b0, ODD(b0), kp));
        __m256i e1 = _mm256_add_epi32(mulhi8_swapped(wb1, wb1o, al), mulhi8_swapped(b1, ODD(b1), kp));
        s0 = _mm256_add_epi32(s0, e0);
        s1 = _mm256_add_epi32(s1, e1);
        ST(e, unswap(e0));
        ST(e + 8, unswap(e1));
    }
    store_wide(d->pre + j, unswap(p0));
    store_wide(d->pre + j + 8, unswap(p1));
    store_wide(d->ranks + j, unswap(r0));
    store_wide(d->ranks + j + 8, unswap(r1));
    store_wide(d->cs + j, unswap(s0));
    store_wide(d->cs + j + 8, unswap(s1));
    ST(d->emax + j, _mm256_setzero_si256());
    ST(d->emax + j + 8, _mm256_setzero_si256());
}

AVX2 static void rows16_w(const ydense *d, uint32_t j) { rows16_mode(d, j, 0); }
AVX2 static void rows16_clip(const ydense *d, uint32_t j) { rows16_mode(d, j, 1); }
AVX2 static void rows16_interp(const ydense *d, uint32_t j) { rows16_mode(d, j, 2); }

void yuma_avx2_rows16(const ydense *d, uint32_t j)
{
    if (d->wb_mode == 0)
        rows16_w(d, j);
    else if (d->wb_mode == 1)
        rows16_clip(d, j);
    else
        rows16_interp(d, j);
}

AVX2 static void rows8_w(const ydense *d, uint32_t j) { rows8_mode(d, j, 0); }
AVX2 static void rows8_clip(const ydense *d, uint32_t j) { rows8_mode(d, j, 1); }
AVX2 static void rows8_interp(const ydense *d, uint32_t j) { rows8_mode(d, j, 2); }

void yuma_avx2_rows8(const ydense *d, uint32_t j)
{
    if (d->wb_mode == 0)
        rows8_w(d, j);
    else if (d->wb_mode == 1)
        rows8_clip(d, j);
    else
        rows8_interp(d, j);
}

/* floor(w m / 2^L) = (w m_hi + floor(w m_lo / 2^32)) >> (L - 32), eight
 * weights; with total, their sum into *sum. Without it, the odd lanes'
 * quotients are shifted left by 64 - L instead, which puts them in the
 * high halves, and a blend joins them with the even ones (every quotient
 * is below 2^32). */
AVX2 static INLINE __m256i scale8(__m256i w, __m256i mhi, __m256i mlo, __m128i sh, __m128i shl,
                                  __m256i *sum, const bool total)
{
    __m256i w_o = ODD(w);
    __m256i te = _mm256_add_epi64(_mm256_mul_epu32(w, mhi), MULHI(w, mlo));
    __m256i to = _mm256_add_epi64(_mm256_mul_epu32(w_o, mhi), MULHI(w_o, mlo));
    __m256i qe = _mm256_srl_epi64(te, sh);
    if (!total)
        return _mm256_blend_epi32(qe, _mm256_sll_epi64(to, shl), 0xaa);
    __m256i qo = _mm256_srl_epi64(to, sh);
    *sum = _mm256_add_epi64(*sum, _mm256_add_epi64(qe, qo));
    return _mm256_or_si256(qe, _mm256_slli_epi64(qo, 32));
}

AVX2 static INLINE uint64_t scale_row_mode(const uint16_t *src, uint32_t stride, uint64_t m,
                                           unsigned L, uint32_t *out, const bool total)
{
    __m256i mhi = _mm256_set1_epi64x((int64_t)(m >> 32));
    __m256i mlo = _mm256_set1_epi64x((int64_t)(m & 0xffffffffu));
    __m128i sh = _mm_cvtsi32_si128((int)(L - 32)), shl = _mm_cvtsi32_si128((int)(64 - L));
    __m256i sum = _mm256_setzero_si256();
    uint32_t j = 0;
    for (; j + 16 <= stride; j += 16) {   /* two groups a turn: half the loop's overhead */
        __m256i w = V(src + j);
        ST(out + j, scale8(_mm256_cvtepu16_epi32(_mm256_castsi256_si128(w)), mhi, mlo, sh, shl, &sum, total));
        ST(out + j + 8, scale8(_mm256_cvtepu16_epi32(_mm256_extracti128_si256(w, 1)), mhi, mlo, sh, shl, &sum, total));
    }
    if (j < stride)
        ST(out + j, scale8(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(src + j))), mhi,
                           mlo, sh, shl, &sum, total));
    uint64_t t[4];
    ST(t, sum);
    return t[0] + t[1] + t[2] + t[3];
}

AVX2 static uint64_t scale_row(const uint16_t *src, uint32_t stride, uint64_t m, unsigned L,
                               uint32_t *out)
{
    return scale_row_mode(src, stride, m, L, out, true);
}

AVX2 static void scale_row_only(const uint16_t *src, uint32_t stride, uint64_t m, unsigned L,
                                uint32_t *out)
{
    scale_row_mode(src, stride, m, L, out, false);
}

uint64_t yuma_avx2_scale_row(const uint16_t *src, uint32_t stride, uint64_t m, unsigned L,
                             uint32_t *out, bool total)
{
    if (!total) {
        scale_row_only(src, stride, m, L, out);
        return 0;
    }
    return scale_row(src, stride, m, L, out);
}

AVX2 static uint64_t sum16(const uint16_t *v, uint32_t n, uint16_t *max)
{
    const __m256i flip = _mm256_set1_epi16(INT16_MIN), ones = _mm256_set1_epi16(1);
    __m256i s0 = _mm256_setzero_si256(), s1 = s0, m0 = s0, m1 = s0;
    const uint16_t *p = v, *end = v + n;
    for (; end - p >= 32; p += 32) {
        __m256i x0 = V(p), x1 = V(p + 16);
        m0 = _mm256_max_epu16(m0, x0), m1 = _mm256_max_epu16(m1, x1);
        s0 = _mm256_add_epi32(s0, _mm256_madd_epi16(_mm256_xor_si256(x0, flip), ones));
        s1 = _mm256_add_epi32(s1, _mm256_madd_epi16(_mm256_xor_si256(x1, flip), ones));
    }
    __m128i mx = _mm_max_epu16(_mm256_castsi256_si128(_mm256_max_epu16(m0, m1)),
                               _mm256_extracti128_si256(_mm256_max_epu16(m0, m1), 1));
    __m128i acc = _mm_add_epi32(_mm256_castsi256_si128(_mm256_add_epi32(s0, s1)),
                                _mm256_extracti128_si256(_mm256_add_epi32(s0, s1), 1));
    for (; p < end; p += 8) {
        __m128i x = _mm_loadu_si128((const __m128i *)p);
        mx = _mm_max_epu16(mx, x);
        acc = _mm_add_epi32(acc, _mm_madd_epi16(_mm_xor_si128(x, _mm256_castsi256_si128(flip)),
                                                _mm256_castsi256_si128(ones)));
    }
    /* the largest is 65535 minus the smallest of 65535 - x */
    mx = _mm_minpos_epu16(_mm_xor_si128(mx, _mm_set1_epi16(-1)));
    *max = (uint16_t)(65535 - _mm_extract_epi16(mx, 0));
    acc = _mm_add_epi32(acc, _mm_shuffle_epi32(acc, 0x4e));
    acc = _mm_add_epi32(acc, _mm_shuffle_epi32(acc, 0xb1));
    return (uint64_t)((int64_t)_mm_cvtsi128_si32(acc) + 32768 * (int64_t)n);
}

uint64_t yuma_avx2_sum16(const uint16_t *v, uint32_t n, uint16_t *max) { return sum16(v, n, max); }

/* The largest u16 of a vector's 16. */
AVX2 static INLINE uint16_t hmax16(__m256i m)
{
    __m128i mx = _mm_max_epu16(_mm256_castsi256_si128(m), _mm256_extracti128_si256(m, 1));
    /* the largest is 65535 minus the smallest of 65535 - x */
    mx = _mm_minpos_epu16(_mm_xor_si128(mx, _mm_set1_epi16(-1)));
    return (uint16_t)(65535 - _mm_extract_epi16(mx, 0));
}

/* dst[0..len) = src[0..len) (len >= 16, no overlap), 32 a turn, then what
 * is left as one or two sixteens, the last one overlapping; returns the
 * lane maxima. */
AVX2 static INLINE __m256i copy_max(const uint16_t *src, uint32_t len, uint16_t *dst)
{
    __m256i m0 = _mm256_setzero_si256(), m1 = m0;
    const uint16_t *end = src + len;
    uint16_t *dend = dst + len;
    for (; end - src > 32; src += 32, dst += 32) {
        __m256i x0 = V(src), x1 = V(src + 16);
        ST(dst, x0), ST(dst + 16, x1);
        m0 = _mm256_max_epu16(m0, x0), m1 = _mm256_max_epu16(m1, x1);
    }
    bool two = end - src > 16;   /* 1 to 32 left: the first sixteen of them too */
    __m256i x0 = V(end - 16), x1 = V(two ? src : end - 16);
    ST(dend - 16, x0), ST(two ? dst : dend - 16, x1);
    return _mm256_max_epu16(_mm256_max_epu16(m0, m1), _mm256_max_epu16(x0, x1));
}

/* A row of cnt >= 32 values missing column `gap` into out: val[0..gap) at
 * 0, a zero at gap, val[gap..cnt) after it; returns the row's largest.
 * Each half is copied sixteen or more at a time, the shorter one first
 * with its excess (a copy of at least sixteen writes past its end, or
 * before its start, with values the longer half then overwrites). */
AVX2 static uint16_t expand_gap(const uint16_t *val, uint32_t gap, uint32_t cnt, uint16_t *out)
{
    uint32_t head = gap, tail = cnt - gap;
    __m256i m;
    if (head < tail) {   /* tail >= 16: the head copies up to 16, the tail from gap + 1 */
        m = copy_max(val, head < 16 ? 16 : head, out);
        m = _mm256_max_epu16(m, copy_max(val + gap, tail, out + gap + 1));
    } else {             /* head >= 16: the tail copies its last 16 or more, the head then */
        uint32_t t = tail < 16 ? 16 : tail;
        m = copy_max(val + cnt - t, t, out + cnt + 1 - t);
        m = _mm256_max_epu16(m, copy_max(val, head, out));
    }
    out[gap] = 0;
    return hmax16(m);
}

uint16_t yuma_avx2_expand_gap(const uint16_t *val, uint32_t gap, uint32_t cnt, uint16_t *out)
{
    return expand_gap(val, gap, cnt, out);
}

AVX2 static uint16_t max16(const uint16_t *v, uint32_t n)
{
    __m256i m2 = _mm256_setzero_si256();
    uint32_t j = 0;
    for (; j + 16 <= n; j += 16)
        m2 = _mm256_max_epu16(m2, V(v + j));
    __m128i mx = _mm_max_epu16(_mm256_castsi256_si128(m2), _mm256_extracti128_si256(m2, 1));
    for (; j < n; j += 8)
        mx = _mm_max_epu16(mx, _mm_loadu_si128((const __m128i *)(v + j)));
    /* the largest is 65535 minus the smallest of 65535 - x */
    mx = _mm_minpos_epu16(_mm_xor_si128(mx, _mm_set1_epi16(-1)));
    return (uint16_t)(65535 - _mm_extract_epi16(mx, 0));
}

uint16_t yuma_avx2_max16(const uint16_t *v, uint32_t n) { return max16(v, n); }

/* The column multipliers, shifts and incentive, for dividend4. */
typedef struct ycols {
    const uint64_t *hi, *lo, *sh, *inc;
} ycols;

/* e 2^32 / cs per column, e < 2^32, by the multipliers of
 * dense_reciprocals: with small (every e below 2^31) the round-up method,
 * q = floor(m e / 2^32) >> sh; else Granlund-Montgomery's (ydiv_u64 with
 * sh1 = 1, columns summing to at least 2): t = floor(m e / 2^32) and
 * q = (t + ((x - t) >> 1)) >> sh for x = e << 32. Then floor(q inc / 2^32).
 * Four columns from j. */
AVX2 static INLINE __m256i dividend4(ycols c, __m256i v, uint32_t j, const bool small)
{
    __m256i t = _mm256_add_epi64(_mm256_mul_epu32(v, V(c.hi + j)), MULHI(v, V(c.lo + j)));
    __m256i q = t;
    if (!small) {
        __m256i x = _mm256_slli_epi64(v, 32);
        q = _mm256_add_epi64(t, _mm256_srli_epi64(_mm256_sub_epi64(x, t), 1));
    }
    return MULHI(_mm256_srlv_epi64(q, V(c.sh + j)), V(c.inc + j));
}

/* floor(e 65535 / 2^32) for sixteen u32 e (columns 0-7 in a, 8-15 in b)
 * as u16 in column order. With e = hi 2^16 + lo it is hi - [lo <= hi] for
 * e > 0 (e 65535 = hi 2^32 + (lo - hi) 2^16 - lo, and the last two terms
 * are at least 0 exactly when lo > hi); e = 0 is never stored, so its
 * lane may hold anything. The halves are split by a byte shuffle per
 * vector, paired up by qword unpacks, then put in column order. */
AVX2 static INLINE __m256i to_u16x16(__m256i a, __m256i b)
{
    const __m256i split = _mm256_setr_epi8(0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15,
                                           0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15);
    __m256i sa = _mm256_shuffle_epi8(a, split), sb = _mm256_shuffle_epi8(b, split);
    __m256i lo = _mm256_unpacklo_epi64(sa, sb), hi = _mm256_unpackhi_epi64(sa, sb);
    __m256i le = _mm256_cmpeq_epi16(_mm256_max_epu16(lo, hi), hi);   /* lo <= hi: -1 */
    return _mm256_permute4x64_epi64(_mm256_add_epi16(hi, le), _MM_SHUFFLE(3, 1, 2, 0));
}

/* Sixteen stored bonds from a and b, written where they land once the
 * zeros before them are squeezed out. A group holding one zero (a
 * validator's own column) is written whole, then the lanes after the zero
 * again one place lower; one holding more goes one entry at a time. The
 * second write reaches 15 entries further (the buffers hold 16 past the
 * last entry, iota 16 past the stride). Returns the new count. */
AVX2 static INLINE uint32_t store16(__m256i a, __m256i b, uint32_t j, uint32_t len,
                                    const uint16_t *iota, uint16_t *col, uint16_t *val,
                                    uint32_t out)
{
    __m256i zero = _mm256_setzero_si256();
    unsigned z = (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(a, zero))) |
                 (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(b, zero))) << 8;
    z &= (1u << len) - 1;
    __m256i p = to_u16x16(a, b);
    if (!z) {
        ST(val + out, p);   /* the buffers hold 16 past the last entry, iota too */
        ST(col + out, V(iota + j));
        return out + len;
    }
    uint16_t v[32];
    ST(v, p);
    if (!(z & (z - 1))) {
        unsigned t = (unsigned)__builtin_ctz(z);
        ST(v + 16, _mm256_setzero_si256());
        ST(val + out, p);
        ST(col + out, V(iota + j));
        ST(val + out + t, V(v + t + 1));
        ST(col + out + t, V(iota + j + t + 1));
        return out + len - 1;
    }
    for (uint32_t t = 0; t < len; t++) {
        col[out] = (uint16_t)(j + t);
        val[out] = v[t];
        out += !((z >> t) & 1);
    }
    return out;
}

AVX2 static INLINE uint64_t row_out_groups(const ydense *d, const uint32_t *e, uint16_t *col,
                                           uint16_t *val, uint32_t *stored, const bool total,
                                           const bool store, const bool small, const bool whole)
{
    /* fields in locals: vector stores may alias anything, *d included */
    const ycols c = {d->gm_hi, d->gm_lo, d->gm_sh, d->inc};
    const uint16_t *iota = d->iota;
    const uint32_t stride = d->stride;
    __m256i zero = _mm256_setzero_si256(), tot = zero;
    uint32_t out = 0;
    for (uint32_t j = 0; j < stride; j += 16) {
        bool two = whole || j + 16 <= stride;   /* else the last eight */
        __m256i a = V(e + j), b = two ? V(e + j + 8) : zero;
        if (total) {
            tot = _mm256_add_epi64(tot, dividend4(c, _mm256_cvtepu32_epi64(_mm256_castsi256_si128(a)), j, small));
            tot = _mm256_add_epi64(tot, dividend4(c, _mm256_cvtepu32_epi64(_mm256_extracti128_si256(a, 1)), j + 4, small));
            if (two) {
                tot = _mm256_add_epi64(tot, dividend4(c, _mm256_cvtepu32_epi64(_mm256_castsi256_si128(b)), j + 8, small));
                tot = _mm256_add_epi64(tot, dividend4(c, _mm256_cvtepu32_epi64(_mm256_extracti128_si256(b, 1)), j + 12, small));
            }
        }
        if (store)
            out = store16(a, b, j, two ? 16 : 8, iota, col, val, out);
    }
    *stored = out;
    uint64_t t4[4];
    ST(t4, tot);
    return t4[0] + t4[1] + t4[2] + t4[3];
}

AVX2 static INLINE uint64_t row_out_mode(const ydense *d, const uint32_t *e, uint16_t *col,
                                         uint16_t *val, uint32_t *stored, const bool total,
                                         const bool store, const bool small)
{
    if (d->stride % 16 == 0)   /* no half group at the end: a copy without the checks */
        return row_out_groups(d, e, col, val, stored, total, store, small, true);
    return row_out_groups(d, e, col, val, stored, total, store, small, false);
}

AVX2 static uint64_t row_total(const ydense *d, const uint32_t *e, uint32_t *stored)
{
    return row_out_mode(d, e, NULL, NULL, stored, true, false, false);
}
AVX2 static uint64_t row_total_short(const ydense *d, const uint32_t *e, uint32_t *stored)
{
    return row_out_mode(d, e, NULL, NULL, stored, true, false, true);
}
AVX2 static uint64_t row_both(const ydense *d, const uint32_t *e, uint16_t *col, uint16_t *val,
                              uint32_t *stored)
{
    return row_out_mode(d, e, col, val, stored, true, true, false);
}
AVX2 static uint64_t row_both_short(const ydense *d, const uint32_t *e, uint16_t *col,
                                    uint16_t *val, uint32_t *stored)
{
    return row_out_mode(d, e, col, val, stored, true, true, true);
}
AVX2 static uint64_t row_store(const ydense *d, const uint32_t *e, uint16_t *col, uint16_t *val,
                               uint32_t *stored)
{
    return row_out_mode(d, e, col, val, stored, false, true, false);
}

uint64_t yuma_avx2_row_out(const ydense *d, const uint32_t *e, bool total, uint16_t *col,
                           uint16_t *val, uint32_t *stored)
{
    *stored = 0;
    if (!total)
        return val ? row_store(d, e, col, val, stored) : 0;
    if (!val)
        return d->gm_short ? row_total_short(d, e, stored) : row_total(d, e, stored);
    return d->gm_short ? row_both_short(d, e, col, val, stored) : row_both(d, e, col, val, stored);
}

/* Lanes where c[k] <= c[k - 1], sixteen k from p. */
AVX2 static INLINE __m256i not_above(const uint16_t *p)
{
    __m256i prev = V(p - 1);
    return _mm256_cmpeq_epi16(_mm256_max_epu16(prev, V(p)), prev);
}

/* Whether c[1..cnt) each exceed the one before (cnt >= 17): 32 a turn,
 * then what is left sixteen at a time, the last sixteen overlapping
 * (checking a pair twice is harmless). */
AVX2 static bool increasing(const uint16_t *c, uint32_t cnt)
{
    __m256i bad = _mm256_setzero_si256();
    uint32_t k = 1;
    for (; k + 32 <= cnt; k += 32)
        bad = _mm256_or_si256(bad, _mm256_or_si256(not_above(c + k), not_above(c + k + 16)));
    if (k + 16 <= cnt)
        bad = _mm256_or_si256(bad, not_above(c + k)), k += 16;
    if (k < cnt)
        bad = _mm256_or_si256(bad, not_above(c + cnt - 16));
    return _mm256_testz_si256(bad, bad);
}

/* Whether c[k] = k for k < cnt (cnt >= 16): a row naming every uid, the
 * dense subnet's usual row, is exactly that. 64 a turn, four running
 * index vectors, then sixteen at a time, the last sixteen overlapping. */
AVX2 static bool is_iota(const uint16_t *c, uint32_t cnt)
{
    __m256i k0 = _mm256_setr_epi16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m256i s16 = _mm256_set1_epi16(16), s64 = _mm256_set1_epi16(64);
    __m256i k1 = _mm256_add_epi16(k0, s16), k2 = _mm256_add_epi16(k1, s16);
    __m256i k3 = _mm256_add_epi16(k2, s16);
    __m256i d0 = _mm256_setzero_si256(), d1 = d0;
    uint32_t j = 0;
    for (; j + 64 <= cnt; j += 64) {
        d0 = _mm256_or_si256(d0, _mm256_or_si256(_mm256_xor_si256(V(c + j), k0),
                                                 _mm256_xor_si256(V(c + j + 16), k1)));
        d1 = _mm256_or_si256(d1, _mm256_or_si256(_mm256_xor_si256(V(c + j + 32), k2),
                                                 _mm256_xor_si256(V(c + j + 48), k3)));
        k0 = _mm256_add_epi16(k0, s64), k1 = _mm256_add_epi16(k1, s64);
        k2 = _mm256_add_epi16(k2, s64), k3 = _mm256_add_epi16(k3, s64);
    }
    for (; j + 16 <= cnt; j += 16) {
        d0 = _mm256_or_si256(d0, _mm256_xor_si256(V(c + j), k0));
        k0 = _mm256_add_epi16(k0, s16);
    }
    if (j < cnt) {   /* k0 - (j + 16 - cnt) are the indices from cnt - 16 */
        __m256i back = _mm256_set1_epi16((short)(j + 16 - cnt));
        d1 = _mm256_or_si256(d1, _mm256_xor_si256(V(c + cnt - 16), _mm256_sub_epi16(k0, back)));
    }
    d0 = _mm256_or_si256(d0, d1);
    return _mm256_testz_si256(d0, d0);
}

/* Whether the offsets never fall (then each row also ends at or before
 * rs[rows]), and which rows hold entries: bit i of nonempty. */
AVX2 static bool offsets_ok(const uint32_t *rs, uint32_t rows, uint8_t *nonempty)
{
    __m256i fall = _mm256_setzero_si256();
    uint32_t i = 0;
    for (; i + 8 <= rows; i += 8) {
        __m256i a = V(rs + i), b = V(rs + i + 1);
        fall = _mm256_or_si256(fall, _mm256_xor_si256(_mm256_cmpeq_epi32(_mm256_max_epu32(a, b), b),
                                                      _mm256_set1_epi32(-1)));
        nonempty[i / 8] = (uint8_t)~_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(a, b)));
    }
    bool ok = _mm256_testz_si256(fall, fall);
    if (i < rows)
        nonempty[i / 8] = 0;
    for (; i < rows; i++) {
        ok &= rs[i + 1] >= rs[i];
        nonempty[i / 8] |= (uint8_t)((rs[i + 1] != rs[i]) << (i % 8));
    }
    return ok;
}

/* Every row of a CSR matrix: offsets that never fall, columns strictly
 * increasing and below n. The rows with entries are found eight at a time
 * (most rows of a subnet hold no weights), the columns read only once the
 * offsets are known to stay inside the matrix. */
AVX2 static bool csr_ok(const uint32_t *rs, const uint16_t *col, uint32_t rows, uint32_t n)
{
    uint8_t nonempty[(YUMA_MAX_UIDS + 7) / 8 + 8];
    if (!offsets_ok(rs, rows, nonempty))
        return false;
    bool ok = true;
    for (uint32_t g = 0; g < (rows + 7) / 8; g++) {
        for (unsigned m = nonempty[g]; m; m &= m - 1) {
            uint32_t i = 8 * g + (uint32_t)__builtin_ctz(m), a = rs[i], cnt = rs[i + 1] - a;
            const uint16_t *c = col + a;
            ok &= c[cnt - 1] < n;
            if (cnt == n && cnt >= 16)
                ok &= is_iota(c, cnt);
            else if (cnt >= 17)
                ok &= increasing(c, cnt);
            else
                for (uint32_t k = 1; k < cnt; k++)
                    ok &= c[k] > c[k - 1];
        }
    }
    return ok;
}

bool yuma_avx2_csr_ok(const uint32_t *rs, const uint16_t *col, uint32_t rows, uint32_t n)
{
    return csr_ok(rs, col, rows, n);
}

#else

bool yuma_have_avx2(void) { return false; }

void yuma_avx2_rows8(const ydense *d, uint32_t j) { (void)d, (void)j; }
void yuma_avx2_rows16(const ydense *d, uint32_t j) { (void)d, (void)j; }
uint64_t yuma_avx2_scale_row(const uint16_t *src, uint32_t stride, uint64_t m, unsigned L,
                             uint32_t *out, bool total)
{
    (void)src, (void)stride, (void)m, (void)L, (void)out, (void)total;
    return 0;
}
uint64_t yuma_avx2_sum16(const uint16_t *v, uint32_t n, uint16_t *max)
{
    (void)v, (void)n, (void)max;
    return 0;
}
uint16_t yuma_avx2_max16(const uint16_t *v, uint32_t n)
{
    (void)v, (void)n;
    return 0;
}
uint16_t yuma_avx2_expand_gap(const uint16_t *val, uint32_t gap, uint32_t cnt, uint16_t *out)
{
    (void)val, (void)gap, (void)cnt, (void)out;
    return 0;
}
uint64_t yuma_avx2_row_out(const ydense *d, const uint32_t *e, bool total, uint16_t *col,
                           uint16_t *val, uint32_t *stored)
{
    (void)d, (void)e, (void)total, (void)col, (void)val;
    *stored = 0;
    return 0;
}

bool yuma_avx2_csr_ok(const uint32_t *rs, const uint16_t *col, uint32_t rows, uint32_t n)
{
    (void)rs, (void)col, (void)rows, (void)n;
    return false;
}

#endif
