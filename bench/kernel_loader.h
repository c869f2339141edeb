// What the benchmark drivers share: the 2-D memref descriptor of the C
// interface of --adaround-to-llvm, loading `_mlir_ciface_kernel` from a
// compiled kernel, and a monotonic clock.
#ifndef ADAROUND_BENCH_KERNEL_LOADER_H
#define ADAROUND_BENCH_KERNEL_LOADER_H

#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
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

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

#endif // ADAROUND_BENCH_KERNEL_LOADER_H
