#pragma once
// Checking a proposal and making the P-CSCF's choice (profile sections 2 and 4), plus the
// UE's check of the answer in SM4 [7.3.2.2].

#include <cstdint>

#include "module/wire/failure_header.h"
#include "module/negotiation/policy.h"
#include "module/wire/setup_grammar.h"

namespace secsetup {

struct Choice {
  IntegrityAlg integrity = IntegrityAlg::HmacSha1_96;
  CipherAlg cipher = CipherAlg::None;  // None: integrity only
  bool operator==(const Choice& o) const noexcept {
    return integrity == o.integrity && cipher == o.cipher;
  }
};

struct Rejection {
  FailureReason reason = FailureReason::None;
  const char* detail = "";  // names the field and the cause, for the Warning and the log
};

// Context of an SM1 (or SM5) proposal.
struct ProposalContext {
  bool reRegistration = false;  // SM1 arrived through an established SA
  uint16_t portInUse = 0;       // the protected port of the established pair (re-registration)
};

// Structural checks beyond the grammar: mechanism, SPI range, port rules of section 2.
bool checkProposal(const SecuritySetup& p, const ProposalContext& ctx, Rejection& why) noexcept;

// The P-CSCF's choice by its own preference order and confidentiality policy.
bool choose(const Policy& policy, const SecuritySetup& proposal, Choice& out,
            Rejection& why) noexcept;

// The UE's check of SM4 against what it proposed: one integrity algorithm from its list, at
// most one confidentiality algorithm from its list, esp, both P-CSCF ports, SPI >= 256.
bool checkAnswer(const SecuritySetup& proposal, const SecuritySetup& answer, Choice& out,
                 Rejection& why) noexcept;

// Builds the SM4 value for a choice.
SecuritySetup makeAnswer(const Choice& c, uint32_t spiP, uint16_t protectedPort,
                         uint16_t unprotectedPort);

}  // namespace secsetup
