#pragma once
// What a request is to the negotiation state machine (docs/protocol.md sections 4 and 5):
// its event, decided from where it came (the port it arrived on, in the clear or through
// which SA pair, the local address) and from what it carries, against a snapshot of the
// contact it names. Pure: reads the record, changes nothing. The engine carries out the
// event; a request whose event is a discard changes nothing at all.

#include <cstdint>
#include <string_view>

#include "module/wire/auth_params.h"
#include "module/store/contact_record.h"
#include "module/negotiation/engine.h"

namespace secsetup {

enum class RequestEvent : uint8_t {
  // The unprotected port (D.1.4).
  ClearNotAccepted,     // not a REGISTER, or a REGISTER of none of D.1.4's three kinds
  ClearSm1,             // an initial REGISTER with Security-setup
  ClearWithoutSetup,    // an initial REGISTER without it (refused: MalformedSecuritySetup)
  ClearSyncFailure,     // auts, no Security-setup
  ClearNetAuthFailure,  // an empty response, no auts, no Security-setup
  // The protected port.
  NoPair,               // no live pair of this UE address and port
  OtherLocalAddress,    // not the P-CSCF address the pair's selectors name
  OtherIdentity,        // an IMPI or IMPU other than the pair's
  Request,              // any other method through a pair
  Sm5,                  // a REGISTER through the pending pair while SM5 is awaited
  Sm5Again,             // SM5 retransmitted in the lost-SM8 window (no further message)
  SyncFailure,          // auts through a pair while a negotiation runs
  NetAuthFailure,       // an empty response through a pair while a negotiation runs
  Deregistration,       // expires 0
  ReRegistrationSm1,    // Security-setup through the active pair
  Refresh,              // any other REGISTER through the active pair
};
const char* toString(RequestEvent e) noexcept;

// In the lost-SM8 window (both pairs kept after a re-registration), which pair the request
// confirms: the new one (the old goes) or the old one (the new goes).
enum class WindowEffect : uint8_t { None, KeepNew, KeepOld };

struct RequestClass {
  RequestEvent event = RequestEvent::ClearNotAccepted;
  bool viaPending = false;   // it came through the pending pair
  bool adoptImpi = false;    // SM5 names the IMPI an SM1 without Authorization did not
  WindowEffect window = WindowEffect::None;
};

// The unprotected port's request. No record is needed: what it may change is the engine's
// row to choose (a registered contact is never the target of a clear message).
RequestClass classifyClear(const RequestFacts& f, const AuthorizationFacts& auth) noexcept;
// The protected port's request against the record of its UE address and source port
// (nullptr when there is none).
RequestClass classifyProtected(const RequestFacts& f, const AuthorizationFacts& auth,
                               const ContactRecord* r) noexcept;

// Helpers the engine shares with the classifier.
bool sameText(const char* stored, uint8_t len, std::string_view v) noexcept;
// Whether the contact has a registration protected by an SA pair: what the S-CSCF
// authenticated. Nothing that arrives in the clear may change it (7.3.3.2: a failed attempt
// leaves the old SAs as they were).
inline bool registered(const ContactRecord& r) noexcept {
  return r.active.state == PairState::Live;
}
// An identity goes into the record and from there into the D.2.2 report the P-CSCF writes
// itself (a quoted Authorization username): no quote, backslash or control character.
bool safeIdentity(std::string_view v) noexcept;

enum class Sm1Match { Same, Differs, Malformed };
// Whether a Security-setup value (SM5's, or a retransmission's) is SM1's; err says why when
// Malformed.
Sm1Match compareWithSm1(const ContactRecord& r, std::string_view text, SetupError& err) noexcept;

}  // namespace secsetup
