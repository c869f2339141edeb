// Times one compiled matvec y = W x (C interface of --adaround-to-llvm:
// `_mlir_ciface_kernel(memref<MxK> *x, memref<MxN> *y)`, weights inside
// the kernel) against a read-bandwidth probe: a vectorized sum over as many
// bytes as the kernel's weights occupy, in buffers larger than the caches.
// Both run alternately in one process; the best time of each is reported.
//
//   matvec_driver <kernel.so> <N> <K> <weight-bytes> <reps> [threads] [batch]
//
// `threads` (default 1) is the probe's: built with -fopenmp it reads on that
// many threads, to compare with kernels compiled with the same `threads`.
// `batch` (default 1) is M of a small-batch matmul, Y (M x N) = X (M x K) W^T.
#include "kernel_loader.h"

#include <stdlib.h>
#include <string.h>

// Sums 32-bit words: the compiler vectorizes it into full-width loads.
__attribute__((noinline)) static uint32_t probe(const uint32_t *restrict p,
                                                int64_t words, int threads) {
  uint32_t sum = 0;
#pragma omp parallel for simd reduction(+ : sum) num_threads(threads) schedule(static)
  for (int64_t i = 0; i < words; ++i)
    sum += p[i];
  return sum;
}

int main(int argc, char **argv) {
  if (argc < 6) {
    fprintf(stderr, "usage: %s kernel.so N K weight-bytes reps\n", argv[0]);
    return 2;
  }
  Kernel kernel = load_kernel(argv[1]);
  if (!kernel)
    return 1;
  int64_t n = atoll(argv[2]), k = atoll(argv[3]), bytes = atoll(argv[4]);
  int reps = atoi(argv[5]);
  int threads = argc > 6 ? atoi(argv[6]) : 1;
  int64_t m = argc > 7 ? atoll(argv[7]) : 1;
  float *x = float_buffer(m * k, 1.0f), *y = float_buffer(m * n, 0.0f);
  int64_t words = (bytes + 3) / 4;
  uint32_t *data = aligned_alloc(64, ((words * 4 + 63) / 64) * 64);
  for (int64_t i = 0; i < words; ++i)
    data[i] = (uint32_t)(i * 2654435761u);
  MemRef2D dx = {x, x, 0, {m, k}, {k, 1}};
  MemRef2D dy = {y, y, 0, {m, n}, {n, 1}};

  double best_kernel = 1e30, best_probe = 1e30;
  uint32_t sink = 0;
  for (int r = 0; r < reps; ++r) {
    double t0 = now();
    kernel(&dx, &dy);
    double t1 = now();
    sink += probe(data, words, threads);
    double t2 = now();
    if (t1 - t0 < best_kernel)
      best_kernel = t1 - t0;
    if (t2 - t1 < best_probe)
      best_probe = t2 - t1;
  }
  printf("{\"kernel_s\": %.9f, \"probe_s\": %.9f, \"y0\": %.6g, \"sink\": %u}\n",
         best_kernel, best_probe, (double)y[0], sink);
  return 0;
}
