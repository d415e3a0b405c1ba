#pragma once
// The KernelIpsec implementation over NETLINK_XFRM with libmnl.
//
// One request socket per process (open it after fork, e.g. in Kamailio's child_init), every
// request acknowledged and matched by sequence number, the six objects of a pair (two SAs,
// four policies: UDP and TCP for each SA) sent in one batch and rolled back together; with
// deferOutbound the two outbound policies follow later in their own batch (activateOutbound).
// Pair installation lives in xfrm_mnl_pairs.cpp, everything else in xfrm_mnl_backend.cpp.
// Ownership: every SA carries reqid == ownerTag and every SA and policy carries
// selector.user == ownerTag; neither changes which packets match. See docs/kernel_ipsec.md.
// Not thread-safe: one instance per process.

#include <cstddef>
#include <cstdint>

#include "kernel_ipsec/kernel_ipsec.h"
#include "kernel_ipsec/netlink_socket.h"
#include "kernel_ipsec/xfrm_messages.h"

namespace secsetup::kipsec {

struct XfrmConfig {
  uint32_t ownerTag = 0x5ec5e7;  // reqid of our SAs and selector.user of SAs and policies
  uint32_t spiMin = 256;         // allocSpi never leaves [spiMin, spiMax]
  uint32_t spiMax = 0xffffffff;
  uint32_t policyPriority = 0;   // XFRM policy priority (lower wins)
  uint8_t replayWindow = 32;     // anti-replay window of the SAs, in packets
  std::size_t flushBatch = 64;   // deletes per netlink batch in flushOwned
};

// Opens the request socket. On failure returns nullptr and, if res is given, why.
KernelIpsecPtr makeXfrmBackend(const XfrmConfig& cfg, Result* res = nullptr) noexcept;

class XfrmMnlBackend : public KernelIpsec {
 public:
  explicit XfrmMnlBackend(const XfrmConfig& cfg) noexcept;
  ~XfrmMnlBackend() override;
  Result open() noexcept;

  Result allocSpi(const IpAddress& src, const IpAddress& dst, uint32_t min, uint32_t max,
                  uint32_t& spi) noexcept override;
  Result releaseSpi(const IpAddress& src, const IpAddress& dst, uint32_t spi) noexcept override;
  Result addPair(const SaPairId& id, const SaPairParams& params) noexcept override;
  Result deletePair(const SaPairId& id, const SaPairParams& params) noexcept override;
  Result activateOutbound(const SaPairId& id, const SaPairParams& params) noexcept override;
  Result querySa(const IpAddress& dst, uint32_t spi, SaInfo& out) noexcept override;
  Result listOwned(std::vector<SaInfo>& out) noexcept override;
  Result flushOwned() noexcept override;
  int expireEventFd() noexcept override;
  Result drainExpired(std::vector<SaGone>& out) noexcept override;
  Features features() noexcept override;

  // Objects of one pair, in the order they are sent.
  static constexpr std::size_t kPairObjects = 6;

  // Test-only: the receive buffers of the request socket and (once opened) the event socket.
  std::vector<const std::vector<uint8_t>*> receiveBuffersForTest() const;

 protected:
  // Test-only hook (kernel suite): true makes the object at this index of a pair (0..5, the
  // order above, also when addPair defers or activateOutbound sends the outbound policies)
  // unacceptable to the kernel, so that rollback is exercised against a real kernel.
  // Production code never overrides it; no configuration reaches it.
  virtual bool failObjectForTest(std::size_t /*index*/) noexcept { return false; }

 private:
  struct PairObjects {
    xfrm::SaSpec sa[2];          // [0] UE -> P-CSCF, [1] P-CSCF -> UE
    xfrm::PolicySpec pol[4];     // toP udp, toP tcp, toUe udp, toUe tcp
    std::size_t inboundSa = 0;   // the SA whose SPI this host allocated
    std::size_t outbound[2] = {};  // object indices (2..5) of this host's outbound policies
    bool isOutbound(std::size_t obj) const noexcept {
      return obj == outbound[0] || obj == outbound[1];
    }
  };
  static constexpr uint32_t kMinSpi = 256;  // 0..255 are reserved (RFC 4303)
  static constexpr int kNotSent = -1;       // errs[] of an object this call did not send
  Result describe(const SaPairId& id, const SaPairParams& p, PairObjects& out) const noexcept;
  // describe() without keys (delete, activateOutbound): validates the shape only.
  Result describeShape(const SaPairId& id, const SaPairParams& p, PairObjects& out) const noexcept;
  nlmsghdr* buildObject(void* space, const PairObjects& o, std::size_t obj) noexcept;
  Result getSa(const IpAddress& dst, uint32_t spi, xfrm::SaDump& out) noexcept;
  Result replaceLarval(const xfrm::SaSpec& sa, int& err) noexcept;
  void rollback(const PairObjects& objs, const std::vector<int>& errs) noexcept;
  Result deleteKeys(const std::vector<std::pair<IpAddress, uint32_t>>& sas,
                    const std::vector<xfrm::PolicyKey>& pols, std::size_t& found) noexcept;

  XfrmConfig cfg_;
  NetlinkSocketPtr sock_;
  NetlinkSocketPtr events_;
  bool featuresKnown_ = false;
  Features features_;
};

}  // namespace secsetup::kipsec
