// Runs one fake-quant kernel compiled with --adaround-to-nvvm, from C++:
// dlopens the compiled host module (which loads the embedded GPU binary
// through libadaround_cuda_runtime.so and launches the kernel), calls its C
// interface on device buffers, and times it against a device-to-device copy
// of the same tensor.
//
//   adaround-gpu-driver <kernel.so> <rows> <cols> <reps> <bytes-per-element>
//
// <bytes-per-element> is what the kernel moves (x read + y written + what it
// reads of V): 12 for soft (f32 V), 9 for hard (one byte of decisions).
#include <cuda.h>
#include <dlfcn.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {
struct MemRef2D {
  float *allocated;
  float *aligned;
  int64_t offset;
  int64_t sizes[2];
  int64_t strides[2];
};
using Kernel = void (*)(MemRef2D *, MemRef2D *);

void check(CUresult result, const char *what) {
  if (result != CUDA_SUCCESS) {
    const char *name = "unknown";
    cuGetErrorName(result, &name);
    std::fprintf(stderr, "%s failed: %s\n", what, name);
    std::exit(1);
  }
}
#define CHECK(call) check(call, #call)

double seconds() {
  return std::chrono::duration<double>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
} // namespace

int main(int argc, char **argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: %s kernel.so rows cols reps bytes\n", argv[0]);
    return 2;
  }
  void *library = dlopen(argv[1], RTLD_NOW);
  if (!library) {
    std::fprintf(stderr, "%s\n", dlerror());
    return 1;
  }
  auto kernel = reinterpret_cast<Kernel>(dlsym(library, "_mlir_ciface_kernel"));
  if (!kernel) {
    std::fprintf(stderr, "no _mlir_ciface_kernel in %s\n", argv[1]);
    return 1;
  }
  int64_t rows = std::atoll(argv[2]), cols = std::atoll(argv[3]);
  int reps = std::atoi(argv[4]);
  double bytesPerElement = std::atof(argv[5]);
  int64_t n = rows * cols;

  CHECK(cuInit(0));
  CUdevice device;
  CHECK(cuDeviceGet(&device, 0));
  CUcontext context;
  CHECK(cuDevicePrimaryCtxRetain(&context, device));
  CHECK(cuCtxSetCurrent(context));
  CUdeviceptr x, y;
  CHECK(cuMemAlloc(&x, n * sizeof(float)));
  CHECK(cuMemAlloc(&y, n * sizeof(float)));
  std::vector<float> host(n);
  for (int64_t i = 0; i < n; ++i)
    host[i] = 3.0f * static_cast<float>((i * 7919) % 2001 - 1000) / 1000.0f;
  CHECK(cuMemcpyHtoD(x, host.data(), n * sizeof(float)));

  auto *xp = reinterpret_cast<float *>(x), *yp = reinterpret_cast<float *>(y);
  MemRef2D dx = {xp, xp, 0, {rows, cols}, {cols, 1}};
  MemRef2D dy = {yp, yp, 0, {rows, cols}, {cols, 1}};
  kernel(&dx, &dy); // warm up: loads the module
  CHECK(cuCtxSynchronize());

  double bestKernel = 1e30, bestCopy = 1e30;
  for (int r = 0; r < reps; ++r) {
    double t0 = seconds();
    kernel(&dx, &dy);
    CHECK(cuCtxSynchronize());
    double t1 = seconds();
    CHECK(cuMemcpyDtoD(y, x, n * sizeof(float)));
    CHECK(cuCtxSynchronize());
    double t2 = seconds();
    bestKernel = t1 - t0 < bestKernel ? t1 - t0 : bestKernel;
    bestCopy = t2 - t1 < bestCopy ? t2 - t1 : bestCopy;
  }
  double kernelGBs = bytesPerElement * n / bestKernel / 1e9;
  double copyGBs = 2.0 * sizeof(float) * n / bestCopy / 1e9;
  std::printf("{\"elements\": %lld, \"kernel_s\": %.9f, \"copy_s\": %.9f, "
              "\"kernel_GBps\": %.1f, \"copy_GBps\": %.1f, "
              "\"bandwidth_ratio\": %.3f}\n",
              static_cast<long long>(n), bestKernel, bestCopy, kernelGBs,
              copyGBs, kernelGBs / copyGBs);
  return 0;
}
