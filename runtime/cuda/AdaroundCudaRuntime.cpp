//===- AdaroundCudaRuntime.cpp - What lowered GPU host code calls ---------===//
//
// Debian's MLIR ships no CUDA runtime wrappers. The host code that
// --adaround-to-nvvm (gpu-to-llvm, then mlir-translate) produces calls the
// `mgpu*` functions below; this library implements them on the CUDA driver
// API, so that `mlir-runner --shared-libs=libadaround_cuda_runtime.so,...`
// runs the kernels. Errors are reported on stderr with the failing call and
// abort: a kernel that cannot be launched must not look like it ran.
//
//===----------------------------------------------------------------------===//

#include "DeviceConstants.h"

#include <cuda.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace {

void check(CUresult result, const char *what) {
  if (result == CUDA_SUCCESS)
    return;
  const char *name = "unknown";
  cuGetErrorName(result, &name);
  std::fprintf(stderr, "adaround_cuda_runtime: %s failed: %s\n", what, name);
  std::abort();
}

#define CHECK(call) check(call, #call)

int defaultDevice = 0;

/// One primary context for the process, made current on first use.
CUcontext currentContext() {
  static CUcontext context = [] {
    CHECK(cuInit(0));
    CUdevice device;
    CHECK(cuDeviceGet(&device, defaultDevice));
    CUcontext ctx;
    CHECK(cuDevicePrimaryCtxRetain(&ctx, device));
    return ctx;
  }();
  CHECK(cuCtxSetCurrent(context));
  return context;
}

/// The shape of a ranked memref descriptor: two pointers, an offset, then
/// `rank` sizes and `rank` strides.
struct MemRefView {
  char *allocated;
  char *aligned;
  int64_t offset;
  int64_t sizesAndStrides[1];
};

/// Device memory for DeviceConstants, through the driver API.
struct CudaDevice {
  CUdeviceptr allocate(uint64_t bytes) {
    currentContext();
    CUdeviceptr pointer = 0;
    if (bytes)
      CHECK(cuMemAlloc(&pointer, bytes));
    return pointer;
  }
  void copyToDevice(CUdeviceptr device, const void *host, uint64_t bytes) {
    if (bytes)
      CHECK(cuMemcpyHtoD(device, host, bytes));
  }
  void release(CUdeviceptr device) {
    if (device)
      CHECK(cuMemFree(device));
  }
};

/// Never destroyed: modules unloaded during static destruction (their
/// global destructors) still release their constants here.
adaround::runtime::DeviceConstants<CudaDevice> &deviceConstants() {
  static auto *constants =
      new adaround::runtime::DeviceConstants<CudaDevice>(CudaDevice());
  return *constants;
}

} // namespace

