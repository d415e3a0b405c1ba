// The shared-memory contact store: indexes, bounds, the timing wheel, and a run across
// forked processes sharing one arena and one process-shared lock set (Kamailio's model).

#include <gtest/gtest.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "module/store/contact_store.h"
#include "tests/unit/core_engine_fixture.h"

namespace secsetup::testing {
namespace {

constexpr unsigned kLocks = 9;

struct SharedLocks {
  pthread_mutex_t m[kLocks];
};

void shmLock(void* ctx, unsigned i) { pthread_mutex_lock(&static_cast<SharedLocks*>(ctx)->m[i]); }
void shmUnlock(void* ctx, unsigned i) {
  pthread_mutex_unlock(&static_cast<SharedLocks*>(ctx)->m[i]);
}

struct SharedArena {
  void* base = nullptr;
  std::size_t size = 0;
  ContactStore* store = nullptr;

  explicit SharedArena(uint32_t maxContacts, HashKey key = HashKey{{7}}) {
    std::size_t storeBytes = ContactStore::bytesFor(maxContacts, kLocks - 1);
    size = sizeof(SharedLocks) + 64 + storeBytes;
    base = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    auto* locks = static_cast<SharedLocks*>(base);
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    for (auto& m : locks->m) {
      pthread_mutex_init(&m, &attr);
    }
    LockOps ops;
    ops.lock = shmLock;
    ops.unlock = shmUnlock;
    ops.ctx = locks;
    ops.count = kLocks;
    void* mem = static_cast<char*>(base) + ((sizeof(SharedLocks) + 63) / 64 * 64);
    store = ContactStore::create(mem, storeBytes, maxContacts, ops, key);
  }
  ~SharedArena() { munmap(base, size); }
};

TEST(CoreStore, IndexesAndBounds) {
  SharedArena arena(4);
  ContactStore& s = *arena.store;
  kipsec::IpAddress ue = ip("192.0.2.1");
  unsigned st = s.stripeOf(ue);
  uint32_t recs[4];
  for (int i = 0; i < 4; ++i) {
    recs[i] = s.allocate(ue);
    ASSERT_NE(kNil, recs[i]);
    s.linkAddr(st, recs[i], 0, static_cast<uint16_t>(5000 + i));
    s.setCallId(st, recs[i], "call-" + std::to_string(i));
  }
  EXPECT_EQ(kNil, s.allocate(ue));  // bounded
  EXPECT_EQ(4u, s.used());
  EXPECT_EQ(recs[2], s.findByAddr(st, ue, 5002));
  EXPECT_EQ(recs[3], s.findByCallId(st, ue, "call-3"));
  EXPECT_EQ(kNil, s.findByCallId(st, ip("192.0.2.2"), "call-3"));
  EXPECT_EQ(kNil, s.findByAddr(st, ue, 5009));
  s.linkAddr(st, recs[1], 1, 6001);
  EXPECT_EQ(recs[1], s.findByAddr(st, ue, 6001));
  s.release(st, recs[1]);
  EXPECT_EQ(kNil, s.findByAddr(st, ue, 6001));
  EXPECT_EQ(kNil, s.findByAddr(st, ue, 5001));
  EXPECT_EQ(kNil, s.findByCallId(st, ue, "call-1"));
  EXPECT_EQ(3u, s.used());
  EXPECT_NE(kNil, s.allocate(ue));
}

// The Call-ID hash reads every byte of every length: a one-byte change anywhere changes it,
// and so does the length.
TEST(CoreStore, CallIdHashCoversEveryByteAndLength) {
  SharedArena arena(4);
  ContactStore& s = *arena.store;
  std::string base(kMaxCallIdLen, 'a');
  for (std::size_t i = 0; i < base.size(); ++i) {
    base[i] = static_cast<char>('0' + i % 43);
  }
  for (std::size_t n = 0; n <= kMaxCallIdLen; ++n) {
    const std::string text = base.substr(0, n);
    const uint64_t h = s.hashCallId(text);
    if (n > 0) {
      EXPECT_NE(h, s.hashCallId(base.substr(0, n - 1))) << "length " << n;
      EXPECT_NE(h, s.hashCallId(std::string(n, '\0'))) << "length " << n;
    }
    for (std::size_t i = 0; i < n; ++i) {
      std::string changed = text;
      changed[i] = static_cast<char>(changed[i] ^ 0x01);
      EXPECT_NE(h, s.hashCallId(changed)) << "length " << n << ", byte " << i;
    }
  }
}

// The index hash is SipHash-2-4: the paper's example (Aumasson and Bernstein 2012, appendix A:
// key 00..0f, message 00..0e) and the empty message under that key.
TEST(CoreStore, KeyedHashIsSipHash24) {
  HashKey key;
  for (uint8_t i = 0; i < 16; ++i) {
    key.bytes[i] = i;
  }
  uint8_t msg[15];
  for (uint8_t i = 0; i < 15; ++i) {
    msg[i] = i;
  }
  EXPECT_EQ(0xa129ca6149be45e5ull, keyedHash(key, msg, sizeof(msg)));
  EXPECT_EQ(0x726fdb47dd0e0e31ull, keyedHash(key, msg, 0));
}

// The indexes' buckets follow the store's key: another key, other hashes for the same values
// (what a UE cannot know, it cannot aim at one bucket).
TEST(CoreStore, IndexHashesDependOnTheKey) {
  SharedArena a(4, HashKey{{1}});
  SharedArena b(4, HashKey{{2}});
  kipsec::IpAddress ue;
  ASSERT_TRUE(kipsec::IpAddress::parse("2001:db8::5", ue));
  EXPECT_NE(a.store->hashCallId("a84b4c76e66710@pc33.ims.test"),
            b.store->hashCallId("a84b4c76e66710@pc33.ims.test"));
  EXPECT_NE(a.store->addrHash(ue, 5064), b.store->addrHash(ue, 5064));
  EXPECT_EQ(a.store->hashCallId("x"), a.store->hashCallId("x"));
}

// A hash computed once by the caller finds what the plain calls store, and the reverse.
TEST(CoreStore, PrecomputedCallIdHashMatchesThePlainCalls) {
  SharedArena arena(4);
  ContactStore& s = *arena.store;
  kipsec::IpAddress ue = ip("192.0.2.1");
  unsigned st = s.stripeOf(ue);
  uint32_t a = s.allocate(ue);
  uint32_t b = s.allocate(ue);
  s.setCallId(st, a, "a84b4c76e66710-00000@pc33.ims.test");
  const std::string_view other = "x7";
  s.setCallId(st, b, other, s.hashCallId(other));
  EXPECT_EQ(a, s.findByCallId(st, ue, "a84b4c76e66710-00000@pc33.ims.test",
                              s.hashCallId("a84b4c76e66710-00000@pc33.ims.test")));
  EXPECT_EQ(b, s.findByCallId(st, ue, "x7"));
  // A Call-ID cut to kMaxCallIdLen is indexed under the hash of what was stored.
  const std::string longId(kMaxCallIdLen + 5, 'c');
  s.setCallId(st, b, longId, s.hashCallId(longId));
  EXPECT_EQ(b, s.findByCallId(st, ue, std::string(kMaxCallIdLen, 'c')));
}

TEST(CoreStore, WheelReturnsOnlyWhatIsDue) {
  SharedArena arena(16);
  ContactStore& s = *arena.store;
  kipsec::IpAddress ue = ip("192.0.2.1");
  unsigned st = s.stripeOf(ue);
  std::vector<uint32_t> due;
  s.collectDue(st, 1000, due);  // start the clock
  due.clear();
  uint32_t a = s.allocate(ue), b = s.allocate(ue), c = s.allocate(ue);
  s.schedule(st, a, 1005);
  s.schedule(st, b, 1005 + ContactStore::kWheelSlots);  // same slot, one revolution later
  s.schedule(st, c, 1003);
  s.collectDue(st, 1004, due);
  ASSERT_EQ(1u, due.size());
  EXPECT_EQ(c, due[0]);
  due.clear();
  s.collectDue(st, 1010, due);
  ASSERT_EQ(1u, due.size());
  EXPECT_EQ(a, due[0]);
  due.clear();
  s.schedule(st, a, 0);  // unscheduled records never come back
  s.collectDue(st, 1010 + 2 * ContactStore::kWheelSlots, due);
  ASSERT_EQ(1u, due.size());
  EXPECT_EQ(b, due[0]);
}

TEST(CoreStore, RecordBudget) {
  EXPECT_LE(sizeof(ContactRecord), 512u);
  // Per-contact arena bytes at scale, index buckets included.
  std::size_t total = ContactStore::bytesFor(100000, 16);
  EXPECT_LT(total / 100000, 512u);
}

TEST(CoreStore, SpiIndexFollowsThePairs) {
  SharedArena arena(8);
  ContactStore& s = *arena.store;
  kipsec::IpAddress ue = ip("192.0.2.1");
  unsigned st = s.stripeOf(ue);
  auto find = [&](uint32_t spi) {
    std::vector<uint32_t> out;
    for (unsigned i = 0; i < s.stripes(); ++i) {
      s.findBySpi(i, spi, out);
    }
    return out;
  };
  uint32_t a = s.allocate(ue), b = s.allocate(ue);
  ContactRecord& ra = s.record(a);
  ra.active.state = PairState::Live;
  ra.active.spiP = 4096;
  ra.active.spiU = 7000;
  s.indexSpis(st, a);
  EXPECT_EQ(std::vector<uint32_t>{a}, find(4096));
  EXPECT_EQ(std::vector<uint32_t>{a}, find(7000));
  EXPECT_TRUE(find(4097).empty());
  // Another record with the same UE SPI (another UE address would have it too): both found.
  ContactRecord& rb = s.record(b);
  rb.pending.state = PairState::Retiring;
  rb.pending.spiP = 4097;
  rb.pending.spiU = 7000;
  s.indexSpis(st, b);
  std::vector<uint32_t> both = find(7000);
  std::sort(both.begin(), both.end());
  EXPECT_EQ((std::vector<uint32_t>{std::min(a, b), std::max(a, b)}), both);
  // A pair that moves (pending becomes active) or goes leaves no stale entry behind.
  rb.active = rb.pending;
  std::memset(&rb.pending, 0, sizeof(rb.pending));
  s.indexSpis(st, b);
  EXPECT_EQ(std::vector<uint32_t>{b}, find(4097));
  std::memset(&ra.active, 0, sizeof(ra.active));
  s.indexSpis(st, a);
  EXPECT_TRUE(find(4096).empty());
  EXPECT_EQ(std::vector<uint32_t>{b}, find(7000));
  s.release(st, b);
  EXPECT_TRUE(find(7000).empty());
  EXPECT_TRUE(find(4097).empty());
  EXPECT_TRUE(find(0).empty());
}

// indexSpis returns early when the indexed set already is the pairs' set: an unchanged set
// keeps one entry per SPI, and any change of one SPI (same count of SPIs, a shared SPI, a
// pair emptied) still reaches the chains.
TEST(CoreStore, SpiIndexUnchangedAndChangedSets) {
  SharedArena arena(8);
  ContactStore& s = *arena.store;
  kipsec::IpAddress ue = ip("192.0.2.7");
  unsigned st = s.stripeOf(ue);
  auto count = [&](uint32_t spi) {
    std::vector<uint32_t> out;
    s.findBySpi(st, spi, out);
    return out.size();
  };
  auto keys = [&](uint32_t rec) {
    std::vector<uint32_t> k;
    for (const SpiLink& l : s.record(rec).spi) {
      if (l.key != 0) {
        k.push_back(l.key);
      }
    }
    std::sort(k.begin(), k.end());
    return k;
  };
  uint32_t a = s.allocate(ue);
  ContactRecord& r = s.record(a);
  s.indexSpis(st, a);  // no pairs, nothing indexed
  EXPECT_TRUE(keys(a).empty());
  r.pending.state = PairState::Live;
  r.pending.spiP = 300;
  r.pending.spiU = 400;
  s.indexSpis(st, a);
  s.indexSpis(st, a);  // unchanged: no second entry
  EXPECT_EQ((std::vector<uint32_t>{300, 400}), keys(a));
  EXPECT_EQ(1u, count(300));
  r.pending.spiU = 401;  // one SPI replaced, the count stays two
  s.indexSpis(st, a);
  EXPECT_EQ((std::vector<uint32_t>{300, 401}), keys(a));
  EXPECT_EQ(0u, count(400));
  EXPECT_EQ(1u, count(401));
  r.active = r.pending;  // both pairs, sharing both SPIs
  s.indexSpis(st, a);
  EXPECT_EQ((std::vector<uint32_t>{300, 401}), keys(a));
  r.pending.spiP = 500;  // pending differs in one SPI: three distinct
  s.indexSpis(st, a);
  EXPECT_EQ((std::vector<uint32_t>{300, 401, 500}), keys(a));
  r.active.state = PairState::Retiring;  // a state change that keeps the SPIs
  s.indexSpis(st, a);
  EXPECT_EQ((std::vector<uint32_t>{300, 401, 500}), keys(a));
  std::memset(&r.active, 0, sizeof(r.active));  // active goes: 300 only it had
  s.indexSpis(st, a);
  EXPECT_EQ((std::vector<uint32_t>{401, 500}), keys(a));
  EXPECT_EQ(0u, count(300));
  r.pending.state = PairState::Empty;  // SPIs left in an empty pair are not wanted
  s.indexSpis(st, a);
  EXPECT_TRUE(keys(a).empty());
  EXPECT_EQ(0u, count(500));
}

// Four worker processes register and de-register contacts of the same UE address (one
// stripe, maximum contention) through their own engines on one shared arena.
TEST(CoreStore, ForkedWorkersShareTheStore) {
  SharedArena arena(512);
  constexpr int kWorkers = 4, kPerWorker = 50;
  pid_t pids[kWorkers];
  for (int w = 0; w < kWorkers; ++w) {
    pids[w] = fork();
    ASSERT_GE(pids[w], 0);
    if (pids[w] == 0) {
      kipsec::FakeKernelIpsec kernel;
      kernel.setNextSpi(10000 + w * 1000);
      Policy policy;
      Engine engine(*arena.store, policy, kernel);
      kipsec::IpAddress ue = ip("192.0.2.77"), pcscf = ip("198.51.100.1");
      int bad = 0;
      for (int i = 0; i < kPerWorker; ++i) {
        uint16_t port = static_cast<uint16_t>(20000 + w * 100 + i);
        std::string callId = "w" + std::to_string(w) + "-" + std::to_string(i);
        std::string setup = "esp//hmac-md5-96//" + std::to_string(500 + i) + "/port=" +
                            std::to_string(port);
        std::string_view views[1] = {setup};
        RequestFacts f;
        f.isRegister = true;
        f.path = Path::Unprotected;
        f.source = ue;
        f.sourcePort = port;
        f.local = pcscf;
        f.callId = callId;
        f.impu = "sip:u@ims.test";
        f.authorization = "Digest username=\"u@ims.test\", response=\"\"";
        f.securitySetup = views;
        f.securitySetupCount = 1;
        bad += engine.onRequest(f, 100).verdict != Verdict::Relay;
        ReplyFacts r;
        r.toRegister = true;
        r.source = ue;
        r.sourcePort = port;
        r.callId = callId;
        r.code = 401;
        std::string www = std::string("Digest nonce=\"n\", ik=\"") + kIkHex + "\", ck=\"" + kCkHex + "\"";
        r.wwwAuthenticate = www;
        bad += engine.onReply(r, 100).securitySetup.empty();
        f.path = Path::Protected;
        bad += engine.onRequest(f, 101).verdict != Verdict::Relay;
        r.code = 200;
        r.wwwAuthenticate = {};
        r.expires = 600;
        engine.onReply(r, 101);
        if (i % 2 == 0) {
          bad += engine.deleteContact(ue, port) != Status::Ok;
        }
      }
      _exit(bad == 0 && kernel.livePairs() == kPerWorker / 2 ? 0 : 1);
    }
  }
  for (pid_t pid : pids) {
    int status = 0;
    ASSERT_EQ(pid, waitpid(pid, &status, 0));
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  ContactStore& s = *arena.store;
  EXPECT_EQ(static_cast<uint32_t>(kWorkers * kPerWorker / 2), s.used());
  kipsec::IpAddress ue = ip("192.0.2.77");
  unsigned st = s.stripeOf(ue);
  for (int w = 0; w < kWorkers; ++w) {
    for (int i = 0; i < kPerWorker; ++i) {
      uint32_t rec = s.findByAddr(st, ue, static_cast<uint16_t>(20000 + w * 100 + i));
      if (i % 2 == 0) {
        EXPECT_EQ(kNil, rec);
      } else {
        ASSERT_NE(kNil, rec);
        EXPECT_EQ(Phase::Established, s.record(rec).phase);
      }
    }
  }
  EXPECT_EQ(static_cast<uint64_t>(kWorkers * kPerWorker), s.counter(Counter::SaInstalled));
}

}  // namespace
}  // namespace secsetup::testing
