// Kernel suite, inside the sandbox (a kernel with ESP): what the kernel sends back about keyed
// SAs does not stay in the backend's receive buffers. A GETSA answer, an SA dump and a DELSA
// notification each carry the SA's XFRMA_ALG_* attributes, keys included; after each call the
// buffers must hold neither the keys nor anything else. Runs in namespace kpc (run.sh).
// Prints "PASS <name>" / "FAIL <name>: why" per check; exits 1 if any failed.

#include <string.h>

#include <string>
#include <vector>

#include "kernel_ipsec/xfrm_mnl_backend.h"
#include "tests/kernel/check_util.h"

using namespace secsetup::kipsec;
using secsetup::kcheck::check;
using secsetup::kcheck::enterNs;
using secsetup::kcheck::ip;

namespace {

constexpr uint32_t kTag = 0x3c3c;  // not the other checks' tag: nothing of theirs is touched

// Distinct, recognisable key bytes: each key is 16 consecutive values from its own start.
KeyBytes key(uint8_t first, std::size_t len) {
  uint8_t b[KeyBytes::kMax] = {};
  for (std::size_t i = 0; i < 16 && i < len; ++i) {
    b[i] = static_cast<uint8_t>(first + i);
  }
  return KeyBytes(b, len);
}

// "" when the buffers are all zero, else what is left (which key, how many bytes).
std::string leftIn(const XfrmMnlBackend& k, const SaPairParams& p) {
  std::string why;
  std::size_t nonZero = 0;
  for (const std::vector<uint8_t>* buf : k.receiveBuffersForTest()) {
    const std::pair<const char*, const KeyBytes*> keys[] = {
        {"ik to P-CSCF", &p.integrityKeyToPcscf},
        {"ik to UE", &p.integrityKeyToUe},
        {"ck", &p.cipherKey}};
    for (const auto& [name, kb] : keys) {
      if (memmem(buf->data(), buf->size(), kb->data(), 16) != nullptr) {
        why += std::string(name) + " found; ";
      }
    }
    for (uint8_t b : *buf) {
      nonZero += b != 0 ? 1 : 0;
    }
  }
  if (nonZero > 0) {
    why += std::to_string(nonZero) + " bytes not zero";
  }
  return why;
}

}  // namespace

int main() {
  if (!enterNs("kpc")) {
    check("wipe_setup", false, "namespace kpc");
    return 1;
  }
  XfrmConfig cfg;
  cfg.ownerTag = kTag;
  XfrmMnlBackend k(cfg), other(cfg);  // other: e.g. another Kamailio worker
  if (!k.open().ok() || !other.open().ok() || k.expireEventFd() < 0) {
    check("wipe_setup", false, "netlink sockets");
    return 1;
  }
  SaPairId id{ip("192.0.2.1"), ip("192.0.2.2"), 0x7000, 0x7001};
  SaPairParams p;
  p.uePort = 5064;
  p.pcscfProtectedPort = 5060;
  p.cipher = CipherAlg::AesCbc;
  p.integrityKeyToPcscf = key(0x21, 20);
  p.integrityKeyToUe = key(0x51, 20);
  p.cipherKey = key(0x91, 16);
  Result r = k.addPair(id, p);
  check("wipe_pair_installed", r.ok(), toString(r.status));

  SaInfo info;
  r = k.querySa(id.pcscf, id.spiP, info);
  std::string left = leftIn(k, p);
  check("wipe_after_getsa", r.ok() && left.empty(), std::string(toString(r.status)) + " " + left);

  std::vector<SaInfo> owned;
  r = k.listOwned(owned);
  left = leftIn(k, p);
  check("wipe_after_sa_dump", r.ok() && owned.size() == 2 && left.empty(),
        std::string(toString(r.status)) + " " + std::to_string(owned.size()) + " SAs " + left);

  r = other.deletePair(id, p);
  std::vector<SaGone> gone;
  Result d = k.drainExpired(gone);
  left = leftIn(k, p);
  check("wipe_after_delsa_events", r.ok() && d.ok() && gone.size() == 2 && left.empty(),
        std::string(toString(r.status)) + " " + toString(d.status) + " " +
            std::to_string(gone.size()) + " events " + left);
  k.flushOwned();
  return secsetup::kcheck::failures() == 0 ? 0 : 1;
}
