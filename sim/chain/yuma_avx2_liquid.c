/* The dense core's row kernel with liquid alpha (AVX2 and FMA, chosen at
 * run time): yuma_avx2_rows8's clipping, ranks and validator trust, and each
 * EMA bond with its own alpha, four exps at a time by the bracket of
 * yuma_liquid.c (which says why it is exact). Lanes the bracket leaves
 * undecided take yuma_liquid_alpha, the series. test_yuma_math.c holds
 * alpha4 to the series on millions of exponents; test_yuma_fast.c holds
 * the kernel to the reference. */
#include "chain/yuma_fast.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(SUBNETSIM_NO_AVX2)

#include "chain/yuma_avx2_inl.h"

#define LN2_HI 6.93147180369123816490e-01   /* as yuma_liquid.c */
#define LN2_LO 1.90821492927058770002e-10
#define ETA 0x1p-16
#define PD(x) _mm256_set1_pd(x)

/* e^x for 0 <= x <= 8.5, as exp_poly in yuma_liquid.c: x = k ln 2 + r,
 * the Taylor polynomial of e^r to r^11, times 2^k. */
AVX2 static INLINE __m256d exp4(__m256d x)
{
    __m256d k = _mm256_round_pd(_mm256_mul_pd(x, PD(1.44269504088896338700)),
                                _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256d r = _mm256_fnmadd_pd(k, PD(LN2_LO), _mm256_fnmadd_pd(k, PD(LN2_HI), x));
#define TERM(c) p = _mm256_fmadd_pd(p, r, PD(c))
    __m256d p = PD(1.0 / 39916800.0);   /* 1/11!, then Horner down to 1 */
    TERM(1.0 / 3628800.0); TERM(1.0 / 362880.0); TERM(1.0 / 40320.0); TERM(1.0 / 5040.0);
    TERM(1.0 / 720.0); TERM(1.0 / 120.0); TERM(1.0 / 24.0); TERM(1.0 / 6.0); TERM(0.5);
    TERM(1.0); TERM(1.0);
#undef TERM
    /* 2^k for k in [0, 12]: the bits of k + 2^52 are 0x4330000000000000 + k */
    __m256i kb = _mm256_castpd_si256(_mm256_add_pd(k, PD(0x1p52)));
    __m256i e = _mm256_slli_epi64(_mm256_add_epi64(kb, _mm256_set1_epi64x(1023 - 0x4330000000000000)), 52);
    return _mm256_mul_pd(p, _mm256_castsi256_pd(e));
}

/* With q = 2^64 / den, an upper bound of 2^64 / (den - w), as in
 * yuma_liquid.c: q + q^2 w (1 + 2^-18) / 2^64. */
AVX2 static INLINE __m256d above(__m256d q, __m256d w)
{
    return _mm256_fmadd_pd(_mm256_mul_pd(q, q), _mm256_mul_pd(w, PD(0x1p-64 + 0x1p-82)), q);
}

/* The alphas of four exponents x (I32F32 bits, 64-bit lanes): the bracket
 * of yuma_liquid_bracket, lane by lane. Lanes it does not decide (and
 * x = 0, |x| = 1, |x| > 8) are set in *unsure. */
AVX2 static INLINE __m256i alpha4(__m256i x, __m256i lo, __m256i delta, __m256i *unsure)
{
    const __m256i zero = _mm256_setzero_si256(), one = _mm256_set1_epi64x(FX_ONE);
    __m256i neg = _mm256_cmpgt_epi64(zero, x);
    __m256i ax = _mm256_sub_epi64(_mm256_xor_si256(x, neg), neg);
    __m256i bad = _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi64(ax, zero), _mm256_cmpeq_epi64(ax, one)),
                                  _mm256_cmpgt_epi64(ax, _mm256_set1_epi64x((int64_t)8 << 32)));
    ax = _mm256_blendv_epi8(ax, one, bad);   /* keeps the arithmetic in range */
    __m256d xd = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(ax, _mm256_set1_epi64x(0x4330000000000000))),
                               PD(0x1p52));
    xd = _mm256_mul_pd(xd, PD(0x1p-32));
    __m256d a = _mm256_mul_pd(exp4(xd), PD(0x1p32));
    __m256d dmax = _mm256_blendv_pd(PD(88), PD(1913), _mm256_cmp_pd(xd, PD(6), _CMP_GT_OQ));
    __m256d rlo = _mm256_sub_pd(_mm256_mul_pd(a, PD(1 - 0x1p-39)), _mm256_add_pd(dmax, PD(1)));
    __m256d rhi = _mm256_add_pd(_mm256_mul_pd(a, PD(1 + 0x1p-39)), PD(1));
    __m256d negd = _mm256_castsi256_pd(neg), add = _mm256_andnot_pd(negd, PD(0x1p32));
    /* x > 0: sig in [i1, i2]; x < 0: e in [i1, i2], then sig from e */
    __m256d q1 = _mm256_div_pd(PD(0x1p64), _mm256_add_pd(rhi, add));
    __m256d i1 = _mm256_floor_pd(_mm256_sub_pd(q1, PD(ETA)));
    __m256d i2 = _mm256_floor_pd(_mm256_add_pd(above(q1, _mm256_sub_pd(rhi, rlo)), PD(ETA)));
    __m256d s1 = i1, s2 = i2;
    if (!_mm256_testz_si256(_mm256_andnot_si256(bad, neg), _mm256_andnot_si256(bad, neg))) {
        __m256d t = _mm256_div_pd(PD(0x1p64), _mm256_add_pd(i2, PD(0x1p32)));
        __m256d t1 = _mm256_floor_pd(_mm256_sub_pd(t, PD(ETA)));
        __m256d t2 = _mm256_floor_pd(_mm256_add_pd(above(t, _mm256_sub_pd(i2, i1)), PD(ETA)));
        s1 = _mm256_blendv_pd(i1, t1, negd);
        s2 = _mm256_blendv_pd(i2, t2, negd);
    }
    /* sig < 2^32: the bits of sig + 2^52 hold it in their low half */
    __m256i g1 = _mm256_castpd_si256(_mm256_add_pd(s1, PD(0x1p52)));
    __m256i g2 = _mm256_castpd_si256(_mm256_add_pd(s2, PD(0x1p52)));
    __m256i a1 = _mm256_add_epi64(lo, MULHI(g1, delta)), a2 = _mm256_add_epi64(lo, MULHI(g2, delta));
    *unsure = _mm256_or_si256(bad, _mm256_xor_si256(_mm256_cmpeq_epi64(a1, a2), _mm256_set1_epi64x(-1)));
    return a1;
}

