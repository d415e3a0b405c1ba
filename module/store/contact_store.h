#pragma once
// The contact store: a fixed arena in shared memory holding the records, three hash indexes
// (UE address+port, Call-ID, SPI) and a timing wheel, split into lock stripes by UE address.
//
// Everything lives inside the arena and is addressed by index, so the store works in memory
// that is mapped into every Kamailio worker. The caller holds the stripe lock (StripeLock)
// around every call that names a stripe; allocate/release take the free-list lock themselves.
// Bounded: allocate() fails once maxContacts records are live. Timer work is proportional to
// what is due (plus one visit per wheel revolution for far deadlines), never a full scan.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "kernel_ipsec/kernel_ipsec.h"
#include "module/store/contact_record.h"
#include "module/store/keyed_hash.h"
#include "module/store/shm_ops.h"

namespace secsetup {

// Every counter once: its enum name and the statistic's name (kamcmd secsetup.stats, the
// counters' RPC). New ones go at the end, so the indexes the C boundary hands out stay.
#define SECSETUP_COUNTERS(X)                                                                   \
  X(UnprotectedDiscarded, "unprotected_discarded")                                             \
  X(ProtectedDiscarded, "protected_discarded")                                                 \
  X(SecSetupParseErrors, "sec_setup_parse_errors")                                             \
  X(NegotiationFailures, "negotiation_failures")                                               \
  X(SaInstalled, "sa_installed")                                                               \
  X(SaInstallFailed, "sa_install_failed")                                                      \
  X(SaDeleted, "sa_deleted")                                                                   \
  X(SpiExhausted, "spi_exhausted")                                                             \
  X(StoreFull, "store_full")                                                                   \
  /* also the counter of the Failure reason UserAuthenticationFailure */                      \
  X(UserAuthFailures, "user_auth_failures")                                                    \
  /* SM1s (initial or re-registration), accepted or refused */                                \
  X(NegotiationsStarted, "negotiations_started")                                               \
  /* SM7 2xx of an initial or a re-registration */                                            \
  X(RegistrationsEstablished, "registrations_established")                                     \
  /* one counter per Failure reason the P-CSCF sends */                                       \
  X(FailedNoCommonIntegrity, "failed_no_common_integrity")                                     \
  X(FailedNoCommonConfidentiality, "failed_no_common_confidentiality")                         \
  X(FailedUnsupportedMechanism, "failed_unsupported_mechanism")                                \
  X(FailedMalformed, "failed_malformed")                                                       \
  X(FailedMismatch, "failed_mismatch")                                                         \
  /* SM3 without a valid ik (or ck for the chosen cipher): 500 */                             \
  X(FailedSm3WithoutKeys, "failed_sm3_without_keys")                                           \
  /* SPI, SA pair or outbound policies refused by the kernel: 500 */                          \
  X(FailedKernel, "failed_kernel")                                                             \
  /* SM3's challenge without ik/ck still over kMaxChallengeLen: 500 */                        \
  X(FailedChallengeTooLong, "failed_challenge_too_long")                                       \
  /* an SM1 beyond max_negotiations_per_ue of its address: 503 */                             \
  X(NegotiationsPerUeExceeded, "negotiations_per_ue_exceeded")                                 \
  /* a 2xx to a REGISTER that arrived in the clear: made a 403 */                             \
  X(RepliesRefused2xxInClear, "replies_refused_2xx_in_clear")

enum class Counter : unsigned {
#define SECSETUP_COUNTER_ENUM(name, text) name,
  SECSETUP_COUNTERS(SECSETUP_COUNTER_ENUM)
#undef SECSETUP_COUNTER_ENUM
  Count_
};
const char* toString(Counter c) noexcept;

class ContactStore {
 public:
  static constexpr uint32_t kWheelSlots = 256;

  // Bytes of arena for this many contacts and stripes (stripes = locks.count - 1).
  static std::size_t bytesFor(uint32_t maxContacts, unsigned stripes) noexcept;
  // Builds the store in mem (at least bytesFor bytes, 16-byte aligned). nullptr if too small
  // or the lock set has fewer than 2 locks. hashKey keys the indexes' hash (keyed_hash.h): a
  // secret from getrandom() in the module.
  static ContactStore* create(void* mem, std::size_t bytes, uint32_t maxContacts,
                              const LockOps& locks, const HashKey& hashKey) noexcept;

  unsigned stripes() const noexcept { return stripes_; }
  uint32_t capacity() const noexcept { return maxContacts_; }
  uint32_t used() const noexcept { return used_.load(std::memory_order_relaxed); }
  unsigned stripeOf(const kipsec::IpAddress& ip) const noexcept;
  void lockStripe(unsigned s) noexcept { locks_.lock(locks_.ctx, s); }
  void unlockStripe(unsigned s) noexcept { locks_.unlock(locks_.ctx, s); }

