#pragma once
// A recording fake of KernelIpsec for unit tests of the core and the glue.
//
// Hands out sequential SPIs in the requested range (skipping reserved and installed ones),
// tracks reservations and installed pairs, keeps an ops log, and fails on request:
//   failNext(Status)        the next call (of any kind) fails with that status
//   failAddAt(n)            the n-th addPair call (1-based) fails with KernelError
//   rejectExisting(false)   addPair over an installed SPI then succeeds (default: AlreadyExists)
// A pair added with deferOutbound has no outbound policies until activateOutbound
// (outboundActive tells); deletePair removes it in either state.
// Keys are never recorded, only their lengths.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "kernel_ipsec/kernel_ipsec.h"

namespace secsetup::kipsec {

struct FakePair {
  SaPairId id;
  Role local = Role::Pcscf;
  uint16_t uePort = 0;
  uint16_t pcscfProtectedPort = 0;
  IntegrityAlg integrity = IntegrityAlg::HmacSha1_96;
  CipherAlg cipher = CipherAlg::None;
  std::size_t integrityKeyLen = 0;
  std::size_t cipherKeyLen = 0;
  uint64_t lastUse = 0;
  bool outboundActive = true;  // false from addPair(deferOutbound) until activateOutbound
};

class FakeKernelIpsec : public KernelIpsec {
 public:
  Result allocSpi(const IpAddress& src, const IpAddress& dst, uint32_t min, uint32_t max,
                  uint32_t& spi) noexcept override;
  Result releaseSpi(const IpAddress& src, const IpAddress& dst, uint32_t spi) noexcept override;
  Result addPair(const SaPairId& id, const SaPairParams& params) noexcept override;
  Result deletePair(const SaPairId& id, const SaPairParams& params) noexcept override;
  Result activateOutbound(const SaPairId& id, const SaPairParams& params) noexcept override;
  Result querySa(const IpAddress& dst, uint32_t spi, SaInfo& out) noexcept override;
  Result listOwned(std::vector<SaInfo>& out) noexcept override;
  Result flushOwned() noexcept override;
  int expireEventFd() noexcept override { return -1; }
  Result drainExpired(std::vector<SaGone>& out) noexcept override;
  Features features() noexcept override { return features_; }

  // Failure injection.
  void failNext(Status s, int err = 0) { failNext_ = Result::failure(s, err); }
  void failAddAt(std::size_t n) { failAddAt_ = n; }
  void rejectExisting(bool reject) { rejectExisting_ = reject; }
  void setFeatures(Features f) { features_ = f; }

  // Simulation: the kernel expires or loses an SA (reported by drainExpired; the pair goes).
  void expireSa(const IpAddress& dst, uint32_t spi, bool hard = true);
  void setLastUse(const IpAddress& dst, uint32_t spi, uint64_t when);

  // Inspection.
  const std::vector<std::string>& ops() const { return ops_; }
  const std::vector<FakePair>& pairs() const { return pairs_; }
  std::size_t reservedCount() const { return reserved_.size(); }
  bool isReserved(const IpAddress& dst, uint32_t spi) const;
  bool hasPair(uint32_t spiP, uint32_t spiU) const;
  // True when the pair exists and its outbound policies are installed.
  bool outboundActive(uint32_t spiP, uint32_t spiU) const;
  std::size_t addCalls() const { return addCalls_; }

 private:
  using SpiKey = std::pair<std::string, uint32_t>;  // destination text, SPI
  bool spiInUse(const IpAddress& dst, uint32_t spi) const;
  bool takeFailure(Result& r);
  void log(std::string op) { ops_.push_back(std::move(op)); }

  std::set<SpiKey> reserved_;
  std::vector<FakePair> pairs_;
  std::vector<SaGone> gone_;
  std::vector<std::string> ops_;
  std::map<std::string, uint32_t> nextSpi_;  // per destination
  std::optional<Result> failNext_;
  std::size_t failAddAt_ = 0;
  std::size_t addCalls_ = 0;
  bool rejectExisting_ = true;
  Features features_{true, true};
};

}  // namespace secsetup::kipsec
