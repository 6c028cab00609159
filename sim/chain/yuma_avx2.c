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

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))

#include <immintrin.h>

#define AVX2 __attribute__((target("avx2")))
#define INLINE inline __attribute__((always_inline))

#define V(p) _mm256_loadu_si256((const __m256i *)(p))
#define ST(p, v) _mm256_storeu_si256((__m256i *)(p), v)
/* floor(a b / 2^32) of the even u32 lanes of a and the 64-bit lanes of b */
#define MULHI(a, b) _mm256_srli_epi64(_mm256_mul_epu32(a, b), 32)
#define ODD(a) _mm256_srli_epi64(a, 32)

bool yuma_have_avx2(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2");
}

/* Even-column and odd-column 64-bit sums, stored for columns 0..7 in order. */
AVX2 static void store_columns(uint64_t *out, __m256i even, __m256i odd)
{
    __m256i lo = _mm256_unpacklo_epi64(even, odd);   /* columns 0 1 | 4 5 */
    __m256i hi = _mm256_unpackhi_epi64(even, odd);   /* columns 2 3 | 6 7 */
    ST(out, _mm256_permute2x128_si256(lo, hi, 0x20));
    ST(out + 4, _mm256_permute2x128_si256(lo, hi, 0x31));
}

/* Columns j..j+7 of the rows that are not careful. Per row: the clipped
 * weights c = min(w, consensus); ranks += s w and s c; validator trust += c;
 * the weights for bonds wb (w, c, or w - ceil(ratio (w - c)), the chain's
 * interpolation with its floor); the EMA alpha wb + keep b, its column sums
 * and maxima. mode is a constant in each copy the compiler makes. */
AVX2 static INLINE void rows8_mode(const ydense *d, uint32_t j, const int mode)
{
    const __m256i cons = V(d->cons + j), low = _mm256_set1_epi64x(0xffffffff);
    const __m256i al = _mm256_set1_epi64x((int64_t)d->alpha);
    const __m256i kp = _mm256_set1_epi64x((int64_t)d->keep);
    const __m256i rt = _mm256_set1_epi64x((int64_t)d->ratio);
    __m256i pe = _mm256_setzero_si256(), po = pe, re = pe, ro = pe, se = pe, so = pe, mx = pe;
    for (uint32_t r = 0; r < d->rows; r++) {
        if (d->careful[r])
            continue;
        size_t at = (size_t)r * d->stride + j;
        __m256i w = V(d->w + at), w_o = ODD(w);
        __m256i c = _mm256_min_epu32(w, cons), c_o = ODD(c);
        uint64_t s = d->s[r];
        if (s) {
            __m256i sv = _mm256_set1_epi64x((int64_t)s);
            pe = _mm256_add_epi64(pe, MULHI(w, sv));
            po = _mm256_add_epi64(po, MULHI(w_o, sv));
            re = _mm256_add_epi64(re, MULHI(c, sv));
            ro = _mm256_add_epi64(ro, MULHI(c_o, sv));
        }
        uint64_t *vt = d->vt + 4 * (size_t)r;
        ST(vt, _mm256_add_epi64(V(vt), _mm256_add_epi64(_mm256_and_si256(c, low), c_o)));
        __m256i wb = c, wb_o = c_o;
        if (mode == 0) {
            wb = w, wb_o = w_o;
        } else if (mode == 2) {
            __m256i dl = _mm256_sub_epi32(w, c);
            __m256i ue = _mm256_srli_epi64(_mm256_add_epi64(_mm256_mul_epu32(dl, rt), low), 32);
            __m256i uo = _mm256_srli_epi64(_mm256_add_epi64(_mm256_mul_epu32(ODD(dl), rt), low), 32);
            wb = _mm256_sub_epi32(w, _mm256_or_si256(ue, _mm256_slli_epi64(uo, 32)));
            wb_o = ODD(wb);
        }
        /* b * 65537 is b / 65535 as I32F32 bits below 1 (a bond of 1 is careful) */
        __m256i b = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(d->b[r] + j)));
        b = _mm256_or_si256(_mm256_slli_epi32(b, 16), b);
        __m256i ee = _mm256_add_epi64(MULHI(wb, al), MULHI(b, kp));
        __m256i eo = _mm256_add_epi64(MULHI(wb_o, al), MULHI(ODD(b), kp));
        se = _mm256_add_epi64(se, ee);
        so = _mm256_add_epi64(so, eo);
        __m256i e = _mm256_or_si256(ee, _mm256_slli_epi64(eo, 32));
        ST(d->e + at, e);
        mx = _mm256_max_epu32(mx, e);
    }
    store_columns(d->pre + j, pe, po);
    store_columns(d->ranks + j, re, ro);
    store_columns(d->cs + j, se, so);
    ST(d->emax + j, mx);
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

