// The backend against this host's kernel, in a private network namespace. The host kernel
// has XFRM but maybe no ESP: SPI allocation, policies, rollback, flush and events work here;
// ESP SAs are proven by the kernel suite (tests/kernel) in the sandbox.

#include <errno.h>
#include <gtest/gtest.h>
#include <netinet/in.h>  // before linux/xfrm.h: see xfrm_messages.h
#include <linux/xfrm.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include <set>
#include <vector>

#include "kernel_ipsec/netlink_socket.h"
#include "kernel_ipsec/owner_claim.h"
#include "kernel_ipsec/xfrm_messages.h"
#include "kernel_ipsec/xfrm_mnl_backend.h"

namespace secsetup::kipsec {
namespace {

constexpr uint32_t kTag = 0x7e57;
constexpr uint32_t kForeignTag = 0x0f0f;

IpAddress ip(const char* s) {
  IpAddress a;
  EXPECT_TRUE(IpAddress::parse(s, a));
  return a;
}

class NetnsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0 || unshare(CLONE_NEWNET) != 0) {
      GTEST_SKIP() << "needs root and unshare(CLONE_NEWNET)";
    }
    XfrmConfig cfg;
    cfg.ownerTag = kTag;
    Result r;
    k_ = makeXfrmBackend(cfg, &r);
    ASSERT_TRUE(k_) << toString(r.status) << " " << r.err;
    raw_ = NetlinkSocket::open({}, r);
    ASSERT_TRUE(raw_);
  }

  // Installs a policy directly, with the given selector user tag.
  int addRawPolicy(uint32_t tag, uint16_t sport) {
    xfrm::PolicySpec ps;
    ps.src = ip("192.0.2.1");
    ps.dst = ip("192.0.2.2");
    ps.sport = sport;
    ps.proto = IPPROTO_UDP;
    ps.dir = XFRM_POLICY_OUT;
    ps.selUser = tag;
    ps.tmplReqid = tag;
    NlBatch b(1);
    b.push(xfrm::buildPolicy(b.space(), raw_->nextSeq(), NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, ps));
    std::vector<int> errs;
    EXPECT_TRUE(raw_->transact(b, errs, nullptr).ok());
    return errs[0];
  }

  std::vector<uint32_t> policyTags() {
    std::vector<uint32_t> tags;
    alignas(8) uint8_t buf[xfrm::kMsgMax];
    auto onMsg = [&](std::size_t, const nlmsghdr* nlh) {
      xfrm::PolicyDump d;
      if (xfrm::parsePolicy(nlh, d)) {
        tags.push_back(d.selUser);
      }
    };
    NlSinkFn<decltype(onMsg)> sink(onMsg);
    EXPECT_TRUE(raw_->dump(xfrm::buildDump(buf, XFRM_MSG_GETPOLICY, raw_->nextSeq()), sink).ok());
    return tags;
  }

  KernelIpsecPtr k_;
  NetlinkSocketPtr raw_;
};

TEST_F(NetnsTest, AllocatedSpisAreUniqueInRangeAndReleasable) {
  std::set<uint32_t> seen;
  for (int i = 0; i < 1000; ++i) {
    uint32_t spi = 0;
    Result r = k_->allocSpi(ip("192.0.2.1"), ip("192.0.2.2"), 10000, 20000, spi);
    ASSERT_TRUE(r.ok()) << toString(r.status) << " " << r.err;
    EXPECT_GE(spi, 10000u);
    EXPECT_LE(spi, 20000u);
    EXPECT_TRUE(seen.insert(spi).second) << "duplicate " << spi;
  }
  std::vector<SaInfo> owned;
  ASSERT_TRUE(k_->listOwned(owned).ok());
  EXPECT_EQ(1000u, owned.size());
  for (uint32_t spi : seen) {
    ASSERT_TRUE(k_->releaseSpi(ip("192.0.2.1"), ip("192.0.2.2"), spi).ok());
  }
  ASSERT_TRUE(k_->listOwned(owned).ok());
  EXPECT_EQ(0u, owned.size());
}

