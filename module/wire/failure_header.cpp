#include "module/wire/failure_header.h"

#include "module/wire/sip_lex.h"

namespace secsetup {

const char* toString(FailureReason r) noexcept {
  switch (r) {
    case FailureReason::None:
      return "";
    case FailureReason::NoCommonIntegrityAlgorithm:
      return "NoCommonIntegrityAlgorithm";
    case FailureReason::NoCommonConfidentialityAlgorithm:
      return "NoCommonConfidentialityAlgorithm";
    case FailureReason::UnsupportedMechanism:
      return "UnsupportedMechanism";
    case FailureReason::MalformedSecuritySetup:
      return "MalformedSecuritySetup";
    case FailureReason::SecuritySetupMismatch:
      return "SecuritySetupMismatch";
    case FailureReason::UserAuthenticationFailure:
      return "UserAuthenticationFailure";
  }
  return "";
}

bool parseFailure(std::string_view value, FailureReason& out) noexcept {
  lex::Cursor c(value);
  c.skipSws();
  std::string_view t = c.token();
  c.skipSws();
  if (t.empty() || !c.atEnd()) {
    return false;
  }
  for (int i = 1; i <= static_cast<int>(FailureReason::UserAuthenticationFailure); ++i) {
    auto r = static_cast<FailureReason>(i);
    if (lex::iequals(t, toString(r))) {
      out = r;
      return true;
    }
  }
  return false;
}

}  // namespace secsetup
