#pragma once
// The Security-setup header of the 2001 TS 33.203 draft [7.2], as fixed by profile section 2.
//
//   Security-setup = "Security-setup" HCOLON setup-line
//   setup-line     = int-mech SLASH [conf-mech] SLASH int-algs SLASH [conf-algs] SLASH sa-id
//                    [SLASH [info]]
//   int-mech, conf-mech = token                 ; "esp" is the only mechanism defined [D.2.1]
//   int-algs, conf-algs = token *(COMMA token)  ; a list in SM1/SM5, exactly one in SM4
//   sa-id          = 1*10DIGIT                  ; for esp: the SPI, 256..4294967295
//   info           = info-param *(SEMI info-param)
//   info-param     = token EQUAL (token / quoted-string)
//   SLASH = SWS "/" SWS, COMMA and SEMI as in RFC 3261 (whitespace around them allowed)
//
// Parsing never throws and never allocates beyond short strings; every error names the field
// and the reason.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "module/fixed_list.h"
#include "module/short_text.h"

namespace secsetup {

enum class SetupField : uint8_t {
  Header, IntMech, ConfMech, IntAlgs, ConfAlgs, SaId, Info, Port, ProtectedPort, UnprotectedPort
};
const char* toString(SetupField f) noexcept;

struct SetupError {
  SetupField field = SetupField::Header;
  const char* reason = "";
  std::size_t offset = 0;
};
// "int-algs: empty algorithm name (offset 12)"
std::string describe(const SetupError& e);

template <class T>
class ParseResult {
 public:
  ParseResult(const T& v) : ok_(true), value_(v) {}  // NOLINT: implicit by design
  ParseResult(T&& v) : ok_(true), value_(std::move(v)) {}  // NOLINT
  ParseResult(const SetupError& e) : ok_(false), error_(e) {}  // NOLINT
  bool ok() const noexcept { return ok_; }
  const T& value() const noexcept { return value_; }
  T& value() noexcept { return value_; }
  const SetupError& error() const noexcept { return error_; }

 private:
  bool ok_;
  T value_{};
  SetupError error_{};
};

constexpr std::size_t kMaxAlgs = 8;
constexpr std::size_t kMaxExtraInfo = 8;
constexpr std::size_t kMaxTokenLen = 32;   // mechanism, algorithm and parameter names
constexpr std::size_t kMaxValueLen = 64;   // unknown info parameter values
using Token = ShortText<kMaxTokenLen>;
using InfoValue = ShortText<kMaxValueLen>;

struct InfoParam {
  Token name;       // lower-cased
  InfoValue value;  // as written (quotes removed, escapes kept)
  bool quoted = false;
  bool operator==(const InfoParam& o) const noexcept {
    return name == o.name && value == o.value && quoted == o.quoted;
  }
};

struct SecuritySetup {
  Token intMech;                        // lower-cased
  Token confMech;                       // lower-cased; empty when absent
  FixedList<Token, kMaxAlgs> intAlgs;   // lower-cased, the sender's order
  FixedList<Token, kMaxAlgs> confAlgs;  // empty when absent
  uint32_t saId = 0;
  uint32_t port = 0;             // info "port", 0 when absent
  uint32_t protectedPort = 0;    // info "protected-port", 0 when absent
  uint32_t unprotectedPort = 0;  // info "unprotected-port", 0 when absent
  FixedList<InfoParam, kMaxExtraInfo> extraInfo;  // unknown params: kept, ignored

  bool hasConfidentiality() const noexcept { return !confMech.empty(); }
  // Back to empty without touching the storage (cheap; parsing reuses objects).
  void reset() noexcept {
    intMech.clear();
    confMech.clear();
    intAlgs.clear();
    confAlgs.clear();
    saId = port = protectedPort = unprotectedPort = 0;
    extraInfo.clear();
  }
  bool operator==(const SecuritySetup& o) const noexcept {
    return intMech == o.intMech && confMech == o.confMech && intAlgs == o.intAlgs &&
           confAlgs == o.confAlgs && saId == o.saId && port == o.port &&
           protectedPort == o.protectedPort && unprotectedPort == o.unprotectedPort &&
           extraInfo == o.extraInfo;
  }
  bool operator!=(const SecuritySetup& o) const noexcept { return !(*this == o); }
};

// Parses a header value (the text after "Security-setup:").
ParseResult<SecuritySetup> parseSecuritySetup(std::string_view value) noexcept;
// The same into a caller's object (no copy of the value): true, or false with err set.
bool parseSecuritySetup(std::string_view value, SecuritySetup& out, SetupError& err) noexcept;

}  // namespace secsetup