/* The lanes alpha4 left undecided, by the series (rare). */
AVX2 __attribute__((noinline, cold)) static __m256i settle(__m256i alpha, __m256i unsure, __m256i y,
                                                          const yliq *L)
{
    uint32_t a[8], u[8];
    int32_t yy[8];
    _mm256_storeu_si256((__m256i *)a, alpha);
    _mm256_storeu_si256((__m256i *)u, unsure);
    _mm256_storeu_si256((__m256i *)yy, y);
    for (int l = 0; l < 8; l++)
        if (u[l])
            a[l] = (uint32_t)yuma_liquid_alpha(L, (fx)L->steep * yy[l]);
    return _mm256_loadu_si256((const __m256i *)a);
}

/* Each bond's alpha: alpha0 where d = 0, else from x = steep (d - 2^31). */
AVX2 static INLINE __m256i bond_alpha(__m256i dd, __m256i live, const yliq *L, __m256i lo,
                                      __m256i delta, __m256i steep, __m256i alpha0)
{
    if (_mm256_testz_si256(live, live))
        return alpha0;
    const __m256i low = _mm256_set1_epi64x(0xffffffff);
    __m256i y = _mm256_sub_epi32(dd, _mm256_set1_epi32(INT32_MIN));   /* d - 2^31, signed */
    __m256i ue, uo;
    __m256i ae = alpha4(_mm256_mul_epi32(y, steep), lo, delta, &ue);
    __m256i ao = alpha4(_mm256_mul_epi32(ODD(y), steep), lo, delta, &uo);
    __m256i alpha = _mm256_blendv_epi8(alpha0, _mm256_or_si256(ae, _mm256_slli_epi64(ao, 32)), live);
    __m256i u = _mm256_and_si256(_mm256_or_si256(_mm256_and_si256(ue, low), _mm256_andnot_si256(low, uo)), live);
    return _mm256_testz_si256(u, u) ? alpha : settle(alpha, u, y, L);
}

/* yuma_avx2_rows8 with liquid alpha: per bond of the weights for bonds
 * (present in the row, and not dropped by clipping or interpolation), d
 * from the weight, its consensus and bond, alpha from d, and the EMA
 * (1 - alpha) b + alpha wb (below 1: b and wb are). */
