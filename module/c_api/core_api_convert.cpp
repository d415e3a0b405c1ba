// Conversions between the C boundary's plain types and the core's C++ types.

#include "module/c_api/core_api_convert.h"

#include <cstring>

namespace secsetup::capi {

std::string_view view(const secsetup_str_t& s) {
  return s.s == nullptr ? std::string_view() : std::string_view(s.s, s.len);
}

bool parseIp(const secsetup_str_t& s, kipsec::IpAddress& out) {
  if (s.s == nullptr || s.len == 0 || s.len > 64) {
    return false;
  }
  return kipsec::IpAddress::parse(std::string(s.s, s.len), out);
}

bool readIp(const secsetup_ip_t& bin, const secsetup_str_t& text, kipsec::IpAddress& out) {
  if (bin.family == 0) {
    return parseIp(text, out);
  }
  if (bin.family != 4 && bin.family != 6) {
    return false;
  }
  kipsec::IpAddress a;
  a.family = bin.family == 4 ? kipsec::Family::V4 : kipsec::Family::V6;
  std::memcpy(a.bytes.data(), bin.bytes, bin.family == 4 ? 4 : 16);
  out = a;
  return true;
}

bool copyOut(char* dst, std::size_t cap, std::string_view v) {
  if (v.size() >= cap) {
    dst[0] = '\0';
    return false;
  }
  std::memcpy(dst, v.data(), v.size());
  dst[v.size()] = '\0';
  return true;
}

int toC(Status s) {
  switch (s) {
    case Status::Ok:
      return SECSETUP_OK;
    case Status::NotFound:
      return SECSETUP_NOT_FOUND;
    case Status::InvalidArg:
    case Status::ParseError:
      return SECSETUP_INVALID_ARG;
    case Status::OutOfResources:
      return SECSETUP_OUT_OF_RESOURCES;
    case Status::InvalidState:
      return SECSETUP_INVALID_STATE;
    default:
      return SECSETUP_FAILED;
  }
}

// fillActions sets each field by name (no memset): a field added to the struct must be set
// there too, which this size check brings to mind.
static_assert(sizeof(secsetup_actions_t) == 1812, "set the new field of secsetup_actions_t in fillActions");

int fillActions(const Actions& a, secsetup_actions_t* out) {
  // Every field is set below; the texts only need their first byte cleared for the ones a
  // failed copy leaves unwritten (clearing all 1.9 KB cost more than the rest together).
  out->reply_reason[0] = out->failure_token[0] = out->security_setup[0] = '\0';
  out->www_authenticate[0] = out->warning[0] = out->log[0] = out->event_reason[0] = '\0';
  out->verdict = static_cast<int>(a.verdict);
  out->reply_code = a.replyCode;
  out->failure = static_cast<int>(a.failure);
  out->strip_security_setup = a.stripSecuritySetup ? 1 : 0;
  out->strip_failure = a.stripFailure ? 1 : 0;
  out->replace_www_authenticate = a.replaceWwwAuthenticate ? 1 : 0;
  out->retry_after = a.retryAfter;
  out->event = static_cast<int>(a.event);
  out->event_port = a.eventPort;
  out->event_spi_p = a.eventSpiP;
  out->event_spi_u = a.eventSpiU;
  copyOut(out->event_reason, sizeof(out->event_reason),
          std::string_view(a.eventReason).substr(0, sizeof(out->event_reason) - 1));
  bool ok = copyOut(out->reply_reason, sizeof(out->reply_reason), a.replyReason) &&
            copyOut(out->failure_token, sizeof(out->failure_token), toString(a.failure)) &&
            !a.securitySetup.overflowed() &&
            copyOut(out->security_setup, sizeof(out->security_setup), a.securitySetup) &&
            !a.wwwAuthenticate.overflowed() &&
            copyOut(out->www_authenticate, sizeof(out->www_authenticate), a.wwwAuthenticate);
  copyOut(out->warning, sizeof(out->warning),
          a.warning.view().substr(0, sizeof(out->warning) - 1));
  // The log line: "<log>[: <failure token>][ (<warning>)]", cut to the buffer.
  BoundedText<sizeof(out->log) - 1> line;
  line += a.log;
  if (a.failure != FailureReason::None) {
    line += ": ";
    line += toString(a.failure);
  }
  if (!a.warning.empty()) {
    line += " (";
    line += a.warning.view();
    line += ")";
  }
  copyOut(out->log, sizeof(out->log), line.view());
  return ok ? SECSETUP_OK : SECSETUP_TRUNCATED;
}

Status buildPolicy(const secsetup_params_t* p, Policy& pol) {
  Policy d;
  if (p->integrity_algs && parseIntegrityOrder(p->integrity_algs, d.integrityOrder) != Status::Ok) {
    return Status::InvalidArg;
  }
  if (p->cipher_algs && parseCipherOrder(p->cipher_algs, d.cipherOrder) != Status::Ok) {
    return Status::InvalidArg;
  }
  if (p->confidentiality && parseConfPolicy(p->confidentiality, d.confidentiality) != Status::Ok) {
    return Status::InvalidArg;
  }
  if (p->failure_mode && parseFailureMode(p->failure_mode, d.failureMode) != Status::Ok) {
    return Status::InvalidArg;
  }
  if (p->key_derivation && parseKeyDerivation(p->key_derivation, d.keyDerivation) != Status::Ok) {
    return Status::InvalidArg;
  }
  if (p->protected_port > 65535 || p->unprotected_port > 65535) {
    return Status::InvalidArg;
  }
  d.keyRotateBits = p->key_rotate_bits;
  d.protectedPort = static_cast<uint16_t>(p->protected_port);
  d.unprotectedPort = static_cast<uint16_t>(p->unprotected_port);
  d.spiMin = p->spi_min;
  d.spiMax = p->spi_max;
  d.registrationTimer = p->registration_timer;
  d.expiryGrace = p->expiry_grace;
  d.deleteGrace = p->delete_grace;
  d.retryAfter = p->retry_after;
  d.maxNegotiationsPerUe = p->max_negotiations_per_ue;
  if (validatePolicy(d) != Status::Ok || p->max_contacts == 0) {
    return Status::InvalidArg;
  }
  pol = d;
  return Status::Ok;
}

const char* phaseName(Phase p) {
  switch (p) {
    case Phase::Sm1Seen:
      return "sm1-seen";
    case Phase::AwaitSm5:
      return "await-sm5";
    case Phase::AwaitSm7:
      return "await-sm7";
    case Phase::Established:
      return "established";
    case Phase::Closing:
      return "closing";
    default:
      return "free";
  }
}

}  // namespace secsetup::capi
