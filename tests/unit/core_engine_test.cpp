// Profile section 8, items 1-9, end to end through the engine against the recording fake.

#include "tests/unit/core_engine_fixture.h"

#include "module/keys/key_derivation.h"
#include "module/wire/setup_grammar.h"

namespace secsetup::testing {
namespace {

// Item 1: SM1 stored, choice made, SAs at SM3/SM4, SM5 == SM1, SM8 -> established.
TEST_F(EngineTest, Item1SuccessfulInitialRegistration) {
  Actions a1 = sm1();
  EXPECT_EQ(Verdict::Relay, a1.verdict);
  EXPECT_TRUE(a1.stripSecuritySetup);
  EXPECT_EQ(FailureReason::None, a1.failure);
  EXPECT_EQ(Event::None, a1.event);
  EXPECT_EQ(1u, store_->counter(Counter::NegotiationsStarted));
  EXPECT_EQ(0u, kernel.livePairs());
  EXPECT_EQ(1u, store_->used());

  Actions a3 = sm3();
  EXPECT_EQ(0, a3.replyCode);
  EXPECT_EQ("esp / esp / hmac-sha-1-96 / aes-cbc / 4096 / protected-port=5060;unprotected-port=5062",
            a3.securitySetup);
  EXPECT_TRUE(a3.replaceWwwAuthenticate);
  EXPECT_EQ(std::string::npos, a3.wwwAuthenticate.find("ik="));
  EXPECT_EQ(std::string::npos, a3.wwwAuthenticate.find(kIkHex));
  EXPECT_EQ(std::string::npos, a3.wwwAuthenticate.find("ck="));
  ASSERT_EQ(1u, kernel.livePairs());
  const auto& pair = kernel.pairs().front();
  EXPECT_EQ(4096u, pair.id.spiP);
  EXPECT_EQ(3344556677u, pair.id.spiU);
  EXPECT_EQ(5064, pair.params.uePort);
  EXPECT_EQ(5060, pair.params.pcscfProtectedPort);
  EXPECT_EQ(ue, pair.id.ue);
  EXPECT_EQ(pcscf, pair.id.pcscf);
  EXPECT_EQ(kipsec::CipherAlg::AesCbc, pair.params.cipher);
  EXPECT_EQ(20u, pair.params.integrityKeyToPcscf.size());  // sha-1: key || 32 zero bits
  uint8_t ik[16], in[16], out[16];
  ASSERT_TRUE(parseHexKey(kIkHex, ik));
  deriveIntegrityKeys(KeyDerivation::HmacSha256, 64, ik, in, out);
  EXPECT_EQ(0, memcmp(in, pair.params.integrityKeyToPcscf.data(), 16));
  EXPECT_EQ(0, memcmp(out, pair.params.integrityKeyToUe.data(), 16));
  EXPECT_EQ(Phase::AwaitSm5, phaseOf(5064));
  EXPECT_FALSE(pair.outboundActive);  // profile 6: SM4 leaves in the clear

  Actions a5 = sm5();
  EXPECT_TRUE(kernel.pairs().front().outboundActive);  // SM8 and later: ESP only
  EXPECT_EQ(Verdict::Relay, a5.verdict);
  EXPECT_EQ(FailureReason::None, a5.failure);
  EXPECT_EQ(Event::None, a3.event);
  EXPECT_EQ(Event::None, a5.event);
  EXPECT_EQ(Phase::AwaitSm7, phaseOf(5064));
  Actions a7 = sm7(200);
  EXPECT_EQ(Phase::Established, phaseOf(5064));
  EXPECT_EQ(Event::Established, a7.event);
  EXPECT_EQ(5064, a7.eventPort);
  EXPECT_EQ(4096u, a7.eventSpiP);
  EXPECT_EQ(3344556677u, a7.eventSpiU);
  EXPECT_STREQ("", a7.eventReason);
  EXPECT_EQ(1u, store_->counter(Counter::RegistrationsEstablished));
  EXPECT_EQ(0u, store_->counter(Counter::NegotiationFailures));
  EXPECT_EQ(1u, kernel.livePairs());
  // Protected traffic from the UE's port is accepted; the pair stays.
  EXPECT_EQ(Verdict::Relay, request(Path::Protected, 5064, {}, false).verdict);
  EXPECT_TRUE(tick(policy.registrationTimer + 5).empty());
  EXPECT_EQ(1u, kernel.livePairs());
  EXPECT_TRUE(kernel.violations().empty());
}

TEST_F(EngineTest, Item1SourcePortIsTheDefaultPort) {
  ASSERT_EQ(Verdict::Relay, sm1("esp//hmac-md5-96//5000", 6000).verdict);
  sm3(6000);
  ASSERT_NE(nullptr, kernel.pairByUePort(6000));
  EXPECT_EQ(kipsec::CipherAlg::None, kernel.pairByUePort(6000)->params.cipher);
}

// Item 2: unacceptable proposals, both failure modes; nothing stays behind.
TEST_F(EngineTest, Item2UnacceptableProposalForwardMode) {
  Actions a = sm1("esp / / hmac-sha-256 / / 3344556677");
  EXPECT_EQ(Verdict::Relay, a.verdict);
  EXPECT_EQ(FailureReason::NoCommonIntegrityAlgorithm, a.failure);
  EXPECT_EQ(Event::Failed, a.event);  // raised at the refusal, not again on the 403
  EXPECT_STREQ("NoCommonIntegrityAlgorithm", a.eventReason);
  EXPECT_EQ(0, a.eventPort);  // the glue takes the source port
  EXPECT_EQ(0u, a.eventSpiP);
  EXPECT_EQ(1u, store_->counter(Counter::NegotiationsStarted));
  EXPECT_EQ(1u, store_->counter(Counter::FailedNoCommonIntegrity));
  EXPECT_EQ(0u, store_->used());
  // The S-CSCF should answer 403; if it answers anything else the UE still gets a 403.
  Actions r = reply(200, 5064, "", 600, a.failure);
  EXPECT_EQ(403, r.replyCode);
  EXPECT_EQ(FailureReason::NoCommonIntegrityAlgorithm, r.failure);
  EXPECT_EQ(Event::None, r.event);
  Actions c = reply(401, 5064, challenge(), 600, a.failure);
  EXPECT_EQ(403, c.replyCode);
  EXPECT_TRUE(c.replaceWwwAuthenticate);
  EXPECT_TRUE(c.wwwAuthenticate.empty());
  EXPECT_EQ(0u, kernel.livePairs());
  EXPECT_EQ(0u, kernel.reservedCount());
}

TEST_F(EngineTest, Item2UnacceptableProposalReplyMode) {
  policy.failureMode = FailureMode::Reply;
  policy.confidentiality = ConfPolicy::Required;
  rebuildEngine();
  Actions a = sm1("esp / / hmac-md5-96 / / 3344556677");
  EXPECT_EQ(Verdict::Reply, a.verdict);
  EXPECT_EQ(403, a.replyCode);
  EXPECT_EQ(FailureReason::NoCommonConfidentialityAlgorithm, a.failure);
  Actions u = sm1("ah / / hmac-md5-96 / / 3344556677");
  EXPECT_EQ(FailureReason::UnsupportedMechanism, u.failure);
  Actions m = sm1("esp / / hmac-md5-96 / / 12");
  EXPECT_EQ(FailureReason::MalformedSecuritySetup, m.failure);
  EXPECT_NE(std::string::npos, m.warning.find("sa-id"));
  Actions two = request(Path::Unprotected, 5064, {kSm1, kSm1});
  EXPECT_EQ(FailureReason::MalformedSecuritySetup, two.failure);
  for (const Actions* x : {&a, &u, &m, &two}) {
    EXPECT_EQ(Event::Failed, x->event);
    EXPECT_STREQ(toString(x->failure), x->eventReason);
  }
  EXPECT_EQ(4u, store_->counter(Counter::NegotiationsStarted));
  EXPECT_EQ(4u, store_->counter(Counter::NegotiationFailures));
  EXPECT_EQ(1u, store_->counter(Counter::FailedNoCommonConfidentiality));
  EXPECT_EQ(1u, store_->counter(Counter::FailedUnsupportedMechanism));
  EXPECT_EQ(2u, store_->counter(Counter::FailedMalformed));
  EXPECT_EQ(0u, store_->counter(Counter::FailedNoCommonIntegrity));
  EXPECT_EQ(0u, store_->used());
  EXPECT_EQ(0u, kernel.ops().size());
}

// Item 3: SM5 differs from SM1 -> SecuritySetupMismatch; the SAs go.
TEST_F(EngineTest, Item3Sm1Sm5Mismatch) {
  sm1();
  sm3();
  ASSERT_EQ(1u, kernel.livePairs());
  Actions a = sm5("esp / esp / hmac-md5-96,hmac-sha-1-96 / aes-cbc,des-ede3-cbc / 3344556677 / port=5064");
  EXPECT_EQ(FailureReason::SecuritySetupMismatch, a.failure);
  EXPECT_EQ(Verdict::Relay, a.verdict);  // forward mode: the S-CSCF answers 403
  EXPECT_EQ(Event::Failed, a.event);
  EXPECT_STREQ("SecuritySetupMismatch", a.eventReason);
  EXPECT_EQ(5064, a.eventPort);  // the pair that goes
  EXPECT_EQ(4096u, a.eventSpiP);
  EXPECT_EQ(3344556677u, a.eventSpiU);
  EXPECT_EQ(1u, store_->counter(Counter::FailedMismatch));
  EXPECT_EQ(403, reply(200, 5064, "", 600, a.failure).replyCode);
  tick(policy.deleteGrace);
  EXPECT_EQ(0u, kernel.livePairs());
  EXPECT_EQ(0u, store_->used());
}

TEST_F(EngineTest, Item3CaseAndSpacingAreNotAMismatch) {
  sm1();
  sm3();
  Actions a = sm5(
      "ESP/ESP/HMAC-SHA-1-96, hmac-md5-96/AES-CBC,des-ede3-cbc/3344556677/port=5064");
  EXPECT_EQ(FailureReason::None, a.failure);
  EXPECT_EQ(Phase::AwaitSm7, phaseOf(5064));
}

// Item 4: SM5 never arrives; the timer ends it and the home network hears of it.
TEST_F(EngineTest, Item4RegistrationTimerReportsUserAuthenticationFailure) {
  sm1();
  sm3();
  EXPECT_TRUE(tick(policy.registrationTimer - 1).empty());
  EXPECT_EQ(1u, kernel.livePairs());
  std::vector<Report> reports = tick(1);
  ASSERT_EQ(1u, reports.size());
  EXPECT_EQ(FailureReason::UserAuthenticationFailure, reports[0].reason);
  EXPECT_EQ(Event::AuthTimeout, reports[0].event);
  EXPECT_EQ(5064, reports[0].uePort);
  EXPECT_EQ(4096u, reports[0].spiP);
  EXPECT_EQ(3344556677u, reports[0].spiU);
  EXPECT_EQ(callId, reports[0].callId);
  EXPECT_EQ(impi, reports[0].impi);
  EXPECT_EQ(impu, reports[0].impu);
  EXPECT_EQ(0u, kernel.livePairs());
  EXPECT_EQ(0u, store_->used());
  EXPECT_EQ(1u, store_->counter(Counter::UserAuthFailures));
}

TEST_F(EngineTest, Item4Sm7UnauthorizedLeavesThroughTheSaThenItGoes) {
  sm1();
  sm3();
  sm5();
  Actions a = reply(401, 5064, challenge());
  EXPECT_EQ(Event::None, a.event);        // the S-CSCF's answer, not a refused negotiation
  EXPECT_TRUE(a.replaceWwwAuthenticate);  // keys never reach the UE
  EXPECT_EQ(std::string::npos, a.wwwAuthenticate.find(kIkHex));
  EXPECT_EQ(1u, kernel.livePairs());      // still there while the 401 leaves
  tick(policy.deleteGrace);
  EXPECT_EQ(0u, kernel.livePairs());
  EXPECT_EQ(0u, store_->used());
}

// Item 5: network authentication failure in the clear: relayed, pending SAs go.
TEST_F(EngineTest, Item5NetworkAuthenticationFailure) {
  sm1();
  sm3();
  Actions a = request(Path::Unprotected, 5064, {}, true, 600, authorization(""));
  EXPECT_EQ(Verdict::Relay, a.verdict);
  EXPECT_EQ(FailureReason::None, a.failure);
  EXPECT_EQ(0u, kernel.livePairs());
  EXPECT_EQ(0u, store_->used());
}

// Item 6: synchronisation failure: relayed, SM1 state kept, next 401 -> fresh choice and SAs.
TEST_F(EngineTest, Item6SynchronisationFailure) {
  sm1();
  Actions first = sm3();
  Actions a = request(Path::Unprotected, 5064, {}, true, 600, authorization("", true));
  EXPECT_EQ(Verdict::Relay, a.verdict);
  EXPECT_EQ(0u, kernel.livePairs());
  EXPECT_EQ(Phase::Sm1Seen, phaseOf(5064));
  Actions second = sm3();
  EXPECT_FALSE(second.securitySetup.empty());
  EXPECT_NE(first.securitySetup, second.securitySetup);  // fresh SPI_P
  EXPECT_EQ(1u, kernel.livePairs());
  EXPECT_EQ(Verdict::Relay, sm5().verdict);
  sm7(200);
  EXPECT_EQ(Phase::Established, phaseOf(5064));
}

// Item 7: re-registration with four SAs; the old pair goes once SA11 carries a message.
TEST_F(EngineTest, Item7ReRegistration) {
  establish(5064);
  const char* reSm1 = "esp / esp / hmac-sha-1-96 / aes-cbc / 1566778899 / port=5066";
  Actions a1 = request(Path::Protected, 5064, {reSm1});  // through SA1
  EXPECT_EQ(Verdict::Relay, a1.verdict);
  EXPECT_EQ(FailureReason::None, a1.failure) << a1.warning;
  Actions a3 = sm3(5064);  // SM4 through SA2
  EXPECT_FALSE(a3.securitySetup.empty());
  ASSERT_EQ(2u, kernel.livePairs());
  ASSERT_NE(nullptr, kernel.pairByUePort(5066));
  EXPECT_EQ(1566778899u, kernel.pairByUePort(5066)->id.spiU);
  EXPECT_EQ(Verdict::Relay, sm5(reSm1, 5066).verdict);  // SM5 through SA11
  Actions a7 = sm7(200, 5066);                           // SM8 through SA12
  EXPECT_EQ(Event::Established, a7.event);
  EXPECT_EQ(5066, a7.eventPort);  // the new pair
  EXPECT_EQ(1566778899u, a7.eventSpiU);
  EXPECT_EQ(kernel.pairByUePort(5066)->id.spiP, a7.eventSpiP);
  EXPECT_EQ(2u, store_->counter(Counter::NegotiationsStarted));
  EXPECT_EQ(2u, store_->counter(Counter::RegistrationsEstablished));
  EXPECT_EQ(2u, kernel.livePairs());                     // all four SAs stay
  EXPECT_NE(nullptr, kernel.pairByUePort(5064));         // SA1/SA2 still carry other traffic
  EXPECT_NE(nullptr, kernel.pairByUePort(5066));
  EXPECT_EQ(Phase::Established, phaseOf(5064));
  EXPECT_TRUE(kernel.violations().empty());
}

TEST_F(EngineTest, Item7FurtherMessageThroughSa11DeletesTheOldPair) {
  establish(5064);
  const char* reSm1 = "esp / esp / hmac-sha-1-96 / aes-cbc / 1566778899 / port=5066";
  reRegister(reSm1, 5066);
  ASSERT_EQ(2u, kernel.livePairs());
  EXPECT_EQ(Verdict::Relay, request(Path::Protected, 5066, {}, false).verdict);
  EXPECT_EQ(1u, kernel.livePairs());
  EXPECT_NE(nullptr, kernel.pairByUePort(5066));
  EXPECT_EQ(Verdict::Drop, request(Path::Protected, 5064, {}, false).verdict);
  EXPECT_EQ(Phase::Established, phaseOf(5066));
  EXPECT_TRUE(kernel.violations().empty());
}

// Item 8: re-registration failures keep the old pair.
TEST_F(EngineTest, Item8ReRegistrationTimeoutKeepsOldPair) {
  establish(5064);
  const char* reSm1 = "esp / esp / hmac-sha-1-96 / aes-cbc / 1566778899 / port=5066";
  startReRegistration(reSm1);
  ASSERT_EQ(2u, kernel.livePairs());
  std::vector<Report> reports = tick(policy.registrationTimer);
  EXPECT_EQ(1u, reports.size());
  EXPECT_EQ(1u, kernel.livePairs());
  EXPECT_NE(nullptr, kernel.pairByUePort(5064));
  EXPECT_EQ(Phase::Established, phaseOf(5064));
  EXPECT_EQ(Verdict::Drop, request(Path::Protected, 5066, {}, false).verdict);
}

TEST_F(EngineTest, Item8ReRegistrationUnacceptableAndMismatchKeepOldPair) {
  establish(5064);
  Actions bad = request(Path::Protected, 5064, {"esp / / hmac-sha-256 / / 1566778899 / port=5066"});
  EXPECT_EQ(FailureReason::NoCommonIntegrityAlgorithm, bad.failure);
  Actions samePort = request(Path::Protected, 5064, {"esp / / hmac-md5-96 / / 1566778899 / port=5064"});
  EXPECT_EQ(FailureReason::MalformedSecuritySetup, samePort.failure);
  Actions noPort = request(Path::Protected, 5064, {"esp / / hmac-md5-96 / / 1566778899"});
  EXPECT_EQ(FailureReason::MalformedSecuritySetup, noPort.failure);
  EXPECT_EQ(1u, kernel.livePairs());
  const char* reSm1 = "esp / / hmac-md5-96 / / 1566778899 / port=5066";
  startReRegistration(reSm1);
  Actions mm = sm5("esp / / hmac-md5-96 / / 1566778898 / port=5066", 5066);
  EXPECT_EQ(FailureReason::SecuritySetupMismatch, mm.failure);
  tick(policy.deleteGrace);
  EXPECT_EQ(1u, kernel.livePairs());
  EXPECT_NE(nullptr, kernel.pairByUePort(5064));
  EXPECT_EQ(Phase::Established, phaseOf(5064));
}

TEST_F(EngineTest, Item8ReRegistrationAuthFailuresKeepOldPair) {
  establish(5064);
  const char* reSm1 = "esp / / hmac-md5-96 / / 1566778899 / port=5066";
  startReRegistration(reSm1);
  // synchronisation failure through the old SA
  request(Path::Protected, 5064, {}, true, 600, authorization("", true));
  EXPECT_EQ(1u, kernel.livePairs());
  sm3(5064);  // fresh SAs
  EXPECT_EQ(2u, kernel.livePairs());
  // network authentication failure in the clear
  request(Path::Unprotected, 5064, {}, true, 600, authorization(""));
  EXPECT_EQ(1u, kernel.livePairs());
  EXPECT_NE(nullptr, kernel.pairByUePort(5064));
  EXPECT_EQ(Phase::Established, phaseOf(5064));
}

TEST_F(EngineTest, Item8LostSm8MessageThroughOldSaDeletesNewPair) {
  establish(5064);
  const char* reSm1 = "esp / / hmac-md5-96 / / 1566778899 / port=5066";
  reRegister(reSm1, 5066);  // SM8 lost on the way
  ASSERT_EQ(2u, kernel.livePairs());
  EXPECT_EQ(Verdict::Relay, request(Path::Protected, 5064, {}, false).verdict);
  EXPECT_EQ(1u, kernel.livePairs());
  EXPECT_NE(nullptr, kernel.pairByUePort(5064));
  EXPECT_EQ(Verdict::Drop, request(Path::Protected, 5066, {}, false).verdict);
}

// A UE that did not get SM8 retransmits SM5 through SA11: no confirmation of the new pair,
// so the old one is still there for the message that ends the lost-SM8 window.
TEST_F(EngineTest, Item8LostSm8RetransmittedSm5KeepsBothPairs) {
  establish(5064);
  const char* reSm1 = "esp / / hmac-md5-96 / / 1566778899 / port=5066";
  reRegister(reSm1, 5066);  // SM8 lost on the way
  Actions again = sm5(reSm1, 5066);
  EXPECT_EQ(Verdict::Relay, again.verdict);
  EXPECT_EQ(FailureReason::None, again.failure) << again.warning;
  EXPECT_EQ(2u, kernel.livePairs());
  EXPECT_EQ(Verdict::Relay, request(Path::Protected, 5064, {}, false).verdict);
  EXPECT_EQ(1u, kernel.livePairs());
  EXPECT_NE(nullptr, kernel.pairByUePort(5064));
  EXPECT_EQ(nullptr, kernel.pairByUePort(5066));
  EXPECT_TRUE(kernel.violations().empty());
}

// A de-registration through SA11 right after SM8 carries SM1's line and Call-ID as well: it
// confirms the new pair and de-registers (the load test found it taken for SM5 again).
TEST_F(EngineTest, Item7DeregistrationThroughSa11IsNoRetransmittedSm5) {
  establish(5064);
  const char* reSm1 = "esp / / hmac-md5-96 / / 1566778899 / port=5066";
  reRegister(reSm1, 5066);
  EXPECT_EQ(Verdict::Relay, request(Path::Protected, 5066, {reSm1}, true, 0).verdict);
  EXPECT_EQ(1u, kernel.livePairs());  // the old pair went
  reply(200, 5066, "", 0);
  tick(policy.deleteGrace);
  EXPECT_EQ(0u, kernel.livePairs());
  EXPECT_EQ(0u, store_->used());
}

TEST_F(EngineTest, Item8LostSm8UnprotectedRegisterDeletesNewPair) {
  establish(5064);
  const char* reSm1 = "esp / / hmac-md5-96 / / 1566778899 / port=5066";
  reRegister(reSm1, 5066);
  request(Path::Unprotected, 5070, {"esp / / hmac-md5-96 / / 7777 / port=5070"});
  EXPECT_EQ(nullptr, kernel.pairByUePort(5066));
  EXPECT_NE(nullptr, kernel.pairByUePort(5064));
}

// Item 9: expiry and de-registration.
TEST_F(EngineTest, Item9ExpiryRemovesEverything) {
  establish(5064);
  tick(600);
  EXPECT_EQ(1u, kernel.livePairs());  // the grace is still running
  tick(policy.expiryGrace);
  EXPECT_EQ(0u, kernel.livePairs());
  EXPECT_EQ(0u, store_->used());
  EXPECT_EQ(0u, kernel.reservedCount());
}

TEST_F(EngineTest, Item9RefreshExtendsExpiry) {
  establish(5064);
  tick(500);
  EXPECT_EQ(Verdict::Relay, request(Path::Protected, 5064, {}, true, 600).verdict);
  EXPECT_EQ(Event::None, reply(200, 5064, "", 600).event);  // a refresh is no new registration
  EXPECT_EQ(1u, store_->counter(Counter::RegistrationsEstablished));
  tick(200 + policy.expiryGrace);
  EXPECT_EQ(1u, kernel.livePairs());
}

TEST_F(EngineTest, Item9DeRegistration) {
  establish(5064);
  EXPECT_EQ(Verdict::Relay, request(Path::Protected, 5064, {}, true, 0).verdict);
  reply(200, 5064, "", 0);
  EXPECT_EQ(1u, kernel.livePairs());  // the 200 leaves through the SA first
  tick(policy.deleteGrace);
  EXPECT_EQ(0u, kernel.livePairs());
  EXPECT_EQ(0u, store_->used());
}

TEST_F(EngineTest, OperatorDeleteAndKernelExpiry) {
  establish(5064);
  EXPECT_EQ(Status::Ok, engine_->deleteContact(ue, 5064));
  EXPECT_EQ(0u, kernel.livePairs());
  EXPECT_EQ(Status::NotFound, engine_->deleteContact(ue, 5064));
  establish(5064);
  uint32_t spiP = kernel.pairs().front().id.spiP;
  kipsec::SaGone expired{pcscf, spiP, true};
  engine_->onSaGone(expired);  // the kernel still holds it: not news
  EXPECT_EQ(1u, kernel.livePairs());
  EXPECT_EQ(1u, store_->used());
  kernel.expireSa(pcscf, spiP);
  engine_->onSaGone(expired);
  EXPECT_EQ(0u, kernel.livePairs());
  EXPECT_EQ(0u, store_->used());
}

// The event of a delete made by another worker arrives after a synchronisation failure's
// fresh pair, with the same SPI_U, was installed: the fresh pair stays.
TEST_F(EngineTest, Item8StaleDeleteEventLeavesTheFreshPairWithTheSameSpiU) {
  establish(5064);
  const char* reSm1 = "esp / / hmac-md5-96 / / 1566778899 / port=5066";
  startReRegistration(reSm1);
  request(Path::Protected, 5064, {}, true, 600, authorization("", true));  // auts: pair goes
  sm3(5064);                                                              // fresh pair
  ASSERT_NE(nullptr, kernel.pairByUePort(5066));
  engine_->onSaGone(kipsec::SaGone{ue, 1566778899u, true});  // the first pair's delete
  EXPECT_NE(nullptr, kernel.pairByUePort(5066));
  EXPECT_EQ(2u, kernel.livePairs());
  EXPECT_EQ(Phase::AwaitSm5, phaseOf(5064));
}

// Section 7: port rules.
TEST_F(EngineTest, PortRules) {
  EXPECT_EQ(Verdict::Drop, request(Path::Unprotected, 5064, {}, false).verdict);
  EXPECT_EQ(1u, store_->counter(Counter::UnprotectedDiscarded));
  EXPECT_EQ(Verdict::Drop, request(Path::Protected, 5064, {}, false).verdict);
  EXPECT_EQ(1u, store_->counter(Counter::ProtectedDiscarded));
  sm1();
  EXPECT_EQ(Verdict::Drop, request(Path::Protected, 5064, {}, false).verdict);  // no SA yet
  sm3();
  EXPECT_EQ(Verdict::Relay, request(Path::Protected, 5064, {}, false).verdict);  // pending SA
  EXPECT_EQ(Verdict::Drop, request(Path::Protected, 5065, {}, false).verdict);
  impi = "mallory@ims.test";
  EXPECT_EQ(Verdict::Drop, sm5().verdict);  // another identity on this pair
  impi = kImpi;
  impu = "sip:mallory@ims.test";
  EXPECT_EQ(Verdict::Drop, sm5().verdict);
  impu = kImpu;
  EXPECT_EQ(Verdict::Relay, request(Path::Other, 5064, {}, false).verdict);
  EXPECT_EQ(Verdict::Relay, sm5().verdict);
}

// Issue 14, hole 4: Failure is the P-CSCF's report to the S-CSCF (profile 3). Whatever the UE
// sends on the access side, by any method and on either port, goes on without the UE's own
// Failure headers (the module's is added after the removal); the home network's requests on
// another listener are not the module's to edit.
TEST_F(EngineTest, FailureFromTheUeNeverReachesTheScscf) {
  Actions refused = sm1("esp / / hmac-sha-256 / / 3344556677");  // forward mode: our Failure
  EXPECT_EQ(FailureReason::NoCommonIntegrityAlgorithm, refused.failure);
  EXPECT_TRUE(refused.stripFailure);
  EXPECT_TRUE(request(Path::Unprotected, 5064, {}, true, 600, authorization("", true)).stripFailure);
  establish();
  Actions sm1Again = sm1();  // refused (hole 2): it relays with our Failure, never the UE's
  EXPECT_EQ(Verdict::Relay, sm1Again.verdict);
  EXPECT_EQ(FailureReason::MalformedSecuritySetup, sm1Again.failure);
  EXPECT_TRUE(sm1Again.stripFailure);
  Actions options = request(Path::Protected, 5064, {}, false);
  EXPECT_EQ(Verdict::Relay, options.verdict);
  EXPECT_TRUE(options.stripFailure);
  EXPECT_TRUE(request(Path::Protected, 5064, {}, true, 0).stripFailure);  // de-registration
  EXPECT_FALSE(request(Path::Other, 5064, {}).stripFailure);
  EXPECT_FALSE(request(Path::Other, 5064, {}, false).stripFailure);
}

// Issue 14, hole 1: a REGISTER that came in on another listener is no negotiation of the
// module's, but the S-CSCF's keys stay here all the same.
TEST_F(EngineTest, ReplyToARegisterFromAnotherListenerLosesItsKeysAndNothingElse) {
  sm1();  // the same UE and Call-ID on the access side: its negotiation must not move
  ReplyFacts f;
  f.toRegister = true;
  f.source = ue;
  f.sourcePort = 5064;
  f.callId = callId;
  f.code = 401;
  std::string www = challenge();
  f.wwwAuthenticate = www;
  f.path = Path::Other;
  Actions a = engine_->onReply(f, now);
  EXPECT_TRUE(a.replaceWwwAuthenticate);
  EXPECT_EQ("Digest realm=\"ims.test\", nonce=\"bm9uY2U=\", algorithm=AKAv1-MD5",
            a.wwwAuthenticate.view());
  EXPECT_EQ(0, a.replyCode);
  EXPECT_TRUE(a.securitySetup.empty());
  EXPECT_EQ(Event::None, a.event);
  EXPECT_EQ(0u, kernel.livePairs());
  EXPECT_EQ(Phase::Sm1Seen, phaseOf(5064));
  f.wwwAuthenticate = "Digest nonce=\"n\", ik=\"" + std::string(kIkHex) + "\", junk junk";
  a = engine_->onReply(f, now);  // unreadable: nothing of it goes on
  EXPECT_TRUE(a.replaceWwwAuthenticate);
  EXPECT_TRUE(a.wwwAuthenticate.empty());
  EXPECT_FALSE(sm3().securitySetup.empty());  // the access side's SM3 is still its own
}

TEST_F(EngineTest, Sm3WithoutValidIkGives500AndNothing) {
  sm1();
  Actions a = reply(401, 5064, challenge(nullptr, kCkHex));
  EXPECT_EQ(500, a.replyCode);
  EXPECT_TRUE(a.replaceWwwAuthenticate);
  EXPECT_TRUE(a.wwwAuthenticate.empty());
  EXPECT_NE(std::string::npos, a.warning.find("ik"));
  EXPECT_EQ(Event::Failed, a.event);
  EXPECT_STREQ("SM3 without a valid ik", a.eventReason);
  EXPECT_EQ(5064, a.eventPort);
  EXPECT_EQ(0u, a.eventSpiP);  // none was kept
  EXPECT_EQ(3344556677u, a.eventSpiU);
  EXPECT_EQ(0u, kernel.livePairs());
  EXPECT_EQ(0u, store_->used());
  sm1();
  Actions b = reply(401, 5064, challenge("1234", kCkHex));
  EXPECT_EQ(500, b.replyCode);
  EXPECT_EQ(Event::Failed, b.event);
  EXPECT_EQ(2u, store_->counter(Counter::FailedSm3WithoutKeys));
  EXPECT_EQ(0u, store_->counter(Counter::FailedKernel));
  EXPECT_EQ(std::string::npos, b.wwwAuthenticate.find(kCkHex));
}

// A challenge whose rewrite without ik/ck is still too long to forward: the UE could never
// answer it, so nothing is installed and the UE gets a 500 with neither it nor the keys.
TEST_F(EngineTest, ChallengeTooLongToForwardGives500AndNoSa) {
  sm1();
  std::string longWww = "Digest realm=\"ims.example.test\", opaque=\"" + std::string(1100, 'o') +
                        "\", ik=\"" + kIkHex + "\", ck=\"" + kCkHex + "\"";
  Actions a = reply(401, 5064, longWww);
  EXPECT_EQ(500, a.replyCode);
  EXPECT_TRUE(a.replaceWwwAuthenticate);
  EXPECT_TRUE(a.wwwAuthenticate.view().empty());
  EXPECT_FALSE(a.wwwAuthenticate.overflowed());
  EXPECT_TRUE(a.securitySetup.view().empty());
  EXPECT_EQ("the challenge is too long to forward", std::string(a.warning.view()));
  EXPECT_EQ(Event::Failed, a.event);
  EXPECT_EQ(0u, kernel.livePairs());
  EXPECT_EQ(0u, kernel.reservedCount());
  EXPECT_EQ(0u, store_->used());
  EXPECT_EQ(1u, store_->counter(Counter::FailedChallengeTooLong));
  EXPECT_EQ(0u, store_->counter(Counter::FailedSm3WithoutKeys));
  // One character shorter than the limit once the keys are out: it goes on, without them.
  sm1();
  std::string head = "Digest realm=\"ims.example.test\", opaque=\"";
  std::string fits = head + std::string(1023 - head.size() - 1, 'o') + "\"";
  Actions b = reply(401, 5064, fits + ", ik=\"" + kIkHex + "\", ck=\"" + kCkHex + "\"");
  EXPECT_EQ(0, b.replyCode);
  EXPECT_EQ(fits, std::string(b.wwwAuthenticate.view()));
  EXPECT_FALSE(b.securitySetup.view().empty());
  EXPECT_EQ(1u, kernel.livePairs());
  // A challenge without keys is not the module's to cut: it goes on untouched, whatever its
  // length (nothing is installed without keys anyway).
  Actions c = reply(401, 5999, longWww.substr(0, longWww.find(", ik=")));
  EXPECT_FALSE(c.replaceWwwAuthenticate);
  EXPECT_EQ(0, c.replyCode);
}

TEST_F(EngineTest, KernelFailuresGive500AndReleaseTheSpi) {
  kernel.failAddAt(1);
  sm1();
  Actions a = sm3();
  EXPECT_EQ(500, a.replyCode);
  EXPECT_EQ(Event::Failed, a.event);
  EXPECT_STREQ("the kernel refused the SA pair", a.eventReason);
  EXPECT_EQ(0u, kernel.reservedCount());
  EXPECT_EQ(0u, store_->used());
  kernel.failAllocs(true);
  sm1();
  EXPECT_EQ(500, sm3().replyCode);
  EXPECT_EQ(1u, store_->counter(Counter::SpiExhausted));
  EXPECT_EQ(2u, store_->counter(Counter::FailedKernel));
  EXPECT_EQ(0u, store_->counter(Counter::FailedSm3WithoutKeys));
}

TEST_F(EngineTest, OutboundRefusedAtSm5Gives500AndNothingStays) {
  sm1();
  sm3();
  kernel.failActivations(true);
  Actions a = sm5();
  EXPECT_EQ(Verdict::Reply, a.verdict);
  EXPECT_EQ(500, a.replyCode);
  EXPECT_EQ(Event::Failed, a.event);
  EXPECT_EQ(5064, a.eventPort);
  EXPECT_EQ(4096u, a.eventSpiP);
  EXPECT_EQ(1u, store_->counter(Counter::FailedKernel));
  EXPECT_EQ(0u, kernel.livePairs());
  EXPECT_EQ(0u, store_->used());
}

TEST_F(EngineTest, ReRegistrationActivatesTheNewOutboundOnlyWhenSa11IsUsed) {
  establish(5064);
  const char* reSm1 = "esp / / hmac-md5-96 / / 1566778899 / port=5066";
  startReRegistration(reSm1);
  ASSERT_NE(nullptr, kernel.pairByUePort(5066));
  EXPECT_FALSE(kernel.pairByUePort(5066)->outboundActive);
  EXPECT_TRUE(kernel.pairByUePort(5064)->outboundActive);  // SM4 goes through SA2
  sm5(reSm1, 5066);
  EXPECT_TRUE(kernel.pairByUePort(5066)->outboundActive);  // SM8 goes through SA12
}

TEST_F(EngineTest, SpiPNeverEqualsSpiU) {
  kernel.forceSpis({5000});
  sm1("esp//hmac-md5-96//5000/port=5064");
  sm3();
  ASSERT_EQ(1u, kernel.livePairs());
  EXPECT_NE(5000u, kernel.pairs().front().id.spiP);
  EXPECT_EQ(0u, kernel.reservedCount());
  EXPECT_TRUE(kernel.violations().empty());
}

TEST_F(EngineTest, StoreFullGives503WithRetryAfterAndKeepsNothing) {
  build(2);
  callId = "a";
  sm1(kSm1, 5064);
  callId = "b";
  sm1("esp//hmac-md5-96//300/port=5070", 5070);
  callId = "c";
  Actions a = sm1("esp//hmac-md5-96//300/port=5072", 5072);
  EXPECT_EQ(Verdict::Reply, a.verdict);
  EXPECT_EQ(503, a.replyCode);
  EXPECT_EQ(policy.retryAfter, a.retryAfter);
  EXPECT_EQ(Event::Failed, a.event);
  EXPECT_STREQ("contact store full", a.eventReason);
  EXPECT_EQ(1u, store_->counter(Counter::StoreFull));
  EXPECT_EQ(3u, store_->counter(Counter::NegotiationsStarted));
  EXPECT_EQ(2u, store_->used());
}

TEST_F(EngineTest, TwoUasOnOneUeUseDifferentPairs) {
  establish(5064);
  callId = "call-2";
  impi = "bob@ims.test";
  impu = "sip:bob@ims.test";
  establish(5070);
  EXPECT_EQ(2u, kernel.livePairs());
  EXPECT_EQ(2u, store_->used());
  EXPECT_EQ(Verdict::Drop, sm5(kSm1, 5064).verdict);  // bob on alice's pair
}

TEST_F(EngineTest, KernelNoticeFindsItsContactBySpi) {
  establish(5064);
  callId = "call-2";
  establish(5070);
  callId = "call-3";
  sm1("esp / esp / hmac-sha-1-96 / aes-cbc / 3344550000 / port=5080", 5080);
  sm3(5080);  // a pending pair, no registration yet
  ASSERT_EQ(3u, kernel.livePairs());
  const kipsec::FakePair p64 = *kernel.pairByUePort(5064);
  const kipsec::FakePair p70 = *kernel.pairByUePort(5070);
  const kipsec::FakePair p80 = *kernel.pairByUePort(5080);
  // An SPI nobody has, or one of ours named with the wrong end, changes nothing.
  engine_->onSaGone(kipsec::SaGone{pcscf, 999999, true});
  engine_->onSaGone(kipsec::SaGone{ue, p64.id.spiP, true});
  engine_->onSaGone(kipsec::SaGone{pcscf, p64.id.spiU, true});
  EXPECT_EQ(3u, kernel.livePairs());
  EXPECT_EQ(3u, store_->used());
  // The SA into the UE of the 5070 registration: that contact goes, and only it.
  kernel.expireSa(ue, p70.id.spiU);  // the kernel's SA goes first (a notice of an SA it
  engine_->onSaGone(kipsec::SaGone{ue, p70.id.spiU, true});  // still holds is old news)
  EXPECT_EQ(2u, kernel.livePairs());
  EXPECT_EQ(nullptr, kernel.pairByUePort(5070));
  EXPECT_EQ(Phase::Established, phaseOf(5064));
  // The SA into the P-CSCF of the pending pair: the negotiation ends, the contact with it.
  kernel.expireSa(pcscf, p80.id.spiP);
  engine_->onSaGone(kipsec::SaGone{pcscf, p80.id.spiP, true});
  EXPECT_EQ(nullptr, kernel.pairByUePort(5080));
  EXPECT_EQ(1u, store_->used());
  EXPECT_EQ(Phase::Established, phaseOf(5064));
  EXPECT_TRUE(kernel.violations().empty());
}

}  // namespace
}  // namespace secsetup::testing
