#pragma once
// The few Digest facts the core needs from raw header values (RFC 3261 25.1 / RFC 3310):
// Authorization (IMPI, empty response, auts) and WWW-Authenticate (ik/ck, removed before SM4).

#include <string>
#include <string_view>

#include "module/bounded_text.h"
#include "module/keys/key_derivation.h"

namespace secsetup {

struct AuthorizationFacts {
  bool present = false;        // a parsable Digest Authorization value was given
  std::string_view username;   // the IMPI: a view into the parsed value (no copy)
  bool hasResponse = false;
  bool emptyResponse = false;  // response="" (network authentication failure, or SM1)
  bool hasAuts = false;        // synchronisation failure
};

// Tolerant: an unparsable value yields present == false. The facts view into value: keep it
// alive while they are used.
AuthorizationFacts parseAuthorization(std::string_view value) noexcept;

struct ChallengeKeys {
  bool hadIk = false;     // an ik parameter was present (valid or not)
  bool hadCk = false;
  bool ikValid = false;   // 32 hex digits
  bool ckValid = false;
  bool parsed = false;    // the value was a well-formed challenge
};

// The longest rewritten challenge the engine hands on (the C boundary's buffer, less the NUL).
constexpr std::size_t kMaxChallengeLen = 1023;
using ChallengeText = BoundedText<kMaxChallengeLen>;

// Reads ik/ck into keys and writes the challenge without them into rewritten. A rewritten
// text that does not fit a ChallengeText is cut and marked overflowed().
ChallengeKeys extractChallengeKeys(std::string_view wwwAuthenticate, AkaKeys& keys,
                                   std::string& rewritten) noexcept;
ChallengeKeys extractChallengeKeys(std::string_view wwwAuthenticate, AkaKeys& keys,
                                   ChallengeText& rewritten) noexcept;

// Last resort for a reply the glue cannot edit (no memory for the edits): overwrites, in
// place, the value of every ik and ck parameter of the WWW-Authenticate value v with '0',
// so that the reply may go on unedited without key material; the length does not change.
// A value this parser cannot read to its end is overwritten whole with 'x'. Returns the
// number of bytes overwritten.
std::size_t scrubChallengeKeys(char* v, std::size_t len) noexcept;

}  // namespace secsetup