  uint32_t findByAddr(unsigned stripe, const kipsec::IpAddress& ip, uint16_t port) const noexcept {
    return findByAddr(stripe, ip, port, addrHash(ip, port));
  }
  // With (ip, port)'s addrHash, computed once per message by a caller that needs it again.
  uint32_t findByAddr(unsigned stripe, const kipsec::IpAddress& ip, uint16_t port,
                      uint64_t addrHash) const noexcept;
  // The (keyed) index hash of a UE address and port.
  uint64_t addrHash(const kipsec::IpAddress& ip, uint16_t port) const noexcept {
    return hashAddr(static_cast<uint8_t>(ip.family), ip.bytes.data(), port);
  }
  uint32_t findByCallId(unsigned stripe, const kipsec::IpAddress& ip,
                        std::string_view callId) const noexcept {
    return findByCallId(stripe, ip, callId, hashCallId(callId));
  }
  // With callId's hashCallId, computed once per message by a caller that needs it twice.
  uint32_t findByCallId(unsigned stripe, const kipsec::IpAddress& ip, std::string_view callId,
                        uint64_t callIdHash) const noexcept;
  // The (keyed) index hash of a Call-ID.
  uint64_t hashCallId(std::string_view callId) const noexcept;


  // The records of ip that hold an initial negotiation (no registered pair yet): each
  // holds a store slot and, from SM3 on, kernel SAs. Only negotiating records are chained,
  // so the walk is as long as the negotiations (bounded by max_negotiations_per_ue), however
  // many registered contacts the address has.
  unsigned countNegotiating(unsigned stripe, const kipsec::IpAddress& ip) const noexcept;
  // Puts the record into its address's chain or takes it out, as it now negotiates or not
  // (after every change of its pairs or phase: the engine's settle step).
  void followNegotiating(unsigned stripe, uint32_t rec) noexcept;
  // The records chained under ip's bucket (of any address that shares it).
  unsigned ipChainLengthForTest(unsigned stripe, const kipsec::IpAddress& ip) const noexcept;

  // A zeroed record with ip set, phase Sm1Seen, not yet indexed (followNegotiating chains it
  // under its address); kNil when full.
  uint32_t allocate(const kipsec::IpAddress& ip) noexcept;
  // Unindexes, unschedules and frees the record.
  void release(unsigned stripe, uint32_t rec) noexcept;

  void linkAddr(unsigned stripe, uint32_t rec, unsigned slot, uint16_t port) noexcept {
    const ContactRecord& c = record(rec);
    linkAddr(stripe, rec, slot, port, hashAddr(c.family, c.ueIp, port));
  }
  // With the record's address and port's addrHash.
  void linkAddr(unsigned stripe, uint32_t rec, unsigned slot, uint16_t port,
                uint64_t addrHash) noexcept;
  void unlinkAddr(unsigned stripe, uint32_t rec, unsigned slot) noexcept;
  // Sets the record's Call-ID (truncation is the caller's concern) and indexes it.
  void setCallId(unsigned stripe, uint32_t rec, std::string_view callId) noexcept {
    setCallId(stripe, rec, callId, hashCallId(callId));
  }
  // With callId's hashCallId (recomputed if callId must be cut).
  void setCallId(unsigned stripe, uint32_t rec, std::string_view callId,
                 uint64_t callIdHash) noexcept;
  // Brings the SPI index up to date with the record's pairs (after any change to them): every
  // SPI of a non-empty pair is indexed, nothing else.
  // Inline: most settles change no SPI (a timer, a phase, pending becoming active), and the
  // compares that find so cost less than the call.
  void indexSpis(unsigned stripe, uint32_t rec) noexcept {
    const ContactRecord& c = record(rec);
    const uint64_t w01 = pairSpis(c.active), w23 = pairSpis(c.pending);
    const uint64_t k01 = (uint64_t{c.spi[1].key} << 32) | c.spi[0].key;
    const uint64_t k23 = (uint64_t{c.spi[3].key} << 32) | c.spi[2].key;
    // The usual layouts: a pending pair's SPIs are linked into the first free slots (0 and
    // 1), so the keys read as the pairs' SPIs either in place (no pair and nothing indexed;
    // the pair became active) or with the halves swapped (while it is pending).
    if ((w01 == k01 && w23 == k23) || (w01 == k23 && w23 == k01)) {
      return;
    }
    reindexSpis(stripe, rec);
  }
  // Every record of the stripe indexed under spi, once each (candidates: the caller checks
  // which of their SAs it names). O(1) in the number of contacts.
  void findBySpi(unsigned stripe, uint32_t spi, std::vector<uint32_t>& out) const;
  // (Re)schedules the record at deadline (0: unschedule).
  void schedule(unsigned stripe, uint32_t rec, uint64_t deadline) noexcept;
  // Unschedules and returns every record of the stripe whose deadline is <= now.
  void collectDue(unsigned stripe, uint64_t now, std::vector<uint32_t>& out);
  // Every live record of the stripe (for rare operator and kernel-notice work).
  void collectAll(unsigned stripe, std::vector<uint32_t>& out) const;

