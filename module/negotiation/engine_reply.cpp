// Replies: SM3 (the 401 with IK/CK: SAs in, SM4 out), SM7 (200/401/403: SM8), replies to
// de-registrations and refreshes, and the forward-mode rule of profile section 3.

#include <cstring>

#include "module/wire/auth_params.h"
#include "module/negotiation/engine.h"
#include "module/wire/register_expires.h"
#include "module/wire/setup_encode.h"

namespace secsetup {

namespace {
constexpr const char* kChallengeTooLong = "the challenge is too long to forward";

// The expiry the 2xx grants to the binding of this UE address and port (its own, not the
// first the 2xx lists): -1 when it says none.
long grantedExpires(const ReplyFacts& f, const ContactRecord& r, uint16_t port) {
  if (!f.rawBindings) {
    return f.expires;
  }
  return bindingExpires(f.contacts, f.contactCount, f.expiresHeader, ContactStore::ueAddress(r),
                        port);
}
}  // namespace

Actions Engine::onReply(const ReplyFacts& f, uint64_t now) noexcept {
  try {
    const unsigned stripe = store_.stripeOf(f.source);
    PendingInstall job;
    Actions a;
    {
      StripeLock lock(store_, stripe);
      a = replyLocked(stripe, f, now, job);
    }
    if (!job.wanted) {
      return a;
    }
    // SM3's pair is made without the lock, then committed under it (see PendingInstall).
    const char* why = "";
    Counter cause = Counter::FailedKernel;
    const bool made = makePair(job, why, cause);
    StripeLock lock(store_, stripe);
    commitSm3(stripe, job, made, why, cause, a, now);
    return a;
  } catch (...) {
    Actions a;
    a.replyCode = 500;
    a.replyReason = "Server Internal Error";
    a.replaceWwwAuthenticate = true;  // never let keys through on an error path
    a.log = "internal error while handling a reply";
    return a;
  }
}

Actions Engine::replyLocked(unsigned stripe, const ReplyFacts& f, uint64_t now,
                            PendingInstall& job) {
  Actions a;
  if (!f.toRegister) {
    return a;
  }
  const uint64_t callIdHash = store_.hashCallId(f.callId);
  AkaKeys keys;
  bool keysValid = false;
  bool challengeTooLong = false;
  if (!f.wwwAuthenticate.empty()) {
    // IK and CK never travel on (profile 5), whatever happens next.
    ChallengeKeys ck = extractChallengeKeys(f.wwwAuthenticate, keys, a.wwwAuthenticate);
    if (!ck.parsed) {
      a.replaceWwwAuthenticate = true;
      a.wwwAuthenticate.clear();
    } else if (ck.hadIk || ck.hadCk) {
      a.replaceWwwAuthenticate = true;
      // Its rewrite without the keys does not fit: nothing of it may go on, and the UE
      // could not answer a challenge it never sees, so no SA is made for it either.
      challengeTooLong = a.wwwAuthenticate.overflowed();
    }
    if (a.wwwAuthenticate.overflowed()) {
      a.wwwAuthenticate.clear();  // a challenge without keys goes on untouched
    }
    keysValid = ck.parsed && ck.ikValid && (!ck.hadCk || ck.ckValid);
  }
  if (f.forwardedFailure != FailureReason::None) {
    // Section 3, forward mode: whatever the S-CSCF says, the UE gets a 403 and no SA.
    if (f.code >= 200) {
      a.failure = f.forwardedFailure;
      if (f.code != 403) {
        a.replyCode = 403;
        a.replyReason = "Forbidden";
        a.replaceWwwAuthenticate = true;
        a.wwwAuthenticate.clear();
      }
      a.log = "reply to a REGISTER that carried Failure";
    }
    return a;
  }
  if (f.path == Path::Other) {
    // Not the access side: no contact of the module's, but the S-CSCF's keys stay here all
    // the same (profile 5); a challenge they cannot be taken out of does not go on.
    if (challengeTooLong) {
      refuseChallenge(a, kChallengeTooLong);
    }
    return a;
  }
  uint32_t rec = store_.findByCallId(stripe, f.source, f.callId, callIdHash);
  // A final reply of an earlier REGISTER transaction of this Call-ID comes late: it may not
  // drive the negotiation the later one runs. The record keeps the CSeq of the contact's
  // latest REGISTER; a reply with another is stale (RFC 3261 10.2.4 has the CSeq grow, but a
  // UE that repeats a number must not be locked out, so only equality is asked).
  // Found by address alone, the reply answers a REGISTER of another Call-ID: it may end or
  // refresh a registration but not drive a negotiation (that is its Call-ID's).
  bool stale = rec != kNil && f.cseq != 0 && store_.record(rec).cseq != 0 &&
               f.cseq != store_.record(rec).cseq;
  if (rec == kNil) {
    rec = store_.findByAddr(stripe, f.source, f.sourcePort);
    stale = rec != kNil && store_.record(rec).phase != Phase::Established;
  }
  if (f.path == Path::Unprotected && f.code >= 200 && f.code < 300) {
    // A REGISTER that arrived in the clear is never answered 2xx: the UE would be registered
    // without SAs. Whatever negotiation it started ends here (a registered contact's is not
    // its to end).
    store_.count(Counter::RepliesRefused2xxInClear);
    if (rec != kNil && !stale && store_.record(rec).active.state == PairState::Empty) {
      ContactRecord& r = store_.record(rec);
      retire(r.pending, now);
      endNegotiation(stripe, rec);
      settle(stripe, rec);
    }
    a.replyCode = 403;
    a.replyReason = "Forbidden";
    a.replaceWwwAuthenticate = true;
    a.wwwAuthenticate.clear();
    a.warning = "the home network accepted a REGISTER that came without security set-up";
    a.log = "2xx to a clear REGISTER refused";
    return a;
  }
  if (rec != kNil && f.code >= 200 && !stale) {
    finalReply(stripe, rec, f, keys, keysValid, challengeTooLong, a, now, job);
  }
  if (challengeTooLong && a.replyCode == 0) {
    refuseChallenge(a, kChallengeTooLong);  // in any other reply it cannot go on either
  }
  return a;
}

// A final reply to a REGISTER of a known contact, by the contact's phase.
void Engine::finalReply(unsigned stripe, uint32_t rec, const ReplyFacts& f, const AkaKeys& keys,
                        bool keysValid, bool challengeTooLong, Actions& a, uint64_t now,
                        PendingInstall& job) {
  ContactRecord& r = store_.record(rec);
  switch (r.phase) {
    case Phase::Sm1Seen:
      if (f.code == 401) {
        sm3(stripe, rec, keys, keysValid, challengeTooLong, a, job);
      } else {
        endNegotiation(stripe, rec);  // no challenge: nothing to protect with
        settle(stripe, rec);
        a.log = "final reply to SM1 without a challenge";
      }
      break;
    case Phase::AwaitSm7:
      sm7(stripe, rec, f, a, now);
      break;
    case Phase::Established:
      if ((r.flags & kFlagDeregPending) != 0 && f.code >= 200 && f.code < 300) {
        retire(r.active, now);  // item 9: the 200 leaves through the SA, then it goes
        retire(r.pending, now);
        r.flags = 0;
        r.phase = Phase::Closing;
        settle(stripe, rec);
        a.log = "de-registered";
      } else if (f.code >= 200 && f.code < 300 && grantedExpires(f, r, r.active.uePort) > 0) {
        r.expiresAt = now + static_cast<uint64_t>(grantedExpires(f, r, r.active.uePort)) +
                      policy_.expiryGrace;
        settle(stripe, rec);
      } else {
        r.flags &= static_cast<uint8_t>(~kFlagDeregPending);
      }
      break;
    default:
      break;
  }
}

void Engine::refuseChallenge(Actions& a, const char* why) {
  a.replyCode = 500;
  a.replyReason = "Server Internal Error";
  a.replaceWwwAuthenticate = true;
  a.wwwAuthenticate.clear();
  a.warning = why;
}

void Engine::sm3(unsigned stripe, uint32_t rec, const AkaKeys& keys, bool keysValid,
                 bool challengeTooLong, Actions& a, PendingInstall& job) {
  ContactRecord& r = store_.record(rec);
  PairSlot proposed{};
  proposed.uePort = r.proposedPort;
  proposed.spiU = r.proposedSpiU;
  if (challengeTooLong || !keysValid) {
    abortSm3(stripe, rec, proposed,
             challengeTooLong ? kChallengeTooLong : "SM3 without a valid ik",
             challengeTooLong ? Counter::FailedChallengeTooLong : Counter::FailedSm3WithoutKeys,
             a);
    return;
  }
  // A retiring pair on the port (a de-registration's, in its grace) would clash with the
  // new pair's selectors; so would a pair of this negotiation's earlier round.
  const bool clash = r.active.state != PairState::Empty && r.active.uePort == r.proposedPort;
  if (clash || r.pending.state != PairState::Empty) {
    if (clash) {
      deletePairNow(r, r.active);
    }
    deletePairNow(r, r.pending);
    settle(stripe, rec);
  }
  job.wanted = true;
  job.rec = rec;
  job.generation = r.generation;
  job.ue = ContactStore::ueAddress(r);
  job.pcscf = ContactStore::pcscfAddress(r);
  job.slot = proposed;
  job.slot.pcscfPort = policy_.protectedPort;
  job.slot.integrity = r.choiceIntegrity;
  job.slot.cipher = r.choiceCipher;
  std::memcpy(job.keys.ik, keys.ik, sizeof(job.keys.ik));
  std::memcpy(job.keys.ck, keys.ck, sizeof(job.keys.ck));
  job.keys.hasCk = keys.hasCk;
}

void Engine::abortSm3(unsigned stripe, uint32_t rec, const PairSlot& proposed, const char* why,
                      Counter cause, Actions& a) {
  failed(a, cause, why, &proposed);
  refuseChallenge(a, why);
  a.log = "security setup aborted at SM3";
  endNegotiation(stripe, rec);
  settle(stripe, rec);
}

void Engine::commitSm3(unsigned stripe, const PendingInstall& job, bool made, const char* why,
                       Counter cause, Actions& a, uint64_t now) {
  ContactRecord& r = store_.record(job.rec);
  // Still the negotiation the pair was made for: nothing (another SM1, a timer, a delete, an
  // authentication-failure REGISTER) changed the record while the lock was free.
  const bool same = r.phase == Phase::Sm1Seen && r.generation == job.generation &&
                    r.pending.state == PairState::Empty;
  PairSlot proposed = job.slot;  // for the Failed event: what the UE proposed
  proposed.spiP = 0;
  if (!same) {
    if (made) {
      if (kernel_.deletePair(job.pairId(), keylessParams(job.slot)).ok()) {
        store_.count(Counter::SaDeleted);
      }
    }
    failed(a, Counter::FailedKernel, "the negotiation changed while its SAs were made", &proposed);
    refuseChallenge(a, "the negotiation changed while its SAs were made");
    a.log = "security setup abandoned at SM3";
    return;
  }
  if (!made) {
    abortSm3(stripe, job.rec, proposed, why, cause, a);
    return;
  }
  r.pending = job.slot;
  Choice c{static_cast<IntegrityAlg>(r.choiceIntegrity), static_cast<CipherAlg>(r.choiceCipher)};
  encodeAnswer(c, job.slot.spiP, policy_.protectedPort, policy_.unprotectedPort, a.securitySetup);
  r.phase = Phase::AwaitSm5;
  r.timerAt = now + policy_.registrationTimer;
  settle(stripe, job.rec);
  a.log = "SAs installed, SM4 carries the choice";
}

void Engine::sm7(unsigned stripe, uint32_t rec, const ReplyFacts& f, Actions& a, uint64_t now) {
  ContactRecord& r = store_.record(rec);
  bool reReg = (r.flags & kFlagReRegistration) != 0;
  const long granted = grantedExpires(f, r, r.pending.uePort);
  if (f.code >= 200 && f.code < 300 && granted != 0) {
    uint64_t expires = granted > 0 ? static_cast<uint64_t>(granted) : 3600;
    const PairSlot& made = r.pending;
    store_.count(Counter::RegistrationsEstablished);
    a.event = Event::Established;
    a.eventPort = made.uePort;
    a.eventSpiP = made.spiP;
    a.eventSpiU = made.spiU;
    if (reReg) {
      r.flags = kFlagAwaitConfirm;  // item 7: all four SAs stay until SA11 is used
    } else {
      r.active = r.pending;
      std::memset(&r.pending, 0, sizeof(r.pending));
      r.flags = 0;
    }
    r.phase = Phase::Established;
    r.timerAt = 0;
    r.expiresAt = now + expires + policy_.expiryGrace;
    settle(stripe, rec);
    a.log = reReg ? "re-registration complete (old and new SAs kept)" : "registration established";
    return;
  }
  // 401 (item 4), 403 or anything else: the reply leaves through the new SA, then it goes.
  retire(r.pending, now);
  if (f.code >= 200 && f.code < 300) {
    retire(r.active, now);  // a 200 granting expiry 0: nothing stays registered
    r.flags = 0;
    r.phase = Phase::Closing;
    r.timerAt = 0;
  } else {
    endNegotiation(stripe, rec);
  }
  settle(stripe, rec);
  a.log = "SM7 refused the registration; new SAs retire";
}

}  // namespace secsetup
