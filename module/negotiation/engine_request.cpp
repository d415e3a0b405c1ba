// Requests: SM1 (initial and re-registration), SM5, the authentication-failure REGISTERs,
// the port rules of profile section 7 and the lost-SM8 window of section 8 item 8.

#include <cstring>

#include "module/wire/auth_params.h"
#include "module/negotiation/engine.h"
#include "module/negotiation/request_event.h"

namespace secsetup {

namespace {

[[gnu::cold]] Actions drop(const char* why) {  // discards are rare: see Engine::failure
  Actions a;
  a.verdict = Verdict::Drop;
  a.log = why;
  return a;
}

// The P-CSCF answers the request itself: code and reason phrase, the Warning (or none), and
// Retry-After (0: none). a may already carry the Failed event of the refusal.
[[gnu::cold]] Actions answer(Actions a, int code, const char* reason, const char* warning,
                             unsigned retryAfter, const char* why) {
  a.verdict = Verdict::Reply;
  a.replyCode = code;
  a.replyReason = reason;
  a.warning = warning;
  a.retryAfter = retryAfter;
  a.log = why;
  return a;
}

Actions relay(const char* why, bool strip = true) {
  Actions a;
  a.stripSecuritySetup = strip;
  a.log = why;
  return a;
}

void copyText(char* dst, uint8_t& len, std::string_view v) {
  len = static_cast<uint8_t>(v.size());
  std::memmove(dst, v.data(), v.size());  // v may be the record's own text (re-registration)
  dst[v.size()] = '\0';
}

}  // namespace

Actions Engine::onRequest(const RequestFacts& f, uint64_t now) noexcept {
  try {
    if (f.path == Path::Other) {
      return relay("not a secsetup port", false);
    }
    unsigned stripe = store_.stripeOf(f.source);
    StripeLock lock(store_, stripe);
    Actions a = requestLocked(stripe, f, now);
    a.stripFailure = true;  // Failure is the P-CSCF's report to the S-CSCF (profile 3), not the UE's
    return a;
  } catch (...) {
    return answer(Actions{}, 500, "Server Internal Error", "", 0,
                  "internal error while handling a request");
  }
}

Actions Engine::requestLocked(unsigned stripe, const RequestFacts& f, uint64_t now) {
  RequestHashes h;
  if (f.path == Path::Unprotected) {
    h.callId = store_.hashCallId(f.callId);
  }
  h.addr = store_.addrHash(f.source, f.sourcePort);
  auth_ = parseAuthorization(f.authorization);  // once per request
  if (f.path == Path::Unprotected) {
    return unprotectedRegister(stripe, f, h, now);
  }
  return protectedRequest(stripe, f, h, now);
}

Actions Engine::unprotectedRegister(unsigned stripe, const RequestFacts& f,
                                    const RequestHashes& h, uint64_t now) {
  const RequestEvent event = classifyClear(f, auth_).event;
  if (event == RequestEvent::ClearNotAccepted) {
    store_.count(Counter::UnprotectedDiscarded);
    return drop("unprotected port: not one of the three kinds of REGISTER of D.1.4");
  }
  uint32_t rec = store_.findByCallId(stripe, f.source, f.callId, h.callId);
  if (rec != kNil && f.cseq != 0 && !registered(store_.record(rec))) {
    store_.record(rec).cseq = f.cseq;  // replies to its earlier REGISTERs are stale now
  }
  if (rec == kNil) {
    rec = store_.findByAddr(stripe, f.source, f.sourcePort, h.addr);
  }
  // Lost SM8 (item 8): a REGISTER in the clear ends the window; the new pair goes.
  if (rec != kNil && (store_.record(rec).flags & kFlagAwaitConfirm) != 0) {
    endWindow(stripe, rec, WindowEffect::KeepOld);
  }
  // Items 5 and 6 act on a running negotiation only: a registered contact's re-registration
  // loses its pending pair too (its old SAs stay), nothing else.
  ContactRecord* r = rec == kNil ? nullptr : &store_.record(rec);
  const bool negotiating = r != nullptr && (r->phase == Phase::Sm1Seen ||
                                            r->phase == Phase::AwaitSm5 ||
                                            r->phase == Phase::AwaitSm7);
  switch (event) {
    case RequestEvent::ClearSm1:
      return initialSm1(stripe, f, h, now);
    case RequestEvent::ClearSyncFailure:
      // Synchronisation failure (item 6): SM1's state stays, the SAs of this round go, and
      // the next 401 gets a fresh choice and fresh SAs.
      if (negotiating) {
        deletePairNow(*r, r->pending);
        r->phase = Phase::Sm1Seen;
        r->timerAt = now + policy_.registrationTimer;
        settle(stripe, rec);
      }
      return relay("synchronisation failure REGISTER relayed");
    case RequestEvent::ClearNetAuthFailure:
      // Network authentication failure (item 5): relayed, the pending SAs go.
      if (negotiating) {
        deletePairNow(*r, r->pending);
        endNegotiation(stripe, rec);
        settle(stripe, rec);
      }
      return relay("network authentication failure REGISTER relayed");
    default:
      store_.count(Counter::NegotiationsStarted);  // an initial REGISTER without a proposal
      store_.count(Counter::SecSetupParseErrors);
      return failure(FailureReason::MalformedSecuritySetup, "Security-setup: missing");
  }
}

bool Engine::parseSm1(const RequestFacts& f, SecuritySetup& p, Actions& refusal) {
  store_.count(Counter::NegotiationsStarted);
  SetupError perr;
  if (f.securitySetupCount > 1) {
    store_.count(Counter::SecSetupParseErrors);
    refusal = failure(FailureReason::MalformedSecuritySetup, "Security-setup: more than one header");
    return false;
  }
  if (!parseSecuritySetup(f.securitySetup[0], p, perr)) {
    store_.count(Counter::SecSetupParseErrors);
    refusal = failure(FailureReason::MalformedSecuritySetup, describe(perr));
    return false;
  }
  return true;
}

Actions Engine::initialSm1(unsigned stripe, const RequestFacts& f, const RequestHashes& h,
                           uint64_t now) {
  SecuritySetup& p = sm1Setup_;
  Actions refusal;
  if (!parseSm1(f, p, refusal)) {
    return refusal;
  }
  Rejection why;
  Choice choice;
  if (!checkProposal(p, ProposalContext{}, why) || !choose(policy_, p, choice, why)) {
    return failure(why.reason, why.detail);
  }
  const AuthorizationFacts& auth = auth_;
  if (f.callId.empty() || f.callId.size() > kMaxCallIdLen || auth.username.size() > kMaxImpiLen ||
      f.impu.size() > kMaxImpuLen || !safeIdentity(auth.username) || !safeIdentity(f.impu)) {
    return answer(Actions{}, 400, "Bad Request",
                  "Call-ID, IMPI or IMPU missing, too long or with characters not allowed", 0,
                  "initial SM1 refused");
  }
  uint16_t port = static_cast<uint16_t>(p.port != 0 ? p.port : f.sourcePort);
  const uint64_t portHash = port == f.sourcePort ? h.addr : store_.addrHash(f.source, port);
  uint32_t rec = store_.findByAddr(stripe, f.source, port, portHash);
  if (rec != kNil && registered(store_.record(rec))) {
    // A clear SM1 proves nothing about who sends it: it may not touch a registered contact
    // (its identities, Call-ID, SAs) nor the re-registration it runs through its SA. The
    // port is under SA protection; a UE that lost its SAs starts on another port.
    return failure(FailureReason::MalformedSecuritySetup,
                   "port: held by a registration protected by SAs");
  }
  if (rec != kNil) {
    // An earlier initial negotiation on this port, not authenticated either: the UE starts
    // again and the earlier one is abandoned.
    ContactRecord& r = store_.record(rec);
    deletePairNow(r, r.pending);
    r.flags = 0;
  } else {
    const unsigned negotiating = store_.countNegotiating(stripe, f.source);
    if (policy_.maxNegotiationsPerUe != 0 && negotiating >= policy_.maxNegotiationsPerUe) {
      // One address may not hold the store (and kernel SAs) with SM1s naming new ports.
      Actions a;
      failed(a, Counter::NegotiationsPerUeExceeded, "too many negotiations from this address",
             nullptr);
      return answer(a, 503, "Service Unavailable",
                    "too many security negotiations from this address",
                    policy_.registrationTimer, "negotiations per UE address exceeded");
    }
  }
  if (rec == kNil) {
    rec = store_.allocate(f.source);
    if (rec == kNil) {
      Actions a;
      failed(a, Counter::StoreFull, "contact store full", nullptr);
      return answer(a, 503, "Service Unavailable", "", policy_.retryAfter, "contact store full");
    }
    store_.linkAddr(stripe, rec, 0, port, portHash);
  }
  storeSm1(stripe, rec, f, h.callId, auth.username, p, choice, port, now);
  return relay("SM1 stored");
}

void Engine::storeSm1(unsigned stripe, uint32_t rec, const RequestFacts& f, uint64_t callIdHash,
                      std::string_view impi, const SecuritySetup& p, const Choice& c,
                      uint16_t port, uint64_t now) {
  ContactRecord& r = store_.record(rec);
  std::memcpy(r.pcscfIp, f.local.bytes.data(), 16);
  copyText(r.impi, r.impiLen, impi);
  copyText(r.impu, r.impuLen, f.impu);
  store_.setCallId(stripe, rec, f.callId, callIdHash);
  r.sm1SourcePort = f.sourcePort;
  r.cseq = f.cseq;
  r.proposedPort = port;
  r.proposedSpiU = p.saId;
  r.choiceIntegrity = static_cast<uint8_t>(c.integrity);
  r.choiceCipher = static_cast<uint8_t>(c.cipher);
  setupDigest(p, r.sm1Digest);
  r.phase = Phase::Sm1Seen;
  r.timerAt = now + policy_.registrationTimer;
  settle(stripe, rec);
}

Actions Engine::protectedRequest(unsigned stripe, const RequestFacts& f,
                                 const RequestHashes& h, uint64_t now) {
  uint32_t rec = store_.findByAddr(stripe, f.source, f.sourcePort, h.addr);
  const RequestClass c =
      classifyProtected(f, auth_, rec == kNil ? nullptr : &store_.record(rec));
  switch (c.event) {
    case RequestEvent::NoPair:
      store_.count(Counter::ProtectedDiscarded);
      return drop("protected port: no live SA pair for this address and port");
    case RequestEvent::OtherLocalAddress:
      store_.count(Counter::ProtectedDiscarded);
      return drop("protected port: arrived on a local address the SA pair does not cover");
    case RequestEvent::OtherIdentity:
      store_.count(Counter::ProtectedDiscarded);
      return drop("protected port: identity differs from the one the SAs were made for");
    default:
      break;
  }
  ContactRecord& r = store_.record(rec);
  if (c.adoptImpi) {
    copyText(r.impi, r.impiLen, auth_.username);
  }
  if (f.isRegister && f.cseq != 0 && sameText(r.callId, r.callIdLen, f.callId)) {
    r.cseq = f.cseq;  // the contact's latest REGISTER: replies to earlier ones are stale
  }
  if (c.viaPending && !activateOutbound(r, r.pending)) {
    // The UE has its SAs (this request came through them) but ours cannot send: give up.
    PairSlot refused = r.pending;
    deletePairNow(r, r.pending);
    endNegotiation(stripe, rec);
    settle(stripe, rec);
    Actions a;
    failed(a, Counter::FailedKernel, "the kernel refused the outbound policies", &refused);
    return answer(a, 500, "Server Internal Error", "the kernel refused the outbound policies", 0,
                  "security setup aborted at SM5");
  }
  if (c.window != WindowEffect::None) {
    endWindow(stripe, rec, c.window);
  }
  switch (c.event) {
    case RequestEvent::Sm5Again:
      return relay("SM5 retransmitted after SM8 (tm answers it again)");
    case RequestEvent::Request:
      return relay("protected request", false);
    case RequestEvent::Sm5:
      return sm5(stripe, rec, f, now);
    case RequestEvent::SyncFailure:
      deletePairNow(r, r.pending);  // synchronisation failure in a re-registration
      r.phase = Phase::Sm1Seen;
      r.timerAt = now + policy_.registrationTimer;
      settle(stripe, rec);
      return relay("synchronisation failure REGISTER relayed");
    case RequestEvent::NetAuthFailure:
      deletePairNow(r, r.pending);  // network authentication failure in a re-registration
      endNegotiation(stripe, rec);
      settle(stripe, rec);
      return relay("network authentication failure REGISTER relayed");
    case RequestEvent::Deregistration:
      r.flags |= kFlagDeregPending;
      return relay("de-registration relayed");
    case RequestEvent::ReRegistrationSm1:
      return reRegistrationSm1(stripe, rec, f, now);
    default:
      return relay("protected REGISTER relayed");
  }
}

// Ends the lost-SM8 window (items 7 and 8): one pair stays, as the contact's active pair.
void Engine::endWindow(unsigned stripe, uint32_t rec, WindowEffect keep) {
  ContactRecord& r = store_.record(rec);
  if (keep == WindowEffect::KeepNew) {
    // Item 7: a further message through SA11 - the old pair goes, the new one is the pair.
    deletePairNow(r, r.active);
    r.active = r.pending;
    std::memset(&r.pending, 0, sizeof(r.pending));
    store_.unlinkAddr(stripe, rec, 1);
    store_.linkAddr(stripe, rec, 0, r.active.uePort);
  } else {
    // Item 8, lost SM8: a message through the old SA (or a REGISTER in the clear) - the new
    // pair goes.
    deletePairNow(r, r.pending);
    store_.unlinkAddr(stripe, rec, 1);
  }
  r.flags &= static_cast<uint8_t>(~(kFlagAwaitConfirm | kFlagReRegistration));
  settle(stripe, rec);
}

Actions Engine::reRegistrationSm1(unsigned stripe, uint32_t rec, const RequestFacts& f,
                                  uint64_t now) {
  SecuritySetup& p = sm1Setup_;
  Actions refusal;
  if (!parseSm1(f, p, refusal)) {
    return refusal;
  }
  ContactRecord& r = store_.record(rec);
  Rejection why;
  Choice choice;
  ProposalContext ctx{true, r.active.uePort};
  if (!checkProposal(p, ctx, why) || !choose(policy_, p, choice, why)) {
    return failure(why.reason, why.detail);  // item 8: the old pair is kept
  }
  uint16_t port = static_cast<uint16_t>(p.port);
  uint32_t other = store_.findByAddr(stripe, f.source, port);
  if (other != kNil && other != rec) {
    return failure(FailureReason::MalformedSecuritySetup,
                   "port: in use by another registration of this UE");
  }
  if (f.callId.empty() || f.callId.size() > kMaxCallIdLen) {
    return failure(FailureReason::MalformedSecuritySetup, "Call-ID missing or too long");
  }
  deletePairNow(r, r.pending);  // an earlier re-registration attempt is abandoned
  store_.linkAddr(stripe, rec, 1, port);
  RequestFacts g = f;
  if (f.impu.empty()) {
    g.impu = std::string_view(r.impu, r.impuLen);
  }
  std::string_view impi =
      auth_.username.empty() ? std::string_view(r.impi, r.impiLen) : auth_.username;
  r.flags = kFlagReRegistration;
  storeSm1(stripe, rec, g, store_.hashCallId(g.callId), impi, p, choice, port, now);
  return relay("re-registration SM1 stored");
}

Actions Engine::sm5(unsigned stripe, uint32_t rec, const RequestFacts& f, uint64_t now) {
  ContactRecord& r = store_.record(rec);
  FailureReason reason = FailureReason::None;
  std::string detail;
  if (f.securitySetupCount != 1) {
    reason = f.securitySetupCount == 0 ? FailureReason::SecuritySetupMismatch
                                       : FailureReason::MalformedSecuritySetup;
    detail = f.securitySetupCount == 0 ? "Security-setup: missing in SM5"
                                       : "Security-setup: more than one header";
  } else {
    SetupError perr;
    switch (compareWithSm1(r, f.securitySetup[0], perr)) {
      case Sm1Match::Same:
        break;
      case Sm1Match::Malformed:
        store_.count(Counter::SecSetupParseErrors);
        reason = FailureReason::MalformedSecuritySetup;
        detail = describe(perr);
        break;
      case Sm1Match::Differs:
        reason = FailureReason::SecuritySetupMismatch;
        detail = "Security-setup: SM5 differs from SM1";
        break;
    }
  }
  if (reason != FailureReason::None) {
    // Item 3: the SAs go (after the 403 has left through them).
    PairSlot refused = r.pending;
    retire(r.pending, now);
    endNegotiation(stripe, rec);
    settle(stripe, rec);
    Actions a = failure(reason, detail);
    a.eventPort = refused.uePort;
    a.eventSpiP = refused.spiP;
    a.eventSpiU = refused.spiU;
    return a;
  }
  r.phase = Phase::AwaitSm7;
  r.timerAt = now + policy_.registrationTimer;
  settle(stripe, rec);
  return relay("SM5 matches SM1");
}

}  // namespace secsetup
