/* AVX2 kernels of the per-uid steps: the dense core's trust, consensus
 * and incentive per column (yuma_dense.c), the normalisations, and the
 * epoch's last step (yuma.c emission): the emission shares in rao and the
 * u16 outputs, four uids a vector. Held bit for bit to the scalar steps by
 * test_yuma_fast.c. */
#include "chain/yuma_fast.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(SUBNETSIM_NO_AVX2)

#include "chain/yuma_avx2_inl.h"

/* safe_div(x, sum) by the reciprocal v for 0 <= x < 2^32, x <= sum
 * (ydiv_u64 of x << 32; sh1 is 1 for sum >= 2). */
AVX2 static INLINE __m256i share4(__m256i x, __m256i mhi, __m256i mlo, __m128i sh2)
{
    __m256i t = _mm256_add_epi64(_mm256_mul_epu32(x, mhi), MULHI(x, mlo));
    __m256i n = _mm256_slli_epi64(x, 32);
    return _mm256_srl_epi64(_mm256_add_epi64(t, _mm256_srli_epi64(_mm256_sub_epi64(n, t), 1)), sh2);
}

/* floor(q rao / 2^32) for q < 2^32: q rao_hi + floor(q rao_lo / 2^32). */
AVX2 static INLINE __m256i rao4(__m256i q, __m256i rhi, __m256i rlo)
{
    return _mm256_add_epi64(_mm256_mul_epu32(q, rhi), MULHI(q, rlo));
}

/* fixed_proportion_to_u16 of x in [0, 1]: ((x << 16) - x) >> 32, four
 * of them stored as u16. */
AVX2 static INLINE void u16x4(uint16_t *out, __m256i x)
{
    __m256i u = _mm256_srli_epi64(_mm256_sub_epi64(_mm256_slli_epi64(x, 16), x), 32);
    __m256i pick = _mm256_setr_epi8(0, 1, 8, 9, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                    0, 1, 8, 9, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
    __m256i p = _mm256_shuffle_epi8(u, pick);
    uint32_t lo = (uint32_t)_mm256_extract_epi32(p, 0), hi = (uint32_t)_mm256_extract_epi32(p, 4);
    uint64_t v = lo | (uint64_t)hi << 32;
    __builtin_memcpy(out, &v, sizeof v);
}

/* Uids [0, n4) (n4 a multiple of 4) where every value is in [0, 1] and
 * every share below 1; returns how many it did (it stops at the first
 * group that is not so). The shares are of sum (>= 2) by v. */
AVX2 static uint32_t emission4(yuma_ws *ws, uint64_t rao, ydiv v, uint32_t n4)
{
    const __m256i one = _mm256_set1_epi64x(FX_ONE), zero = _mm256_setzero_si256();
    const __m256i mhi = _mm256_set1_epi64x((int64_t)(v.m >> 32));
    const __m256i mlo = _mm256_set1_epi64x((int64_t)(v.m & 0xffffffffu));
    const __m256i rhi = _mm256_set1_epi64x((int64_t)(rao >> 32));
    const __m256i rlo = _mm256_set1_epi64x((int64_t)(rao & 0xffffffffu));
    const __m128i sh2 = _mm_cvtsi32_si128(v.sh2);
    uint32_t i = 0;
    for (; i < n4; i += 4) {
        __m256i inc = V(ws->incentive + i), div = V(ws->dividends + i), comb = _mm256_add_epi64(inc, div);
        /* shares below 1 need combined below 2^32 (signed compare: all >= 0) */
        __m256i bad = _mm256_or_si256(_mm256_cmpgt_epi64(zero, inc), _mm256_cmpgt_epi64(zero, div));
        bad = _mm256_or_si256(bad, _mm256_cmpgt_epi64(comb, _mm256_sub_epi64(one, _mm256_set1_epi64x(1))));
        __m256i st = V(ws->stake + i), tr = V(ws->trust + i), cn = V(ws->consensus + i), vt = V(ws->vtrust + i);
        __m256i big = _mm256_or_si256(_mm256_or_si256(_mm256_cmpgt_epi64(st, one), _mm256_cmpgt_epi64(tr, one)),
                                      _mm256_or_si256(_mm256_cmpgt_epi64(cn, one), _mm256_cmpgt_epi64(vt, one)));
        bad = _mm256_or_si256(bad, _mm256_or_si256(big, _mm256_or_si256(_mm256_cmpgt_epi64(zero, tr),
                                                                            _mm256_cmpgt_epi64(zero, vt))));
        if (!_mm256_testz_si256(bad, bad))
            break;
        _mm256_storeu_si256((__m256i *)(ws->o_server + i), rao4(share4(inc, mhi, mlo, sh2), rhi, rlo));
        _mm256_storeu_si256((__m256i *)(ws->o_validator + i), rao4(share4(div, mhi, mlo, sh2), rhi, rlo));
        _mm256_storeu_si256((__m256i *)(ws->o_emission + i), rao4(share4(comb, mhi, mlo, sh2), rhi, rlo));
        u16x4(ws->o_stake + i, st);
        u16x4(ws->o_rank + i, inc);
        u16x4(ws->o_trust + i, tr);
        u16x4(ws->o_consensus + i, cn);
        u16x4(ws->o_incentive + i, inc);
        u16x4(ws->o_dividends + i, div);
        u16x4(ws->o_vtrust + i, vt);
    }
    return i;
}

uint32_t yuma_avx2_emission(yuma_ws *ws, uint64_t rao, ydiv v, uint32_t n4)
{
    return emission4(ws, rao, v, n4);
}

/* u64 lanes below 2^52 as doubles: the bits of 2^52 + x, less 2^52. */
AVX2 static INLINE __m256d to_double(__m256i x)
{
    const __m256d magic = _mm256_set1_pd(4503599627370496.0);
    return _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(x, _mm256_castpd_si256(magic))), magic);
}