TEST_F(NetnsTest, ExhaustedRangeIsOutOfResources) {
  uint32_t spi = 0;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(k_->allocSpi(ip("192.0.2.1"), ip("192.0.2.2"), 300, 302, spi).ok());
  }
  Result r = k_->allocSpi(ip("192.0.2.1"), ip("192.0.2.2"), 300, 302, spi);
  EXPECT_EQ(Status::OutOfResources, r.status);
  EXPECT_EQ(Status::InvalidArg, k_->allocSpi(ip("192.0.2.1"), ip("192.0.2.2"), 0, 255, spi).status)
      << "SPIs 0..255 are reserved";
}

TEST_F(NetnsTest, MissingObjectsAreNotFound) {
  EXPECT_EQ(Status::NotFound, k_->releaseSpi(ip("192.0.2.1"), ip("192.0.2.2"), 4444).status);
  SaInfo info;
  EXPECT_EQ(Status::NotFound, k_->querySa(ip("192.0.2.2"), 4444, info).status);
  SaPairId id{ip("192.0.2.1"), ip("192.0.2.2"), 5000, 5001};
  SaPairParams p;
  p.uePort = 5064;
  p.pcscfProtectedPort = 5060;
  EXPECT_EQ(Status::NotFound, k_->deletePair(id, p).status);
}

TEST_F(NetnsTest, AddPairIsAllOrNothing) {
  const uint8_t key[20] = {1, 2, 3};
  SaPairId id{ip("192.0.2.1"), ip("192.0.2.2"), 5000, 5001};
  SaPairParams p;
  p.uePort = 5064;
  p.pcscfProtectedPort = 5060;
  p.integrity = IntegrityAlg::HmacSha1_96;
  p.integrityKeyToPcscf = KeyBytes(key, 20);
  p.integrityKeyToUe = KeyBytes(key, 20);
  Result r = k_->addPair(id, p);
  if (!k_->features().esp) {
    // No ESP here: the SAs fail, the four policies the kernel accepted are rolled back.
    EXPECT_EQ(Status::NotSupported, r.status);
    EXPECT_EQ(EPROTONOSUPPORT, r.err);
    EXPECT_TRUE(policyTags().empty());
  } else {
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(4u, policyTags().size());
    EXPECT_EQ(Status::AlreadyExists, k_->addPair(id, p).status);
    EXPECT_EQ(4u, policyTags().size()) << "a failed second add must not remove the first";
    EXPECT_TRUE(k_->deletePair(id, p).ok());
    EXPECT_TRUE(policyTags().empty());
  }
}

TEST_F(NetnsTest, RejectsBadParameters) {
  SaPairId id{ip("192.0.2.1"), ip("2001:db8::2"), 5000, 5001};
  SaPairParams p;
  p.uePort = 5064;
  p.pcscfProtectedPort = 5060;
  EXPECT_EQ(Status::InvalidArg, k_->addPair(id, p).status) << "mixed families";
  id.pcscf = ip("192.0.2.2");
  EXPECT_EQ(Status::InvalidArg, k_->addPair(id, p).status) << "empty keys";
  const uint8_t key[20] = {};
  p.integrityKeyToPcscf = KeyBytes(key, 16);  // sha-1 wants 20
  p.integrityKeyToUe = KeyBytes(key, 20);
  EXPECT_EQ(Status::InvalidArg, k_->addPair(id, p).status);
  EXPECT_TRUE(policyTags().empty());
}

