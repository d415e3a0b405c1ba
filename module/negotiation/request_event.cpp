#include "module/negotiation/request_event.h"

#include <cstring>


namespace secsetup {

const char* toString(RequestEvent e) noexcept {
  switch (e) {
    case RequestEvent::ClearNotAccepted:
      return "clear-not-accepted";
    case RequestEvent::ClearSm1:
      return "clear-sm1";
    case RequestEvent::ClearWithoutSetup:
      return "clear-without-setup";
    case RequestEvent::ClearSyncFailure:
      return "clear-sync-failure";
    case RequestEvent::ClearNetAuthFailure:
      return "clear-net-auth-failure";
    case RequestEvent::NoPair:
      return "no-pair";
    case RequestEvent::OtherLocalAddress:
      return "other-local-address";
    case RequestEvent::OtherIdentity:
      return "other-identity";
    case RequestEvent::Request:
      return "request";
    case RequestEvent::Sm5:
      return "sm5";
    case RequestEvent::Sm5Again:
      return "sm5-again";
    case RequestEvent::SyncFailure:
      return "sync-failure";
    case RequestEvent::NetAuthFailure:
      return "net-auth-failure";
    case RequestEvent::Deregistration:
      return "deregistration";
    case RequestEvent::ReRegistrationSm1:
      return "re-registration-sm1";
    case RequestEvent::Refresh:
      return "refresh";
  }
  return "?";
}

bool sameText(const char* stored, uint8_t len, std::string_view v) noexcept {
  return len == v.size() && std::memcmp(stored, v.data(), len) == 0;
}

bool safeIdentity(std::string_view v) noexcept {
  for (char c : v) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '"' || c == '\\') {
      return false;
    }
  }
  return true;
}

// Parsed and fingerprinted as SM1 was: equal fingerprints are equal values.
Sm1Match compareWithSm1(const ContactRecord& r, std::string_view text, SetupError& err) noexcept {
  SecuritySetup p;
  if (!parseSecuritySetup(text, p, err)) {
    return Sm1Match::Malformed;
  }
  uint8_t digest[kSetupDigestLen];
  setupDigest(p, digest);
  return std::memcmp(digest, r.sm1Digest, sizeof(digest)) == 0 ? Sm1Match::Same
                                                               : Sm1Match::Differs;
}

namespace {

RequestClass of(RequestEvent e) noexcept {
  RequestClass c;
  c.event = e;
  return c;
}

// SM5 again (same Call-ID, the Security-setup of SM1): a UE that did not get SM8 retransmits
// SM5 through SA11. That is no further message through the new pair (item 7), and the old
// pair must stay for the ways out of a lost SM8 (item 8). A de-registration through SA11
// repeats SM1's line and Call-ID too (expires 0): it is a further message.
bool isSm5Again(const ContactRecord& r, const RequestFacts& f) noexcept {
  if (!f.isRegister || f.expires == 0 || f.securitySetupCount != 1 ||
      !sameText(r.callId, r.callIdLen, f.callId)) {
    return false;
  }
  SetupError err;
  return compareWithSm1(r, f.securitySetup[0], err) == Sm1Match::Same;
}

bool sameLocal(const ContactRecord& r, const RequestFacts& f) noexcept {
  const std::size_t n = f.local.family == kipsec::Family::V4 ? 4 : 16;
  return r.family == static_cast<uint8_t>(f.local.family) &&
         std::memcmp(r.pcscfIp, f.local.bytes.data(), n) == 0;
}

}  // namespace