AVX2 static INLINE void liquid_mode(const ydense *d, uint32_t j, const int mode)
{
    const yliq *L = d->liq;
    const __m256i cons = V(d->cons + j), low = _mm256_set1_epi64x(0xffffffff);
    const __m256i zero = _mm256_setzero_si256(), rt = _mm256_set1_epi64x((int64_t)d->ratio);
    const __m256i lo = _mm256_set1_epi64x(L->lo), delta = _mm256_set1_epi64x((int64_t)L->delta);
    const __m256i steep = _mm256_set1_epi64x(L->steep), alpha0 = _mm256_set1_epi32((int32_t)L->alpha0);
    const __m256i bits = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
    const __m256i cons0 = _mm256_cmpeq_epi32(cons, zero);
    __m256i pre = zero, rk = zero, se = zero, so = zero, mx = zero;
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
        __m256i present = _mm256_set1_epi32(row->pres[j / 8]);
        present = _mm256_cmpeq_epi32(_mm256_and_si256(present, bits), bits);
        __m256i wb = c;
        if (mode == 0) {
            wb = w;
        } else if (mode == 1) {   /* clipped to a consensus of 0: dropped */
            __m256i gone = _mm256_andnot_si256(_mm256_cmpeq_epi32(w, zero), cons0);
            present = _mm256_andnot_si256(gone, present);
        } else {
            __m256i dl = _mm256_sub_epi32(w, c);
            __m256i ue = _mm256_add_epi64(_mm256_mul_epu32(dl, rt), low);
            __m256i uo = _mm256_add_epi64(_mm256_mul_epu32(ODD(dl), rt), low);
            wb = _mm256_sub_epi32(w, _mm256_blend_epi32(_mm256_srli_epi64(ue, 32), uo, 0xaa));
            present = _mm256_andnot_si256(_mm256_cmpeq_epi32(wb, zero), present);
        }
        __m256i b = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(row->b + j)));
        b = _mm256_or_si256(_mm256_slli_epi32(b, 16), b);
        /* d: how far wb is above consensus when at or above b, else below b */
        __m256i ge = _mm256_cmpeq_epi32(_mm256_max_epu32(wb, b), wb);
        __m256i dd = _mm256_blendv_epi8(_mm256_sub_epi32(b, wb),
                                        _mm256_sub_epi32(wb, _mm256_min_epu32(wb, cons)), ge);
        __m256i live = _mm256_andnot_si256(_mm256_cmpeq_epi32(dd, zero), present);
        __m256i alpha = bond_alpha(dd, live, L, lo, delta, steep, alpha0);
        __m256i keep = _mm256_sub_epi32(zero, alpha);   /* 2^32 - alpha, alpha >= lo >= 1 */
        __m256i e = _mm256_add_epi32(mulhi8v(b, keep), mulhi8v(wb, alpha));
        e = _mm256_and_si256(e, present);
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

AVX2 static void liquid_w(const ydense *d, uint32_t j) { liquid_mode(d, j, 0); }
AVX2 static void liquid_clip(const ydense *d, uint32_t j) { liquid_mode(d, j, 1); }
AVX2 static void liquid_interp(const ydense *d, uint32_t j) { liquid_mode(d, j, 2); }

void yuma_avx2_rows8_liquid(const ydense *d, uint32_t j)
{
    if (d->wb_mode == 0)
        liquid_w(d, j);
    else if (d->wb_mode == 1)
        liquid_clip(d, j);
    else
        liquid_interp(d, j);
}

AVX2 static void alpha4_test(const yliq *L, const int64_t x[4], fx alpha[4], bool unsure[4])
{
    __m256i u, a = alpha4(V(x), _mm256_set1_epi64x(L->lo), _mm256_set1_epi64x((int64_t)L->delta), &u);
    int64_t uu[4];
    ST(alpha, a);
    ST(uu, u);
    for (int l = 0; l < 4; l++)
        unsure[l] = uu[l] != 0;
}

void yuma_avx2_liquid_alpha4(const yliq *L, const int64_t x[4], fx alpha[4], bool unsure[4])
{
    alpha4_test(L, x, alpha, unsure);
}

#else

void yuma_avx2_rows8_liquid(const ydense *d, uint32_t j) { (void)d, (void)j; }
void yuma_avx2_liquid_alpha4(const yliq *L, const int64_t x[4], fx alpha[4], bool unsure[4])
{
    (void)L, (void)x;
    for (int l = 0; l < 4; l++)
        alpha[l] = 0, unsure[l] = true;
}

#endif
