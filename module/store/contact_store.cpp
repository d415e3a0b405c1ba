#include "module/store/contact_store.h"

#include <algorithm>
#include <cstring>
#include <new>

#include "module/store/keyed_hash.h"

namespace secsetup {

const char* toString(Counter c) noexcept {
  switch (c) {
#define SECSETUP_COUNTER_NAME(name, text) \
  case Counter::name:                     \
    return text;
    SECSETUP_COUNTERS(SECSETUP_COUNTER_NAME)
#undef SECSETUP_COUNTER_NAME
    case Counter::Count_:
      break;
  }
  return "?";
}

namespace {

constexpr uint32_t kMagic = 0x53535431;  // "SST1"

std::size_t align16(std::size_t n) noexcept { return (n + 15) & ~static_cast<std::size_t>(15); }

uint32_t bucketsPerStripe(uint32_t maxContacts, unsigned stripes) noexcept {
  uint32_t want = maxContacts / stripes + 1;
  uint32_t b = 16;
  while (b < want && b < (1u << 30)) {
    b <<= 1;
  }
  return b;
}

struct Layout {
  std::size_t records, addr, call, spi, ip, wheel, tick, total;
};

Layout layoutFor(uint32_t maxContacts, unsigned stripes) noexcept {
  uint32_t b = bucketsPerStripe(maxContacts, stripes);
  Layout l{};
  l.records = align16(sizeof(ContactStore));
  l.addr = align16(l.records + sizeof(ContactRecord) * maxContacts);
  l.call = align16(l.addr + sizeof(uint32_t) * b * stripes);
  l.spi = align16(l.call + sizeof(uint32_t) * b * stripes);
  l.ip = align16(l.spi + sizeof(uint32_t) * b * stripes);
  l.wheel = align16(l.ip + sizeof(uint32_t) * b * stripes);
  l.tick = align16(l.wheel + sizeof(uint32_t) * ContactStore::kWheelSlots * stripes);
  l.total = align16(l.tick + sizeof(uint64_t) * stripes);
  return l;
}

// The bytes of an address the index hashes: its family, then the bytes that family uses (a
// record's V4 address keeps 12 unused bytes), so that an address hashes alike from the message
// and from the store; then the port, if any. Returns the length used.
std::size_t addressKey(uint8_t family, const uint8_t* ip, const uint16_t* port,
                       uint8_t out[1 + 16 + 2]) noexcept {
  const std::size_t ipLen = family == static_cast<uint8_t>(kipsec::Family::V4) ? 4 : 16;
  out[0] = family;
  std::memcpy(out + 1, ip, ipLen);
  if (port == nullptr) {
    return 1 + ipLen;
  }
  std::memcpy(out + 1 + ipLen, port, sizeof(*port));
  return 1 + ipLen + sizeof(*port);
}

// Whether a record's UE address (family and the bytes it uses) is ip: compares of a fixed
// size, which the compiler does in registers (a variable size calls memcmp).
bool sameUeIp(const ContactRecord& c, const kipsec::IpAddress& ip) noexcept {
  if (c.family != static_cast<uint8_t>(ip.family)) {
    return false;
  }
  if (c.family == static_cast<uint8_t>(kipsec::Family::V4)) {
    return std::memcmp(c.ueIp, ip.bytes.data(), 4) == 0;
  }
  return std::memcmp(c.ueIp, ip.bytes.data(), 16) == 0;
}

}  // namespace

std::size_t ContactStore::bytesFor(uint32_t maxContacts, unsigned stripes) noexcept {
  if (stripes == 0) {
    return 0;
  }
  return layoutFor(maxContacts, stripes).total;
}

ContactStore* ContactStore::create(void* mem, std::size_t bytes, uint32_t maxContacts,
                                   const LockOps& locks, const HashKey& hashKey) noexcept {
  if (mem == nullptr || locks.count < 2 || locks.lock == nullptr || locks.unlock == nullptr ||
      maxContacts == 0 || maxContacts >= kNil / 2) {
    return nullptr;
  }
  unsigned stripes = locks.count - 1;
  Layout l = layoutFor(maxContacts, stripes);
  if (bytes < l.total) {
    return nullptr;
  }
  std::memset(mem, 0, l.total);
  auto* s = new (mem) ContactStore();
  s->magic_ = kMagic;
  s->maxContacts_ = maxContacts;
  s->stripes_ = stripes;
  s->bucketMask_ = bucketsPerStripe(maxContacts, stripes) - 1;
  s->hashKey_ = hashKey;
  s->locks_ = locks;
  s->recordsOff_ = l.records;
  s->addrOff_ = l.addr;
  s->callOff_ = l.call;
  s->spiOff_ = l.spi;
  s->ipOff_ = l.ip;
  s->wheelOff_ = l.wheel;
  s->tickOff_ = l.tick;
  std::memset(reinterpret_cast<char*>(mem) + l.addr, 0xFF, l.tick - l.addr);  // kNil heads
  ContactRecord* r = s->records();
  for (uint32_t i = 0; i < maxContacts; ++i) {
    r[i].callNext = i + 1 < maxContacts ? i + 1 : kNil;
    r[i].wheelPrev = r[i].wheelNext = r[i].wheelSlot = r[i].ipNext = kNil;
    r[i].addr[0].next = r[i].addr[1].next = kNil;
    for (SpiLink& k : r[i].spi) {
      k.next = kNil;
    }
  }
  s->freeHead_ = 0;
  return s;
}

// The arena's parts (inline: every index operation starts here).
inline uint32_t* ContactStore::addrHeads(unsigned stripe) const noexcept {
  return reinterpret_cast<uint32_t*>(reinterpret_cast<char*>(const_cast<ContactStore*>(this)) +
                                     addrOff_) +
         static_cast<std::size_t>(stripe) * (bucketMask_ + 1);
}
inline uint32_t* ContactStore::callHeads(unsigned stripe) const noexcept {
  return reinterpret_cast<uint32_t*>(reinterpret_cast<char*>(const_cast<ContactStore*>(this)) +
                                     callOff_) +
         static_cast<std::size_t>(stripe) * (bucketMask_ + 1);
}
inline uint32_t* ContactStore::spiHeads(unsigned stripe) const noexcept {
  return reinterpret_cast<uint32_t*>(reinterpret_cast<char*>(const_cast<ContactStore*>(this)) +
                                     spiOff_) +
         static_cast<std::size_t>(stripe) * (bucketMask_ + 1);
}
inline uint32_t* ContactStore::ipHeads(unsigned stripe) const noexcept {
  return reinterpret_cast<uint32_t*>(reinterpret_cast<char*>(const_cast<ContactStore*>(this)) +
                                     ipOff_) +
         static_cast<std::size_t>(stripe) * (bucketMask_ + 1);
}
inline uint32_t* ContactStore::wheel(unsigned stripe) const noexcept {
  return reinterpret_cast<uint32_t*>(reinterpret_cast<char*>(const_cast<ContactStore*>(this)) +
                                     wheelOff_) +
         static_cast<std::size_t>(stripe) * kWheelSlots;
}
inline uint64_t& ContactStore::lastTick(unsigned stripe) const noexcept {
  return reinterpret_cast<uint64_t*>(reinterpret_cast<char*>(const_cast<ContactStore*>(this)) +
                                     tickOff_)[stripe];
}

uint64_t ContactStore::hashAddr(uint8_t family, const uint8_t* ip,
                                uint16_t port) const noexcept {
  uint8_t k[1 + 16 + 2];
  return keyedHash(hashKey_, k, addressKey(family, ip, &port, k));
}

uint64_t ContactStore::hashCallId(std::string_view callId) const noexcept {
  return keyedHash(hashKey_, callId.data(), callId.size());
}

uint64_t ContactStore::hashSpi(uint32_t spi) const noexcept {
  return keyedHash(hashKey_, &spi, sizeof(spi));
}

unsigned ContactStore::stripeOf(const kipsec::IpAddress& ip) const noexcept {
  // The UE address alone (every port of a UE shares its lock), its hash's top 32 bits scaled
  // to [0, stripes).
  uint8_t k[1 + 16 + 2];
  const uint64_t h = keyedHash(hashKey_, k,
                               addressKey(static_cast<uint8_t>(ip.family), ip.bytes.data(),
                                          nullptr, k));
  return static_cast<unsigned>(((h >> 32) * stripes_) >> 32);
}

uint32_t ContactStore::findByAddr(unsigned stripe, const kipsec::IpAddress& ip, uint16_t port,
                                  uint64_t addrHash) const noexcept {
  uint32_t node = addrHeads(stripe)[addrHash & bucketMask_];
  const ContactRecord* r = records();
  while (node != kNil) {
    const ContactRecord& c = r[node / 2];
    const AddrLink& l = c.addr[node % 2];
    if (l.port == port && sameUeIp(c, ip)) {
      return node / 2;
    }
    node = l.next;
  }
  return kNil;
}

uint32_t ContactStore::findByCallId(unsigned stripe, const kipsec::IpAddress& ip,
                                    std::string_view callId, uint64_t callIdHash) const noexcept {
  uint32_t rec = callHeads(stripe)[callIdHash & bucketMask_];
  const uint32_t tag = static_cast<uint32_t>(callIdHash >> 32);
  const ContactRecord* r = records();
  while (rec != kNil) {
    const ContactRecord& c = r[rec];
    if (c.callTag == tag && c.callIdLen == callId.size() && sameUeIp(c, ip) &&
        std::memcmp(c.callId, callId.data(), callId.size()) == 0) {
      return rec;
    }
    rec = c.callNext;
  }
  return kNil;
}

uint32_t ContactStore::allocate(const kipsec::IpAddress& ip) noexcept {
  unsigned freeLock = stripes_;
  locks_.lock(locks_.ctx, freeLock);
  uint32_t rec = freeHead_;
  if (rec != kNil) {
    freeHead_ = records()[rec].callNext;
    used_.fetch_add(1, std::memory_order_relaxed);
  }
  locks_.unlock(locks_.ctx, freeLock);
  if (rec == kNil) {
    return kNil;
  }
  // A free record is already blank (create and release leave it so: zero but for its links,
  // which are kNil, and the free-list link): only that link is written, not 480 bytes again.
  ContactRecord& c = records()[rec];
  c.callNext = kNil;
  c.family = static_cast<uint8_t>(ip.family);
  std::memcpy(c.ueIp, ip.bytes.data(), 16);
  c.phase = Phase::Sm1Seen;
  c.ipNext = kNotChained;  // the engine's settle step chains it (the caller holds the stripe)
  return rec;
}

namespace {
bool negotiates(const ContactRecord& c) noexcept {
  return c.active.state == PairState::Empty && c.phase != Phase::Closing &&
         c.phase != Phase::Free;
}
}  // namespace

void ContactStore::linkIp(unsigned stripe, uint32_t rec) noexcept {
  ContactRecord& c = records()[rec];
  uint32_t& head = ipHeads(stripe)[hashAddr(c.family, c.ueIp, 0) & bucketMask_];
  c.ipNext = head;
  head = rec;
}

unsigned ContactStore::ipChainLengthForTest(unsigned stripe,
                                            const kipsec::IpAddress& ip) const noexcept {
  unsigned n = 0;
  for (uint32_t rec = ipHeads(stripe)[hashAddr(static_cast<uint8_t>(ip.family), ip.bytes.data(),
                                               0) &
                                      bucketMask_];
       rec != kNil; rec = records()[rec].ipNext) {
    ++n;
  }
  return n;
}

void ContactStore::followNegotiating(unsigned stripe, uint32_t rec) noexcept {
  const ContactRecord& c = records()[rec];
  const bool want = negotiates(c);
  const bool chained = c.ipNext != kNotChained;
  if (want && !chained) {
    linkIp(stripe, rec);
  } else if (!want && chained) {
    unlinkIp(stripe, rec);
  }
}

unsigned ContactStore::countNegotiating(unsigned stripe,
                                        const kipsec::IpAddress& ip) const noexcept {
  const ContactRecord* r = records();
  unsigned n = 0;
  uint32_t rec = ipHeads(stripe)[hashAddr(static_cast<uint8_t>(ip.family), ip.bytes.data(), 0) &
                                 bucketMask_];
  while (rec != kNil) {
    const ContactRecord& c = r[rec];
    if (sameUeIp(c, ip) && negotiates(c)) {
      ++n;
    }
    rec = c.ipNext;
  }
  return n;
}

void ContactStore::unlinkIp(unsigned stripe, uint32_t rec) noexcept {
  ContactRecord* r = records();
  ContactRecord& c = r[rec];
  if (c.ipNext == kNotChained) {
    return;
  }
  uint32_t* link = &ipHeads(stripe)[hashAddr(c.family, c.ueIp, 0) & bucketMask_];
  while (*link != kNil) {
    if (*link == rec) {
      *link = c.ipNext;
      break;
    }
    link = &r[*link].ipNext;
  }
  c.ipNext = kNotChained;
}

void ContactStore::release(unsigned stripe, uint32_t rec) noexcept {
  unlinkAddr(stripe, rec, 0);
  unlinkAddr(stripe, rec, 1);
  unlinkCall(stripe, rec);
  unlinkIp(stripe, rec);
  for (unsigned k = 0; k < kSpiSlots; ++k) {
    unlinkSpi(stripe, rec, k);
  }
  unschedule(stripe, rec);
  ContactRecord& c = records()[rec];
  std::memset(&c, 0, sizeof(c));  // the blank record allocate() relies on (and no Call-ID left)
  c.phase = Phase::Free;
  c.wheelPrev = c.wheelNext = c.wheelSlot = c.ipNext = kNil;
  c.addr[0].next = c.addr[1].next = kNil;
  for (SpiLink& k : c.spi) {
    k.next = kNil;
  }
  unsigned freeLock = stripes_;
  locks_.lock(locks_.ctx, freeLock);
  c.callNext = freeHead_;
  freeHead_ = rec;
  used_.fetch_sub(1, std::memory_order_relaxed);
  locks_.unlock(locks_.ctx, freeLock);
}

void ContactStore::linkAddr(unsigned stripe, uint32_t rec, unsigned slot, uint16_t port,
                            uint64_t addrHash) noexcept {
  unlinkAddr(stripe, rec, slot);
  ContactRecord& c = records()[rec];
  uint32_t& head = addrHeads(stripe)[addrHash & bucketMask_];
  c.addr[slot].port = port;
  c.addr[slot].next = head;
  c.addr[slot].linked = 1;
  head = rec * 2 + slot;
}

void ContactStore::unlinkAddr(unsigned stripe, uint32_t rec, unsigned slot) noexcept {
  ContactRecord& c = records()[rec];
  if (!c.addr[slot].linked) {
    return;
  }
  uint32_t node = rec * 2 + slot;
  uint32_t* link = &addrHeads(stripe)[hashAddr(c.family, c.ueIp, c.addr[slot].port) & bucketMask_];
  ContactRecord* r = records();
  while (*link != kNil) {
    if (*link == node) {
      *link = c.addr[slot].next;
      break;
    }
    link = &r[*link / 2].addr[*link % 2].next;
  }
  c.addr[slot].linked = 0;
  c.addr[slot].next = kNil;
  c.addr[slot].port = 0;
}

void ContactStore::unlinkCall(unsigned stripe, uint32_t rec) noexcept {
  ContactRecord& c = records()[rec];
  if (c.callIdLen == 0) {
    return;
  }
  uint32_t* link =
      &callHeads(stripe)[hashCallId(std::string_view(c.callId, c.callIdLen)) & bucketMask_];
  ContactRecord* r = records();
  while (*link != kNil) {
    if (*link == rec) {
      *link = c.callNext;
      break;
    }
    link = &r[*link].callNext;
  }
  c.callNext = kNil;
  c.callIdLen = 0;
}

void ContactStore::setCallId(unsigned stripe, uint32_t rec, std::string_view callId,
                             uint64_t callIdHash) noexcept {
  unlinkCall(stripe, rec);
  ContactRecord& c = records()[rec];
  std::size_t n = callId.size() > kMaxCallIdLen ? kMaxCallIdLen : callId.size();
  if (n == 0) {
    return;
  }
  std::memcpy(c.callId, callId.data(), n);
  c.callId[n] = '\0';
  c.callIdLen = static_cast<uint8_t>(n);
  if (n != callId.size()) {
    callIdHash = hashCallId(std::string_view(c.callId, n));
  }
  uint32_t& head = callHeads(stripe)[callIdHash & bucketMask_];
  c.callTag = static_cast<uint32_t>(callIdHash >> 32);
  c.callNext = head;
  head = rec;
}

void ContactStore::linkSpi(unsigned stripe, uint32_t rec, unsigned slot, uint32_t spi) noexcept {
  ContactRecord& c = records()[rec];
  uint32_t& head = spiHeads(stripe)[hashSpi(spi) & bucketMask_];
  c.spi[slot].key = spi;
  c.spi[slot].next = head;
  head = rec * kSpiSlots + slot;
}

void ContactStore::unlinkSpi(unsigned stripe, uint32_t rec, unsigned slot) noexcept {
  ContactRecord& c = records()[rec];
  if (c.spi[slot].key == 0) {
    return;
  }
  uint32_t node = rec * kSpiSlots + slot;
  uint32_t* link = &spiHeads(stripe)[hashSpi(c.spi[slot].key) & bucketMask_];
  ContactRecord* r = records();
  while (*link != kNil) {
    if (*link == node) {
      *link = c.spi[slot].next;
      break;
    }
    link = &r[*link / kSpiSlots].spi[*link % kSpiSlots].next;
  }
  c.spi[slot].key = 0;
  c.spi[slot].next = kNil;
}

void ContactStore::reindexSpis(unsigned stripe, uint32_t rec) noexcept {
  // The record's SPIs as a set: a pair that moves (pending becomes active) keeps its
  // entries; only SPIs that come or go touch the chains.
  ContactRecord& c = records()[rec];
  const uint32_t w0 = c.active.state != PairState::Empty ? c.active.spiP : 0;
  const uint32_t w1 = c.active.state != PairState::Empty ? c.active.spiU : 0;
  const uint32_t w2 = c.pending.state != PairState::Empty ? c.pending.spiP : 0;
  const uint32_t w3 = c.pending.state != PairState::Empty ? c.pending.spiU : 0;
  auto isWanted = [w0, w1, w2, w3](uint32_t k) {
    return k == 0 || k == w0 || k == w1 || k == w2 || k == w3;
  };
  for (unsigned k = 0; k < kSpiSlots; ++k) {
    if (!isWanted(c.spi[k].key)) {
      unlinkSpi(stripe, rec, k);
    }
  }
  // Every indexed key is now wanted, so an SPI not yet indexed finds a free slot (at most
  // four distinct SPIs); slots fill from the first, which indexSpis' quick compares expect.
  unsigned freeSlot = 0;
  for (uint32_t spi : {w0, w1, w2, w3}) {
    if (spi == 0 || spi == c.spi[0].key || spi == c.spi[1].key || spi == c.spi[2].key ||
        spi == c.spi[3].key) {
      continue;  // no SA has SPI 0; an SPI both pairs use is indexed once
    }
    while (freeSlot < kSpiSlots && c.spi[freeSlot].key != 0) {
      ++freeSlot;
    }
    if (freeSlot == kSpiSlots) {
      return;
    }
    linkSpi(stripe, rec, freeSlot, spi);
  }
}

void ContactStore::findBySpi(unsigned stripe, uint32_t spi, std::vector<uint32_t>& out) const {
  if (spi == 0) {
    return;
  }
  const ContactRecord* r = records();
  for (uint32_t node = spiHeads(stripe)[hashSpi(spi) & bucketMask_]; node != kNil;
       node = r[node / kSpiSlots].spi[node % kSpiSlots].next) {
    uint32_t rec = node / kSpiSlots;
    if (r[rec].spi[node % kSpiSlots].key == spi &&
        std::find(out.begin(), out.end(), rec) == out.end()) {
      out.push_back(rec);
    }
  }
}

void ContactStore::unschedule(unsigned stripe, uint32_t rec) noexcept {
  ContactRecord& c = records()[rec];
  if (c.wheelSlot == kNil) {
    return;
  }
  ContactRecord* r = records();
  if (c.wheelPrev != kNil) {
    r[c.wheelPrev].wheelNext = c.wheelNext;
  } else {
    wheel(stripe)[c.wheelSlot] = c.wheelNext;
  }
  if (c.wheelNext != kNil) {
    r[c.wheelNext].wheelPrev = c.wheelPrev;
  }
  c.wheelPrev = c.wheelNext = c.wheelSlot = kNil;
}

void ContactStore::schedule(unsigned stripe, uint32_t rec, uint64_t deadline) noexcept {
  ContactRecord& c = records()[rec];
  if (deadline == 0) {
    unschedule(stripe, rec);
    c.deadline = 0;
    return;
  }
  uint64_t at = deadline > lastTick(stripe) ? deadline : lastTick(stripe) + 1;
  uint32_t slot = static_cast<uint32_t>(at % kWheelSlots);
  c.deadline = deadline;
  if (c.wheelSlot == slot) {
    return;  // already in that slot's list, whose order does not matter (collectDue)
  }
  unschedule(stripe, rec);
  uint32_t& head = wheel(stripe)[slot];
  c.wheelSlot = slot;
  c.wheelPrev = kNil;
  c.wheelNext = head;
  if (head != kNil) {
    records()[head].wheelPrev = rec;
  }
  head = rec;
}

void ContactStore::collectDue(unsigned stripe, uint64_t now, std::vector<uint32_t>& out) {
  uint64_t& last = lastTick(stripe);
  if (now <= last) {
    return;
  }
  uint64_t from = now - last >= kWheelSlots ? now - kWheelSlots + 1 : last + 1;
  ContactRecord* r = records();
  for (uint64_t t = from; t <= now; ++t) {
    uint32_t rec = wheel(stripe)[t % kWheelSlots];
    while (rec != kNil) {
      uint32_t next = r[rec].wheelNext;
      if (r[rec].deadline <= now) {
        unschedule(stripe, rec);
        out.push_back(rec);  // capacity reserved by the caller; may throw only if not
      }
      rec = next;
    }
  }
  last = now;
}

void ContactStore::collectAll(unsigned stripe, std::vector<uint32_t>& out) const {
  const uint32_t* heads = addrHeads(stripe);
  const ContactRecord* r = records();
  for (uint32_t b = 0; b <= bucketMask_; ++b) {
    for (uint32_t node = heads[b]; node != kNil; node = r[node / 2].addr[node % 2].next) {
      if (node % 2 == 0) {
        out.push_back(node / 2);
      }
    }
  }
}

}  // namespace secsetup
