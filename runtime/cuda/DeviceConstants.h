//===- DeviceConstants.h - Device copies of host constants, made once -----===//
//
// Large constants (weights, rounding offsets, decisions) stay in the host
// object as data; kernels read a device copy made at their first use and kept
// until the host module that owns the constant is unloaded. A constant is
// immutable for its module's lifetime, so its host address names it.
// Independent of CUDA so that it can be tested without a GPU: `Device`
// provides `allocate(bytes)`, `copyToDevice(device, host, bytes)` and
// `release(device)`.
//
//===----------------------------------------------------------------------===//

#ifndef ADAROUND_RUNTIME_DEVICECONSTANTS_H
#define ADAROUND_RUNTIME_DEVICECONSTANTS_H

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace adaround::runtime {

template <typename Device> class DeviceConstants {
public:
  using Pointer = decltype(std::declval<Device &>().allocate(0));

  explicit DeviceConstants(Device device) : device(std::move(device)) {}

  /// The device copy of the `bytes` at `host`, copied on the first call.
  /// Fails (returns false, with `error` set) when `host` was seen before
  /// with another size: two constants cannot share an address.
  bool get(const void *host, uint64_t bytes, Pointer &result,
           std::string &error) {
    std::lock_guard<std::mutex> lock(mutex);
    auto [it, inserted] = copies.try_emplace(host, Copy{Pointer(), bytes});
    if (!inserted) {
      if (it->second.bytes != bytes) {
        error = "constant at " + std::to_string(reinterpret_cast<uintptr_t>(host)) +
                " requested with " + std::to_string(bytes) + " bytes, first with " +
                std::to_string(it->second.bytes);
        return false;
      }
      result = it->second.device;
      return true;
    }
    it->second.device = device.allocate(bytes);
    device.copyToDevice(it->second.device, host, bytes);
    result = it->second.device;
    return true;
  }

  /// Frees the device copy of the constant at `host`, if one was made.
  void release(const void *host) {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = copies.find(host);
    if (it == copies.end())
      return;
    device.release(it->second.device);
    copies.erase(it);
  }

  size_t size() const {
    std::lock_guard<std::mutex> lock(mutex);
    return copies.size();
  }

private:
  struct Copy {
    Pointer device;
    uint64_t bytes;
  };
  Device device;
  mutable std::mutex mutex;
  std::unordered_map<const void *, Copy> copies;
};

} // namespace adaround::runtime

#endif // ADAROUND_RUNTIME_DEVICECONSTANTS_H
