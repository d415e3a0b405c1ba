// SA pair handling and the state bookkeeping shared by every event of the engine.

#include <openssl/evp.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

#include "module/negotiation/engine.h"
#include "module/wire/setup_encode.h"

namespace secsetup {

namespace {

// Tokens every proposal carries: digested as one code byte, so that a typical SM1 is kept
// whole in its fingerprint and SM5 can be compared with it as text. Tokens are lower-cased by
// the parser; the list only ever grows at its end.
constexpr std::string_view kKnownTokens[] = {"esp",     "hmac-md5-96",  "hmac-sha-1-96",
                                             "null",    "aes-cbc",      "des-ede3-cbc"};

constexpr std::size_t kKnownTokenCount = sizeof(kKnownTokens) / sizeof(kKnownTokens[0]);

// The index of v among the known tokens, or -1.
int knownToken(std::string_view v) noexcept {
  for (std::size_t i = 0; i < kKnownTokenCount; ++i) {
    if (v == kKnownTokens[i]) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

}  // namespace

void setupDigest(const SecuritySetup& s, uint8_t out[32]) {
  // The canonical content (no text built): the four numbers, then every field tagged and
  // self-delimiting, so that equal contents <=> equal values. A known token is written as
  // (tag | 0x80, its index), any other as (tag, length, bytes); tags are ASCII and each says
  // which list it belongs to, so no two values read alike. Bounded by the value type's limits.
  uint8_t buf[2 * (kMaxTokenLen + 2) + 2 * kMaxAlgs * (kMaxTokenLen + 2) + 16 +
              kMaxExtraInfo * (kMaxTokenLen + kMaxValueLen + 4)];
  std::size_t n = 0;
  auto field = [&buf, &n](std::string_view v, char tag) {
    buf[n++] = static_cast<uint8_t>(tag);
    buf[n++] = static_cast<uint8_t>(v.size());
    std::memcpy(buf + n, v.data(), v.size());
    n += v.size();
  };
  auto token = [&buf, &n, &field](std::string_view v, char tag) {
    int i = knownToken(v);
    if (i >= 0) {
      buf[n++] = static_cast<uint8_t>(tag | 0x80);
      buf[n++] = static_cast<uint8_t>(i);
      return;
    }
    field(v, tag);
  };
  uint32_t nums[4] = {s.saId, s.port, s.protectedPort, s.unprotectedPort};
  std::memcpy(buf + n, nums, sizeof(nums));
  n += sizeof(nums);
  token(s.intMech.view(), 'm');
  token(s.confMech.view(), 'c');
  for (const Token& t : s.intAlgs) {
    token(t.view(), 'i');
  }
  for (const Token& t : s.confAlgs) {
    token(t.view(), 'e');
  }
  for (const InfoParam& p : s.extraInfo) {
    field(p.name.view(), p.quoted ? 'Q' : 'T');
    field(p.value.view(), 'v');
  }
  // A typical proposal's content (28 bytes) is shorter than a digest: it is kept as it is,
  // after its length. A longer one is kept as 0xFF and the first 31 bytes of its SHA-256.
  // The first byte tells the forms apart, so equal fingerprints <=> equal values (up to
  // SHA-256 collisions of the long form).
  if (n < kSetupDigestLen) {
    out[0] = static_cast<uint8_t>(n);
    std::memcpy(out + 1, buf, n);
    std::memset(out + 1 + n, 0, kSetupDigestLen - 1 - n);
    return;
  }
  uint8_t digest[EVP_MAX_MD_SIZE];
  if (EVP_Digest(buf, n, digest, nullptr, EVP_sha256(), nullptr) != 1) {
    // OpenSSL failed (out of memory): a fingerprint no other call makes (this worker's pid and
    // a count), so that SM5 cannot match this SM1 and the registration is refused rather
    // than checked against nothing.
    static std::atomic<uint32_t> failures{0};
    const uint32_t unique[2] = {static_cast<uint32_t>(getpid()),
                                failures.fetch_add(1, std::memory_order_relaxed)};
    std::memset(digest, 0, sizeof(digest));
    std::memcpy(digest, unique, sizeof(unique));
    out[0] = 0xFE;
    std::memcpy(out + 1, digest, kSetupDigestLen - 1);
    return;
  }
  out[0] = 0xFF;
  std::memcpy(out + 1, digest, kSetupDigestLen - 1);
}

namespace {

kipsec::SaPairId pairId(const ContactRecord& r, const PairSlot& p) noexcept {
  kipsec::SaPairId id;
  id.ue = ContactStore::ueAddress(r);
  id.pcscf = ContactStore::pcscfAddress(r);
  id.spiP = p.spiP;
  id.spiU = p.spiU;
  return id;
}

// The pair's ports and algorithms as the kernel calls take them (keys are the caller's).
void setPairFields(kipsec::SaPairParams& params, const PairSlot& p) noexcept {
  params.local = kipsec::Role::Pcscf;
  params.uePort = p.uePort;
  params.pcscfProtectedPort = p.pcscfPort;
  params.integrity = static_cast<IntegrityAlg>(p.integrity);
  params.cipher = static_cast<CipherAlg>(p.cipher);
}

}  // namespace

bool Engine::makePair(PendingInstall& job, const char*& why, Counter& cause) {
  cause = Counter::FailedKernel;
  uint32_t spi = 0;
  bool got = false;
  for (int attempt = 0; attempt < 3 && !got; ++attempt) {
    kipsec::Result res = kernel_.allocSpi(job.ue, job.pcscf, policy_.spiMin, policy_.spiMax, spi);
    if (!res.ok()) {
      store_.count(Counter::SpiExhausted);
      why = "SPI allocation failed";
      return false;
    }
    if (spi == job.slot.spiU || spi < 256) {
      kernel_.releaseSpi(job.ue, job.pcscf, spi);  // SPI_P must differ from SPI_U
      continue;
    }
    got = true;
  }
  if (!got) {
    why = "no SPI different from the UE's";
    return false;
  }
  job.slot.spiP = spi;
  const Choice c{static_cast<IntegrityAlg>(job.slot.integrity),
                 static_cast<CipherAlg>(job.slot.cipher)};
  kipsec::SaPairParams params;
  setPairFields(params, job.slot);
  // Profile 6: SM4 (and, in a re-registration, nothing else) may leave before the UE has its
  // SAs; the outbound policies follow once a request arrived through the pair.
  params.deferOutbound = true;
  const bool keyed = fillSaKeys(policy_.keyDerivation, policy_.keyRotateBits, c, job.keys, params);
  const bool hadCk = job.keys.hasCk;
  job.keys.wipe();  // IK and CK are done with, whatever happens next
  if (!keyed) {
    kernel_.releaseSpi(job.ue, job.pcscf, spi);
    // Without a ck for a real cipher; otherwise OpenSSL failed (out of memory), counted alike.
    const bool needsCk = c.cipher == CipherAlg::AesCbc || c.cipher == CipherAlg::DesEde3Cbc;
    why = needsCk && !hadCk ? "SM3 without a valid ck for the chosen cipher"
                            : "key derivation failed (OpenSSL)";
    cause = Counter::FailedSm3WithoutKeys;
    return false;
  }
  kipsec::Result res = kernel_.addPair(job.pairId(), params);
  params.integrityKeyToPcscf.wipe();
  params.integrityKeyToUe.wipe();
  params.cipherKey.wipe();
  if (!res.ok()) {
    kernel_.releaseSpi(job.ue, job.pcscf, spi);
    store_.count(Counter::SaInstallFailed);
    why = "the kernel refused the SA pair";
    return false;
  }
  store_.count(Counter::SaInstalled);
  job.slot.state = PairState::Live;
  return true;
}

const kipsec::SaPairParams& Engine::keylessParams(const PairSlot& p) noexcept {
  setPairFields(keyless_, p);
  keyless_.deferOutbound = false;
  return keyless_;
}

bool Engine::activateOutbound(ContactRecord& r, PairSlot& p) {
  if (p.state != PairState::Live || p.outboundActive) {
    return true;
  }
  kipsec::Result res = kernel_.activateOutbound(pairId(r, p), keylessParams(p));
  if (!res.ok() && res.status != kipsec::Status::AlreadyExists) {
    store_.count(Counter::SaInstallFailed);
    return false;
  }
  p.outboundActive = 1;
  return true;
}

void Engine::deletePairNow(ContactRecord& r, PairSlot& p) {
  if (p.state == PairState::Empty) {
    return;
  }
  // Counted only when the kernel removed the pair: NotFound (all of it gone already, e.g. an
  // operator's flush) is no deletion of ours; other failures may have left it in place (the
  // flush at stop or next start removes what carries the owner tag).
  if (kernel_.deletePair(pairId(r, p), keylessParams(p)).ok()) {
    store_.count(Counter::SaDeleted);
  }
  std::memset(&p, 0, sizeof(p));
}

void Engine::retire(PairSlot& p, uint64_t now) {
  if (p.state == PairState::Live) {
    p.state = PairState::Retiring;
    p.retireAt = now + policy_.deleteGrace;
  }
}

void Engine::endNegotiation(unsigned stripe, uint32_t rec) {
  ContactRecord& r = store_.record(rec);
  r.flags &= static_cast<uint8_t>(~(kFlagReRegistration | kFlagAwaitConfirm));
  r.timerAt = 0;
  settleNewPort(stripe, rec);
  r.phase = r.active.state == PairState::Live ? Phase::Established : Phase::Closing;
}

void Engine::settleNewPort(unsigned stripe, uint32_t rec) {
  // The new port of a re-registration stays claimed while its pair exists (even retiring),
  // so that no other negotiation can install a second pair on the same selector.
  ContactRecord& r = store_.record(rec);
  if (r.addr[1].linked && r.pending.state == PairState::Empty &&
      (r.flags & kFlagReRegistration) == 0) {
    store_.unlinkAddr(stripe, rec, 1);
  }
}

bool Engine::settle(unsigned stripe, uint32_t rec) {
  ContactRecord& r = store_.record(rec);
  settleNewPort(stripe, rec);
  if (r.phase == Phase::Closing && r.active.state == PairState::Empty &&
      r.pending.state == PairState::Empty) {
    store_.release(stripe, rec);
    return true;
  }
  // Every change to a pair ends here (or in release): the SPI index follows the pairs.
  store_.indexSpis(stripe, rec);
  store_.followNegotiating(stripe, rec);
  r.generation = store_.nextGeneration();
  uint64_t d = 0;
  auto consider = [&d](uint64_t t) {
    if (t != 0 && (d == 0 || t < d)) {
      d = t;
    }
  };
  consider(r.timerAt);
  consider(r.phase == Phase::Established ? r.expiresAt : 0);
  consider(r.active.state == PairState::Retiring ? r.active.retireAt : 0);
  consider(r.pending.state == PairState::Retiring ? r.pending.retireAt : 0);
  store_.schedule(stripe, rec, d);
  return false;
}

void Engine::removeContact(unsigned stripe, uint32_t rec) {
  ContactRecord& r = store_.record(rec);
  deletePairNow(r, r.pending);
  deletePairNow(r, r.active);
  store_.release(stripe, rec);
}

namespace {

Counter failureCounter(FailureReason reason) noexcept {
  switch (reason) {
    case FailureReason::NoCommonIntegrityAlgorithm:
      return Counter::FailedNoCommonIntegrity;
    case FailureReason::NoCommonConfidentialityAlgorithm:
      return Counter::FailedNoCommonConfidentiality;
    case FailureReason::UnsupportedMechanism:
      return Counter::FailedUnsupportedMechanism;
    case FailureReason::SecuritySetupMismatch:
      return Counter::FailedMismatch;
    case FailureReason::UserAuthenticationFailure:
      return Counter::UserAuthFailures;
    default:
      return Counter::FailedMalformed;
  }
}

}  // namespace

void Engine::failed(Actions& a, Counter c, const char* cause, const PairSlot* pair) {
  store_.count(c);
  a.event = Event::Failed;
  a.eventReason = cause;
  if (pair != nullptr) {
    a.eventPort = pair->uePort;
    a.eventSpiP = pair->spiP;
    a.eventSpiU = pair->spiU;
  }
}

Actions Engine::failure(FailureReason reason, std::string_view detail) {
  store_.count(Counter::NegotiationFailures);
  Actions a;
  failed(a, failureCounter(reason), toString(reason), nullptr);
  a.failure = reason;
  a.warning = detail;
  a.stripSecuritySetup = true;
  a.log = "security setup refused";
  if (policy_.failureMode == FailureMode::Reply) {
    a.verdict = Verdict::Reply;
    a.replyCode = 403;
    a.replyReason = "Forbidden";
  }
  return a;
}

}  // namespace secsetup
