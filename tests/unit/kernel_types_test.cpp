// Value types of the kernel_ipsec contract: Status names, IpAddress, KeyBytes wiping.

#include <gtest/gtest.h>

#include <cstring>
#include <new>

#include "kernel_ipsec/kernel_ipsec.h"

namespace secsetup::kipsec {
namespace {

TEST(KernelTypes, StatusNamesAreDistinct) {
  const Status all[] = {Status::Ok,         Status::AlreadyExists,  Status::NotFound,
                        Status::NotSupported, Status::InvalidArg, Status::OutOfResources,
                        Status::KernelError};
  for (Status a : all) {
    for (Status b : all) {
      if (a != b) {
        EXPECT_STRNE(toString(a), toString(b));
      }
    }
  }
  EXPECT_STREQ("already exists", toString(Status::AlreadyExists));
}

TEST(KernelTypes, ResultHelpers) {
  EXPECT_TRUE(Result::success().ok());
  Result r = Result::failure(Status::KernelError, 13);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(13, r.err);
}

TEST(KernelTypes, ParsesIpv4) {
  IpAddress a;
  ASSERT_TRUE(IpAddress::parse("192.0.2.17", a));
  EXPECT_EQ(Family::V4, a.family);
  EXPECT_EQ(192, a.bytes[0]);
  EXPECT_EQ(17, a.bytes[3]);
  EXPECT_EQ(0, a.bytes[4]);
  EXPECT_EQ("192.0.2.17", a.toString());
}

TEST(KernelTypes, ParsesIpv6) {
  IpAddress a;
  ASSERT_TRUE(IpAddress::parse("2001:db8::5", a));
  EXPECT_EQ(Family::V6, a.family);
  EXPECT_EQ(0x20, a.bytes[0]);
  EXPECT_EQ(0x0d, a.bytes[2]);
  EXPECT_EQ(5, a.bytes[15]);
  EXPECT_EQ("2001:db8::5", a.toString());
}

TEST(KernelTypes, RejectsMalformedAddresses) {
  IpAddress a;
  ASSERT_TRUE(IpAddress::parse("10.0.0.1", a));
  const char* bad[] = {"", "192.0.2", "192.0.2.256", "1.2.3.4.5", "2001:db8:::1", "::g",
                       " 192.0.2.1", "192.0.2.1 ", "[2001:db8::1]", "localhost"};
  for (const char* s : bad) {
    EXPECT_FALSE(IpAddress::parse(s, a)) << s;
  }
  EXPECT_EQ("10.0.0.1", a.toString()) << "a failed parse leaves the output untouched";
}

TEST(KernelTypes, AddressEquality) {
  IpAddress a, b, c;
  ASSERT_TRUE(IpAddress::parse("192.0.2.1", a));
  ASSERT_TRUE(IpAddress::parse("192.0.2.1", b));
  ASSERT_TRUE(IpAddress::parse("::ffff:192.0.2.1", c));
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(KernelTypes, KeyBytesCopiesAndRefusesOversize) {
  uint8_t raw[40];
  for (int i = 0; i < 40; ++i) {
    raw[i] = static_cast<uint8_t>(i + 1);
  }
  KeyBytes k(raw, 20);
  EXPECT_EQ(20u, k.size());
  EXPECT_EQ(0, std::memcmp(raw, k.data(), 20));
  KeyBytes copy(k);
  EXPECT_EQ(0, std::memcmp(raw, copy.data(), 20));
  KeyBytes tooBig(raw, 33);
  EXPECT_EQ(0u, tooBig.size());
  KeyBytes assigned;
  assigned = k;
  EXPECT_EQ(20u, assigned.size());
}

TEST(KernelTypes, WipeClearsBytes) {
  const uint8_t raw[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  KeyBytes k(raw, 16);
  k.wipe();
  EXPECT_EQ(0u, k.size());
  for (std::size_t i = 0; i < KeyBytes::kMax; ++i) {
    EXPECT_EQ(0, k.data()[i]);
  }
}

// wipe() skips an empty KeyBytes: every way of getting one must leave no byte behind.
TEST(KernelTypes, EmptyKeyBytesHoldNoBytes) {
  const uint8_t raw[40] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa};
  KeyBytes full(raw, 16);
  KeyBytes empties[5];
  empties[1] = KeyBytes(raw, 33);  // refused: too long
  empties[2] = KeyBytes(raw, 0);
  empties[3] = full;
  empties[3] = KeyBytes();  // an empty one assigned over a key
  empties[4] = full;
  empties[4].wipe();
  for (const KeyBytes& k : empties) {
    EXPECT_EQ(0u, k.size());
    for (std::size_t i = 0; i < KeyBytes::kMax; ++i) {
      EXPECT_EQ(0, k.data()[i]);
    }
  }
}

TEST(KernelTypes, DestructorWipesStorage) {
  alignas(KeyBytes) unsigned char storage[sizeof(KeyBytes)];
  const uint8_t raw[16] = {0xaa, 0xbb, 0xcc, 0xdd, 0xaa, 0xbb, 0xcc, 0xdd,
                           0xaa, 0xbb, 0xcc, 0xdd, 0xaa, 0xbb, 0xcc, 0xdd};
  auto* k = new (storage) KeyBytes(raw, 16);
  k->~KeyBytes();
  // Inspect the storage the destroyed object occupied: no key byte may remain.
  for (unsigned char c : storage) {
    EXPECT_NE(0xaa, c);
    EXPECT_NE(0xbb, c);
  }
}

TEST(KernelTypes, AssignmentWipesPreviousKey) {
  const uint8_t big[32] = {0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a,
                           0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a,
                           0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a};
  const uint8_t small[4] = {1, 2, 3, 4};
  KeyBytes k(big, 32);
  k = KeyBytes(small, 4);
  EXPECT_EQ(4u, k.size());
  for (std::size_t i = 4; i < KeyBytes::kMax; ++i) {
    EXPECT_EQ(0, k.data()[i]) << "byte " << i << " of the old key survived";
  }
}

}  // namespace
}  // namespace secsetup::kipsec
