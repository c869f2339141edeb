// What the benchmark drivers share: the 2-D memref descriptor of the C
// interface of --adaround-to-llvm, loading `_mlir_ciface_kernel` from a
// compiled kernel, and a monotonic clock.
#ifndef ADAROUND_BENCH_KERNEL_LOADER_H
#define ADAROUND_BENCH_KERNEL_LOADER_H

#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef struct {
  float *allocated;
  float *aligned;
  int64_t offset;
  int64_t sizes[2];
  int64_t strides[2];
} MemRef2D;

typedef void (*Kernel)(MemRef2D *, MemRef2D *);

// The kernel in the shared library `path`, or NULL (reported on stderr).
static Kernel load_kernel(const char *path) {
  void *lib = dlopen(path, RTLD_NOW);
  if (!lib) {
    fprintf(stderr, "%s\n", dlerror());
    return NULL;
  }
  Kernel kernel = (Kernel)dlsym(lib, "_mlir_ciface_kernel");
  if (!kernel)
    fprintf(stderr, "no _mlir_ciface_kernel in %s\n", path);
  return kernel;
}

// n floats, 64-byte aligned, holding a fixed pattern in [-scale, scale].
static float *float_buffer(int64_t n, float scale) {
  float *p = aligned_alloc(64, ((n * sizeof(float) + 63) / 64) * 64);
  for (int64_t i = 0; i < n; ++i)
    p[i] = scale * (float)((i * 7919) % 2001 - 1000) / 1000.0f;
  return p;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

#endif // ADAROUND_BENCH_KERNEL_LOADER_H