// D.1.4: the unprotected port accepts exactly an initial REGISTER (no Authorization, or one
// with an empty response: nothing has been answered yet), a network authentication failure
// (empty response, no auts) and a synchronisation failure (auts). A REGISTER answering a
// challenge (a non-empty response) is SM5's kind: it belongs behind an SA, and taken in the
// clear it would register a UE without one. An Authorization that does not parse is none of
// the three either. A REGISTER with auts and Security-setup starts afresh (SM1).
RequestClass classifyClear(const RequestFacts& f, const AuthorizationFacts& auth) noexcept {
  if (!f.isRegister || (!f.authorization.empty() && !auth.present)) {
    return of(RequestEvent::ClearNotAccepted);
  }
  if (auth.present && auth.hasAuts) {
    return of(f.securitySetupCount > 0 ? RequestEvent::ClearSm1 : RequestEvent::ClearSyncFailure);
  }
  if (auth.present && auth.hasResponse && !auth.emptyResponse) {
    return of(RequestEvent::ClearNotAccepted);
  }
  if (f.securitySetupCount > 0) {
    return of(RequestEvent::ClearSm1);
  }
  return of(auth.present && auth.hasResponse ? RequestEvent::ClearNetAuthFailure
                                             : RequestEvent::ClearWithoutSetup);
}

RequestClass classifyProtected(const RequestFacts& f, const AuthorizationFacts& auth,
                               const ContactRecord* r) noexcept {
  if (r == nullptr) {
    return of(RequestEvent::NoPair);
  }
  RequestClass c;
  c.viaPending = r->pending.state == PairState::Live && r->pending.uePort == f.sourcePort;
  bool viaActive = r->active.state == PairState::Live && r->active.uePort == f.sourcePort;
  if (!c.viaPending && !viaActive) {
    return of(RequestEvent::NoPair);
  }
  // The SAs' selectors name the P-CSCF address of the negotiation: a clear packet to another
  // local address is outside every SA's policy, so the kernel let it through unchecked.
  if (!sameLocal(*r, f)) {
    return of(RequestEvent::OtherLocalAddress);
  }
  // An SM1 without Authorization (the seed's) names no IMPI: SM5, the first message through
  // the new SA (so keyed from this challenge's IK), names it, and the pair is bound to it.
  c.adoptImpi = r->impiLen == 0 && c.viaPending && r->phase == Phase::AwaitSm5 && auth.present &&
                !auth.username.empty() && auth.username.size() <= kMaxImpiLen &&
                safeIdentity(auth.username);
  if ((auth.present && !auth.username.empty() && !c.adoptImpi &&
       !sameText(r->impi, r->impiLen, auth.username)) ||
      (f.isRegister && !f.impu.empty() && !sameText(r->impu, r->impuLen, f.impu))) {
    return of(RequestEvent::OtherIdentity);
  }
  bool pendingAfter = r->pending.state != PairState::Empty;
  if ((r->flags & kFlagAwaitConfirm) != 0) {
    if (c.viaPending && isSm5Again(*r, f)) {
      c.event = RequestEvent::Sm5Again;
      return c;
    }
    // Item 7: a further message through SA11 keeps the new pair; item 8: one through the
    // old SA keeps the old one. Either way one pair is left, and it is the active one.
    c.window = c.viaPending ? WindowEffect::KeepNew : WindowEffect::KeepOld;
    viaActive = true;
    pendingAfter = false;
  }
  const bool viaPendingAfter = c.viaPending && c.window == WindowEffect::None;
  if (!f.isRegister) {
    c.event = RequestEvent::Request;
  } else if (viaPendingAfter && r->phase == Phase::AwaitSm5) {
    c.event = RequestEvent::Sm5;
  } else if (auth.present && auth.hasAuts && pendingAfter) {
    c.event = RequestEvent::SyncFailure;
  } else if (auth.present && auth.hasResponse && auth.emptyResponse &&
             f.securitySetupCount == 0 && pendingAfter) {
    c.event = RequestEvent::NetAuthFailure;
  } else if (f.expires == 0) {
    c.event = RequestEvent::Deregistration;
  } else if (viaActive && f.securitySetupCount > 0) {
    c.event = RequestEvent::ReRegistrationSm1;
  } else {
    c.event = RequestEvent::Refresh;
  }
  return c;
}

}  // namespace secsetup
