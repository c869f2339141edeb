//===- DeviceConstantsTest.cpp - Device copies of host constants ----------===//
//
// The cache behind adaroundDeviceConstant, on a fake device that records
// every allocation, copy and release: one copy per constant however often
// kernels ask, the copied bytes are the constant's, release frees it.
//
//===----------------------------------------------------------------------===//

#include "DeviceConstants.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <memory>
#include <thread>
#include <vector>

using adaround::runtime::DeviceConstants;

namespace {

struct FakeMemory {
  std::map<int, std::vector<char>> buffers;
  int next = 1, copies = 0, releases = 0;
};

struct FakeDevice {
  std::shared_ptr<FakeMemory> memory;
  int allocate(uint64_t bytes) {
    memory->buffers[memory->next].resize(bytes);
    return memory->next++;
  }
  void copyToDevice(int buffer, const void *host, uint64_t bytes) {
    ++memory->copies;
    std::memcpy(memory->buffers.at(buffer).data(), host, bytes);
  }
  void release(int buffer) {
    ++memory->releases;
    memory->buffers.erase(buffer);
  }
};

TEST(DeviceConstants, CopiesEachConstantOnce) {
  auto memory = std::make_shared<FakeMemory>();
  DeviceConstants<FakeDevice> constants(FakeDevice{memory});
  static const float weights[3] = {1.5f, -2.0f, 0.25f};
  static const char decisions[2] = {1, 0};
  int first = 0, again = 0, other = 0;
  std::string error;
  ASSERT_TRUE(constants.get(weights, sizeof(weights), first, error));
  ASSERT_TRUE(constants.get(weights, sizeof(weights), again, error));
  ASSERT_TRUE(constants.get(decisions, sizeof(decisions), other, error));
  EXPECT_EQ(first, again);
  EXPECT_NE(first, other);
  EXPECT_EQ(memory->copies, 2);
  const std::vector<char> &copied = memory->buffers.at(first);
  ASSERT_EQ(copied.size(), 12u);
  float values[3];
  std::memcpy(values, copied.data(), sizeof(values));
  EXPECT_EQ(values[0], 1.5f);
  EXPECT_EQ(values[1], -2.0f);
  EXPECT_EQ(values[2], 0.25f);
}

TEST(DeviceConstants, ReleaseFreesAndALaterUseCopiesAgain) {
  auto memory = std::make_shared<FakeMemory>();
  DeviceConstants<FakeDevice> constants(FakeDevice{memory});
  static const int data[4] = {1, 2, 3, 4};
  int buffer = 0;
  std::string error;
  ASSERT_TRUE(constants.get(data, sizeof(data), buffer, error));
  constants.release(data);
  constants.release(data); // a second release is harmless
  EXPECT_EQ(memory->releases, 1);
  EXPECT_TRUE(memory->buffers.empty());
  EXPECT_EQ(constants.size(), 0u);
  ASSERT_TRUE(constants.get(data, sizeof(data), buffer, error));
  EXPECT_EQ(memory->copies, 2);
}

TEST(DeviceConstants, SameAddressWithAnotherSizeIsAnError) {
  auto memory = std::make_shared<FakeMemory>();
  DeviceConstants<FakeDevice> constants(FakeDevice{memory});
  static const char data[16] = {};
  int buffer = 0;
  std::string error;
  ASSERT_TRUE(constants.get(data, 16, buffer, error));
  EXPECT_FALSE(constants.get(data, 8, buffer, error));
  EXPECT_NE(error.find("requested with 8 bytes, first with 16"),
            std::string::npos);
}

TEST(DeviceConstants, ConcurrentFirstUsesCopyOnce) {
  auto memory = std::make_shared<FakeMemory>();
  DeviceConstants<FakeDevice> constants(FakeDevice{memory});
  static const double data[64] = {};
  std::vector<std::thread> threads;
  std::vector<int> seen(8);
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      std::string error;
      constants.get(data, sizeof(data), seen[t], error);
    });
  for (std::thread &thread : threads)
    thread.join();
  EXPECT_EQ(memory->copies, 1);
  for (int buffer : seen)
    EXPECT_EQ(buffer, seen[0]);
}

} // namespace