TEST_F(NetnsTest, FlushTouchesOnlyTaggedObjects) {
  ASSERT_EQ(0, addRawPolicy(kForeignTag, 1111));
  ASSERT_EQ(0, addRawPolicy(kTag, 2222));
  ASSERT_EQ(0, addRawPolicy(kTag, 3333));
  uint32_t spi = 0;
  ASSERT_TRUE(k_->allocSpi(ip("192.0.2.1"), ip("192.0.2.2"), 1000, 2000, spi).ok());
  // A foreign reservation under another reqid.
  XfrmConfig other;
  other.ownerTag = kForeignTag;
  KernelIpsecPtr foreign = makeXfrmBackend(other);
  ASSERT_TRUE(foreign);
  uint32_t foreignSpi = 0;
  ASSERT_TRUE(foreign->allocSpi(ip("192.0.2.1"), ip("192.0.2.2"), 1000, 2000, foreignSpi).ok());

  ASSERT_TRUE(k_->flushOwned().ok());
  EXPECT_EQ(std::vector<uint32_t>{kForeignTag}, policyTags());
  std::vector<SaInfo> owned;
  ASSERT_TRUE(k_->listOwned(owned).ok());
  EXPECT_TRUE(owned.empty());
  SaInfo info;
  EXPECT_TRUE(k_->querySa(ip("192.0.2.2"), foreignSpi, info).ok()) << "foreign SA survives";
  EXPECT_EQ(Status::NotFound, k_->querySa(ip("192.0.2.2"), spi, info).status);
}

TEST_F(NetnsTest, ReportsSasDeletedByOthersButNotOwnDeletes) {
  ASSERT_GE(k_->expireEventFd(), 0);
  uint32_t a = 0, b = 0;
  ASSERT_TRUE(k_->allocSpi(ip("192.0.2.1"), ip("192.0.2.2"), 1000, 2000, a).ok());
  ASSERT_TRUE(k_->allocSpi(ip("192.0.2.1"), ip("192.0.2.2"), 1000, 2000, b).ok());
  XfrmConfig same;
  same.ownerTag = kTag;
  KernelIpsecPtr other = makeXfrmBackend(same);  // e.g. another Kamailio worker
  ASSERT_TRUE(other->releaseSpi(ip("192.0.2.1"), ip("192.0.2.2"), a).ok());
  ASSERT_TRUE(k_->releaseSpi(ip("192.0.2.1"), ip("192.0.2.2"), b).ok());
  std::vector<SaGone> gone;
  ASSERT_TRUE(k_->drainExpired(gone).ok());
  ASSERT_EQ(1u, gone.size());
  EXPECT_EQ(a, gone[0].spi);
  EXPECT_EQ("192.0.2.2", gone[0].dst.toString());
  gone.clear();
  ASSERT_TRUE(k_->drainExpired(gone).ok());
  EXPECT_TRUE(gone.empty());
}

TEST_F(NetnsTest, FeaturesAnswerWithoutCreatingAnything) {
  Features f = k_->features();
  (void)f;  // host-dependent; the kernel suite asserts esp == true in the sandbox
  std::vector<SaInfo> owned;
  ASSERT_TRUE(k_->listOwned(owned).ok());
  EXPECT_TRUE(owned.empty());
  EXPECT_TRUE(policyTags().empty());
}

// Records which objects of a pair (0..5) a call built, through the test hook.
class RecordingBackend : public XfrmMnlBackend {
 public:
  using XfrmMnlBackend::XfrmMnlBackend;
  std::vector<std::size_t> built;

 protected:
  bool failObjectForTest(std::size_t i) noexcept override {
    built.push_back(i);
    return false;
  }
};

SaPairParams sha1Params(Role role, bool defer) {
  const uint8_t key[20] = {1, 2, 3};
  SaPairParams p;
  p.local = role;
  p.uePort = 5064;
  p.pcscfProtectedPort = 5060;
  p.integrity = IntegrityAlg::HmacSha1_96;
  p.integrityKeyToPcscf = KeyBytes(key, 20);
  p.integrityKeyToUe = KeyBytes(key, 20);
  p.deferOutbound = defer;
  return p;
}

