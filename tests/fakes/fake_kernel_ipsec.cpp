// Recording fake of KernelIpsec (see fake_kernel_ipsec.h).

#include "tests/fakes/fake_kernel_ipsec.h"

#include <errno.h>

#include <algorithm>

namespace secsetup::kipsec {
namespace {

bool sameSa(const FakePair& p, const IpAddress& dst, uint32_t spi) {
  return (p.id.pcscf == dst && p.id.spiP == spi) || (p.id.ue == dst && p.id.spiU == spi);
}

std::string pairText(const SaPairId& id) {
  return id.ue.toString() + "<->" + id.pcscf.toString() + " spiP=" + std::to_string(id.spiP) +
         " spiU=" + std::to_string(id.spiU);
}

}  // namespace

bool FakeKernelIpsec::takeFailure(Result& r) {
  if (!failNext_) {
    return false;
  }
  r = *failNext_;
  failNext_.reset();
  return true;
}

bool FakeKernelIpsec::isReserved(const IpAddress& dst, uint32_t spi) const {
  return reserved_.count({dst.toString(), spi}) > 0;
}

bool FakeKernelIpsec::hasPair(uint32_t spiP, uint32_t spiU) const {
  return std::any_of(pairs_.begin(), pairs_.end(),
                     [&](const FakePair& p) { return p.id.spiP == spiP && p.id.spiU == spiU; });
}

bool FakeKernelIpsec::outboundActive(uint32_t spiP, uint32_t spiU) const {
  return std::any_of(pairs_.begin(), pairs_.end(), [&](const FakePair& p) {
    return p.id.spiP == spiP && p.id.spiU == spiU && p.outboundActive;
  });
}

bool FakeKernelIpsec::spiInUse(const IpAddress& dst, uint32_t spi) const {
  if (isReserved(dst, spi)) {
    return true;
  }
  return std::any_of(pairs_.begin(), pairs_.end(),
                     [&](const FakePair& p) { return sameSa(p, dst, spi); });
}

Result FakeKernelIpsec::allocSpi(const IpAddress& src, const IpAddress& dst, uint32_t min,
                                 uint32_t max, uint32_t& spi) noexcept {
  try {
    log("allocSpi " + src.toString() + "->" + dst.toString());
    Result r;
    if (takeFailure(r)) {
      return r;
    }
    if (failAllocs_) {
      return Result::failure(Status::OutOfResources, ENOENT);
    }
    if (!forced_.empty()) {
      uint32_t candidate = forced_.front();
      forced_.erase(forced_.begin());
      if (candidate < min || candidate > max) {
        violations_.push_back("SPI outside the configured range");
      }
      if (spiInUse(dst, candidate)) {
        violations_.push_back("allocSpi handed out a live SPI");
      }
      reserved_.insert({dst.toString(), candidate});
      spi = candidate;
      return Result::success();
    }
    min = std::max<uint32_t>(min, 256);
    if (min > max || src.family != dst.family) {
      return Result::failure(Status::InvalidArg, EINVAL);
    }
    auto slot = nextSpi_.find(dst.toString());
    if (slot == nextSpi_.end()) {
      slot = nextSpi_.emplace(dst.toString(), firstSpi_).first;
    }
    uint32_t& next = slot->second;
    uint64_t candidate = std::max<uint64_t>(next, min);
    for (uint64_t tried = 0; tried <= uint64_t{max} - min; ++tried) {
      if (candidate > max) {
        candidate = min;
      }
      if (!spiInUse(dst, static_cast<uint32_t>(candidate))) {
        spi = static_cast<uint32_t>(candidate);
        next = spi + 1;
        reserved_.insert({dst.toString(), spi});
        return Result::success();
      }
      ++candidate;
    }
    return Result::failure(Status::OutOfResources, ENOENT);
  } catch (...) {
    return Result::failure(Status::OutOfResources, ENOMEM);
  }
}

Result FakeKernelIpsec::releaseSpi(const IpAddress& /*src*/, const IpAddress& dst,
                                   uint32_t spi) noexcept {
  try {
    log("releaseSpi " + dst.toString() + " " + std::to_string(spi));
    Result r;
    if (takeFailure(r)) {
      return r;
    }
    if (reserved_.erase({dst.toString(), spi}) == 0) {
      return Result::failure(Status::NotFound, ESRCH);
    }
    return Result::success();
  } catch (...) {
    return Result::failure(Status::OutOfResources, ENOMEM);
  }
}

Result FakeKernelIpsec::addPair(const SaPairId& id, const SaPairParams& params) noexcept {
  try {
    if (beforeNextAdd_) {
      std::function<void()> f = std::move(beforeNextAdd_);
      beforeNextAdd_ = nullptr;
      f();
    }
    ++addCalls_;
    log("addPair " + pairText(id));
    Result r;
    if (takeFailure(r)) {
      return r;
    }
    if (failAddAt_ != 0 && addCalls_ == failAddAt_) {
      return Result::failure(Status::KernelError, EIO);
    }
    if (id.spiP == id.spiU) {
      violations_.push_back("SPI_P equals SPI_U");
    }
    if (id.spiP < 256 || id.spiU < 256) {
      violations_.push_back("SPI below 256");
    }
    const IpAddress& localDst = params.local == Role::Pcscf ? id.pcscf : id.ue;
    if (!isReserved(localDst, params.local == Role::Pcscf ? id.spiP : id.spiU)) {
      violations_.push_back("addPair with a local SPI that was not allocated");
    }
    if (id.ue.family != id.pcscf.family || params.uePort == 0 || params.pcscfProtectedPort == 0 ||
        id.spiP < 256 || id.spiU < 256 || params.integrityKeyToPcscf.size() == 0 ||
        params.integrityKeyToUe.size() == 0) {
      return Result::failure(Status::InvalidArg, EINVAL);
    }
    const bool exists = std::any_of(pairs_.begin(), pairs_.end(), [&](const FakePair& p) {
      return sameSa(p, id.pcscf, id.spiP) || sameSa(p, id.ue, id.spiU);
    });
    if (exists && rejectExisting_) {
      return Result::failure(Status::AlreadyExists, EEXIST);
    }
    for (const FakePair& p : pairs_) {
      if (p.id.ue == id.ue && p.uePort == params.uePort) {
        violations_.push_back("two live pairs on one UE address and port");
      }
    }
    // The reservations become the SAs.
    reserved_.erase({id.pcscf.toString(), id.spiP});
    reserved_.erase({id.ue.toString(), id.spiU});
    FakePair p;
    p.id = id;
    p.local = params.local;
    p.uePort = params.uePort;
    p.pcscfProtectedPort = params.pcscfProtectedPort;
    p.integrity = params.integrity;
    p.cipher = params.cipher;
    p.integrityKeyLen = params.integrityKeyToPcscf.size();
    p.cipherKeyLen = params.cipherKey.size();
    p.outboundActive = !params.deferOutbound;
    p.params = params;
    pairs_.push_back(p);
    return Result::success();
  } catch (...) {
    return Result::failure(Status::OutOfResources, ENOMEM);
  }
}

Result FakeKernelIpsec::deletePair(const SaPairId& id, const SaPairParams& /*params*/) noexcept {
  try {
    log("deletePair " + pairText(id));
    Result r;
    if (takeFailure(r)) {
      return r;
    }
    const auto before = pairs_.size();
    pairs_.erase(std::remove_if(pairs_.begin(), pairs_.end(),
                                [&](const FakePair& p) {
                                  return p.id.spiP == id.spiP && p.id.spiU == id.spiU &&
                                         p.id.ue == id.ue && p.id.pcscf == id.pcscf;
                                }),
                 pairs_.end());
    return pairs_.size() == before ? Result::failure(Status::NotFound, ESRCH) : Result::success();
  } catch (...) {
    return Result::failure(Status::OutOfResources, ENOMEM);
  }
}

Result FakeKernelIpsec::activateOutbound(const SaPairId& id,
                                         const SaPairParams& params) noexcept {
  try {
    log("activateOutbound " + pairText(id));
    Result r;
    if (takeFailure(r)) {
      return r;
    }
    if (failActivations_) {
      return Result::failure(Status::KernelError, EIO);
    }
    if (id.ue.family != id.pcscf.family || params.uePort == 0 || params.pcscfProtectedPort == 0 ||
        id.spiP < 256 || id.spiU < 256) {
      return Result::failure(Status::InvalidArg, EINVAL);
    }
    for (auto& p : pairs_) {
      if (p.id.spiP == id.spiP && p.id.spiU == id.spiU && p.id.ue == id.ue &&
          p.id.pcscf == id.pcscf) {
        if (p.outboundActive) {
          return Result::failure(Status::AlreadyExists, EEXIST);
        }
        p.outboundActive = true;
        return Result::success();
      }
    }
    return Result::failure(Status::NotFound, ESRCH);
  } catch (...) {
    return Result::failure(Status::OutOfResources, ENOMEM);
  }
}

Result FakeKernelIpsec::querySa(const IpAddress& dst, uint32_t spi, SaInfo& out) noexcept {
  try {
    log("querySa " + dst.toString() + " " + std::to_string(spi));
    Result r;
    if (takeFailure(r)) {
      return r;
    }
    for (const auto& p : pairs_) {
      if (sameSa(p, dst, spi)) {
        out = SaInfo{};
        out.dst = dst;
        out.src = dst == p.id.pcscf ? p.id.ue : p.id.pcscf;
        out.spi = spi;
        out.lastUse = p.lastUse;
        return Result::success();
      }
    }
    return Result::failure(Status::NotFound, ESRCH);
  } catch (...) {
    return Result::failure(Status::OutOfResources, ENOMEM);
  }
}

Result FakeKernelIpsec::listOwned(std::vector<SaInfo>& out) noexcept {
  try {
    log("listOwned");
    Result r;
    if (takeFailure(r)) {
      return r;
    }
    out.clear();
    for (const auto& p : pairs_) {
      out.push_back(SaInfo{p.id.ue, p.id.pcscf, p.id.spiP, p.lastUse, 0});
      out.push_back(SaInfo{p.id.pcscf, p.id.ue, p.id.spiU, p.lastUse, 0});
    }
    return Result::success();
  } catch (...) {
    return Result::failure(Status::OutOfResources, ENOMEM);
  }
}

Result FakeKernelIpsec::flushOwned() noexcept {
  try {
    log("flushOwned");
    Result r;
    if (takeFailure(r)) {
      return r;
    }
    pairs_.clear();
    reserved_.clear();
    return Result::success();
  } catch (...) {
    return Result::failure(Status::OutOfResources, ENOMEM);
  }
}

Result FakeKernelIpsec::drainExpired(std::vector<SaGone>& out) noexcept {
  try {
    Result r;
    if (takeFailure(r)) {
      return r;
    }
    out.insert(out.end(), gone_.begin(), gone_.end());
    gone_.clear();
    return Result::success();
  } catch (...) {
    return Result::failure(Status::OutOfResources, ENOMEM);
  }
}

void FakeKernelIpsec::expireSa(const IpAddress& dst, uint32_t spi, bool hard) {
  gone_.push_back(SaGone{dst, spi, hard});
  if (hard) {
    pairs_.erase(std::remove_if(pairs_.begin(), pairs_.end(),
                                [&](const FakePair& p) { return sameSa(p, dst, spi); }),
                 pairs_.end());
  }
}

void FakeKernelIpsec::setNextSpi(uint32_t spi) {
  firstSpi_ = spi;
  for (auto& [dst, next] : nextSpi_) {
    next = spi;
  }
}

const FakePair* FakeKernelIpsec::pairByUePort(uint16_t port) const {
  for (const FakePair& p : pairs_) {
    if (p.uePort == port) {
      return &p;
    }
  }
  return nullptr;
}

void FakeKernelIpsec::setLastUse(const IpAddress& dst, uint32_t spi, uint64_t when) {
  for (auto& p : pairs_) {
    if (sameSa(p, dst, spi)) {
      p.lastUse = when;
    }
  }
}

}  // namespace secsetup::kipsec
