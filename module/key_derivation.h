#pragma once
// Keys of profile section 5: IK/CK from SM3, per-direction integrity keys, algorithm layout.
// Same code on the UE and P-CSCF side. Every intermediate buffer is wiped (secureWipe).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "kernel_ipsec/kernel_ipsec.h"
#include "module/choice.h"
#include "module/policy.h"

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

// The two integrity keys of the pair: toPcscf (the SA UE -> P-CSCF, "in"), toUe ("out").
void deriveIntegrityKeys(KeyDerivation mode, unsigned rotateBits, const uint8_t ik[kAkaKeyLen],
                         uint8_t toPcscf[kAkaKeyLen], uint8_t toUe[kAkaKeyLen]) noexcept;

// Fills the three keys of params for the choice (integrity layout and cipher key).
// Requires keys.hasCk when choice.cipher is a real cipher (AesCbc, DesEde3Cbc).
bool fillSaKeys(KeyDerivation mode, unsigned rotateBits, const Choice& choice,
                const AkaKeys& keys, kipsec::SaPairParams& params) noexcept;

}  // namespace secsetup
