// The trust boundary (issue 14's holes): what a hostile UE may and may not change, and that a
// failed or forged attempt leaves everything as it was. Each test names the hole it closes.

#include "tests/unit/core_engine_fixture.h"

namespace secsetup::testing {
namespace {

using TrustTest = EngineTest;

// Hole 2: a clear SM1 naming a registered contact's port changes nothing of it.
TEST_F(TrustTest, ClearSm1CannotTakeOverARegisteredContact) {
  establish(5064);
  const uint32_t spiP = kernel.pairs().front().id.spiP;
  impi = "mallory@ims.test";
  impu = "sip:mallory@ims.test";
  callId = "mallory-1@192.0.2.10";
  Actions a = sm1();
  EXPECT_EQ(FailureReason::MalformedSecuritySetup, a.failure);
  EXPECT_EQ(1u, store_->counter(Counter::FailedMalformed));
  // The S-CSCF challenges the intruder: nothing is installed, the real pair stays.
  sm3();
  ASSERT_EQ(1u, kernel.livePairs());
  EXPECT_EQ(spiP, kernel.pairs().front().id.spiP);
  std::vector<ContactView> all;
  engine_->listContacts(all);
  ASSERT_EQ(1u, all.size());
  EXPECT_EQ(Phase::Established, all[0].phase);
  EXPECT_EQ(kImpi, all[0].impi);
  EXPECT_EQ(kImpu, all[0].impu);
  EXPECT_EQ("call-1@192.0.2.10", all[0].callId);
  // The real UE's requests still pass through its SA.
  impi = kImpi;
  impu = kImpu;
  callId = "call-1@192.0.2.10";
  EXPECT_EQ(Verdict::Relay, request(Path::Protected, 5064, {}, false).verdict);
  EXPECT_EQ(Verdict::Relay, request(Path::Protected, 5064, {}, true, 600).verdict);
  EXPECT_TRUE(kernel.violations().empty());
}

// Hole 2, a re-registration in progress: a clear SM1 naming its new port ends nothing.
TEST_F(TrustTest, ClearSm1CannotEndAReRegistration) {
  establish(5064);
  const char* reSm1 = "esp / / hmac-md5-96 / / 1566778899 / port=5066";
  startReRegistration(reSm1);
  ASSERT_EQ(2u, kernel.livePairs());
  Actions a = sm1("esp / / hmac-md5-96 / / 1566778800 / port=5066", 5066);
  EXPECT_EQ(FailureReason::MalformedSecuritySetup, a.failure);
  EXPECT_EQ(2u, kernel.livePairs());
  EXPECT_EQ(Verdict::Relay, sm5(reSm1, 5066).verdict);
  sm7(200, 5066);
  EXPECT_EQ(Phase::Established, phaseOf(5064));
}

// An unauthenticated initial negotiation may be restarted by the UE on the same port.
TEST_F(TrustTest, InitialSm1AgainRestartsAnUnauthenticatedNegotiation) {
  sm1();
  sm3();
  ASSERT_EQ(1u, kernel.livePairs());
  EXPECT_EQ(Verdict::Relay, sm1().verdict);
  EXPECT_EQ(0u, kernel.livePairs());  // the abandoned pair goes at once
  sm3();
  EXPECT_EQ(1u, kernel.livePairs());
  EXPECT_EQ(1u, store_->used());
}

// Hole 3: a REGISTER answering a challenge, in the clear, is none of D.1.4's three kinds.
TEST_F(TrustTest, ClearRegisterWithAResponseIsDiscarded) {
  Actions a = request(Path::Unprotected, 5064, {kSm1}, true, 600, authorization("0123abcd"));
  EXPECT_EQ(Verdict::Drop, a.verdict);
  EXPECT_EQ(1u, store_->counter(Counter::UnprotectedDiscarded));
  EXPECT_EQ(0u, store_->used());
  a = request(Path::Unprotected, 5064, {}, true, 600, authorization("0123abcd"));
  EXPECT_EQ(Verdict::Drop, a.verdict);
  a = request(Path::Unprotected, 5064, {kSm1}, true, 600, "Digest garbage=\"");
  EXPECT_EQ(Verdict::Drop, a.verdict);
  EXPECT_EQ(3u, store_->counter(Counter::UnprotectedDiscarded));
  EXPECT_EQ(0u, store_->used());
  EXPECT_TRUE(kernel.ops().empty());
}

// Hole 3: whatever the S-CSCF says, a clear REGISTER's 2xx never reaches the UE.
TEST_F(TrustTest, TwoHundredToAClearRegisterBecomes403) {
  sm1();
  Actions a = reply(200, 5064, "", 600, FailureReason::None, Path::Unprotected);
  EXPECT_EQ(403, a.replyCode);
  EXPECT_EQ(1u, store_->counter(Counter::RepliesRefused2xxInClear));
  EXPECT_EQ(0u, store_->used());
  EXPECT_EQ(0u, kernel.livePairs());
  // Also to the REGISTERs D.1.4 admits (no record behind them).
  a = reply(200, 5064, "", 600, FailureReason::None, Path::Unprotected);
  EXPECT_EQ(403, a.replyCode);
  // A registered contact's own 2xx (through its SA) is untouched.
  establish(5066);
  EXPECT_EQ(0, sm7(200, 5066).replyCode);
}

// Hole 5: the protected port accepts only what the SA's selector covers: its local address.
TEST_F(TrustTest, ProtectedRequestToAnotherLocalAddressIsDiscarded) {
  establish(5064);
  pcscf = ip("198.51.100.2");
  EXPECT_EQ(Verdict::Drop, request(Path::Protected, 5064, {}, false).verdict);
  EXPECT_EQ(1u, store_->counter(Counter::ProtectedDiscarded));
  pcscf = ip("198.51.100.1");
  EXPECT_EQ(Verdict::Relay, request(Path::Protected, 5064, {}, false).verdict);
}

// Hole 6: one address holds at most max_negotiations_per_ue initial negotiations.
TEST_F(TrustTest, NegotiationsPerUeAddressAreBounded) {
  policy.maxNegotiationsPerUe = 2;
  rebuildEngine();
  auto line = [](uint16_t port) {
    return "esp / / hmac-md5-96 / / " + std::to_string(3000000000u + port) +
           " / port=" + std::to_string(port);
  };
  EXPECT_EQ(Verdict::Relay, sm1(line(5070), 5070).verdict);
  EXPECT_EQ(Verdict::Relay, sm1(line(5072), 5072).verdict);
  Actions a = sm1(line(5074), 5074);
  EXPECT_EQ(Verdict::Reply, a.verdict);
  EXPECT_EQ(503, a.replyCode);
  EXPECT_NE(0u, a.retryAfter);
  EXPECT_EQ(1u, store_->counter(Counter::NegotiationsPerUeExceeded));
  EXPECT_EQ(2u, store_->used());
  // Another address is not held back by this one.
  ue = ip("192.0.2.11");
  EXPECT_EQ(Verdict::Relay, sm1(line(5074), 5074).verdict);
  // Restarting one of the held negotiations is no new one.
  ue = ip("192.0.2.10");
  EXPECT_EQ(Verdict::Relay, sm1(line(5070), 5070).verdict);
  // A registered contact no longer counts.
  tick(policy.registrationTimer + 1);
  EXPECT_EQ(0u, store_->used());
  establish(5064);
  establish(5066);
  EXPECT_EQ(Verdict::Relay, sm1(line(5076), 5076).verdict);
  EXPECT_EQ(Verdict::Relay, sm1(line(5078), 5078).verdict);
  EXPECT_EQ(503, sm1(line(5080), 5080).replyCode);
}

// Item 7: an SM1 without Authorization (the seed's) completes; SM5 names the IMPI.
TEST_F(TrustTest, Sm1WithoutAuthorizationCompletesAndSm5BindsTheImpi) {
  omitAuthorization = true;
  ASSERT_EQ(Verdict::Relay, sm1().verdict);
  sm3();
  omitAuthorization = false;
  EXPECT_EQ(Verdict::Relay, sm5().verdict);
  sm7(200);
  EXPECT_EQ(Phase::Established, phaseOf(5064));
  std::vector<ContactView> all;
  engine_->listContacts(all);
  ASSERT_EQ(1u, all.size());
  EXPECT_EQ(kImpi, all[0].impi);
  impi = "mallory@ims.test";  // bound now: another IMPI on this pair is refused
  EXPECT_EQ(Verdict::Drop, request(Path::Protected, 5064, {}, true, 600).verdict);
}

// Item 7: the final reply of an earlier REGISTER transaction does not drive the current one.
TEST_F(TrustTest, LateFinalReplyOfAnEarlierTransactionIsStale) {
  cseq = 1;
  sm1();
  cseq = 2;
  sm1();  // the UE gave up on the first transaction and asks again
  cseq = 1;
  sm3();  // the first transaction's 401, late
  EXPECT_EQ(0u, kernel.livePairs());
  EXPECT_EQ(Phase::Sm1Seen, phaseOf(5064));
  cseq = 2;
  EXPECT_FALSE(sm3().securitySetup.empty());
  EXPECT_EQ(1u, kernel.livePairs());
}

// A reply found only by address (another Call-ID) does not drive a negotiation either.
TEST_F(TrustTest, ReplyOfAnotherCallIdDoesNotDriveANegotiation) {
  sm1();
  callId = "other@192.0.2.10";
  sm3();
  EXPECT_EQ(0u, kernel.livePairs());
  callId = "call-1@192.0.2.10";
  EXPECT_FALSE(sm3().securitySetup.empty());
}

// The identities go into the D.2.2 report the P-CSCF writes: nothing may break out of it.
TEST_F(TrustTest, IdentityWithAQuoteIsRefused) {
  impi = "alice\\\"@ims.test";
  Actions a = sm1();
  EXPECT_EQ(400, a.replyCode);
  EXPECT_EQ(0u, store_->used());
}

// SM3's pair is made without the store's lock: if the contact changed meanwhile (here the
// UE started again from another worker), the pair goes again and nothing is committed.
TEST_F(TrustTest, Sm3PairMadeWhileTheContactChangedIsNotCommitted) {
  sm1();
  kernel.beforeNextAddForTest([this] { EXPECT_EQ(Verdict::Relay, sm1().verdict); });
  Actions a = sm3();
  EXPECT_EQ(500, a.replyCode);
  EXPECT_TRUE(a.securitySetup.empty());
  EXPECT_EQ(0u, kernel.livePairs());
  EXPECT_EQ(0u, kernel.reservedCount());
  EXPECT_EQ(Phase::Sm1Seen, phaseOf(5064));  // the newer negotiation, untouched
  EXPECT_EQ(store_->counter(Counter::SaInstalled), store_->counter(Counter::SaDeleted));
  // Its own SM3 then installs as usual.
  EXPECT_FALSE(sm3().securitySetup.empty());
  EXPECT_EQ(1u, kernel.livePairs());
  EXPECT_TRUE(kernel.violations().empty());
}

// The same when the registration timer took the contact away meanwhile.
TEST_F(TrustTest, Sm3PairMadeAfterTheContactWentIsNotCommitted) {
  sm1();
  kernel.beforeNextAddForTest([this] { tick(policy.registrationTimer + 1); });
  EXPECT_EQ(500, sm3().replyCode);
  EXPECT_EQ(0u, kernel.livePairs());
  EXPECT_EQ(0u, store_->used());
  EXPECT_TRUE(kernel.violations().empty());
}

// The per-address count walks the negotiating records only: registered contacts of the
// address leave its chain, so a busy address does not make every SM1 walk them all.
TEST_F(TrustTest, RegisteredContactsLeaveTheNegotiationChain) {
  const unsigned stripe = store_->stripeOf(ue);
  for (uint16_t port = 5100; port < 5120; port += 2) {
    establish(port);
  }
  EXPECT_EQ(0u, store_->countNegotiating(stripe, ue));
  EXPECT_EQ(0u, store_->ipChainLengthForTest(stripe, ue));
  // A de-registered contact (retiring pairs) does not negotiate either.
  request(Path::Protected, 5100, {}, true, 0);
  sm7(200, 5100, 0);
  EXPECT_EQ(0u, store_->ipChainLengthForTest(stripe, ue));
  sm1("esp / / hmac-md5-96 / / 3000000000 / port=5070", 5070);
  EXPECT_EQ(1u, store_->countNegotiating(stripe, ue));
  EXPECT_EQ(1u, store_->ipChainLengthForTest(stripe, ue));
  sm3(5070);
  sm5("esp / / hmac-md5-96 / / 3000000000 / port=5070", 5070);
  sm7(200, 5070);
  EXPECT_EQ(0u, store_->ipChainLengthForTest(stripe, ue));  // registered: out of the chain
}

}  // namespace
}  // namespace secsetup::testing
