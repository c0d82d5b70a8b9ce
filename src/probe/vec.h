/*
 * vec.h — the vector types of the probe kernels, as wide as the machine's widest
 * registers (AVX-512: 16 floats; otherwise 8, which GCC maps to AVX2, two SSE
 * registers, or NEON pairs).  Wider-than-register vectors make GCC spill.
 */
#ifndef INFERSIM_VEC_H
#define INFERSIM_VEC_H

#include <stdint.h>

#if defined(__AVX512F__)
#define VW 16
#else
#define VW 8
#endif

typedef float vf __attribute__((vector_size(VW * 4)));    /* VW floats */
typedef int8_t vc __attribute__((vector_size(VW)));       /* VW int8 */
typedef uint16_t vh __attribute__((vector_size(VW * 2))); /* VW bf16 bit patterns */
typedef uint32_t vu __attribute__((vector_size(VW * 4))); /* VW 32-bit lanes */
typedef int32_t vi __attribute__((vector_size(VW * 4)));  /* VW signed 32-bit lanes */

/* VW int8 at p -> VW floats.  GCC 12 scalarizes a generic char -> float vector
 * conversion (one byte at a time), so x86 uses the sign-extending load directly. */
/* VW bf16 at p -> VW floats (zero-extend, shift into the high half). */
#if defined(__AVX512F__)
#include <immintrin.h>
static inline vf vc_load_f(const int8_t *p)
{
    return (vf)_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)p)));
}
static inline vf vh_load_f(const uint16_t *p)
{
    return (vf)_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)p)), 16);
}
#elif defined(__AVX2__)
#include <immintrin.h>
static inline vf vc_load_f(const int8_t *p)
{
    return (vf)_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)p)));
}
static inline vf vh_load_f(const uint16_t *p)
{
    return (vf)_mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)p)), 16);
}
#else
#include <string.h>
static inline vf vc_load_f(const int8_t *p)
{
    vc c;
    memcpy(&c, p, sizeof c);
    return __builtin_convertvector(__builtin_convertvector(c, vi), vf);
}
static inline vf vh_load_f(const uint16_t *p)
{
    vh h;
    memcpy(&h, p, sizeof h);
    return (vf)(__builtin_convertvector(h, vu) << 16);
}
#endif

#endif
