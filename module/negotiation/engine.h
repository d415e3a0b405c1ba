#pragma once
// The P-CSCF role: one deterministic state machine per contact (profile section 8, items
// 1-9, and the port rules of section 7), driven by the SIP facts the glue extracts and
// answering with the actions the glue carries out. State lives in the ContactStore (shared
// memory); SAs are made and removed through the KernelIpsec interface of this process.
//
// Every entry point is noexcept: a failure inside becomes an Actions with a reply code.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kernel_ipsec/kernel_ipsec.h"
#include "module/wire/auth_params.h"
#include "module/bounded_text.h"
#include "module/negotiation/choice.h"
#include "module/store/contact_store.h"
#include "module/wire/failure_header.h"
#include "module/keys/key_derivation.h"
#include "module/negotiation/policy.h"
#include "module/wire/setup_encode.h"

namespace secsetup {

enum class WindowEffect : uint8_t;  // module/negotiation/request_event.h

enum class Path : uint8_t {
  Unprotected,  // arrived on the P-CSCF's unprotected port
  Protected,    // arrived on the P-CSCF's protected port
  Other,        // any other listener: not the module's business
};

struct RequestFacts {
  bool isRegister = false;
  Path path = Path::Other;
  kipsec::IpAddress source;
  uint16_t sourcePort = 0;
  kipsec::IpAddress local;            // the P-CSCF address it arrived on
  uint16_t localPort = 0;
  std::string_view callId;
  std::string_view impu;              // REGISTER: the To URI; may be empty otherwise
  std::string_view authorization;     // raw Authorization value, empty when absent
  const std::string_view* securitySetup = nullptr;  // every Security-setup value
  std::size_t securitySetupCount = 0;
  long expires = -1;                  // REGISTER: the requested expiry, -1 when absent
  uint32_t cseq = 0;                  // the CSeq number, 0 when unknown
};

struct ReplyFacts {
  bool toRegister = false;            // the reply answers a REGISTER
  kipsec::IpAddress source;           // where that REGISTER came from
  uint16_t sourcePort = 0;
  std::string_view callId;
  int code = 0;
  std::string_view wwwAuthenticate;   // raw value, empty when absent
  long expires = -1;                  // granted expiry when the raw values below are not given
  // 2xx: the raw values of every Contact header and of Expires; the core finds the UE's own
  // binding among the contacts. Given when rawBindings is set.
  bool rawBindings = false;
  const std::string_view* contacts = nullptr;
  std::size_t contactCount = 0;
  std::string_view expiresHeader;
  FailureReason forwardedFailure = FailureReason::None;  // the request went on with Failure
  // Where that REGISTER arrived. The glue always says (the C struct's 0 is Unprotected);
  // Other: not the access side, no negotiation to drive, only the keys to keep out of the
  // reply (issue 14).
  Path path = Path::Protected;
  uint32_t cseq = 0;                  // the REGISTER's CSeq number, 0 when unknown
};

// Bound of the Warning text: the C boundary's buffer (core_api.h), less the NUL.
constexpr std::size_t kMaxWarningLen = 159;
using WarningText = BoundedText<kMaxWarningLen>;

enum class Verdict : uint8_t {
  Relay,  // go on (with the changes below)
  Drop,   // discard silently (already counted)
  Reply,  // answer the request with replyCode (requests only)
};

// What happened, for the operator (event_route[secsetup:...]); the glue raises it once the
// actions are carried out. Values as enum secsetup_event in core_api.h.
enum class Event : uint8_t {
  None,
  Established,  // SM7 2xx: an initial or a re-registration is established
  Failed,       // a negotiation refused (Failure) or aborted (500, 503)
  AuthTimeout,  // the registration timer expired (D.2.2); only in a Report
};

// Fixed-size fields only: building one allocates nothing.
struct Actions {
  Verdict verdict = Verdict::Relay;
  int replyCode = 0;           // Reply: the code to answer; for a reply: the code to put instead
  const char* replyReason = "";
  FailureReason failure = FailureReason::None;  // add "Failure: <token>" to request or reply
  bool stripSecuritySetup = false;              // remove Security-setup before relaying
  bool stripFailure = false;  // remove every Failure before relaying: the UE's is never true
  SetupLine securitySetup;                      // add "Security-setup: <this>" to the reply
  bool replaceWwwAuthenticate = false;          // replace it by wwwAuthenticate ("" = remove)
  ChallengeText wwwAuthenticate;                // overflowed(): too long to hand on
  WarningText warning;                          // text for a Warning header ("" none); cut
                                                // at kMaxWarningLen
  unsigned retryAfter = 0;                      // add Retry-After when non-zero
  const char* log = "";                         // what happened (static text, never keys);
                                                // the detail of a refusal is in warning
  Event event = Event::None;     // raise this event after carrying out the rest
  uint16_t eventPort = 0;        // the UE's protected port concerned (0: the source port)
  uint32_t eventSpiP = 0;        // the SA pair concerned (0: none)
  uint32_t eventSpiU = 0;
  const char* eventReason = "";  // Failed: the Failure token or the cause (static, never keys)
};

// Something the glue must tell the home network (D.2.2): a REGISTER for that IMPI/Call-ID
// carrying "Failure: <reason>".
struct Report {
  std::string callId;
  std::string impi;
  std::string impu;
  kipsec::IpAddress ue;
  uint16_t uePort = 0;
  FailureReason reason = FailureReason::None;
  Event event = Event::AuthTimeout;
  uint32_t spiP = 0;  // the pending pair the timer removed (0: none)
  uint32_t spiU = 0;
};

// A read-only view of one contact for RPC listings (no keys).
struct ContactView {
  kipsec::IpAddress ue;
  uint16_t port = 0;
  Phase phase = Phase::Free;
  PairSlot active{};
  PairSlot pending{};
  uint64_t expiresAt = 0;
  std::string callId, impi, impu;
};

// An SA pair for SM3, decided under the stripe lock and made outside it: the kernel calls
// (SPI allocation, two SAs and their policies) take hundreds of microseconds, and no other
// contact of the stripe waits for them. It is committed only if the contact's record did not
// change meanwhile (its generation); otherwise the pair goes again.
struct PendingInstall {
  bool wanted = false;
  uint32_t rec = kNil;
  uint32_t generation = 0;
  kipsec::IpAddress ue, pcscf;
  PairSlot slot{};  // SPI_U, ports and algorithms; SPI_P once made
  AkaKeys keys;     // wiped when the install is done with them

