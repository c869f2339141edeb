/* What a batch's register block can reach with everything in L1: 4 input
 * rows by 4 weight rows, 16 vectors of partial sums, the block shape
 * adaround-vectorize-elementwise gives batches of 4-16 rows. Weights as f32
 * and as i8 levels (sign extension and conversion, as baked i8 weights run).
 * Compare with bench/fma_peak.c, run right after it:
 *
 *   clang -O3 -march=native bench/register_block_peak.c -o /tmp/rbp && /tmp/rbp
 *
 * (gcc 12's loop is slower: a quarter of this at -O2, two thirds at -O3.) */
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

enum { kRows = 4, kLength = 2048, kPasses = 20000 };

static float input[kRows][kLength] __attribute__((aligned(64)));
static float weightF32[kRows][kLength] __attribute__((aligned(64)));
static int8_t weightI8[kRows][kLength] __attribute__((aligned(64)));

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static __m512 weightVector(int levels, int row, int k) {
  if (!levels)
    return _mm512_load_ps(&weightF32[row][k]);
  __m128i bytes = _mm_load_si128((const __m128i *)&weightI8[row][k]);
  return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(bytes));
}

/* zmm FMAs per ns of kPasses passes over the block; `levels` picks i8. */
static double blockRate(int levels, float *sink) {
  __m512 sums[kRows * kRows];
  for (int i = 0; i < kRows * kRows; ++i)
    sums[i] = _mm512_setzero_ps();
  double t = now();
  for (int pass = 0; pass < kPasses; ++pass)
    for (int k = 0; k < kLength; k += 16) {
      __m512 w[kRows];
      for (int row = 0; row < kRows; ++row)
        w[row] = weightVector(levels, row, k);
      for (int b = 0; b < kRows; ++b) {
        __m512 x = _mm512_load_ps(&input[b][k]);
        for (int row = 0; row < kRows; ++row)
          sums[b * kRows + row] =
              _mm512_fmadd_ps(x, w[row], sums[b * kRows + row]);
      }
    }
  t = now() - t;
  __m512 total = sums[0];
  for (int i = 1; i < kRows * kRows; ++i)
    total = _mm512_add_ps(total, sums[i]);
  *sink += _mm512_reduce_add_ps(total);
  return (double)kPasses * kLength / 16 * kRows * kRows / t * 1e-9;
}

int main(void) {
  for (int row = 0; row < kRows; ++row)
    for (int k = 0; k < kLength; ++k) {
      input[row][k] = 1e-3f;
      weightI8[row][k] = (int8_t)(k % 7 - 3);
      weightF32[row][k] = weightI8[row][k];
    }
  float sink = 0;
  double best[2] = {0, 0};
  for (int r = 0; r < 5; ++r)
    for (int levels = 0; levels < 2; ++levels) {
      double rate = blockRate(levels, &sink);
      if (rate > best[levels])
        best[levels] = rate;
    }
  printf("{\"f32_zmm_fma_per_ns\": %.2f, \"i8_zmm_fma_per_ns\": %.2f, "
         "\"sink\": %g}\n",
         best[0], best[1], sink);
  return 0;
}