extern "C" {

/// The device copy of a host constant (adaround-resolve-device-constants
/// calls this where kernels read a large constant), made at the first call.
void *adaroundDeviceConstant(const void *host, uint64_t bytes) {
  CUdeviceptr device = 0;
  std::string error;
  if (!deviceConstants().get(host, bytes, device, error)) {
    std::fprintf(stderr, "adaround_cuda_runtime: %s\n", error.c_str());
    std::abort();
  }
  return reinterpret_cast<void *>(device);
}

/// Frees the device copy of a host constant; called when the host module
/// that owns the constant is unloaded.
void adaroundReleaseDeviceConstant(const void *host) {
  deviceConstants().release(host);
}

void mgpuSetDefaultDevice(int32_t device) { defaultDevice = device; }

CUmodule mgpuModuleLoad(void *data, size_t /*size*/) {
  currentContext();
  CUmodule module;
  CHECK(cuModuleLoadData(&module, data));
  return module;
}

CUmodule mgpuModuleLoadJIT(void *ptx, int optLevel) {
  currentContext();
  CUjit_option options[] = {CU_JIT_OPTIMIZATION_LEVEL};
  void *values[] = {reinterpret_cast<void *>(static_cast<intptr_t>(optLevel))};
  CUmodule module;
  CHECK(cuModuleLoadDataEx(&module, ptx, 1, options, values));
  return module;
}

void mgpuModuleUnload(CUmodule module) { CHECK(cuModuleUnload(module)); }

CUfunction mgpuModuleGetFunction(CUmodule module, const char *name) {
  CUfunction function;
  CHECK(cuModuleGetFunction(&function, module, name));
  return function;
}

void mgpuLaunchKernel(CUfunction function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t sharedMemBytes,
                      CUstream stream, void **params, void **extra,
                      size_t /*paramsCount*/) {
  currentContext();
  if (sharedMemBytes > 0)
    CHECK(cuFuncSetAttribute(function,
                             CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                             sharedMemBytes));
  CHECK(cuLaunchKernel(function, gridX, gridY, gridZ, blockX, blockY, blockZ,
                       sharedMemBytes, stream, params, extra));
}

CUstream mgpuStreamCreate() {
  currentContext();
  CUstream stream;
  CHECK(cuStreamCreate(&stream, CU_STREAM_NON_BLOCKING));
  return stream;
}

void mgpuStreamDestroy(CUstream stream) { CHECK(cuStreamDestroy(stream)); }

void mgpuStreamSynchronize(CUstream stream) {
  CHECK(cuStreamSynchronize(stream));
}

void mgpuStreamWaitEvent(CUstream stream, CUevent event) {
  CHECK(cuStreamWaitEvent(stream, event, 0));
}

CUevent mgpuEventCreate() {
  currentContext();
  CUevent event;
  CHECK(cuEventCreate(&event, CU_EVENT_DISABLE_TIMING));
  return event;
}

void mgpuEventDestroy(CUevent event) { CHECK(cuEventDestroy(event)); }

void mgpuEventSynchronize(CUevent event) { CHECK(cuEventSynchronize(event)); }

void mgpuEventRecord(CUevent event, CUstream stream) {
  CHECK(cuEventRecord(event, stream));
}

void *mgpuMemAlloc(uint64_t bytes, CUstream stream, bool hostShared) {
  currentContext();
  CUdeviceptr pointer = 0;
  if (bytes == 0)
    return nullptr;
  if (hostShared)
    CHECK(cuMemAllocManaged(&pointer, bytes, CU_MEM_ATTACH_GLOBAL));
  else
    CHECK(cuMemAlloc(&pointer, bytes));
  (void)stream;
  return reinterpret_cast<void *>(pointer);
}

void mgpuMemFree(void *pointer, CUstream /*stream*/) {
  if (pointer)
    CHECK(cuMemFree(reinterpret_cast<CUdeviceptr>(pointer)));
}

void mgpuMemcpy(void *dst, void *src, size_t bytes, CUstream stream) {
  CHECK(cuMemcpyAsync(reinterpret_cast<CUdeviceptr>(dst),
                      reinterpret_cast<CUdeviceptr>(src), bytes, stream));
}

void mgpuMemset32(void *dst, unsigned int value, size_t count,
                  CUstream stream) {
  CHECK(cuMemsetD32Async(reinterpret_cast<CUdeviceptr>(dst), value, count,
                         stream));
}

void mgpuMemset16(void *dst, unsigned short value, size_t count,
                  CUstream stream) {
  CHECK(cuMemsetD16Async(reinterpret_cast<CUdeviceptr>(dst), value, count,
                         stream));
}

void mgpuMemHostRegister(void *pointer, uint64_t bytes) {
  currentContext();
  CHECK(cuMemHostRegister(pointer, bytes, 0));
}

void mgpuMemHostUnregister(void *pointer) {
  currentContext();
  CHECK(cuMemHostUnregister(pointer));
}

/// Registers the memory a ranked memref spans (from its aligned pointer and
/// offset, sizes times element size) so that kernels can access it.
void mgpuMemHostRegisterMemRef(int64_t rank, MemRefView *descriptor,
                               int64_t elementBytes) {
  int64_t elements = 1;
  for (int64_t d = 0; d < rank; ++d)
    elements *= descriptor->sizesAndStrides[d];
  char *start = descriptor->aligned + descriptor->offset * elementBytes;
  mgpuMemHostRegister(start, elements * elementBytes);
}

void mgpuMemHostUnregisterMemRef(int64_t /*rank*/, MemRefView *descriptor,
                                 int64_t elementBytes) {
  mgpuMemHostUnregister(descriptor->aligned +
                        descriptor->offset * elementBytes);
}

} // extern "C"
