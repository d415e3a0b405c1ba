// XFRM backend over libmnl (see xfrm_mnl_backend.h and docs/kernel_ipsec.md).

#include "kernel_ipsec/xfrm_mnl_backend.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <netinet/in.h>

#include <algorithm>
#include <new>

namespace secsetup::kipsec {
namespace {

constexpr uint32_t kMinSpi = 256;  // 0..255 are reserved (RFC 4303)
constexpr int kAllocAttempts = 8;

bool keySizeOk(const KeyBytes& k, std::size_t want) noexcept { return k.size() == want; }

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

Result XfrmMnlBackend::describe(const SaPairId& id, const SaPairParams& p,
                                PairObjects& o) const noexcept {
  if (id.ue.family != id.pcscf.family || id.spiP < kMinSpi || id.spiU < kMinSpi ||
      p.uePort == 0 || p.pcscfProtectedPort == 0) {
    return Result::failure(Status::InvalidArg);
  }
  const xfrm::AlgSpec ia = xfrm::integritySpec(p.integrity);
  const xfrm::AlgSpec ca = xfrm::cipherSpec(p.cipher);
  if (!keySizeOk(p.integrityKeyToPcscf, ia.keyBytes) ||
      !keySizeOk(p.integrityKeyToUe, ia.keyBytes) ||
      (ca.keyBytes > 0 && !keySizeOk(p.cipherKey, ca.keyBytes))) {
    return Result::failure(Status::InvalidArg);
  }
  const bool pcscf = p.local == Role::Pcscf;
  for (int i = 0; i < 2; ++i) {
    xfrm::SaSpec& sa = o.sa[i];
    const bool toP = i == 0;
    sa.src = toP ? id.ue : id.pcscf;
    sa.dst = toP ? id.pcscf : id.ue;
    sa.spi = toP ? id.spiP : id.spiU;
    sa.reqid = cfg_.ownerTag;
    sa.selUser = cfg_.ownerTag;
    sa.integrity = p.integrity;
    sa.cipher = p.cipher;
    sa.integrityKey = toP ? &p.integrityKeyToPcscf : &p.integrityKeyToUe;
    sa.cipherKey = &p.cipherKey;
    sa.replayWindow = cfg_.replayWindow;
  }
  const uint8_t protos[2] = {IPPROTO_UDP, IPPROTO_TCP};
  for (int i = 0; i < 4; ++i) {
    xfrm::PolicySpec& ps = o.pol[i];
    const bool toP = i < 2;
    ps.proto = protos[i % 2];
    ps.src = toP ? id.ue : id.pcscf;
    ps.dst = toP ? id.pcscf : id.ue;
    ps.sport = toP ? p.uePort : 0;
    ps.dport = toP ? p.pcscfProtectedPort : p.uePort;
    // The SA into this host is checked by an "in" policy, the other one is chosen by "out".
    ps.dir = (toP == pcscf) ? XFRM_POLICY_IN : XFRM_POLICY_OUT;
    ps.selUser = cfg_.ownerTag;
    ps.priority = cfg_.policyPriority;
    ps.tmplSpi = toP ? id.spiP : id.spiU;
    ps.tmplReqid = cfg_.ownerTag;
  }
  o.inboundSa = pcscf ? 0 : 1;
  return Result::success();
}

// The inbound SA's SPI was reserved with allocSpi: the kernel holds a larval SA under it, so
// NEWSA answered EEXIST. If that SA is our reservation, UPDSA turns it into the real one.
Result XfrmMnlBackend::replaceLarval(const xfrm::SaSpec& sa, int& err) noexcept {
  NlBatch batch(1);
  batch.push(xfrm::buildSaId(batch.space(), XFRM_MSG_GETSA, sock_->nextSeq(), NLM_F_ACK, sa.dst,
                             sa.spi));
  xfrm::SaDump found;
  bool got = false;
  auto onMsg = [&](std::size_t, const nlmsghdr* nlh) { got = xfrm::parseSa(nlh, found); };
  NlSinkFn<decltype(onMsg)> sink(onMsg);
  std::vector<int> errs;
  Result r = sock_->transact(batch, errs, &sink);
  if (!r.ok()) {
    return r;
  }
  if (errs[0] != 0 || !got || !found.larval || found.reqid != cfg_.ownerTag) {
    err = EEXIST;  // a real SA (or somebody else's reservation) is there
    return Result::success();
  }
  batch.clear();
  batch.push(xfrm::buildSa(batch.space(), XFRM_MSG_UPDSA, sock_->nextSeq(), NLM_F_ACK, sa));
  r = sock_->transact(batch, errs, nullptr);
  if (!r.ok()) {
    return r;
  }
  err = errs[0];
  return Result::success();
}

Result XfrmMnlBackend::addPair(const SaPairId& id, const SaPairParams& params) noexcept {
  try {
    PairObjects o;
    Result r = describe(id, params, o);
    if (!r.ok()) {
      return r;
    }
    NlBatch batch(kPairObjects);
    for (std::size_t i = 0; i < kPairObjects; ++i) {
      nlmsghdr* nlh = i < 2 ? xfrm::buildSa(batch.space(), XFRM_MSG_NEWSA, sock_->nextSeq(),
                                            NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, o.sa[i])
                            : xfrm::buildPolicy(batch.space(), sock_->nextSeq(),
                                                NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, o.pol[i - 2]);
      if (failObjectForTest(i)) {
        xfrm::corruptForTest(nlh);
      }
      batch.push(nlh);
    }
    std::vector<int> errs;
    r = sock_->transact(batch, errs, nullptr);
    batch.clear();  // wipes the keys
    if (!r.ok()) {
      // The exchange broke: we do not know what the kernel did; undo whatever is there.
      errs.assign(kPairObjects, 0);
      rollback(o, errs);
      return r;
    }
    // The inbound SA may have met its own reservation (EEXIST); every other object must
    // have been created. Only then is the reservation turned into the SA, so that a failed
    // pair leaves the reservation as it was.
    const bool maybeLarval = errs[o.inboundSa] == EEXIST;
    for (std::size_t i = 0; i < kPairObjects; ++i) {
      if (errs[i] != 0 && !(i == o.inboundSa && maybeLarval)) {
        const int first = errs[i];
        rollback(o, errs);
        return resultOfErrno(first);
      }
    }
    if (maybeLarval) {
      r = replaceLarval(o.sa[o.inboundSa], errs[o.inboundSa]);
      if (!r.ok() || errs[o.inboundSa] != 0) {
        const int first = !r.ok() ? (r.err != 0 ? r.err : EIO) : errs[o.inboundSa];
        errs[o.inboundSa] = first;  // not ours: rollback leaves it
        rollback(o, errs);
        return resultOfErrno(first);
      }
    }
    return Result::success();
  } catch (...) {
    return Result::failure(Status::OutOfResources, ENOMEM);
  }
}

// Deletes the objects of a pair that this call created (errs[i] == 0).
void XfrmMnlBackend::rollback(const PairObjects& o, const std::vector<int>& errs) noexcept {
  std::vector<std::pair<IpAddress, uint32_t>> sas;
  std::vector<xfrm::PolicyKey> pols;
  for (std::size_t i = 0; i < 2; ++i) {
    if (errs[i] == 0) {
      sas.emplace_back(o.sa[i].dst, o.sa[i].spi);
    }
  }
  for (std::size_t i = 0; i < 4; ++i) {
    if (errs[i + 2] == 0) {
      pols.push_back(xfrm::policyKeyOf(o.pol[i]));
    }
  }
  std::size_t found = 0;
  deleteKeys(sas, pols, found);
}

Result XfrmMnlBackend::deleteKeys(const std::vector<std::pair<IpAddress, uint32_t>>& sas,
                                  const std::vector<xfrm::PolicyKey>& pols,
                                  std::size_t& found) noexcept {
  found = 0;
  Result firstError;
  const std::size_t total = sas.size() + pols.size();
  const std::size_t chunk = std::max<std::size_t>(1, cfg_.flushBatch);
  NlBatch batch(std::min(chunk, std::max<std::size_t>(1, total)));
  std::vector<int> errs;
  auto flush = [&]() {
    Result r = sock_->transact(batch, errs, nullptr);
    batch.clear();
    if (!r.ok()) {
      if (firstError.ok()) {
        firstError = r;
      }
      return;
    }
    for (int e : errs) {
      if (e == 0) {
        ++found;
      } else if (e != ESRCH && e != ENOENT && firstError.ok()) {
        firstError = resultOfErrno(e);
      }
    }
  };
  for (std::size_t i = 0; i < total; ++i) {
    if (batch.space() == nullptr) {
      flush();
    }
    if (i < sas.size()) {
      batch.push(xfrm::buildSaId(batch.space(), XFRM_MSG_DELSA, sock_->nextSeq(), NLM_F_ACK,
                                 sas[i].first, sas[i].second));
    } else {
      batch.push(xfrm::buildDelPolicy(batch.space(), sock_->nextSeq(), NLM_F_ACK,
                                      pols[i - sas.size()]));
    }
  }
  if (batch.count() > 0) {
    flush();
  }
  return firstError;
}

Result XfrmMnlBackend::deletePair(const SaPairId& id, const SaPairParams& params) noexcept {
  try {
    PairObjects o;
    SaPairParams shape;  // keys are irrelevant for deletion: validate the shape only
    shape.local = params.local;
    shape.uePort = params.uePort;
    shape.pcscfProtectedPort = params.pcscfProtectedPort;
    shape.integrity = IntegrityAlg::HmacMd5_96;
    shape.cipher = CipherAlg::None;
    const uint8_t zero[16] = {};
    shape.integrityKeyToPcscf = KeyBytes(zero, 16);
    shape.integrityKeyToUe = KeyBytes(zero, 16);
    Result r = describe(id, shape, o);
    if (!r.ok()) {
      return r;
    }
    std::vector<int> none(kPairObjects, 0);
    std::vector<std::pair<IpAddress, uint32_t>> sas = {{o.sa[0].dst, o.sa[0].spi},
                                                       {o.sa[1].dst, o.sa[1].spi}};
    std::vector<xfrm::PolicyKey> pols;
    for (const auto& ps : o.pol) {
      pols.push_back(xfrm::policyKeyOf(ps));
    }
    std::size_t found = 0;
    r = deleteKeys(sas, pols, found);
    if (!r.ok()) {
      return r;
    }
    return found == 0 ? Result::failure(Status::NotFound, ESRCH) : Result::success();
  } catch (...) {
    return Result::failure(Status::OutOfResources, ENOMEM);
  }
}

Result XfrmMnlBackend::querySa(const IpAddress& dst, uint32_t spi, SaInfo& out) noexcept {
  try {
    NlBatch batch(1);
    batch.push(xfrm::buildSaId(batch.space(), XFRM_MSG_GETSA, sock_->nextSeq(), NLM_F_ACK, dst,
                               spi));
    xfrm::SaDump d;
    bool got = false;
    auto onMsg = [&](std::size_t, const nlmsghdr* nlh) { got = xfrm::parseSa(nlh, d); };
    NlSinkFn<decltype(onMsg)> sink(onMsg);
    std::vector<int> errs;
    Result r = sock_->transact(batch, errs, &sink);
    if (!r.ok()) {
      return r;
    }
    if (errs[0] != 0) {
      return resultOfErrno(errs[0]);
    }
    if (!got) {
      return Result::failure(Status::KernelError, EPROTO);
    }
    out = d.info;
    return Result::success();
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
