// Invariants after random event sequences: no SA or SPI outlives its registration, SPI_P never
// equals SPI_U, no live SPI is reused, and everything is gone once time runs out.

#include <algorithm>
#include <cstring>
#include <random>
#include <set>

#include "tests/unit/core_engine_fixture.h"

namespace secsetup::testing {
namespace {

class RandomEngineTest : public EngineTest {
 protected:
  void checkInvariants(int step) {
    std::vector<ContactView> all;
    ASSERT_EQ(Status::Ok, engine_->listContacts(all));
    std::set<uint32_t> stored;
    for (const ContactView& v : all) {
      for (const PairSlot* p : {&v.active, &v.pending}) {
        if (p->state != PairState::Empty) {
          EXPECT_NE(p->spiP, p->spiU) << step;
          EXPECT_TRUE(stored.insert(p->spiP).second) << "SPI used twice, step " << step;
        }
      }
    }
    std::set<uint32_t> live;
    for (const kipsec::FakePair& pair : kernel.pairs()) {
      live.insert(pair.id.spiP);
    }
    EXPECT_EQ(stored, live) << "kernel and store disagree at step " << step;
    EXPECT_EQ(0u, kernel.reservedCount()) << step;
    EXPECT_TRUE(kernel.violations().empty()) << (kernel.violations().empty() ? "" : kernel.violations().front());
    EXPECT_EQ(all.size(), store_->used());
    // The SPI index holds exactly the SPIs of every record's pairs (kernel notices use it).
    for (const ContactView& v : all) {
      unsigned st = store_->stripeOf(v.ue);
      uint32_t rec = store_->findByAddr(st, v.ue, v.port);
      ASSERT_NE(kNil, rec) << step;
      std::multiset<uint32_t> want, have;
      for (const PairSlot* p : {&v.active, &v.pending}) {
        if (p->state != PairState::Empty) {
          want.insert(p->spiP);
          want.insert(p->spiU);
        }
      }
      for (uint32_t spi : want) {
        std::vector<uint32_t> found;
        store_->findBySpi(st, spi, found);
        EXPECT_EQ(1, std::count(found.begin(), found.end(), rec)) << "SPI " << spi << ", step " << step;
      }
      for (const SpiLink& l : store_->record(rec).spi) {
        if (l.key != 0) {
          have.insert(l.key);
        }
      }
      std::set<uint32_t> distinct(want.begin(), want.end());
      EXPECT_EQ(std::multiset<uint32_t>(distinct.begin(), distinct.end()), have) << step;
    }
    // A free record is blank (allocate() writes only its free-list link): nothing the engine
    // does after a release may leave a trace in it.
    uint32_t blankChecked = 0;
    for (uint32_t i = 0; i < store_->capacity(); ++i) {
      ContactRecord c;
      std::memcpy(&c, &store_->record(i), sizeof(c));  // padding too
      if (c.phase != Phase::Free) {
        continue;
      }
      EXPECT_TRUE(c.wheelPrev == kNil && c.wheelNext == kNil && c.wheelSlot == kNil &&
                  c.ipNext == kNil && c.addr[0].next == kNil && c.addr[1].next == kNil)
          << "record " << i << ", step " << step;
      c.callNext = c.wheelPrev = c.wheelNext = c.wheelSlot = c.ipNext = 0;
      c.addr[0].next = c.addr[1].next = 0;
      for (SpiLink& k : c.spi) {
        EXPECT_EQ(kNil, k.next) << "record " << i << ", step " << step;
        k.next = 0;
      }
      static const unsigned char kZero[sizeof(ContactRecord)] = {};
      EXPECT_EQ(0, std::memcmp(&c, kZero, sizeof(c))) << "record " << i << ", step " << step;
      ++blankChecked;
    }
    EXPECT_EQ(store_->capacity() - store_->used(), blankChecked) << step;
  }
};

TEST_F(RandomEngineTest, InvariantsHoldAfterRandomSequences) {
  const uint16_t ports[] = {5064, 5066, 5068};
  const char* calls[] = {"c1", "c2", "c3"};
  uint64_t installed = 0, established = 0;
  for (uint32_t seed = 1; seed <= 60; ++seed) {
    build(8);
    policy.failureMode = seed % 2 ? FailureMode::Forward : FailureMode::Reply;
    rebuildEngine();
    std::mt19937 rng(seed);
    for (int step = 0; step < 300; ++step) {
      unsigned idx = rng() % 3;
      uint16_t port = ports[idx];
      bool coherent = rng() % 8 != 0;  // mostly a well-behaved UE, sometimes not
      uint16_t other = coherent ? port : ports[rng() % 3];
      callId = calls[coherent ? idx : rng() % 3];
      std::string setup = "esp / esp / hmac-sha-1-96 / aes-cbc / " +
                          std::to_string(300 + (coherent ? idx : rng() % 3)) +
                          " / port=" + std::to_string(other);
      switch (rng() % 14) {
        case 0:
          sm1(setup, port);
          break;
        case 1:
          sm3(port);
          break;
        case 2:
          reply(401, port, challenge(rng() % 4 ? kIkHex : "00"));
          break;
        case 3:
          sm5(setup, port);
          break;
        case 4:
          sm7(rng() % 3 ? 200 : 403, port, rng() % 5 ? 600 : 0);
          break;
        case 5: {  // a re-registration SM1 through the pair on port, moving to the next port
          uint16_t next = ports[(idx + 1) % 3];
          std::string re = "esp / / hmac-md5-96 / / " + std::to_string(400 + idx) +
                           " / port=" + std::to_string(next);
          request(Path::Protected, port, {re});
          if (rng() % 2) {
            sm3(port);
            sm5(re, next);
            sm7(rng() % 4 ? 200 : 401, next);
          }
          break;
        }
        case 6:
          request(Path::Protected, port, {}, false);
          break;
        case 7:
          request(Path::Unprotected, port, {}, true, 600, authorization("", rng() % 2));
          break;
        case 8:
          request(Path::Protected, port, {}, true, 0);
          break;
        case 9:
          tick(rng() % 90);
          break;
        case 10:
          engine_->deleteContact(ue, port);
          break;
        case 11:
          if (!kernel.pairs().empty()) {
            uint32_t spiP = kernel.pairs().front().id.spiP;
            kernel.expireSa(pcscf, spiP);
            engine_->onSaGone(kipsec::SaGone{pcscf, spiP, true});
          }
          break;
        case 13:  // a whole well-behaved registration, to reach the later states often
          sm1(setup, port);
          sm3(port);
          sm5(setup, other);
          sm7(200, other);
          break;
        case 12:
          kernel.failAddAt(rng() % 4 + 1);  // an absolute call number
          break;
      }
      for (uint16_t p : ports) {
        established += phaseOf(p) == Phase::Established;
      }
      checkInvariants(step);
      if (::testing::Test::HasFailure()) {
        FAIL() << "seed " << seed << " step " << step;
      }
    }
    installed += store_->counter(Counter::SaInstalled);
    tick(100000);
    checkInvariants(-1);
    EXPECT_EQ(0u, kernel.livePairs()) << seed;
    EXPECT_EQ(0u, store_->used()) << seed;
  }
  // The sequences must reach the interesting states, not just bounce off the parser.
  EXPECT_GT(installed, 200u);
  EXPECT_GT(established, 100u);
}

}  // namespace
}  // namespace secsetup::testing
