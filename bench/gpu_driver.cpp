// Runs one kernel compiled with --adaround-to-nvvm, from C++: dlopens the
// compiled host module (which loads the embedded GPU binary through
// libadaround_cuda_runtime.so and launches the kernel), calls its C interface
// on device buffers, and times it against a device-to-device copy.
//
//   adaround-gpu-driver <kernel.so> <rows> <cols> <reps> <bytes-per-element>
//       fake quant: kernel(x, y), both rows x cols f32. <bytes-per-element>
//       is what the kernel moves (x read + y written + what it reads of V):
//       8 with a splat V, 9 for hard (one byte of decisions), 12 for soft.
//       The copy: y = x.
//   adaround-gpu-driver --matvec <kernel.so> <K> <N> <weight-bytes> <reps>
//       baked matvec: kernel(x: 1 x K f32, w: <weight-bytes> i8, y: 1 x N
//       f32), the packed weights filled with random bytes. The kernel moves
//       the weight bytes (x and y are noise); the copy copies them.
//
// Prints one JSON line: the best of <reps> times, the bytes per second each
// moved (a copy reads and writes: twice its bytes), and their ratio.
#include <cuda.h>
#include <dlfcn.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <vector>

namespace {
template <typename T, int Rank> struct MemRef {
  T *allocated;
  T *aligned;
  int64_t offset;
  int64_t sizes[Rank];
  int64_t strides[Rank];
};
using MemRef2D = MemRef<float, 2>;
using Bytes = MemRef<int8_t, 1>;
using FakeQuant = void (*)(MemRef2D *, MemRef2D *);
using Matvec = void (*)(MemRef2D *, Bytes *, MemRef2D *);

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

void *kernelSymbol(const char *path) {
  void *library = dlopen(path, RTLD_NOW);
  if (!library) {
    std::fprintf(stderr, "%s\n", dlerror());
    std::exit(1);
  }
  void *kernel = dlsym(library, "_mlir_ciface_kernel");
  if (!kernel) {
    std::fprintf(stderr, "no _mlir_ciface_kernel in %s\n", path);
    std::exit(1);
  }
  return kernel;
}

CUdeviceptr deviceBuffer(size_t bytes, const void *contents) {
  CUdeviceptr pointer;
  CHECK(cuMemAlloc(&pointer, bytes));
  CHECK(cuMemcpyHtoD(pointer, contents, bytes));
  return pointer;
}

std::vector<float> someFloats(int64_t n) {
  std::vector<float> values(n);
  for (int64_t i = 0; i < n; ++i)
    values[i] = 3.0f * static_cast<float>((i * 7919) % 2001 - 1000) / 1000.0f;
  return values;
}

/// Best times of `run` and of a device-to-device copy of `copyBytes`.
void timeAgainstCopy(const std::function<void()> &run, CUdeviceptr from,
                     CUdeviceptr to, size_t copyBytes, int reps,
                     double movedBytes, int64_t elements) {
  run(); // warm up: loads the module, makes the device copies of constants
  CHECK(cuCtxSynchronize());
  double bestKernel = 1e30, bestCopy = 1e30;
  for (int r = 0; r < reps; ++r) {
    double t0 = seconds();
    run();
    CHECK(cuCtxSynchronize());
    double t1 = seconds();
    CHECK(cuMemcpyDtoD(to, from, copyBytes));
    CHECK(cuCtxSynchronize());
    double t2 = seconds();
    bestKernel = t1 - t0 < bestKernel ? t1 - t0 : bestKernel;
    bestCopy = t2 - t1 < bestCopy ? t2 - t1 : bestCopy;
  }
  double kernelGBs = movedBytes / bestKernel / 1e9;
  double copyGBs = 2.0 * copyBytes / bestCopy / 1e9;
  std::printf("{\"elements\": %lld, \"kernel_s\": %.9f, \"copy_s\": %.9f, "
              "\"kernel_GBps\": %.1f, \"copy_GBps\": %.1f, "
              "\"bandwidth_ratio\": %.3f}\n",
              static_cast<long long>(elements), bestKernel, bestCopy,
              kernelGBs, copyGBs, kernelGBs / copyGBs);
}
} // namespace

int main(int argc, char **argv) {
  bool matvec = argc > 1 && std::strcmp(argv[1], "--matvec") == 0;
  if (argc < 6 + matvec) {
    std::fprintf(stderr,
                 "usage: %s kernel.so rows cols reps bytes-per-element\n"
                 "       %s --matvec kernel.so K N weight-bytes reps\n",
                 argv[0], argv[0]);
    return 2;
  }
  char **args = argv + matvec;
  void *kernel = kernelSymbol(args[1]);
  CHECK(cuInit(0));
  CUdevice device;
  CHECK(cuDeviceGet(&device, 0));
  CUcontext context;
  CHECK(cuDevicePrimaryCtxRetain(&context, device));
  CHECK(cuCtxSetCurrent(context));

  if (matvec) {
    int64_t k = std::atoll(args[2]), n = std::atoll(args[3]);
    int64_t weightBytes = std::atoll(args[4]);
    int reps = std::atoi(args[5]);
    std::vector<float> xs = someFloats(k), ys(n, 0.0f);
    std::vector<int8_t> weights(weightBytes);
    std::mt19937 rng(1);
    for (int8_t &byte : weights)
      byte = static_cast<int8_t>(rng());
    CUdeviceptr x = deviceBuffer(k * sizeof(float), xs.data());
    CUdeviceptr y = deviceBuffer(n * sizeof(float), ys.data());
    CUdeviceptr w = deviceBuffer(weightBytes, weights.data());
    CUdeviceptr scratch;
    CHECK(cuMemAlloc(&scratch, weightBytes));
    auto *xp = reinterpret_cast<float *>(x), *yp = reinterpret_cast<float *>(y);
    auto *wp = reinterpret_cast<int8_t *>(w);
    MemRef2D dx = {xp, xp, 0, {1, k}, {k, 1}};
    MemRef2D dy = {yp, yp, 0, {1, n}, {n, 1}};
    Bytes dw = {wp, wp, 0, {weightBytes}, {1}};
    auto run = [&] { reinterpret_cast<Matvec>(kernel)(&dx, &dw, &dy); };
    timeAgainstCopy(run, w, scratch, weightBytes, reps,
                    double(weightBytes) + 4.0 * (k + n), k * n);
    return 0;
  }

  int64_t rows = std::atoll(args[2]), cols = std::atoll(args[3]);
  int reps = std::atoi(args[4]);
  double bytesPerElement = std::atof(args[5]);
  int64_t n = rows * cols;
  std::vector<float> xs = someFloats(n);
  CUdeviceptr x = deviceBuffer(n * sizeof(float), xs.data());
  CUdeviceptr y;
  CHECK(cuMemAlloc(&y, n * sizeof(float)));
  auto *xp = reinterpret_cast<float *>(x), *yp = reinterpret_cast<float *>(y);
  MemRef2D dx = {xp, xp, 0, {rows, cols}, {cols, 1}};
  MemRef2D dy = {yp, yp, 0, {rows, cols}, {cols, 1}};
  auto run = [&] { reinterpret_cast<FakeQuant>(kernel)(&dx, &dy); };
  timeAgainstCopy(run, x, y, n * sizeof(float), reps, bytesPerElement * n, n);
  return 0;
}
