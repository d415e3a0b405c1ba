#include "module/negotiation/policy.h"

#include <iterator>

#include "module/wire/sip_lex.h"

namespace secsetup {

namespace {
// Wire names of profile section 2 by enum value.
constexpr const char* kIntegrityWireNames[] = {"hmac-md5-96", "hmac-sha-1-96"};
constexpr const char* kCipherWireNames[] = {"", "null", "aes-cbc", "des-ede3-cbc"};  // None -> ""
}  // namespace

const char* wireName(IntegrityAlg a) noexcept {
  const auto i = static_cast<std::size_t>(a);
  return i < std::size(kIntegrityWireNames) ? kIntegrityWireNames[i] : "";
}

const char* wireName(CipherAlg a) noexcept {
  const auto i = static_cast<std::size_t>(a);
  return i < std::size(kCipherWireNames) ? kCipherWireNames[i] : "";
}

// Profile 2's algorithm names, case ignored; a unit test round-trips every wireName() through
// them.
bool integrityFromWire(std::string_view name, IntegrityAlg& out) noexcept {
  if (lex::iequals(name, "hmac-md5-96")) {
    out = IntegrityAlg::HmacMd5_96;
    return true;
  }
  if (lex::iequals(name, "hmac-sha-1-96")) {
    out = IntegrityAlg::HmacSha1_96;
    return true;
  }
  return false;
}

bool cipherFromWire(std::string_view name, CipherAlg& out) noexcept {
  if (lex::iequals(name, "null")) {
    out = CipherAlg::Null;
    return true;
  }
  if (lex::iequals(name, "aes-cbc")) {
    out = CipherAlg::AesCbc;
    return true;
  }
  if (lex::iequals(name, "des-ede3-cbc")) {
    out = CipherAlg::DesEde3Cbc;
    return true;
  }
  return false;
}

namespace {

template <class T, std::size_t N, class F>
Status parseOrder(std::string_view csv, FixedList<T, N>& out, F fromWire) noexcept {
  FixedList<T, N> list;
  lex::Cursor c(csv);
  c.skipSws();
  for (;;) {
    std::string_view t = c.token();
    T alg{};
    if (t.empty() || !fromWire(t, alg) || list.contains(alg) || !list.push(alg)) {
      return Status::InvalidArg;
    }
    c.skipSws();
    if (c.atEnd()) {
      break;
    }
    if (!c.separator(',')) {
      return Status::InvalidArg;
    }
  }
  out = list;
  return Status::Ok;
}

template <class E, std::size_t N>
Status parseWord(std::string_view s, const char* const (&names)[N], const E (&values)[N],
                 E& out) noexcept {
  for (std::size_t i = 0; i < N; ++i) {
    if (lex::iequals(s, names[i])) {
      out = values[i];
      return Status::Ok;
    }
  }
  return Status::InvalidArg;
}

}  // namespace

Status parseIntegrityOrder(std::string_view csv, FixedList<IntegrityAlg, 2>& out) noexcept {
  return parseOrder(csv, out, integrityFromWire);
}

Status parseCipherOrder(std::string_view csv, FixedList<CipherAlg, 3>& out) noexcept {
  return parseOrder(csv, out, cipherFromWire);
}

Status parseConfPolicy(std::string_view s, ConfPolicy& out) noexcept {
  static const char* const names[] = {"required", "preferred", "off"};
  static const ConfPolicy values[] = {ConfPolicy::Required, ConfPolicy::Preferred,
                                      ConfPolicy::Off};
  return parseWord(s, names, values, out);
}

Status parseFailureMode(std::string_view s, FailureMode& out) noexcept {
  static const char* const names[] = {"forward", "reply"};
  static const FailureMode values[] = {FailureMode::Forward, FailureMode::Reply};
  return parseWord(s, names, values, out);
}

Status parseKeyDerivation(std::string_view s, KeyDerivation& out) noexcept {
  static const char* const names[] = {"hmac-sha256", "rotate", "none"};
  static const KeyDerivation values[] = {KeyDerivation::HmacSha256, KeyDerivation::Rotate,
                                         KeyDerivation::None};
  return parseWord(s, names, values, out);
}

Status validatePolicy(const Policy& p) noexcept {
  if (p.integrityOrder.empty() || p.keyRotateBits > 127) {
    return Status::InvalidArg;
  }
  if (p.confidentiality == ConfPolicy::Required && p.cipherOrder.empty()) {
    return Status::InvalidArg;
  }
  if (p.protectedPort == 0 || p.unprotectedPort == 0 || p.protectedPort == p.unprotectedPort) {
    return Status::InvalidArg;
  }
  if (p.spiMin < 256 || p.spiMax < p.spiMin || p.registrationTimer == 0) {
    return Status::InvalidArg;
  }
  return Status::Ok;
}

}  // namespace secsetup