/* floor(a 2^32 / b) for 0 <= a <= b, a < 2^32, b <= 2^32 (yuma_dense.c
 * div32, four at a time): the double quotient rounded to an integer by
 * adding 2^52 (within one of the floor: its error is below 2^-19), then
 * corrected by the remainder a 2^32 - q b, which is below 2^34 in size and
 * so exact in wrapping 64-bit arithmetic (q b's low half from three 32-bit
 * products: q and b have at most two bits above 32). */
AVX2 static INLINE __m256i div32x4(__m256i a, __m256i b)
{
    const __m256d magic = _mm256_set1_pd(4503599627370496.0), two32 = _mm256_set1_pd(4294967296.0);
    __m256d qd = _mm256_div_pd(_mm256_mul_pd(to_double(a), two32), to_double(b));
    __m256i q = _mm256_sub_epi64(_mm256_castpd_si256(_mm256_add_pd(qd, magic)), _mm256_castpd_si256(magic));
    __m256i cross = _mm256_add_epi64(_mm256_mul_epu32(ODD(q), b), _mm256_mul_epu32(q, ODD(b)));
    __m256i qb = _mm256_add_epi64(_mm256_mul_epu32(q, b), _mm256_slli_epi64(cross, 32));
    __m256i r = _mm256_sub_epi64(_mm256_slli_epi64(a, 32), qb);
    __m256i below = _mm256_cmpgt_epi64(_mm256_setzero_si256(), r);                    /* q - 1 */
    __m256i above = _mm256_cmpgt_epi64(r, _mm256_sub_epi64(b, _mm256_set1_epi64x(1)));   /* q + 1 */
    return _mm256_sub_epi64(_mm256_add_epi64(q, below), above);
}

/* Columns [0, n4) (n4 a multiple of 4) of the dense core: consensus as
 * I32F32, trust = ranks / preranks (0 where preranks are), incentive =
 * ranks, still to be normalised; stops at the first group with a rank of
 * 1 or more (the scalar loop's fx_safe_div). Returns the columns done and
 * adds their ranks to *sum. */
AVX2 static uint32_t trust4(const ydense *d, fx *consensus, fx *trust, fx *incentive,
                            uint32_t n4, uint64_t *sum)
{
    const __m256i zero = _mm256_setzero_si256(), one = _mm256_set1_epi64x(FX_ONE - 1);
    const __m256i yw_one = _mm256_set1_epi64x(YW_ONE);
    __m256i total = zero;
    uint32_t j = 0;
    for (; j < n4; j += 4) {
        __m256i rk = V(d->ranks + j), pre = V(d->pre + j);
        if (!_mm256_testz_si256(_mm256_cmpgt_epi64(rk, one), _mm256_cmpgt_epi64(rk, one)))
            break;   /* ranks are >= 0 */
        __m256i t = _mm256_andnot_si256(_mm256_cmpeq_epi64(pre, zero), div32x4(rk, pre));
        __m256i c = _mm256_cvtepu32_epi64(_mm_loadu_si128((const __m128i *)(d->cons + j)));
        ST(consensus + j, _mm256_sub_epi64(c, _mm256_cmpeq_epi64(c, yw_one)));   /* YW_ONE: 2^32 */
        ST(trust + j, t);
        ST(incentive + j, rk);
        total = _mm256_add_epi64(total, rk);
    }
    uint64_t t4[4];
    ST(t4, total);
    *sum += t4[0] + t4[1] + t4[2] + t4[3];
    return j;
}