TEST_F(NetnsTest, DeferredAddSendsOnlyTheInboundPolicies) {
  XfrmConfig cfg;
  cfg.ownerTag = kTag;
  RecordingBackend k(cfg);
  ASSERT_TRUE(k.open().ok());
  SaPairId id{ip("192.0.2.1"), ip("192.0.2.2"), 5000, 5001};
  // Objects: 0,1 SAs; 2,3 policies towards the P-CSCF; 4,5 policies towards the UE.
  k.addPair(id, sha1Params(Role::Pcscf, true));
  EXPECT_EQ((std::vector<std::size_t>{0, 1, 2, 3}), k.built) << "P-CSCF: no policy to the UE";
  k.deletePair(id, sha1Params(Role::Pcscf, true));
  k.built.clear();
  k.addPair(id, sha1Params(Role::Ue, true));
  EXPECT_EQ((std::vector<std::size_t>{0, 1, 4, 5}), k.built) << "UE: no policy to the P-CSCF";
  k.deletePair(id, sha1Params(Role::Ue, true));
  k.built.clear();
  k.addPair(id, sha1Params(Role::Pcscf, false));
  EXPECT_EQ((std::vector<std::size_t>{0, 1, 2, 3, 4, 5}), k.built) << "not deferred: all six";
  k.deletePair(id, sha1Params(Role::Pcscf, false));
  EXPECT_TRUE(policyTags().empty());
}

TEST_F(NetnsTest, DeferredPairWithoutEspIsRolledBackAndCannotBeActivated) {
  SaPairId id{ip("192.0.2.1"), ip("192.0.2.2"), 5000, 5001};
  const SaPairParams p = sha1Params(Role::Pcscf, true);
  Result r = k_->addPair(id, p);
  if (!k_->features().esp) {
    EXPECT_EQ(Status::NotSupported, r.status);
    EXPECT_TRUE(policyTags().empty()) << "the two inbound policies are rolled back";
    EXPECT_EQ(Status::NotFound, k_->activateOutbound(id, p).status);
    EXPECT_TRUE(policyTags().empty()) << "no outbound policy without its SA";
    EXPECT_EQ(Status::NotFound, k_->deletePair(id, p).status);
    return;
  }
  ASSERT_TRUE(r.ok()) << toString(r.status) << " " << r.err;
  EXPECT_EQ(2u, policyTags().size()) << "inbound policies only";
  ASSERT_TRUE(k_->activateOutbound(id, p).ok());
  EXPECT_EQ(4u, policyTags().size());
  EXPECT_EQ(Status::AlreadyExists, k_->activateOutbound(id, p).status);
  EXPECT_EQ(4u, policyTags().size()) << "a second activation must not remove the first";
  EXPECT_TRUE(k_->deletePair(id, p).ok());
  EXPECT_TRUE(policyTags().empty());
}

TEST_F(NetnsTest, ActivateOutboundWantsARealOwnedSa) {
  // The P-CSCF's outbound SA is the one to the UE. A reservation under its (dst, SPI) is not
  // an SA: activating policies that lead to it would only drop packets.
  uint32_t spiU = 0;
  ASSERT_TRUE(k_->allocSpi(ip("192.0.2.2"), ip("192.0.2.1"), 7000, 7999, spiU).ok());
  SaPairId id{ip("192.0.2.1"), ip("192.0.2.2"), 5000, spiU};
  const SaPairParams p = sha1Params(Role::Pcscf, true);
  Result r = k_->activateOutbound(id, p);
  EXPECT_EQ(Status::NotFound, r.status);
  EXPECT_EQ(ESRCH, r.err);
  EXPECT_TRUE(policyTags().empty());
  std::vector<SaInfo> owned;
  ASSERT_TRUE(k_->listOwned(owned).ok());
  EXPECT_EQ(1u, owned.size()) << "the reservation is left alone";
  SaPairParams bad = p;
  bad.uePort = 0;
  EXPECT_EQ(Status::InvalidArg, k_->activateOutbound(id, bad).status);
  id.pcscf = ip("2001:db8::2");
  EXPECT_EQ(Status::InvalidArg, k_->activateOutbound(id, p).status) << "mixed families";
  EXPECT_TRUE(policyTags().empty());
}

