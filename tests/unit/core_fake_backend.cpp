#include "tests/unit/core_fake_backend.h"

namespace secsetup::testing {

using kipsec::Result;
using kipsec::Status;

Result RecordingSaBackend::allocSpi(const kipsec::IpAddress&, const kipsec::IpAddress&,
                                    uint32_t min, uint32_t max, uint32_t& spi) noexcept {
  calls_.push_back("allocSpi");
  if (failAlloc) {
    return Result::failure(Status::OutOfResources);
  }
  uint32_t candidate;
  if (!forcedSpis.empty()) {
    candidate = forcedSpis.front();
    forcedSpis.erase(forcedSpis.begin());
  } else {
    do {
      candidate = nextSpi++;
    } while (reserved_.count(candidate) || pairs_.count(candidate));
  }
  if (candidate < min || candidate > max) {
    violations_.push_back("SPI outside the configured range");
  }
  if (reserved_.count(candidate) || pairs_.count(candidate)) {
    violations_.push_back("allocSpi handed out a live SPI");
  }
  reserved_.insert(candidate);
  spi = candidate;
  return Result::success();
}

Result RecordingSaBackend::releaseSpi(const kipsec::IpAddress&, const kipsec::IpAddress&,
                                      uint32_t spi) noexcept {
  calls_.push_back("releaseSpi " + std::to_string(spi));
  return reserved_.erase(spi) ? Result::success() : Result::failure(Status::NotFound);
}

Result RecordingSaBackend::addPair(const kipsec::SaPairId& id,
                                   const kipsec::SaPairParams& params) noexcept {
  calls_.push_back("addPair " + std::to_string(id.spiP) + "/" + std::to_string(id.spiU) + " port " +
                   std::to_string(params.uePort));
  if (addCalls_++ == failAddAt) {
    return Result::failure(Status::KernelError, 12);
  }
  uint32_t localSpi = params.local == kipsec::Role::Pcscf ? id.spiP : id.spiU;
  if (!reserved_.count(localSpi)) {
    violations_.push_back("addPair with a local SPI that was not allocated");
  }
  if (id.spiP == id.spiU) {
    violations_.push_back("SPI_P equals SPI_U");
  }
  if (id.spiP < 256 || id.spiU < 256) {
    violations_.push_back("SPI below 256");
  }
  if (pairs_.count(id.spiP)) {
    return Result::failure(Status::AlreadyExists);
  }
  for (const auto& [spi, p] : pairs_) {
    if (p.id.ue == id.ue && p.params.uePort == params.uePort) {
      violations_.push_back("two live pairs on one UE address and port");
    }
  }
  reserved_.erase(localSpi);
  pairs_[id.spiP] = Pair{id, params, !params.deferOutbound};
  return Result::success();
}

Result RecordingSaBackend::activateOutbound(const kipsec::SaPairId& id,
                                            const kipsec::SaPairParams&) noexcept {
  calls_.push_back("activateOutbound " + std::to_string(id.spiP));
  if (failActivate) {
    return Result::failure(Status::KernelError, 5);
  }
  auto it = pairs_.find(id.spiP);
  if (it == pairs_.end() || it->second.id.spiU != id.spiU) {
    return Result::failure(Status::NotFound);
  }
  if (it->second.outboundActive) {
    return Result::failure(Status::AlreadyExists);
  }
  it->second.outboundActive = true;
  return Result::success();
}

Result RecordingSaBackend::deletePair(const kipsec::SaPairId& id,
                                      const kipsec::SaPairParams&) noexcept {
  calls_.push_back("deletePair " + std::to_string(id.spiP) + "/" + std::to_string(id.spiU));
  auto it = pairs_.find(id.spiP);
  if (it == pairs_.end() || it->second.id.spiU != id.spiU) {
    return Result::failure(Status::NotFound);
  }
  pairs_.erase(it);
  return Result::success();
}

Result RecordingSaBackend::querySa(const kipsec::IpAddress& dst, uint32_t spi,
                                   kipsec::SaInfo& out) noexcept {
  for (const auto& [spiP, p] : pairs_) {
    if ((p.id.pcscf == dst && p.id.spiP == spi) || (p.id.ue == dst && p.id.spiU == spi)) {
      out.dst = dst;
      out.spi = spi;
      return Result::success();
    }
  }
  return Result::failure(Status::NotFound);
}

Result RecordingSaBackend::listOwned(std::vector<kipsec::SaInfo>& out) noexcept {
  for (const auto& [spiP, p] : pairs_) {
    kipsec::SaInfo a;
    a.src = p.id.ue;
    a.dst = p.id.pcscf;
    a.spi = p.id.spiP;
    out.push_back(a);
  }
  return Result::success();
}

Result RecordingSaBackend::flushOwned() noexcept {
  calls_.push_back("flushOwned");
  pairs_.clear();
  reserved_.clear();
  return Result::success();
}

Result RecordingSaBackend::drainExpired(std::vector<kipsec::SaGone>& out) noexcept {
  out.insert(out.end(), gone.begin(), gone.end());
  gone.clear();
  return Result::success();
}

const RecordingSaBackend::Pair* RecordingSaBackend::pairByUePort(uint16_t port) const {
  for (const auto& [spi, p] : pairs_) {
    if (p.params.uePort == port) {
      return &p;
    }
  }
  return nullptr;
}

}  // namespace secsetup::testing
