#pragma once
// One contact's state as it lives in shared memory: plain old data only (no pointers, no
// std::string), addressed by index so that every worker process can read it.

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace secsetup {

constexpr uint32_t kNil = 0xFFFFFFFFu;
constexpr uint32_t kNotChained = 0xFFFFFFFEu;
constexpr std::size_t kMaxCallIdLen = 95;
constexpr std::size_t kMaxImpiLen = 63;
constexpr std::size_t kMaxImpuLen = 95;

enum class Phase : uint8_t {
  Free,         // on the free list
  Sm1Seen,      // SM1 stored and choice made; waiting for SM3
  AwaitSm5,     // SAs installed, SM4 sent; registration timer running
  AwaitSm7,     // SM5 matched SM1 and went on as SM6
  Established,  // SM8 sent; the active pair protects the contact
  Closing,      // no registration left; retiring pairs wait for their grace
};

enum class PairState : uint8_t { Empty, Live, Retiring };

// One SA pair as installed (no keys: keys never reach shared memory).
struct PairSlot {
  uint32_t spiP;
  uint32_t spiU;
  uint16_t uePort;
  uint16_t pcscfPort;
  uint8_t integrity;  // kipsec::IntegrityAlg
  uint8_t cipher;     // kipsec::CipherAlg
  PairState state;
  uint8_t outboundActive;  // outbound policies installed (deferred until the UE used the pair)
  uint64_t retireAt;       // when state == Retiring: delete at this time
};

// The SPI index (kernel expire notices): one entry per distinct SPI of the record's two pairs,
// in any slot. key is the SPI the entry is chained under (0: a free slot; no SA has SPI 0).
constexpr unsigned kSpiSlots = 4;
struct SpiLink {
  uint32_t next;  // node id (record * kSpiSlots + slot) or kNil
  uint32_t key;
};

struct AddrLink {
  uint32_t next;  // node id (record * 2 + slot) or kNil
  uint16_t port;
  uint8_t linked;
  uint8_t pad;
};

enum RecordFlag : uint8_t {
  kFlagReRegistration = 1,  // the running negotiation replaces an established pair
  kFlagDeregPending = 2,    // a de-registration REGISTER went on; delete on its 200
  kFlagAwaitConfirm = 4,    // re-registration done: old and new both kept (lost-SM8 window)
};

struct ContactRecord {
  uint32_t callNext;   // Call-ID chain, or free-list link
  // High half of the Call-ID's index hash, beside the chain link: walking a chain reads one
  // cache line per record instead of three (link, length and address, Call-ID text).
  uint32_t callTag;
  uint32_t wheelPrev;
  uint32_t wheelNext;
  uint32_t wheelSlot;  // kNil when not scheduled
  // Chain of one UE address's records that negotiate (no registered pair): kNotChained
  // while a live record is out of it.
  uint32_t ipNext;
  AddrLink addr[2];    // [0]: the contact's port; [1]: the new port of a re-registration
  SpiLink spi[kSpiSlots];
  uint64_t deadline;   // the earliest of timerAt, expiresAt, retireAt's; 0: none
  uint64_t timerAt;    // registration timer
  uint64_t expiresAt;  // end of the registration, grace included
  uint8_t family;      // kipsec::Family
  uint8_t ueIp[16];
  uint8_t pcscfIp[16];
  Phase phase;
  uint8_t flags;
  uint8_t choiceIntegrity;
  uint8_t choiceCipher;
  uint8_t callIdLen;
  uint8_t impiLen;
  uint8_t impuLen;
  uint16_t sm1SourcePort;
  uint16_t proposedPort;
  uint32_t proposedSpiU;
  uint32_t cseq;  // CSeq of the contact's latest REGISTER in its Call-ID: older replies are stale
  // Changes with every change of the record (the engine's settle step): work decided under the
  // stripe lock and done outside it commits only if the record is still the one it decided on.
  uint32_t generation;
  PairSlot active;
  PairSlot pending;
  uint8_t sm1Digest[32];  // fingerprint of SM1's Security-setup (setupDigest in engine.h)
  char callId[kMaxCallIdLen + 1];
  char impi[kMaxImpiLen + 1];
  char impu[kMaxImpuLen + 1];
};

static_assert(std::is_trivially_copyable<ContactRecord>::value, "shm records must be POD");
static_assert(sizeof(ContactRecord) <= 512, "profile budget: under 512 bytes per contact");

}  // namespace secsetup
