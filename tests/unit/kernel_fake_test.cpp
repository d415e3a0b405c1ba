// The recording fake behaves like the contract says the kernel does.

#include <errno.h>
#include <gtest/gtest.h>

#include <set>

#include "tests/fakes/fake_kernel_ipsec.h"

namespace secsetup::kipsec {
namespace {

IpAddress ip(const char* s) {
  IpAddress a;
  EXPECT_TRUE(IpAddress::parse(s, a));
  return a;
}

SaPairParams params() {
  const uint8_t k[20] = {9};
  SaPairParams p;
  p.uePort = 5064;
  p.pcscfProtectedPort = 5060;
  p.integrityKeyToPcscf = KeyBytes(k, 20);
  p.integrityKeyToUe = KeyBytes(k, 20);
  return p;
}

TEST(FakeKernel, SequentialUniqueSpisInRange) {
  FakeKernelIpsec k;
  std::set<uint32_t> seen;
  for (int i = 0; i < 10; ++i) {
    uint32_t spi = 0;
    ASSERT_TRUE(k.allocSpi(ip("192.0.2.1"), ip("192.0.2.2"), 1000, 1009, spi).ok());
    EXPECT_EQ(1000u + i, spi);
    seen.insert(spi);
  }
  EXPECT_EQ(10u, k.reservedCount());
  uint32_t spi = 0;
  EXPECT_EQ(Status::OutOfResources,
            k.allocSpi(ip("192.0.2.1"), ip("192.0.2.2"), 1000, 1009, spi).status);
  ASSERT_TRUE(k.releaseSpi(ip("192.0.2.1"), ip("192.0.2.2"), 1004).ok());
  ASSERT_TRUE(k.allocSpi(ip("192.0.2.1"), ip("192.0.2.2"), 1000, 1009, spi).ok());
  EXPECT_EQ(1004u, spi);
  EXPECT_EQ(Status::NotFound, k.releaseSpi(ip("192.0.2.1"), ip("192.0.2.2"), 77777).status);
}

TEST(FakeKernel, NeverHandsOutReservedRange) {
  FakeKernelIpsec k;
  uint32_t spi = 0;
  ASSERT_TRUE(k.allocSpi(ip("192.0.2.1"), ip("192.0.2.2"), 0, 300, spi).ok());
  EXPECT_EQ(256u, spi);
}

TEST(FakeKernel, AddConsumesReservationAndRejectsExisting) {
  FakeKernelIpsec k;
  uint32_t spiP = 0;
  ASSERT_TRUE(k.allocSpi(ip("192.0.2.1"), ip("192.0.2.2"), 1000, 2000, spiP).ok());
  SaPairId id{ip("192.0.2.1"), ip("192.0.2.2"), spiP, 4000};
  ASSERT_TRUE(k.addPair(id, params()).ok());
  EXPECT_EQ(0u, k.reservedCount());
  EXPECT_TRUE(k.hasPair(spiP, 4000));
  EXPECT_EQ(Status::AlreadyExists, k.addPair(id, params()).status);
  EXPECT_EQ(1u, k.pairs().size());
  EXPECT_EQ(20u, k.pairs()[0].integrityKeyLen);
  SaInfo info;
  ASSERT_TRUE(k.querySa(ip("192.0.2.2"), spiP, info).ok());
  EXPECT_EQ(ip("192.0.2.1"), info.src);
  ASSERT_TRUE(k.deletePair(id, params()).ok());
  EXPECT_EQ(Status::NotFound, k.deletePair(id, params()).status);
  EXPECT_EQ(Status::NotFound, k.querySa(ip("192.0.2.2"), spiP, info).status);
}

TEST(FakeKernel, FailureInjection) {
  FakeKernelIpsec k;
  SaPairId a{ip("192.0.2.1"), ip("192.0.2.2"), 1000, 2000};
  SaPairId b{ip("192.0.2.1"), ip("192.0.2.2"), 1001, 2001};
  k.failAddAt(2);
  EXPECT_TRUE(k.addPair(a, params()).ok());
  EXPECT_EQ(Status::KernelError, k.addPair(b, params()).status);
  EXPECT_FALSE(k.hasPair(1001, 2001));
  k.failNext(Status::NotSupported);
  uint32_t spi = 0;
  EXPECT_EQ(Status::NotSupported, k.allocSpi(ip("192.0.2.1"), ip("192.0.2.2"), 300, 400, spi).status);
  EXPECT_TRUE(k.allocSpi(ip("192.0.2.1"), ip("192.0.2.2"), 300, 400, spi).ok()) << "one-shot";
  k.rejectExisting(false);
  EXPECT_TRUE(k.addPair(a, params()).ok());
}

TEST(FakeKernel, ExpiryIsReportedAndRemovesPair) {
  FakeKernelIpsec k;
  SaPairId id{ip("2001:db8::1"), ip("2001:db8::2"), 1000, 2000};
  ASSERT_TRUE(k.addPair(id, params()).ok());
  k.expireSa(ip("2001:db8::2"), 1000);
  std::vector<SaGone> gone;
  ASSERT_TRUE(k.drainExpired(gone).ok());
  ASSERT_EQ(1u, gone.size());
  EXPECT_EQ(1000u, gone[0].spi);
  EXPECT_TRUE(k.pairs().empty());
}

TEST(FakeKernel, FlushAndListAndOpsLog) {
  FakeKernelIpsec k;
  ASSERT_TRUE(k.addPair({ip("192.0.2.1"), ip("192.0.2.2"), 1000, 2000}, params()).ok());
  k.setLastUse(ip("192.0.2.2"), 1000, 1234);
  std::vector<SaInfo> owned;
  ASSERT_TRUE(k.listOwned(owned).ok());
  ASSERT_EQ(2u, owned.size());
  EXPECT_EQ(1234u, owned[0].lastUse);
  ASSERT_TRUE(k.flushOwned().ok());
  ASSERT_TRUE(k.listOwned(owned).ok());
  EXPECT_TRUE(owned.empty());
  ASSERT_EQ(4u, k.ops().size());
  EXPECT_EQ("addPair 192.0.2.1<->192.0.2.2 spiP=1000 spiU=2000", k.ops()[0]);
  EXPECT_EQ("flushOwned", k.ops()[2]);
}

TEST(FakeKernel, RejectsInvalidPairs) {
  FakeKernelIpsec k;
  SaPairParams p = params();
  p.uePort = 0;
  EXPECT_EQ(Status::InvalidArg, k.addPair({ip("192.0.2.1"), ip("192.0.2.2"), 1000, 2000}, p).status);
  EXPECT_EQ(Status::InvalidArg,
            k.addPair({ip("192.0.2.1"), ip("2001:db8::2"), 1000, 2000}, params()).status);
}

TEST(FakeKernel, DeferredOutboundIsActivatedOnceAndDeletableInBothStates) {
  FakeKernelIpsec k;
  SaPairId a{ip("192.0.2.1"), ip("192.0.2.2"), 1000, 2000};
  SaPairId b{ip("192.0.2.1"), ip("192.0.2.2"), 1001, 2001};
  SaPairParams deferred = params();
  deferred.deferOutbound = true;
  EXPECT_EQ(Status::NotFound, k.activateOutbound(a, params()).status) << "no pair yet";
  ASSERT_TRUE(k.addPair(a, deferred).ok());
  ASSERT_TRUE(k.addPair(b, params()).ok());
  EXPECT_TRUE(k.hasPair(1000, 2000));
  EXPECT_FALSE(k.outboundActive(1000, 2000)) << "deferred: inbound only";
  EXPECT_TRUE(k.outboundActive(1001, 2001)) << "default: everything at once";
  EXPECT_EQ(Status::AlreadyExists, k.activateOutbound(b, params()).status);
  ASSERT_TRUE(k.activateOutbound(a, params()).ok());
  EXPECT_TRUE(k.outboundActive(1000, 2000));
  Result again = k.activateOutbound(a, params());
  EXPECT_EQ(Status::AlreadyExists, again.status);
  EXPECT_EQ(EEXIST, again.err);
  // Another pair between the same hosts is not this one.
  EXPECT_EQ(Status::NotFound,
            k.activateOutbound({ip("192.0.2.1"), ip("192.0.2.2"), 1000, 2001}, params()).status);
  EXPECT_EQ("activateOutbound 192.0.2.1<->192.0.2.2 spiP=1000 spiU=2000", k.ops()[5]);
  ASSERT_TRUE(k.deletePair(a, params()).ok()) << "activated";
  EXPECT_FALSE(k.outboundActive(1000, 2000));
  EXPECT_EQ(Status::NotFound, k.activateOutbound(a, params()).status) << "deleted";

  SaPairId c{ip("192.0.2.1"), ip("192.0.2.2"), 1002, 2002};
  ASSERT_TRUE(k.addPair(c, deferred).ok());
  ASSERT_TRUE(k.deletePair(c, deferred).ok()) << "never activated";
  EXPECT_FALSE(k.hasPair(1002, 2002));
  EXPECT_EQ(Status::NotFound, k.deletePair(c, deferred).status);
}

TEST(FakeKernel, ActivateOutboundFailuresLeaveThePairDeferred) {
  FakeKernelIpsec k;
  SaPairId a{ip("192.0.2.1"), ip("192.0.2.2"), 1000, 2000};
  SaPairParams deferred = params();
  deferred.deferOutbound = true;
  deferred.local = Role::Ue;
  ASSERT_TRUE(k.addPair(a, deferred).ok());
  k.failNext(Status::KernelError, EIO);
  EXPECT_EQ(Status::KernelError, k.activateOutbound(a, deferred).status);
  EXPECT_FALSE(k.outboundActive(1000, 2000));
  SaPairParams bad = deferred;
  bad.uePort = 0;
  EXPECT_EQ(Status::InvalidArg, k.activateOutbound(a, bad).status);
  EXPECT_FALSE(k.outboundActive(1000, 2000));
  EXPECT_TRUE(k.activateOutbound(a, deferred).ok());
  EXPECT_TRUE(k.outboundActive(1000, 2000));
}

TEST(FakeKernel, BaseClassActivateOutboundIsNotSupported) {
  // A backend that does not implement deferral says so instead of pretending.
  struct Minimal : FakeKernelIpsec {
    Result activate(const SaPairId& id, const SaPairParams& p) noexcept {
      return KernelIpsec::activateOutbound(id, p);
    }
  } k;
  EXPECT_EQ(Status::NotSupported,
            k.activate({ip("192.0.2.1"), ip("192.0.2.2"), 1000, 2000}, params()).status);
}

}  // namespace
}  // namespace secsetup::kipsec
