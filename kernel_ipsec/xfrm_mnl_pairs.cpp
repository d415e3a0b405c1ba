// XFRM backend, the objects of a pair: add (optionally with deferred outbound policies),
// activate the outbound policies, delete, roll back (see xfrm_mnl_backend.h and
// docs/kernel_ipsec.md).

#include <errno.h>
#include <libmnl/libmnl.h>
#include <netinet/in.h>

#include <algorithm>

#include "kernel_ipsec/xfrm_mnl_backend.h"

namespace secsetup::kipsec {
namespace {

bool keySizeOk(const KeyBytes& k, std::size_t want) noexcept { return k.size() == want; }

}  // namespace

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
  // Objects 2,3 are the policies towards the P-CSCF, 4,5 those towards the UE.
  o.outbound[0] = pcscf ? 4 : 2;
  o.outbound[1] = pcscf ? 5 : 3;
  return Result::success();
}

Result XfrmMnlBackend::describeShape(const SaPairId& id, const SaPairParams& params,
                                     PairObjects& o) const noexcept {
  SaPairParams shape;  // keys are irrelevant here: validate the shape only
  shape.local = params.local;
  shape.uePort = params.uePort;
  shape.pcscfProtectedPort = params.pcscfProtectedPort;
  shape.integrity = IntegrityAlg::HmacMd5_96;
  shape.cipher = CipherAlg::None;
  const uint8_t zero[16] = {};
  shape.integrityKeyToPcscf = KeyBytes(zero, 16);
  shape.integrityKeyToUe = KeyBytes(zero, 16);
  Result r = describe(id, shape, o);
  // o's SAs point at shape's keys, which die here: callers of describeShape use no SA keys.
  for (auto& sa : o.sa) {
    sa.integrityKey = nullptr;
    sa.cipherKey = nullptr;
  }
  return r;
}

// Object obj (0..5) of a pair as a create-exclusive message, with the test hook applied.
nlmsghdr* XfrmMnlBackend::buildObject(void* space, const PairObjects& o,
                                      std::size_t obj) noexcept {
  const uint16_t flags = NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
  nlmsghdr* nlh = obj < 2 ? xfrm::buildSa(space, XFRM_MSG_NEWSA, sock_->nextSeq(), flags, o.sa[obj])
                          : xfrm::buildPolicy(space, sock_->nextSeq(), flags, o.pol[obj - 2]);
  if (failObjectForTest(obj)) {
    xfrm::corruptForTest(nlh);
  }
  return nlh;
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
    // errs[obj]: the kernel's answer per object; kNotSent for deferred outbound policies.
    std::vector<std::size_t> sent;
    for (std::size_t i = 0; i < kPairObjects; ++i) {
      if (!(params.deferOutbound && o.isOutbound(i))) {
        sent.push_back(i);
      }
    }
    NlBatch batch(sent.size());
    for (std::size_t i : sent) {
      batch.push(buildObject(batch.space(), o, i));
    }
    std::vector<int> acks;
    r = sock_->transact(batch, acks, nullptr);
    batch.clear();  // wipes the keys
    // If the exchange broke we do not know what the kernel did: undo everything sent.
    std::vector<int> errs(kPairObjects, kNotSent);
    for (std::size_t k = 0; k < sent.size(); ++k) {
      errs[sent[k]] = r.ok() ? acks[k] : 0;
    }
    if (!r.ok()) {
      rollback(o, errs);
      return r;
    }
    // The inbound SA may have met its own reservation (EEXIST); every other object sent must
    // have been created. Only then is the reservation turned into the SA, so that a failed
    // pair leaves the reservation as it was.
    const bool maybeLarval = errs[o.inboundSa] == EEXIST;
    for (std::size_t i : sent) {
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

Result XfrmMnlBackend::activateOutbound(const SaPairId& id, const SaPairParams& params) noexcept {
  try {
    PairObjects o;
    Result r = describeShape(id, params, o);
    if (!r.ok()) {
      return r;
    }
    // The policies would send into the outbound SA: it must be there, ours and real (a
    // reservation has no algorithms). Without it they would only drop packets.
    const xfrm::SaSpec& out = o.sa[1 - o.inboundSa];
    xfrm::SaDump d;
    r = getSa(out.dst, out.spi, d);
    if (r.status == Status::NotFound || (r.ok() && (d.larval || d.reqid != cfg_.ownerTag))) {
      return Result::failure(Status::NotFound, ESRCH);
    }
    if (!r.ok()) {
      return r;
    }
    NlBatch batch(2);
    for (std::size_t i : o.outbound) {
      batch.push(buildObject(batch.space(), o, i));
    }
    std::vector<int> acks;
    r = sock_->transact(batch, acks, nullptr);
    std::vector<int> errs(kPairObjects, kNotSent);
    for (std::size_t k = 0; k < 2; ++k) {
      errs[o.outbound[k]] = r.ok() ? acks[k] : 0;  // broken exchange: undo both
    }
    if (!r.ok()) {
      rollback(o, errs);
      return r;
    }
    for (std::size_t i : o.outbound) {
      if (errs[i] != 0) {
        // Both or neither: the one this call created goes; one already there stays.
        const int first = errs[i];
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
  if (sas.empty() && pols.empty()) {
    return;
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

// Every object of the pair, outbound policies included whether or not they were activated:
// a missing one answers ESRCH/ENOENT, which is not an error; NotFound only if none existed.
Result XfrmMnlBackend::deletePair(const SaPairId& id, const SaPairParams& params) noexcept {
  try {
    PairObjects o;
    Result r = describeShape(id, params, o);
    if (!r.ok()) {
      return r;
    }
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

}  // namespace secsetup::kipsec
