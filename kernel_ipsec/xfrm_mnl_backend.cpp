// XFRM backend over libmnl (see xfrm_mnl_backend.h and docs/kernel_ipsec.md).

#include "kernel_ipsec/xfrm_mnl_backend.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <netinet/in.h>

#include <algorithm>
#include <new>

namespace secsetup::kipsec {
namespace {

constexpr int kAllocAttempts = 8;

}  // namespace

KernelIpsecPtr makeXfrmBackend(const XfrmConfig& cfg, Result* res) noexcept {
  std::unique_ptr<XfrmMnlBackend> b(new (std::nothrow) XfrmMnlBackend(cfg));
  Result r = b ? b->open() : Result::failure(Status::OutOfResources, ENOMEM);
  if (res != nullptr) {
    *res = r;
  }
  if (!r.ok()) {
    return nullptr;
  }
  return b;
}

XfrmMnlBackend::XfrmMnlBackend(const XfrmConfig& cfg) noexcept : cfg_(cfg) {}
XfrmMnlBackend::~XfrmMnlBackend() = default;

Result XfrmMnlBackend::open() noexcept {
  Result r;
  sock_ = NetlinkSocket::open({}, r);
  return r;
}

Result XfrmMnlBackend::allocSpi(const IpAddress& src, const IpAddress& dst, uint32_t min,
                                uint32_t max, uint32_t& spi) noexcept {
  try {
    const uint32_t lo = std::max({min, cfg_.spiMin, kMinSpi});
    const uint32_t hi = std::min(max, cfg_.spiMax);
    if (lo > hi || src.family != dst.family) {
      return Result::failure(Status::InvalidArg);
    }
    NlBatch batch(1);
    bool got = false;
    auto onMsg = [&](std::size_t, const nlmsghdr* nlh) { got = xfrm::parseAllocSpi(nlh, spi); };
    NlSinkFn<decltype(onMsg)> sink(onMsg);
    std::vector<int> errs;
    // The kernel draws random SPIs from the range a bounded number of times, so a nearly
    // full small range can answer ENOENT while a value is still free: retry a few times.
    for (int attempt = 0; attempt < kAllocAttempts; ++attempt) {
      batch.clear();
      batch.push(xfrm::buildAllocSpi(batch.space(), sock_->nextSeq(), NLM_F_ACK, src, dst,
                                     cfg_.ownerTag, lo, hi));
      Result r = sock_->transact(batch, errs, &sink);
      if (!r.ok()) {
        return r;
      }
      if (errs[0] != ENOENT) {
        break;
      }
    }
    if (errs[0] == ENOENT) {
      return Result::failure(Status::OutOfResources, ENOENT);  // no free SPI in the range
    }
    if (errs[0] != 0) {
      return resultOfErrno(errs[0]);
    }
    return got ? Result::success() : Result::failure(Status::KernelError, EPROTO);
  } catch (...) {
    return Result::failure(Status::OutOfResources, ENOMEM);
  }
}

Result XfrmMnlBackend::releaseSpi(const IpAddress& /*src*/, const IpAddress& dst,
                                  uint32_t spi) noexcept {
  try {
    NlBatch batch(1);
    batch.push(xfrm::buildSaId(batch.space(), XFRM_MSG_DELSA, sock_->nextSeq(), NLM_F_ACK, dst,
                               spi));
    std::vector<int> errs;
    Result r = sock_->transact(batch, errs, nullptr);
    return r.ok() ? resultOfErrno(errs[0]) : r;
  } catch (...) {
    return Result::failure(Status::OutOfResources, ENOMEM);
  }
}

Result XfrmMnlBackend::getSa(const IpAddress& dst, uint32_t spi, xfrm::SaDump& out) noexcept {
  NlBatch batch(1);
  batch.push(xfrm::buildSaId(batch.space(), XFRM_MSG_GETSA, sock_->nextSeq(), NLM_F_ACK, dst,
                             spi));
  bool got = false;
  auto onMsg = [&](std::size_t, const nlmsghdr* nlh) { got = xfrm::parseSa(nlh, out); };
  NlSinkFn<decltype(onMsg)> sink(onMsg);
  std::vector<int> errs;
  Result r = sock_->transact(batch, errs, &sink);
  if (!r.ok()) {
    return r;
  }
  if (errs[0] != 0) {
    return resultOfErrno(errs[0]);
  }
  return got ? Result::success() : Result::failure(Status::KernelError, EPROTO);
}

Result XfrmMnlBackend::querySa(const IpAddress& dst, uint32_t spi, SaInfo& out) noexcept {
  try {
    xfrm::SaDump d;
    Result r = getSa(dst, spi, d);
    if (r.ok()) {
      out = d.info;
    }
    return r;
  } catch (...) {
    return Result::failure(Status::OutOfResources, ENOMEM);
  }
}

Result XfrmMnlBackend::listOwned(std::vector<SaInfo>& out) noexcept {
  try {
    out.clear();
    alignas(8) uint8_t buf[xfrm::kMsgMax];
    const nlmsghdr* req = xfrm::buildDump(buf, XFRM_MSG_GETSA, sock_->nextSeq());
    auto onMsg = [&](std::size_t, const nlmsghdr* nlh) {
      xfrm::SaDump d;
      if (xfrm::parseSa(nlh, d) && d.reqid == cfg_.ownerTag) {
        out.push_back(d.info);
      }
    };
    NlSinkFn<decltype(onMsg)> sink(onMsg);
    return sock_->dump(req, sink);
  } catch (...) {
    return Result::failure(Status::OutOfResources, ENOMEM);
  }
}

Result XfrmMnlBackend::flushOwned() noexcept {
  try {
    std::vector<SaInfo> owned;
    Result r = listOwned(owned);
    if (!r.ok()) {
      return r;
    }
    std::vector<std::pair<IpAddress, uint32_t>> sas;
    for (const auto& s : owned) {
      sas.emplace_back(s.dst, s.spi);
    }
    std::vector<xfrm::PolicyKey> pols;
    alignas(8) uint8_t buf[xfrm::kMsgMax];
    const nlmsghdr* req = xfrm::buildDump(buf, XFRM_MSG_GETPOLICY, sock_->nextSeq());
    auto onMsg = [&](std::size_t, const nlmsghdr* nlh) {
      xfrm::PolicyDump d;
      if (xfrm::parsePolicy(nlh, d) && d.selUser == cfg_.ownerTag && d.key.dir < XFRM_POLICY_MAX) {
        pols.push_back(d.key);
      }
    };
    NlSinkFn<decltype(onMsg)> sink(onMsg);
    r = sock_->dump(req, sink);
    if (!r.ok()) {
      return r;
    }
    std::size_t found = 0;
    return deleteKeys(sas, pols, found);
  } catch (...) {
    return Result::failure(Status::OutOfResources, ENOMEM);
  }
}

int XfrmMnlBackend::expireEventFd() noexcept {
  if (!events_) {
    Result r;
    events_ = NetlinkSocket::open({XFRMNLGRP_EXPIRE, XFRMNLGRP_SA}, r);
  }
  return events_ ? events_->fd() : -1;
}

Result XfrmMnlBackend::drainExpired(std::vector<SaGone>& out) noexcept {
  try {
    if (expireEventFd() < 0) {
      return Result::failure(Status::NotSupported);
    }
    const uint32_t ownPort = sock_->portid();
    auto onMsg = [&](std::size_t, const nlmsghdr* nlh) {
      if (nlh->nlmsg_type == XFRM_MSG_DELSA && nlh->nlmsg_pid == ownPort) {
        return;  // our own delete, not news
      }
      SaGone g;
      uint32_t reqid = 0;
      if (xfrm::parseSaEvent(nlh, g, reqid) && reqid == cfg_.ownerTag) {
        out.push_back(g);
      }
    };
    NlSinkFn<decltype(onMsg)> sink(onMsg);
    return events_->drain(sink);
  } catch (...) {
    return Result::failure(Status::OutOfResources, ENOMEM);
  }
}

std::vector<const std::vector<uint8_t>*> XfrmMnlBackend::receiveBuffersForTest() const {
  std::vector<const std::vector<uint8_t>*> out{&sock_->receiveBufferForTest()};
  if (events_) {
    out.push_back(&events_->receiveBufferForTest());
  }
  return out;
}

Features XfrmMnlBackend::features() noexcept {
  if (featuresKnown_) {
    return features_;
  }
  try {
    NlBatch batch(2);
    batch.push(xfrm::buildEspProbe(batch.space(), sock_->nextSeq(), Family::V4));
    batch.push(xfrm::buildEspProbe(batch.space(), sock_->nextSeq(), Family::V6));
    std::vector<int> errs;
    if (sock_->transact(batch, errs, nullptr).ok()) {
      // With ESP the probe reaches the SA lookup and finds nothing (ESRCH).
      features_.esp = errs[0] == ESRCH;
      features_.ipv6 = errs[1] == ESRCH;
      featuresKnown_ = true;
    }
  } catch (...) {
  }
  return features_;
}

}  // namespace secsetup::kipsec