// Bytes that are not zero in the backend's receive buffers (request and event socket).
std::size_t bytesLeftInReceiveBuffers(const KernelIpsec& k) {
  std::size_t n = 0;
  for (const std::vector<uint8_t>* buf :
       static_cast<const XfrmMnlBackend&>(k).receiveBuffersForTest()) {
    for (uint8_t b : *buf) {
      n += b != 0 ? 1 : 0;
    }
  }
  return n;
}

// What the kernel sends about SAs (ALLOCSPI and GETSA answers, dumps, DELSA notifications)
// can carry their keys; nothing of it stays in the receive buffers once a call returns, on
// success and error paths alike. Here the SAs are reservations (no keys: no ESP needed); the
// kernel suite repeats this with keyed SAs (tests/kernel/kernel_wipe_check.cpp).
TEST_F(NetnsTest, ReceiveBuffersAreWipedAfterEveryCall) {
  ASSERT_GE(k_->expireEventFd(), 0);
  uint32_t a = 0, b = 0;
  ASSERT_TRUE(k_->allocSpi(ip("192.0.2.1"), ip("192.0.2.2"), 1000, 2000, a).ok());
  EXPECT_EQ(0u, bytesLeftInReceiveBuffers(*k_)) << "after ALLOCSPI";
  ASSERT_TRUE(k_->allocSpi(ip("192.0.2.1"), ip("192.0.2.2"), 1000, 2000, b).ok());
  SaInfo info;
  ASSERT_TRUE(k_->querySa(ip("192.0.2.2"), a, info).ok());
  EXPECT_EQ(0u, bytesLeftInReceiveBuffers(*k_)) << "after GETSA";
  EXPECT_EQ(Status::NotFound, k_->querySa(ip("192.0.2.2"), 4444, info).status);
  EXPECT_EQ(0u, bytesLeftInReceiveBuffers(*k_)) << "after a GETSA answered with an error";
  std::vector<SaInfo> owned;
  ASSERT_TRUE(k_->listOwned(owned).ok());
  EXPECT_EQ(2u, owned.size());
  EXPECT_EQ(0u, bytesLeftInReceiveBuffers(*k_)) << "after an SA dump";
  XfrmConfig same;
  same.ownerTag = kTag;
  KernelIpsecPtr other = makeXfrmBackend(same);  // its delete notifies our event socket
  ASSERT_TRUE(other->releaseSpi(ip("192.0.2.1"), ip("192.0.2.2"), a).ok());
  ASSERT_TRUE(k_->releaseSpi(ip("192.0.2.1"), ip("192.0.2.2"), b).ok());
  std::vector<SaGone> gone;
  ASSERT_TRUE(k_->drainExpired(gone).ok());
  EXPECT_EQ(1u, gone.size());
  EXPECT_EQ(0u, bytesLeftInReceiveBuffers(*k_)) << "after draining DELSA notifications";
}

// Each instance flushes its tag's objects at start, so one tag must not serve two instances
// in one namespace: the second claim fails while the first is held. Another tag, the same tag
// once released, and the same tag in another namespace (its own XFRM state) are free.
TEST_F(NetnsTest, OwnerTagIsClaimedOncePerNamespace) {
  int err = 0;
  int first = claimOwnerTag(kTag, err);
  ASSERT_GE(first, 0) << strerror(err);
  EXPECT_EQ(-1, claimOwnerTag(kTag, err));
  EXPECT_EQ(EADDRINUSE, err);
  const int other = claimOwnerTag(kForeignTag, err);
  EXPECT_GE(other, 0) << strerror(err);
  close(first);
  first = claimOwnerTag(kTag, err);
  EXPECT_GE(first, 0) << "released with its descriptor: " << strerror(err);
  ASSERT_EQ(0, unshare(CLONE_NEWNET));
  const int elsewhere = claimOwnerTag(kTag, err);
  EXPECT_GE(elsewhere, 0) << "another namespace: " << strerror(err);
  for (int fd : {first, other, elsewhere}) {
    close(fd);
  }
}

}  // namespace
}  // namespace secsetup::kipsec
