#pragma once
// Operator policy (profile sections 3, 4, 5, 7): the P-CSCF's preference order, the
// confidentiality policy, the failure mode, the key derivation, ports, timers and bounds.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "kernel_ipsec/kernel_ipsec.h"
#include "module/fixed_list.h"
#include "module/status.h"

namespace secsetup {

using kipsec::CipherAlg;
using kipsec::IntegrityAlg;

enum class ConfPolicy : uint8_t { Required, Preferred, Off };
enum class FailureMode : uint8_t { Forward, Reply };
enum class KeyDerivation : uint8_t { HmacSha256, Rotate, None };

// Its text; "" for unknown. integrityFromWire / cipherFromWire: false for unknown.
const char* wireName(IntegrityAlg a) noexcept;
const char* wireName(CipherAlg a) noexcept;  // None -> ""
bool integrityFromWire(std::string_view name, IntegrityAlg& out) noexcept;
bool cipherFromWire(std::string_view name, CipherAlg& out) noexcept;  // never yields None

struct Policy {
  FixedList<IntegrityAlg, 2> integrityOrder{IntegrityAlg::HmacSha1_96, IntegrityAlg::HmacMd5_96};
  FixedList<CipherAlg, 3> cipherOrder{CipherAlg::AesCbc, CipherAlg::DesEde3Cbc};
  ConfPolicy confidentiality = ConfPolicy::Preferred;
  FailureMode failureMode = FailureMode::Forward;
  KeyDerivation keyDerivation = KeyDerivation::HmacSha256;
  unsigned keyRotateBits = 64;        // 0..127
  uint16_t protectedPort = 5060;      // the P-CSCF's protected port
  uint16_t unprotectedPort = 5062;    // the P-CSCF's unprotected port
  uint32_t spiMin = 4096;             // SPI_P range (never below 256)
  uint32_t spiMax = 0x7FFFFFFF;
  unsigned registrationTimer = 60;    // s from SM4 to SM5 / from SM1 to SM3 (D.2.2)
  unsigned expiryGrace = 30;          // s the SAs outlive the registered contact's expiry
  unsigned deleteGrace = 2;           // s a reply has to leave through an SA before it goes
  unsigned retryAfter = 30;           // Retry-After of the 503 when the store is full
  unsigned maxNegotiationsPerUe = 4;  // initial negotiations one UE address may hold (0: any)
};

// Module parameter parsers: "hmac-sha-1-96,hmac-md5-96", "aes-cbc,des-ede3-cbc,null",
// "required|preferred|off", "forward|reply", "hmac-sha256|rotate|none".
Status parseIntegrityOrder(std::string_view csv, FixedList<IntegrityAlg, 2>& out) noexcept;
Status parseCipherOrder(std::string_view csv, FixedList<CipherAlg, 3>& out) noexcept;
Status parseConfPolicy(std::string_view s, ConfPolicy& out) noexcept;
Status parseFailureMode(std::string_view s, FailureMode& out) noexcept;
Status parseKeyDerivation(std::string_view s, KeyDerivation& out) noexcept;
// Checks ranges and coherence (ports differ, SPI range above 255, rotate bits < 128).
Status validatePolicy(const Policy& p) noexcept;

}  // namespace secsetup