/* floor(w m / 2^L) = (w m_hi + floor(w m_lo / 2^32)) >> (L - 32). */
AVX2 static void scale_row(const uint16_t *src, uint32_t stride, uint64_t m, unsigned L,
                           uint32_t *out)
{
    __m256i mhi = _mm256_set1_epi64x((int64_t)(m >> 32));
    __m256i mlo = _mm256_set1_epi64x((int64_t)(m & 0xffffffffu));
    __m128i sh = _mm_cvtsi32_si128((int)(L - 32));
    for (uint32_t j = 0; j < stride; j += 8) {
        __m256i w = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(src + j)));
        __m256i w_o = ODD(w);
        __m256i qe = _mm256_add_epi64(_mm256_mul_epu32(w, mhi), MULHI(w, mlo));
        __m256i qo = _mm256_add_epi64(_mm256_mul_epu32(w_o, mhi), MULHI(w_o, mlo));
        qe = _mm256_srl_epi64(qe, sh);
        qo = _mm256_srl_epi64(qo, sh);
        ST(out + j, _mm256_or_si256(qe, _mm256_slli_epi64(qo, 32)));
    }
}

void yuma_avx2_scale_row(const uint16_t *src, uint32_t stride, uint64_t m, unsigned L,
                         uint32_t *out)
{
    scale_row(src, stride, m, L, out);
}

AVX2 static uint64_t sum16(const uint16_t *v, uint32_t n, uint16_t *max)
{
    __m256i acc = _mm256_setzero_si256();
    __m128i mx = _mm_setzero_si128();
    for (uint32_t j = 0; j < n; j += 8) {
        __m128i x = _mm_loadu_si128((const __m128i *)(v + j));
        mx = _mm_max_epu16(mx, x);
        acc = _mm256_add_epi32(acc, _mm256_cvtepu16_epi32(x));   /* < 2^29 a lane */
    }
    uint32_t a[8];
    uint16_t m[8];
    ST(a, acc);
    _mm_storeu_si128((__m128i *)m, mx);
    uint64_t s = 0;
    uint16_t hi = 0;
    for (int l = 0; l < 8; l++) {
        s += a[l];
        hi = m[l] > hi ? m[l] : hi;
    }
    *max = hi;
    return s;
}

uint64_t yuma_avx2_sum16(const uint16_t *v, uint32_t n, uint16_t *max) { return sum16(v, n, max); }

/* Granlund-Montgomery per column (ydiv_u64 with sh1 = 1, columns summing
 * to at least 2): q = (t + ((x - t) >> 1)) >> sh2, t = mulhi(m, x), for
 * x = e << 32 with e < 2^32; then floor(q inc / 2^32). */
AVX2 static uint64_t bond_total(const ydense *d, const uint32_t *e)
{
    __m256i tot = _mm256_setzero_si256();
    for (uint32_t j = 0; j < d->stride; j += 4) {
        __m256i v = _mm256_cvtepu32_epi64(_mm_loadu_si128((const __m128i *)(e + j)));
        __m256i t = _mm256_add_epi64(_mm256_mul_epu32(v, V(d->gm_hi + j)), MULHI(v, V(d->gm_lo + j)));
        __m256i x = _mm256_slli_epi64(v, 32);
        __m256i q = _mm256_add_epi64(t, _mm256_srli_epi64(_mm256_sub_epi64(x, t), 1));
        q = _mm256_srlv_epi64(q, V(d->gm_sh + j));
        tot = _mm256_add_epi64(tot, MULHI(q, V(d->inc + j)));
    }
    uint64_t t4[4];
    ST(t4, tot);
    return t4[0] + t4[1] + t4[2] + t4[3];
}

