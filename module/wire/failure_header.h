#pragma once
// The Failure header [7.3.2], profile section 3: "Failure: <reason>", one reason token.

#include <cstdint>
#include <string_view>

namespace secsetup {

enum class FailureReason : uint8_t {
  None,
  NoCommonIntegrityAlgorithm,
  NoCommonConfidentialityAlgorithm,
  UnsupportedMechanism,
  MalformedSecuritySetup,
  SecuritySetupMismatch,
  UserAuthenticationFailure,
};

// The wire token ("NoCommonIntegrityAlgorithm"); "" for None.
const char* toString(FailureReason r) noexcept;
// Parses a Failure header value (case-insensitive token, surrounding whitespace allowed).
// False for anything else (unknown token, empty, two tokens).
bool parseFailure(std::string_view value, FailureReason& out) noexcept;

constexpr const char* kFailureHeaderName = "Failure";

}  // namespace secsetup