  kipsec::SaPairId pairId() const noexcept {
    kipsec::SaPairId id;
    id.ue = ue;
    id.pcscf = pcscf;
    id.spiP = slot.spiP;
    id.spiU = slot.spiU;
    return id;
  }
};

class Engine {
 public:
  Engine(ContactStore& store, const Policy& policy, kipsec::KernelIpsec& kernel) noexcept
      : store_(store), policy_(policy), kernel_(kernel) {}

  Actions onRequest(const RequestFacts& f, uint64_t now) noexcept;
  Actions onReply(const ReplyFacts& f, uint64_t now) noexcept;
  // Runs every due deadline (registration timers, expiries, deletion graces).
  void onTimer(uint64_t now, std::vector<Report>& reports) noexcept;
  // The kernel removed an SA by itself: the rest of its pair and the registration go.
  void onSaGone(const kipsec::SaGone& gone) noexcept;
  // Operator delete (RPC): the contact's SAs and state go at once.
  Status deleteContact(const kipsec::IpAddress& ue, uint16_t port) noexcept;
  Status listContacts(std::vector<ContactView>& out) const noexcept;

  ContactStore& store() noexcept { return store_; }
  const Policy& policy() const noexcept { return policy_; }

 private:
  // engine_request.cpp
  // A request's index hashes, computed once (its lookups and SM1's store use them again):
  // the store's hashCallId of f.callId (0 on the protected path, which does not use it) and
  // its addrHash of f.source and f.sourcePort.
  struct RequestHashes {
    uint64_t callId = 0;
    uint64_t addr = 0;
  };
  Actions requestLocked(unsigned stripe, const RequestFacts& f, uint64_t now);
  Actions unprotectedRegister(unsigned stripe, const RequestFacts& f, const RequestHashes& h,
                              uint64_t now);
  Actions protectedRequest(unsigned stripe, const RequestFacts& f, const RequestHashes& h,
                           uint64_t now);
  // Counts the negotiation and parses the one Security-setup of an SM1; false with the
  // refusal (MalformedSecuritySetup) otherwise.
  bool parseSm1(const RequestFacts& f, SecuritySetup& p, Actions& refusal);
  Actions initialSm1(unsigned stripe, const RequestFacts& f, const RequestHashes& h,
                     uint64_t now);
  Actions reRegistrationSm1(unsigned stripe, uint32_t rec, const RequestFacts& f, uint64_t now);
  // Ends the lost-SM8 window: keeps the new pair (keep == KeepNew) or the old one.
  void endWindow(unsigned stripe, uint32_t rec, WindowEffect keep);
  Actions sm5(unsigned stripe, uint32_t rec, const RequestFacts& f, uint64_t now);
  // callIdHash: the store's hashCallId of f.callId (the caller looked the Call-ID up with it).
  void storeSm1(unsigned stripe, uint32_t rec, const RequestFacts& f, uint64_t callIdHash,
                std::string_view impi, const SecuritySetup& p, const Choice& c, uint16_t port,
                uint64_t now);
  // engine_reply.cpp
  Actions replyLocked(unsigned stripe, const ReplyFacts& f, uint64_t now, PendingInstall& job);
  // SM3: refuses at once, or describes the pair to make in job (under the lock).
  void sm3(unsigned stripe, uint32_t rec, const AkaKeys& keys, bool keysValid,
           bool challengeTooLong, Actions& a, PendingInstall& job);
  // SM3 once the pair is made (made) or refused (why, cause), under the lock again.
  void commitSm3(unsigned stripe, const PendingInstall& job, bool made, const char* why,
                 Counter cause, Actions& a, uint64_t now);
  void abortSm3(unsigned stripe, uint32_t rec, const PairSlot& proposed, const char* why,
                Counter cause, Actions& a);
  void finalReply(unsigned stripe, uint32_t rec, const ReplyFacts& f, const AkaKeys& keys,
                  bool keysValid, bool challengeTooLong, Actions& a, uint64_t now,
                  PendingInstall& job);
  // A reply that goes on as a 500 with a Warning saying why, and without its challenge.
  [[gnu::cold]] static void refuseChallenge(Actions& a, const char* why);
  void sm7(unsigned stripe, uint32_t rec, const ReplyFacts& f, Actions& a, uint64_t now);
  // engine_sa.cpp
  // False with why and the counter of the cause (kernel or keys) when nothing was installed.
  // Makes job's pair in the kernel (no lock held): SPI_P, then both SAs and their inbound
  // policies. False with why and the counter of the cause when nothing was left installed.
  bool makePair(PendingInstall& job, const char*& why, Counter& cause);
  void deletePairNow(ContactRecord& r, PairSlot& p);
  // Installs the pair's deferred outbound policies (once); false if the kernel refused.
  bool activateOutbound(ContactRecord& r, PairSlot& p);
  // p's parameters for the kernel calls that take no keys (activation, deletion).
  const kipsec::SaPairParams& keylessParams(const PairSlot& p) noexcept;
  void retire(PairSlot& p, uint64_t now);
  // Ends a running negotiation: back to Established when an active pair remains.
  void endNegotiation(unsigned stripe, uint32_t rec);
  // Releases the record when nothing is left, else reschedules it. True if released.
  bool settle(unsigned stripe, uint32_t rec);
  void settleNewPort(unsigned stripe, uint32_t rec);
  void removeContact(unsigned stripe, uint32_t rec);
  // Refusals and aborts are rare, and marked cold: GCC then moves them, and the branches
  // that lead to them, away from the registration path, whose code runs cache-cold in
  // Kamailio (docs/benchmarks.md).
  [[gnu::cold]] Actions failure(FailureReason reason, std::string_view detail);
  // A refusal or abort that is not a Failure header (500, 503): the Failed event and its
  // counter, with the pair concerned (or none).
  [[gnu::cold]] void failed(Actions& a, Counter c, const char* cause, const PairSlot* pair);
  void handleDue(unsigned stripe, uint32_t rec, uint64_t now, std::vector<Report>& reports);

  ContactStore& store_;
  Policy policy_;
  kipsec::KernelIpsec& kernel_;
  AuthorizationFacts auth_;  // of the request being handled (an engine serves one process)
  // The Security-setup of the SM1 being handled: parsed in place (the parser resets it), so
  // that no SM1 constructs the value's lists of texts again.
  SecuritySetup sm1Setup_;
  // keylessParams' value, reused: a fresh SaPairParams per call costs a 136-byte zeroing and
  // three key destructors. Its keys stay empty: nothing writes them.
  kipsec::SaPairParams keyless_;
};

// The fingerprint that SM5 is compared with SM1 by (every field, order included): equal
// fingerprints <=> equal values. The canonical content itself when it is short (the usual
// case, no hashing), else its SHA-256 (first 31 bytes) after a marker byte.
constexpr std::size_t kSetupDigestLen = 32;
void setupDigest(const SecuritySetup& s, uint8_t out[kSetupDigestLen]);

}  // namespace secsetup
