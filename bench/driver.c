// Times one compiled fake-quant kernel (destination-passing style, C
// interface of --adaround-to-llvm) against a memory roofline probe moving the
// same bytes as the f32 formulation: y[i] = x[i] + v[i] * k (three f32
// streams). Both run alternately in one process; the best time of each is
// reported.
//
//   driver <kernel.so> <rows> <cols> <reps> [threads]
//
// `threads` (default 1) is the probe's: built with -fopenmp it runs on that
// many threads, to compare with kernels compiled with the same `threads`.
// The kernel is `_mlir_ciface_kernel(memref *x, memref *y)` on a rows x cols
// f32 tensor.
#include "kernel_loader.h"

#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) static void probe(const float *restrict x,
                                            const float *restrict v,
                                            float *restrict y, int64_t n,
                                            float k, int threads) {
#pragma omp parallel for simd num_threads(threads) schedule(static)
  for (int64_t i = 0; i < n; ++i)
    y[i] = x[i] + v[i] * k;
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: %s kernel.so rows cols reps\n", argv[0]);
    return 2;
  }
  Kernel kernel = load_kernel(argv[1]);
  if (!kernel)
    return 1;
  int64_t rows = atoll(argv[2]), cols = atoll(argv[3]);
  int reps = atoi(argv[4]);
  int threads = argc > 5 ? atoi(argv[5]) : 1;
  int64_t n = rows * cols;
  float *x = float_buffer(n, 3.0f), *y = float_buffer(n, 0.0f),
        *v = float_buffer(n, 1.0f);
  MemRef2D dx = {x, x, 0, {rows, cols}, {cols, 1}};
  MemRef2D dy = {y, y, 0, {rows, cols}, {cols, 1}};

  double best_kernel = 1e30, best_probe = 1e30;
  for (int r = 0; r < reps; ++r) {
    double t0 = now();
    kernel(&dx, &dy);
    double t1 = now();
    probe(x, v, y, n, 0.5f, threads);
    double t2 = now();
    if (t1 - t0 < best_kernel)
      best_kernel = t1 - t0;
    if (t2 - t1 < best_probe)
      best_probe = t2 - t1;
  }
  // One line of JSON for the harness.
  printf("{\"elements\": %lld, \"kernel_s\": %.9f, \"probe_s\": %.9f}\n",
         (long long)n, best_kernel, best_probe);
  return 0;
}
