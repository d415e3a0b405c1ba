#include "module/negotiation/choice.h"

namespace secsetup {

namespace {

constexpr const char* kEsp = "esp";

bool reject(Rejection& why, FailureReason r, const char* detail) noexcept {
  why.reason = r;
  why.detail = detail;
  return false;
}

bool proposedIntegrity(const SecuritySetup& p, IntegrityAlg a) noexcept {
  for (const Token& name : p.intAlgs) {
    IntegrityAlg x{};
    if (integrityFromWire(name.view(), x) && x == a) {
      return true;
    }
  }
  return false;
}

bool proposedCipher(const SecuritySetup& p, CipherAlg a) noexcept {
  for (const Token& name : p.confAlgs) {
    CipherAlg x{};
    if (cipherFromWire(name.view(), x) && x == a) {
      return true;
    }
  }
  return false;
}

}  // namespace

bool checkProposal(const SecuritySetup& p, const ProposalContext& ctx, Rejection& why) noexcept {
  if (p.intMech != kEsp) {
    return reject(why, FailureReason::UnsupportedMechanism, "int-mech: only esp is supported");
  }
  if (p.hasConfidentiality() && p.confMech != kEsp) {
    return reject(why, FailureReason::UnsupportedMechanism, "conf-mech: only esp is supported");
  }
  if (p.saId < 256) {
    return reject(why, FailureReason::MalformedSecuritySetup, "sa-id: SPI below 256");
  }
  if (p.protectedPort != 0 || p.unprotectedPort != 0) {
    return reject(why, FailureReason::MalformedSecuritySetup,
                  "info: protected-port/unprotected-port belong to SM4 only");
  }
  if (ctx.reRegistration) {
    if (p.port == 0) {
      return reject(why, FailureReason::MalformedSecuritySetup,
                    "port: required in a re-registration");
    }
    if (p.port == ctx.portInUse) {
      return reject(why, FailureReason::MalformedSecuritySetup,
                    "port: must differ from the port in use");
    }
  }
  return true;
}

bool choose(const Policy& policy, const SecuritySetup& proposal, Choice& out,
            Rejection& why) noexcept {
  Choice c;
  bool found = false;
  for (IntegrityAlg a : policy.integrityOrder) {
    if (proposedIntegrity(proposal, a)) {
      c.integrity = a;
      found = true;
      break;
    }
  }
  if (!found) {
    return reject(why, FailureReason::NoCommonIntegrityAlgorithm,
                  "int-algs: no algorithm acceptable to the P-CSCF");
  }
  c.cipher = CipherAlg::None;
  if (policy.confidentiality != ConfPolicy::Off && proposal.hasConfidentiality()) {
    for (CipherAlg a : policy.cipherOrder) {
      if (proposedCipher(proposal, a)) {
        c.cipher = a;
        break;
      }
    }
  }
  if (c.cipher == CipherAlg::None && policy.confidentiality == ConfPolicy::Required) {
    return reject(why, FailureReason::NoCommonConfidentialityAlgorithm,
                  proposal.hasConfidentiality()
                      ? "conf-algs: no algorithm acceptable to the P-CSCF"
                      : "conf-algs: confidentiality required by the P-CSCF");
  }
  out = c;
  return true;
}

bool checkAnswer(const SecuritySetup& proposal, const SecuritySetup& answer, Choice& out,
                 Rejection& why) noexcept {
  if (answer.intMech != kEsp || (answer.hasConfidentiality() && answer.confMech != kEsp)) {
    return reject(why, FailureReason::UnsupportedMechanism, "mechanism: not esp");
  }
  if (answer.intAlgs.size() != 1) {
    return reject(why, FailureReason::MalformedSecuritySetup,
                  "int-algs: SM4 must carry exactly one");
  }
  Choice c;
  if (!integrityFromWire(answer.intAlgs[0].view(), c.integrity) ||
      !proposedIntegrity(proposal, c.integrity)) {
    return reject(why, FailureReason::NoCommonIntegrityAlgorithm,
                  "int-algs: SM4 chose an algorithm the UE did not propose");
  }
  if (answer.hasConfidentiality()) {
    if (answer.confAlgs.size() != 1) {
      return reject(why, FailureReason::MalformedSecuritySetup,
                    "conf-algs: SM4 must carry at most one");
    }
    if (!cipherFromWire(answer.confAlgs[0].view(), c.cipher) || !proposedCipher(proposal, c.cipher)) {
      return reject(why, FailureReason::NoCommonConfidentialityAlgorithm,
                    "conf-algs: SM4 chose an algorithm the UE did not propose");
    }
  }
  if (answer.saId < 256) {
    return reject(why, FailureReason::MalformedSecuritySetup, "sa-id: SPI below 256");
  }
  if (answer.protectedPort == 0 || answer.unprotectedPort == 0) {
    return reject(why, FailureReason::MalformedSecuritySetup,
                  "info: SM4 needs protected-port and unprotected-port");
  }
  out = c;
  return true;
}

SecuritySetup makeAnswer(const Choice& c, uint32_t spiP, uint16_t protectedPort,
                         uint16_t unprotectedPort) {
  SecuritySetup s;
  s.intMech = kEsp;
  s.intAlgs.push(Token(wireName(c.integrity)));
  if (c.cipher != CipherAlg::None) {
    s.confMech = kEsp;
    s.confAlgs.push(Token(wireName(c.cipher)));
  }
  s.saId = spiP;
  s.protectedPort = protectedPort;
  s.unprotectedPort = unprotectedPort;
  return s;
}

}  // namespace secsetup
