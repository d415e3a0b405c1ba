#pragma once
// The recording fake of KernelIpsec for unit tests of the core and the glue (the one fake:
// the core's tests, its fuzz targets and the glue's use it alike).
//
// Hands out sequential SPIs in the requested range (skipping reserved and installed ones),
// tracks reservations and installed pairs, keeps an ops log, and fails on request:
//   failNext(Status)        the next call (of any kind) fails with that status
//   failAddAt(n)            the n-th addPair call (1-based) fails with KernelError
//   failAllocs(true)        every allocSpi fails (OutOfResources)
//   failActivations(true)   every activateOutbound fails (KernelError)
//   rejectExisting(false)   addPair over an installed SPI then succeeds (default: AlreadyExists)
//   setNextSpi / forceSpis  steer the SPIs handed out
//   beforeNextAddForTest(f) runs f once, at the start of the next addPair: what another
//                           worker does while this one makes a pair without the store's lock
// A pair added with deferOutbound has no outbound policies until activateOutbound
// (outboundActive tells); deletePair removes it in either state.
// It also checks the rules the kernel contract puts on its caller and lists every breach in
// violations(): SPI_P == SPI_U, an SPI below 256, an SPI handed out while live, a pair whose
// local SPI was not reserved, two pairs on one UE address and port.
// Each pair keeps its parameters, keys included (tests compare the keys of both ends); the
// ops log never holds a key.

#include <cstddef>
#include <cstdint>
#include <map>
#include <functional>
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
  SaPairParams params;         // as given to addPair, keys included
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
  void failAllocs(bool fail) { failAllocs_ = fail; }
  void failActivations(bool fail) { failActivations_ = fail; }
  void beforeNextAddForTest(std::function<void()> f) { beforeNextAdd_ = std::move(f); }
  // The next SPI tried for every destination (a per-process range, e.g. for forked workers).
  void setNextSpi(uint32_t spi);
  // Handed out first and as they are, even if in use (e.g. to collide with SPI_U).
  void forceSpis(std::vector<uint32_t> spis) { forced_ = std::move(spis); }
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
  std::size_t livePairs() const { return pairs_.size(); }
  const FakePair* pairByUePort(uint16_t port) const;
  const std::vector<std::string>& violations() const { return violations_; }

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
  uint32_t firstSpi_ = 0;                    // where a new destination starts (0: at min)
  std::vector<uint32_t> forced_;
  std::vector<std::string> violations_;
  bool failAllocs_ = false;
  bool failActivations_ = false;
  std::optional<Result> failNext_;
  std::function<void()> beforeNextAdd_;
  std::size_t failAddAt_ = 0;
  std::size_t addCalls_ = 0;
  bool rejectExisting_ = true;
  Features features_{true, true};
};

}  // namespace secsetup::kipsec
