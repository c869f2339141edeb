/* The FMA roofline of this CPU: ten independent chains of 512-bit FMAs
 * (enough to hide the latency on two ports), best of 5.
 *
 *   gcc -O2 -mavx512f bench/fma_peak.c -o /tmp/fma_peak && /tmp/fma_peak
 *
 * The matvec pages divide a kernel's multiply-adds by this rate to get the
 * least time any kernel doing them could take. */
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

#define STEP(a) a = _mm512_fmadd_ps(a, m, c)

int main(void) {
  __m512 a0 = _mm512_set1_ps(1), a1 = a0, a2 = a0, a3 = a0, a4 = a0;
  __m512 a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0;
  const __m512 m = _mm512_set1_ps(0.9999f), c = _mm512_set1_ps(1e-4f);
  const long iterations = 200000000;
  double best = 1e30;
  for (int r = 0; r < 5; ++r) {
    double t = now();
    for (long i = 0; i < iterations; ++i) {
      STEP(a0); STEP(a1); STEP(a2); STEP(a3); STEP(a4);
      STEP(a5); STEP(a6); STEP(a7); STEP(a8); STEP(a9);
    }
    t = now() - t;
    if (t < best)
      best = t;
  }
  /* Use every chain so that none is optimized away. */
  __m512 sum = _mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3));
  sum = _mm512_add_ps(sum, _mm512_add_ps(a4, a5));
  sum = _mm512_add_ps(sum, _mm512_add_ps(a6, a7));
  sum = _mm512_add_ps(sum, _mm512_add_ps(a8, a9));
  printf("{\"zmm_fma_per_ns\": %.2f, \"sink\": %g}\n",
         iterations * 10.0 / best * 1e-9, _mm512_reduce_add_ps(sum));
  return 0;
}
