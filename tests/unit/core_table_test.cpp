// The negotiation state machine of docs/protocol.md section 4 ("The state machine"), one
// test per row: each row names a state (reached through the protocol's own messages), an
// event with its origin, and what must hold after: the contact's phase, the live SA pairs in
// the kernel, and the verdict or reply code. The table is the document; this walks it.

#include "tests/unit/core_engine_fixture.h"

namespace secsetup::testing {
namespace {

constexpr const char* kReSm1 = "esp / / hmac-md5-96 / / 1566778899 / port=5066";

struct Row {
  const char* name;
  // Brings the fixture into the row's state.
  void (*state)(class TableTest&);
  // The event; returns the actions (for a timer: empty actions).
  Actions (*event)(class TableTest&);
  Phase phase;          // of the contact on `port` afterwards (Free: no contact there)
  std::size_t pairs;    // live (installed, not yet deleted) pairs in the kernel afterwards
  Verdict verdict;      // of a request; Relay for replies and timers
  int code;             // reply code the actions set (0: none)
  uint16_t port = 5064;
};

// gtest names a failing row by this rather than by its bytes.
[[maybe_unused]] void PrintTo(const Row& row, std::ostream* os) { *os << row.name; }

class TableTest : public EngineTest, public ::testing::WithParamInterface<Row> {
 public:
  // The fixture's helpers and state, public for the rows.
  using EngineTest::authorization;
  using EngineTest::challenge;
  using EngineTest::cseq;
  using EngineTest::establish;
  using EngineTest::pcscf;
  using EngineTest::policy;
  using EngineTest::reRegister;
  using EngineTest::reply;
  using EngineTest::request;
  using EngineTest::sm1;
  using EngineTest::sm3;
  using EngineTest::sm5;
  using EngineTest::sm7;
  using EngineTest::startReRegistration;
  using EngineTest::tick;
};

// States.
void none(TableTest&) {}
void sm1Seen(TableTest& t) { t.sm1(); }
void awaitSm5(TableTest& t) {
  auto& x = t;
  x.sm1();
  x.sm3();
}
void awaitSm7(TableTest& t) {
  auto& x = t;
  awaitSm5(t);
  x.sm5();
}
void established(TableTest& t) { t.establish(5064); }
void reRegSm1Seen(TableTest& t) {
  t.establish(5064);
  t.request(Path::Protected, 5064, {kReSm1});
}
void reRegAwaitSm5(TableTest& t) {
  auto& x = t;
  x.establish(5064);
  x.startReRegistration(kReSm1);
}
void reRegAwaitSm7(TableTest& t) {
  auto& x = t;
  reRegAwaitSm5(t);
  x.sm5(kReSm1, 5066);
}
void awaitConfirm(TableTest& t) {
  auto& x = t;
  x.establish(5064);
  x.reRegister(kReSm1, 5066);
}

// Events.
TableTest& T(TableTest& t) { return t; }
Actions clearSm1(TableTest& t) { return T(t).sm1(); }
Actions clearSm1NewPort(TableTest& t) {
  return T(t).sm1("esp / / hmac-md5-96 / / 1122334455 / port=5070", 5070);
}
Actions clearSm1OnReRegPort(TableTest& t) {
  return T(t).sm1("esp / / hmac-md5-96 / / 1566778800 / port=5066", 5066);
}
Actions clearAnswered(TableTest& t) {
  return T(t).request(Path::Unprotected, 5064, {kSm1}, true, 600, t.authorization("0123abcd"));
}
Actions clearNetAuthFailure(TableTest& t) {
  return T(t).request(Path::Unprotected, 5064, {}, true, 600, t.authorization(""));
}
Actions clearSyncFailure(TableTest& t) {
  return T(t).request(Path::Unprotected, 5064, {}, true, 600, t.authorization("", true));
}
Actions clearOptions(TableTest& t) { return T(t).request(Path::Unprotected, 5064, {}, false); }
Actions protectedOptions(TableTest& t) { return T(t).request(Path::Protected, 5064, {}, false); }
Actions protectedOtherLocal(TableTest& t) {
  t.pcscf = ip("198.51.100.2");
  return T(t).request(Path::Protected, 5064, {}, false);
}
Actions sm3Keys(TableTest& t) { return T(t).sm3(); }
Actions sm3NoIk(TableTest& t) { return T(t).reply(401, 5064, TableTest::challenge(nullptr)); }
Actions clear2xx(TableTest& t) {
  return T(t).reply(200, 5064, "", 600, FailureReason::None, Path::Unprotected);
}
Actions sm5Match(TableTest& t) { return T(t).sm5(); }
Actions sm5Mismatch(TableTest& t) {
  return T(t).sm5("esp / esp / hmac-sha-1-96 / aes-cbc / 3344556677 / port=5064");
}
Actions sm7Ok(TableTest& t) { return T(t).sm7(200); }
Actions sm7Refused(TableTest& t) { return T(t).sm7(403); }
Actions reSm1(TableTest& t) { return T(t).request(Path::Protected, 5064, {kReSm1}); }
Actions reSm3(TableTest& t) { return T(t).sm3(5064, Path::Protected); }
Actions reSm5(TableTest& t) { return T(t).sm5(kReSm1, 5066); }
Actions reSm7Ok(TableTest& t) { return T(t).sm7(200, 5066); }
Actions viaNewPair(TableTest& t) { return T(t).request(Path::Protected, 5066, {}, false); }
Actions viaOldPair(TableTest& t) { return T(t).request(Path::Protected, 5064, {}, false); }
Actions deregister(TableTest& t) {
  T(t).request(Path::Protected, 5064, {}, true, 0);
  return T(t).sm7(200, 5064, 0);
}
Actions registrationTimer(TableTest& t) {
  T(t).tick(t.policy.registrationTimer + 1);
  return Actions{};
}
Actions expiry(TableTest& t) {
  T(t).tick(600 + t.policy.expiryGrace + 1);
  return Actions{};
}

const Row kRows[] = {
    // No contact.
    {"NoneClearSm1", none, clearSm1, Phase::Sm1Seen, 0, Verdict::Relay, 0},
    {"NoneClearAnsweredRegister", none, clearAnswered, Phase::Free, 0, Verdict::Drop, 0},
    {"NoneClearOptions", none, clearOptions, Phase::Free, 0, Verdict::Drop, 0},
    {"NoneProtectedRequest", none, protectedOptions, Phase::Free, 0, Verdict::Drop, 0},
    // SM1 seen.
    {"Sm1SeenSm3WithKeys", sm1Seen, sm3Keys, Phase::AwaitSm5, 1, Verdict::Relay, 0},
    {"Sm1SeenSm3WithoutIk", sm1Seen, sm3NoIk, Phase::Free, 0, Verdict::Relay, 500},
    {"Sm1SeenClear2xx", sm1Seen, clear2xx, Phase::Free, 0, Verdict::Relay, 403},
    {"Sm1SeenClearSm1Again", sm1Seen, clearSm1, Phase::Sm1Seen, 0, Verdict::Relay, 0},
    {"Sm1SeenTimer", sm1Seen, registrationTimer, Phase::Free, 0, Verdict::Relay, 0},
    // SAs installed, SM4 sent.
    {"AwaitSm5Sm5Matches", awaitSm5, sm5Match, Phase::AwaitSm7, 1, Verdict::Relay, 0},
    {"AwaitSm5Sm5Differs", awaitSm5, sm5Mismatch, Phase::Closing, 1, Verdict::Relay, 0},
    {"AwaitSm5NetworkAuthFailure", awaitSm5, clearNetAuthFailure, Phase::Free, 0, Verdict::Relay, 0},
    {"AwaitSm5SyncFailure", awaitSm5, clearSyncFailure, Phase::Sm1Seen, 0, Verdict::Relay, 0},
    {"AwaitSm5Timer", awaitSm5, registrationTimer, Phase::Free, 0, Verdict::Relay, 0},
    {"AwaitSm5ClearSm1Again", awaitSm5, clearSm1, Phase::Sm1Seen, 0, Verdict::Relay, 0},
    // SM5 relayed.
    {"AwaitSm7Sm7Ok", awaitSm7, sm7Ok, Phase::Established, 1, Verdict::Relay, 0},
    {"AwaitSm7Sm7Refused", awaitSm7, sm7Refused, Phase::Closing, 1, Verdict::Relay, 0},
    // Registered.
    {"EstablishedClearSm1SamePort", established, clearSm1, Phase::Established, 1, Verdict::Relay, 0},
    {"EstablishedClearSm1NewPort", established, clearSm1NewPort, Phase::Established, 1,
     Verdict::Relay, 0},
    {"EstablishedClearNetAuthFailure", established, clearNetAuthFailure, Phase::Established, 1,
     Verdict::Relay, 0},
    {"EstablishedProtectedRequest", established, protectedOptions, Phase::Established, 1,
     Verdict::Relay, 0},
    {"EstablishedOtherLocalAddress", established, protectedOtherLocal, Phase::Established, 1,
     Verdict::Drop, 0},
    {"EstablishedReRegistrationSm1", established, reSm1, Phase::Sm1Seen, 1, Verdict::Relay, 0},
    {"EstablishedDeregistration", established, deregister, Phase::Closing, 1, Verdict::Relay, 0},
    {"EstablishedExpiry", established, expiry, Phase::Free, 0, Verdict::Relay, 0},
    // Re-registration (the active pair stays throughout).
    {"ReRegSm1SeenSm3", reRegSm1Seen, reSm3, Phase::AwaitSm5, 2, Verdict::Relay, 0},
    {"ReRegAwaitSm5Sm5", reRegAwaitSm5, reSm5, Phase::AwaitSm7, 2, Verdict::Relay, 0},
    {"ReRegAwaitSm5Timer", reRegAwaitSm5, registrationTimer, Phase::Established, 1,
     Verdict::Relay, 0},
    {"ReRegAwaitSm5ClearSm1OnItsPort", reRegAwaitSm5, clearSm1OnReRegPort, Phase::AwaitSm5, 2,
     Verdict::Relay, 0},
    {"ReRegAwaitSm7Sm7Ok", reRegAwaitSm7, reSm7Ok, Phase::Established, 2, Verdict::Relay, 0},
    // Lost-SM8 window: old and new pairs kept until one of them carries a message.
    {"AwaitConfirmViaNewPair", awaitConfirm, viaNewPair, Phase::Established, 1, Verdict::Relay, 0,
     5066},
    {"AwaitConfirmViaOldPair", awaitConfirm, viaOldPair, Phase::Established, 1, Verdict::Relay, 0},
    {"AwaitConfirmClearRegister", awaitConfirm, clearNetAuthFailure, Phase::Established, 1,
     Verdict::Relay, 0},
};

TEST_P(TableTest, Row) {
  const Row& row = GetParam();
  row.state(*this);
  const Actions a = row.event(*this);
  EXPECT_EQ(row.verdict, a.verdict);
  EXPECT_EQ(row.code, a.replyCode);
  EXPECT_EQ(static_cast<int>(row.phase), static_cast<int>(phaseOf(row.port)));
  EXPECT_EQ(row.pairs, kernel.livePairs());
  EXPECT_TRUE(kernel.violations().empty());
}

INSTANTIATE_TEST_SUITE_P(StateMachine, TableTest, ::testing::ValuesIn(kRows),
                         [](const ::testing::TestParamInfo<Row>& info) {
                           return std::string(info.param.name);
                         });

}  // namespace
}  // namespace secsetup::testing
