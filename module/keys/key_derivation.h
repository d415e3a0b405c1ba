#pragma once
// Keys of profile section 5: IK/CK from SM3, per-direction integrity keys, algorithm layout.
// Same code on the UE and P-CSCF side. Every intermediate buffer is wiped (secureWipe).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "kernel_ipsec/kernel_ipsec.h"
#include "module/negotiation/choice.h"
#include "module/negotiation/policy.h"

namespace secsetup {

constexpr std::size_t kAkaKeyLen = 16;

// IK and CK as received; wiped when destroyed.
struct AkaKeys {
  uint8_t ik[kAkaKeyLen] = {};
  uint8_t ck[kAkaKeyLen] = {};
  bool hasCk = false;
  AkaKeys() = default;
  AkaKeys(const AkaKeys&) = delete;
  AkaKeys& operator=(const AkaKeys&) = delete;
  ~AkaKeys();
  void wipe() noexcept;
};

// Exactly 32 hex digits (either case) -> 16 bytes. False otherwise; out is then wiped.
bool parseHexKey(std::string_view hex, uint8_t out[kAkaKeyLen]) noexcept;

// Whether HMAC-SHA-256 is available from OpenSSL (its default provider). Checked at start, so
// that a P-CSCF that could never derive hmac-sha256 keys does not come up.
bool keyDerivationAvailable() noexcept;

// The two integrity keys of the pair: toPcscf (the SA UE -> P-CSCF, "in"), toUe ("out").
// False (both wiped) only if OpenSSL failed.
bool deriveIntegrityKeys(KeyDerivation mode, unsigned rotateBits, const uint8_t ik[kAkaKeyLen],
                         uint8_t toPcscf[kAkaKeyLen], uint8_t toUe[kAkaKeyLen]) noexcept;

// Fills the three keys of params for the choice (integrity layout and cipher key).
// Requires keys.hasCk when choice.cipher is a real cipher (AesCbc, DesEde3Cbc); false without
// it, or if the derivation failed.
bool fillSaKeys(KeyDerivation mode, unsigned rotateBits, const Choice& choice,
                const AkaKeys& keys, kipsec::SaPairParams& params) noexcept;

}  // namespace secsetup
