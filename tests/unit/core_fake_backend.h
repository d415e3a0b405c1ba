#pragma once
// A recording KernelIpsec for the core's tests: sequential SPIs, the live SAs and SPIs, a call
// log, failure injection, and invariant checks (SPI_P != SPI_U, no live SPI reused).

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "kernel_ipsec/kernel_ipsec.h"

namespace secsetup::testing {

class RecordingSaBackend : public kipsec::KernelIpsec {
 public:
  struct Pair {
    kipsec::SaPairId id;
    kipsec::SaPairParams params;  // keys included: tests compare both ends' keys
    bool outboundActive = false;  // false while deferred (SM4 must leave in the clear)
  };

  kipsec::Result allocSpi(const kipsec::IpAddress& src, const kipsec::IpAddress& dst, uint32_t min,
                          uint32_t max, uint32_t& spi) noexcept override;
  kipsec::Result releaseSpi(const kipsec::IpAddress& src, const kipsec::IpAddress& dst,
                            uint32_t spi) noexcept override;
  kipsec::Result addPair(const kipsec::SaPairId& id,
                         const kipsec::SaPairParams& params) noexcept override;
  kipsec::Result deletePair(const kipsec::SaPairId& id,
                            const kipsec::SaPairParams& params) noexcept override;
  kipsec::Result activateOutbound(const kipsec::SaPairId& id,
                                  const kipsec::SaPairParams& params) noexcept override;
  kipsec::Result querySa(const kipsec::IpAddress& dst, uint32_t spi,
                         kipsec::SaInfo& out) noexcept override;
  kipsec::Result listOwned(std::vector<kipsec::SaInfo>& out) noexcept override;
  kipsec::Result flushOwned() noexcept override;
  int expireEventFd() noexcept override { return -1; }
  kipsec::Result drainExpired(std::vector<kipsec::SaGone>& out) noexcept override;
  kipsec::Features features() noexcept override { return {true, true}; }

  // State
  const std::map<uint32_t, Pair>& pairs() const { return pairs_; }  // by SPI_P
  std::size_t livePairs() const { return pairs_.size(); }
  std::size_t reservedSpis() const { return reserved_.size(); }
  bool hasPairWithSpiP(uint32_t spiP) const { return pairs_.count(spiP) != 0; }
  const Pair* pairByUePort(uint16_t port) const;
  const std::vector<std::string>& calls() const { return calls_; }
  const std::vector<std::string>& violations() const { return violations_; }
  void clearCalls() { calls_.clear(); }

  // Failure injection
  int failAddAt = -1;      // the n-th addPair (0-based) fails
  bool failAlloc = false;  // every allocSpi fails
  bool failActivate = false;  // every activateOutbound fails
  uint32_t nextSpi = 4096;
  std::vector<uint32_t> forcedSpis;  // handed out first (e.g. to collide with SPI_U)
  std::vector<kipsec::SaGone> gone;  // drained by drainExpired

 private:
  std::map<uint32_t, Pair> pairs_;
  std::set<uint32_t> reserved_;
  std::set<uint32_t> everLive_;
  std::vector<std::string> calls_;
  std::vector<std::string> violations_;
  int addCalls_ = 0;
};

}  // namespace secsetup::testing