uint64_t yuma_avx2_bond_total(const ydense *d, const uint32_t *e) { return bond_total(d, e); }

/* floor(e 65535 / 2^32) = (e >> 16) - [(e << 16) < e] for e < 2^32 (u32). */
AVX2 static INLINE __m256i to_u16(__m256i e)
{
    __m256i el = _mm256_slli_epi32(e, 16);
    __m256i ge = _mm256_cmpeq_epi32(_mm256_max_epu32(el, e), el);
    return _mm256_sub_epi32(_mm256_srli_epi32(e, 16), _mm256_andnot_si256(ge, _mm256_set1_epi32(1)));
}

/* All n converted in order, then the entries of zeros squeezed out (a
 * validator's own column usually is one): each run between zeros moves
 * left by the zeros before it. */
AVX2 static uint32_t store_row(const uint32_t *e, uint32_t n, const uint16_t *iota,
                               uint16_t *col, uint16_t *val)
{
    __m256i zero = _mm256_setzero_si256(), any = zero;
    for (uint32_t j = 0; j < n; j += 8) {
        __m256i a = V(e + j);
        any = _mm256_or_si256(any, _mm256_cmpeq_epi32(a, zero));
        __m256i p = _mm256_permute4x64_epi64(_mm256_packus_epi32(to_u16(a), to_u16(a)), 0x08);
        _mm_storeu_si128((__m128i *)(val + j), _mm256_castsi256_si128(p));
    }
    memcpy(col, iota, n * sizeof *col);
    if (_mm256_testz_si256(any, any))
        return n;
    uint32_t out = 0, from = 0;   /* entries [from, j) are kept, next to go at out */
    for (uint32_t g = 0; g < n; g += 8) {
        __m256i z = _mm256_cmpeq_epi32(V(e + g), zero);
        for (unsigned m = (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(z)); m; m &= m - 1) {
            uint32_t j = g + (uint32_t)__builtin_ctz(m);
            memmove(col + out, col + from, (j - from) * sizeof *col);
            memmove(val + out, val + from, (j - from) * sizeof *val);
            out += j - from, from = j + 1;
        }
    }
    memmove(col + out, col + from, (n - from) * sizeof *col);
    memmove(val + out, val + from, (n - from) * sizeof *val);
    return out + n - from;
}

uint32_t yuma_avx2_store_row(const uint32_t *e, uint32_t n, const uint16_t *iota,
                             uint16_t *col, uint16_t *val)
{
    return store_row(e, n, iota, col, val);
}

AVX2 static bool iota16(const uint16_t *c, uint32_t n)
{
    __m256i idx = _mm256_setr_epi16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    __m256i step = _mm256_set1_epi16(16), diff = _mm256_setzero_si256();
    uint32_t k = 0;
    for (; k + 16 <= n; k += 16) {
        diff = _mm256_or_si256(diff, _mm256_xor_si256(V(c + k), idx));
        idx = _mm256_add_epi16(idx, step);
    }
    bool same = _mm256_testz_si256(diff, diff);
    for (; k < n; k++)
        same &= c[k] == k;
    return same;
}

bool yuma_avx2_iota16(const uint16_t *c, uint32_t n) { return iota16(c, n); }

#else

bool yuma_have_avx2(void) { return false; }

void yuma_avx2_rows8(const ydense *d, uint32_t j) { (void)d, (void)j; }
void yuma_avx2_scale_row(const uint16_t *src, uint32_t stride, uint64_t m, unsigned L,
                         uint32_t *out)
{
    (void)src, (void)stride, (void)m, (void)L, (void)out;
}
uint64_t yuma_avx2_sum16(const uint16_t *v, uint32_t n, uint16_t *max)
{
    (void)v, (void)n, (void)max;
    return 0;
}
uint64_t yuma_avx2_bond_total(const ydense *d, const uint32_t *e)
{
    (void)d, (void)e;
    return 0;
}
uint32_t yuma_avx2_store_row(const uint32_t *e, uint32_t n, const uint16_t *iota,
                             uint16_t *col, uint16_t *val)
{
    (void)e, (void)n, (void)iota, (void)col, (void)val;
    return 0;
}
bool yuma_avx2_iota16(const uint16_t *c, uint32_t n)
{
    (void)c, (void)n;
    return false;
}

#endif
