// libFuzzer target: every header parser of the core. Properties checked on each input:
// no crash or UB (ASan/UBSan), parse(encode(v)) == v, and encode is a fixed point.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "module/wire/auth_params.h"
#include "module/wire/failure_header.h"
#include "module/wire/setup_encode.h"
#include "module/wire/setup_grammar.h"

using namespace secsetup;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  ParseResult<SecuritySetup> r = parseSecuritySetup(in);
  if (r.ok()) {
    std::string enc = encodeSecuritySetup(r.value());
    ParseResult<SecuritySetup> again = parseSecuritySetup(enc);
    if (!again.ok() || !(again.value() == r.value()) || encodeSecuritySetup(again.value()) != enc) {
      std::abort();
    }
  } else if (r.error().offset > size || r.error().reason == nullptr) {
    std::abort();
  }
  FailureReason f;
  if (parseFailure(in, f) && std::string_view(toString(f)).empty()) {
    std::abort();
  }
  AuthorizationFacts a = parseAuthorization(in);
  (void)a;
  AkaKeys keys;
  std::string rewritten;
  ChallengeKeys ck = extractChallengeKeys(in, keys, rewritten);
  if (ck.parsed && rewritten.size() > size) {
    std::abort();
  }
  if (ck.parsed && (ck.hadIk || ck.hadCk)) {
    // The rewritten challenge must not carry key parameters any more.
    AkaKeys again;
    std::string twice;
    ChallengeKeys second = extractChallengeKeys(rewritten, again, twice);
    if (second.hadIk || second.hadCk) {
      std::abort();
    }
  }
  return 0;
}