  ContactRecord& record(uint32_t rec) noexcept { return records()[rec]; }
  const ContactRecord& record(uint32_t rec) const noexcept { return records()[rec]; }
  // Inline: every SA pair call builds both (a call costs more than the copy).
  static kipsec::IpAddress ueAddress(const ContactRecord& r) noexcept {
    kipsec::IpAddress a;
    a.family = static_cast<kipsec::Family>(r.family);
    std::memcpy(a.bytes.data(), r.ueIp, 16);
    return a;
  }
  static kipsec::IpAddress pcscfAddress(const ContactRecord& r) noexcept {
    kipsec::IpAddress a;
    a.family = static_cast<kipsec::Family>(r.family);
    std::memcpy(a.bytes.data(), r.pcscfIp, 16);
    return a;
  }

  // A value for ContactRecord::generation no live record has had: never 0, which a free
  // record holds.
  uint32_t nextGeneration() noexcept {
    uint32_t g = generation_.fetch_add(1, std::memory_order_relaxed) + 1;
    return g != 0 ? g : generation_.fetch_add(1, std::memory_order_relaxed) + 1;
  }

  void count(Counter c, uint64_t n = 1) noexcept {
    counters_[static_cast<unsigned>(c)].fetch_add(n, std::memory_order_relaxed);
  }
  uint64_t counter(Counter c) const noexcept {
    return counters_[static_cast<unsigned>(c)].load(std::memory_order_relaxed);
  }

 private:
  ContactStore() = default;
  ContactRecord* records() const noexcept {  // inline: the engine reaches every record here
    return reinterpret_cast<ContactRecord*>(
        reinterpret_cast<char*>(const_cast<ContactStore*>(this)) + recordsOff_);
  }
  uint32_t* addrHeads(unsigned stripe) const noexcept;
  uint32_t* callHeads(unsigned stripe) const noexcept;
  uint32_t* spiHeads(unsigned stripe) const noexcept;
  uint32_t* ipHeads(unsigned stripe) const noexcept;
  void linkIp(unsigned stripe, uint32_t rec) noexcept;
  void unlinkIp(unsigned stripe, uint32_t rec) noexcept;
  uint64_t hashSpi(uint32_t spi) const noexcept;
  // A pair's SPIs as one word (spiU high, spiP low); 0 for an empty pair.
  static uint64_t pairSpis(const PairSlot& p) noexcept {
    return p.state == PairState::Empty ? 0 : (uint64_t{p.spiU} << 32) | p.spiP;
  }
  void reindexSpis(unsigned stripe, uint32_t rec) noexcept;
  void linkSpi(unsigned stripe, uint32_t rec, unsigned slot, uint32_t spi) noexcept;
  void unlinkSpi(unsigned stripe, uint32_t rec, unsigned slot) noexcept;
  uint32_t* wheel(unsigned stripe) const noexcept;
  uint64_t& lastTick(unsigned stripe) const noexcept;
  uint64_t hashAddr(uint8_t family, const uint8_t* ip, uint16_t port) const noexcept;
  void unlinkCall(unsigned stripe, uint32_t rec) noexcept;
  void unschedule(unsigned stripe, uint32_t rec) noexcept;

  uint32_t magic_ = 0;
  uint32_t maxContacts_ = 0;
  unsigned stripes_ = 0;
  uint32_t bucketMask_ = 0;  // buckets per stripe - 1 (power of two)
  HashKey hashKey_;
  LockOps locks_;
  std::size_t recordsOff_ = 0, addrOff_ = 0, callOff_ = 0, spiOff_ = 0, ipOff_ = 0,
              wheelOff_ = 0, tickOff_ = 0;
  uint32_t freeHead_ = kNil;
  std::atomic<uint32_t> used_{0};
  std::atomic<uint32_t> generation_{0};
  std::atomic<uint64_t> counters_[static_cast<unsigned>(Counter::Count_)] = {};
};

// Holds one stripe lock for a scope.
class StripeLock {
 public:
  StripeLock(ContactStore& s, unsigned stripe) noexcept : store_(s), stripe_(stripe) {
    store_.lockStripe(stripe_);
  }
  ~StripeLock() { store_.unlockStripe(stripe_); }
  StripeLock(const StripeLock&) = delete;
  StripeLock& operator=(const StripeLock&) = delete;

 private:
  ContactStore& store_;
  unsigned stripe_;
};

}  // namespace secsetup
