/* yuma_avx2_inl: small vector helpers the AVX2 kernels share (private to
 * sim/chain/yuma_avx2*.c; include inside their x86-64 guard). */
#ifndef SUBNETSIM_YUMA_AVX2_INL_H
#define SUBNETSIM_YUMA_AVX2_INL_H

#include <immintrin.h>

#define AVX2 __attribute__((target("avx2,fma")))
#define INLINE inline __attribute__((always_inline))

#define V(p) _mm256_loadu_si256((const __m256i *)(p))
#define ST(p, v) _mm256_storeu_si256((__m256i *)(p), v)
/* floor(a b / 2^32) of the even u32 lanes of a and the 64-bit lanes of b */
#define MULHI(a, b) _mm256_srli_epi64(_mm256_mul_epu32(a, b), 32)
#define ODD(a) _mm256_srli_epi64(a, 32)

/* floor(a b / 2^32) for each u32 lane of a (a_odd = ODD(a)) and b < 2^32
 * in 64-bit lanes: the high halves of the even and odd products, blended. */
AVX2 static INLINE __m256i mulhi8(__m256i a, __m256i a_odd, __m256i b)
{
    __m256i pe = _mm256_mul_epu32(a, b), po = _mm256_mul_epu32(a_odd, b);
    return _mm256_blend_epi32(_mm256_srli_epi64(pe, 32), po, 0xaa);
}

/* mulhi8 in pair-swapped order: lanes 0 2 1 3 | 4 6 5 7 of a (one
 * shuffle picks the high halves of both products where mulhi8 shifts and
 * blends). The order is its own inverse: unswap() puts it back. Sums of
 * such products may be kept swapped and put back once. */
AVX2 static INLINE __m256i mulhi8_swapped(__m256i a, __m256i a_odd, __m256i b)
{
    __m256 pe = _mm256_castsi256_ps(_mm256_mul_epu32(a, b));
    __m256 po = _mm256_castsi256_ps(_mm256_mul_epu32(a_odd, b));
    return _mm256_castps_si256(_mm256_shuffle_ps(pe, po, _MM_SHUFFLE(3, 1, 3, 1)));
}

AVX2 static INLINE __m256i unswap(__m256i x) { return _mm256_shuffle_epi32(x, _MM_SHUFFLE(3, 1, 2, 0)); }

/* The same with a multiplier per u32 lane. */
AVX2 static INLINE __m256i mulhi8v(__m256i a, __m256i m)
{
    __m256i pe = _mm256_mul_epu32(a, m), po = _mm256_mul_epu32(ODD(a), ODD(m));
    return _mm256_blend_epi32(_mm256_srli_epi64(pe, 32), po, 0xaa);
}

/* u32 lanes as 64-bit numbers, columns 0..7 in order. */
AVX2 static INLINE void store_wide(uint64_t *out, __m256i v)
{
    ST(out, _mm256_cvtepu32_epi64(_mm256_castsi256_si128(v)));
    ST(out + 4, _mm256_cvtepu32_epi64(_mm256_extracti128_si256(v, 1)));
}

/* Even-column and odd-column 64-bit sums, stored for columns 0..7 in order. */
AVX2 static INLINE void store_columns(uint64_t *out, __m256i even, __m256i odd)
{
    __m256i lo = _mm256_unpacklo_epi64(even, odd);   /* columns 0 1 | 4 5 */
    __m256i hi = _mm256_unpackhi_epi64(even, odd);   /* columns 2 3 | 6 7 */
    ST(out, _mm256_permute2x128_si256(lo, hi, 0x20));
    ST(out + 4, _mm256_permute2x128_si256(lo, hi, 0x31));
}

#endif