uint32_t yuma_avx2_trust(const ydense *d, fx *consensus, fx *trust, fx *incentive, uint32_t n4,
                         uint64_t *sum)
{
    return trust4(d, consensus, trust, incentive, n4, sum);
}

/* dense_reciprocals' test of columns [0, n4), four at a time: the vector
 * path cannot take a column with an incentive of 1 or more, an EMA bond at
 * or above its column sum (one row holds the column) or one that did not
 * fit u32 lanes (emax saturated). Copies the incentive to d->inc; returns
 * whether every column passes, and the largest EMA bond bound in *big. */
AVX2 static bool columns4(ydense *d, const fx *incentive, uint32_t n4, uint64_t *big)
{
    const __m256i zero = _mm256_setzero_si256(), top_inc = _mm256_set1_epi64x(FX_ONE - 1);
    const __m256i sat = _mm256_set1_epi64x(UINT32_MAX), live = _mm256_set1_epi64x((int64_t)d->live_max);
    __m256i bad = zero, tops = zero;
    for (uint32_t j = 0; j < n4; j += 4) {   /* every value below 2^63: signed compares */
        __m256i cs = V(d->cs + j), inc = V(incentive + j);
        __m256i em = _mm256_cvtepu32_epi64(_mm_loadu_si128((const __m128i *)(d->emax + j)));
        __m256i top = _mm256_blendv_epi8(live, em, _mm256_cmpgt_epi64(em, live));
        __m256i why = _mm256_or_si256(_mm256_cmpgt_epi64(inc, top_inc), _mm256_cmpeq_epi64(em, sat));
        why = _mm256_or_si256(why, _mm256_xor_si256(_mm256_cmpgt_epi64(cs, top), _mm256_set1_epi64x(-1)));
        __m256i some = _mm256_or_si256(_mm256_cmpeq_epi64(inc, zero), _mm256_cmpeq_epi64(cs, zero));
        bad = _mm256_or_si256(bad, _mm256_andnot_si256(some, why));
        tops = _mm256_or_si256(tops, top);
        ST(d->inc + j, inc);
    }
    uint64_t t4[4];
    ST(t4, tops);
    *big |= t4[0] | t4[1] | t4[2] | t4[3];
    return _mm256_testz_si256(bad, bad);
}

bool yuma_avx2_columns(ydense *d, const fx *incentive, uint32_t n4, uint64_t *big)
{
    return columns4(d, incentive, n4, big);
}

AVX2 static uint32_t divide4(fx *x, uint32_t n4, ydiv v)
{
    const __m256i mhi = _mm256_set1_epi64x((int64_t)(v.m >> 32));
    const __m256i mlo = _mm256_set1_epi64x((int64_t)(v.m & 0xffffffffu));
    const __m128i sh2 = _mm_cvtsi32_si128(v.sh2);
    const __m256i top = _mm256_set1_epi64x(FX_ONE - 1);
    uint32_t i = 0;
    for (; i < n4; i += 4) {
        __m256i a = V(x + i);
        if (!_mm256_testz_si256(_mm256_cmpgt_epi64(a, top), _mm256_cmpgt_epi64(a, top)))
            break;   /* values are >= 0 */
        ST(x + i, share4(a, mhi, mlo, sh2));
    }
    return i;
}

uint32_t yuma_avx2_divide(fx *x, uint32_t n4, ydiv v) { return divide4(x, n4, v); }

#else

bool yuma_avx2_columns(ydense *d, const fx *incentive, uint32_t n4, uint64_t *big)
{
    (void)d, (void)incentive, (void)n4, (void)big;
    return false;
}

uint32_t yuma_avx2_trust(const ydense *d, fx *consensus, fx *trust, fx *incentive, uint32_t n4,
                         uint64_t *sum)
{
    (void)d, (void)consensus, (void)trust, (void)incentive, (void)n4, (void)sum;
    return 0;
}

uint32_t yuma_avx2_emission(yuma_ws *ws, uint64_t rao, ydiv v, uint32_t n4)
{
    (void)ws, (void)rao, (void)v, (void)n4;
    return 0;
}

uint32_t yuma_avx2_divide(fx *x, uint32_t n4, ydiv v)
{
    (void)x, (void)n4, (void)v;
    return 0;
}

#endif
