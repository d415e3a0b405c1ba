// Profile section 8 item 10: the UE role, alone and against the P-CSCF engine (both ends
// must derive the same keys for the same SAs).

#include "tests/unit/core_engine_fixture.h"

#include "module/negotiation/ue_role.h"

namespace secsetup::testing {
namespace {

class UeTest : public EngineTest {
 protected:
  UeConfig ueConfig() {
    UeConfig c;
    c.ue = ue;
    c.pcscf = pcscf;
    return c;
  }
  static void keysFromHex(AkaKeys& k) {
    ASSERT_TRUE(parseHexKey(kIkHex, k.ik));
    ASSERT_TRUE(parseHexKey(kCkHex, k.ck));
    k.hasCk = true;
  }
  kipsec::FakeKernelIpsec ueKernel;
};

TEST_F(UeTest, RefusesAnAnswerItDidNotProposeAndStops) {
  UeConfig c = ueConfig();
  c.integrity = {IntegrityAlg::HmacMd5_96};
  UeSession s(c, ueKernel);
  std::string sm1;
  ASSERT_EQ(Status::Ok, s.startRegistration(5064, sm1));
  EXPECT_EQ(1u, ueKernel.reservedCount());
  AkaKeys keys;
  keysFromHex(keys);
  Rejection why;
  EXPECT_EQ(Status::InvalidArg,
            s.onSm4("esp / esp / hmac-sha-1-96 / aes-cbc / 4096 / protected-port=5060;"
                    "unprotected-port=5062",
                    keys, why));
  EXPECT_EQ(FailureReason::NoCommonIntegrityAlgorithm, why.reason);
  EXPECT_EQ(UeState::Stopped, s.state());
  EXPECT_EQ(0u, ueKernel.livePairs());
  EXPECT_EQ(0u, ueKernel.reservedCount());
  EXPECT_EQ(Status::InvalidState, s.onSm4("esp//hmac-md5-96//4096", keys, why));
}

TEST_F(UeTest, InstallsOnlyAfterAValidSm4WithTheSameKeysAsThePcscf) {
  UeSession s(ueConfig(), ueKernel);
  std::string sm1;
  ASSERT_EQ(Status::Ok, s.startRegistration(5064, sm1));
  EXPECT_EQ(0u, ueKernel.livePairs());
  ASSERT_EQ(Verdict::Relay, EngineTest::sm1(sm1, 5064).verdict);
  Actions a3 = sm3();
  ASSERT_FALSE(a3.securitySetup.empty());
  EXPECT_EQ(0u, ueKernel.livePairs());
  AkaKeys keys;
  keysFromHex(keys);
  Rejection why;
  ASSERT_EQ(Status::Ok, s.onSm4(a3.securitySetup, keys, why)) << why.detail;
  ASSERT_EQ(1u, ueKernel.livePairs());
  const auto& mine = ueKernel.pairs().front();
  const auto& theirs = kernel.pairs().front();
  EXPECT_EQ(kipsec::Role::Ue, mine.params.local);
  EXPECT_EQ(theirs.id.spiP, mine.id.spiP);
  EXPECT_EQ(theirs.id.spiU, mine.id.spiU);
  EXPECT_EQ(theirs.params.uePort, mine.params.uePort);
  EXPECT_EQ(theirs.params.pcscfProtectedPort, mine.params.pcscfProtectedPort);
  EXPECT_EQ(theirs.params.integrity, mine.params.integrity);
  EXPECT_EQ(theirs.params.cipher, mine.params.cipher);
  auto same = [](const kipsec::KeyBytes& a, const kipsec::KeyBytes& b) {
    return a.size() == b.size() && memcmp(a.data(), b.data(), a.size()) == 0;
  };
  EXPECT_TRUE(same(theirs.params.integrityKeyToPcscf, mine.params.integrityKeyToPcscf));
  EXPECT_TRUE(same(theirs.params.integrityKeyToUe, mine.params.integrityKeyToUe));
  EXPECT_TRUE(same(theirs.params.cipherKey, mine.params.cipherKey));
  EXPECT_EQ(Verdict::Relay, sm5(s.sm5(), 5064).verdict);
  sm7(200);
  EXPECT_EQ(Status::Ok, s.onSm8(200));
  EXPECT_EQ(UeState::Registered, s.state());
  EXPECT_EQ(Phase::Established, phaseOf(5064));
}

TEST_F(UeTest, ReRegistrationRetiresTheOldPairAfterSa12CarriesAMessage) {
  UeSession s(ueConfig(), ueKernel);
  AkaKeys keys;
  keysFromHex(keys);
  Rejection why;
  std::string sm1;
  ASSERT_EQ(Status::Ok, s.startRegistration(5064, sm1));
  EngineTest::sm1(sm1, 5064);
  ASSERT_EQ(Status::Ok, s.onSm4(sm3().securitySetup, keys, why));
  sm5(s.sm5(), 5064);
  sm7(200);
  ASSERT_EQ(Status::Ok, s.onSm8(200));
  EXPECT_EQ(Status::InvalidArg, s.startRegistration(5064, sm1));  // needs a new port
  ASSERT_EQ(Status::Ok, s.startRegistration(5066, sm1));
  ASSERT_EQ(Verdict::Relay, request(Path::Protected, 5064, {sm1}).verdict);
  ASSERT_EQ(Status::Ok, s.onSm4(sm3(5064).securitySetup, keys, why)) << why.detail;
  EXPECT_EQ(2u, ueKernel.livePairs());
  sm5(s.sm5(), 5066);
  sm7(200, 5066);
  ASSERT_EQ(Status::Ok, s.onSm8(200));
  EXPECT_TRUE(s.hasOldPair());  // SA2 kept until SA12 carries a message
  EXPECT_EQ(Status::Ok, s.onMessageThroughNewPair());
  EXPECT_FALSE(s.hasOldPair());
  ASSERT_EQ(1u, ueKernel.livePairs());
  EXPECT_EQ(5066, ueKernel.pairs().front().params.uePort);
  EXPECT_TRUE(ueKernel.violations().empty());
}

TEST_F(UeTest, FailedReRegistrationKeepsTheOldPair) {
  UeSession s(ueConfig(), ueKernel);
  AkaKeys keys;
  keysFromHex(keys);
  Rejection why;
  std::string sm1;
  s.startRegistration(5064, sm1);
  EngineTest::sm1(sm1, 5064);
  s.onSm4(sm3().securitySetup, keys, why);
  sm5(s.sm5(), 5064);
  sm7(200);
  s.onSm8(200);
  ASSERT_EQ(Status::Ok, s.startRegistration(5066, sm1));
  request(Path::Protected, 5064, {sm1});
  ASSERT_EQ(Status::Ok, s.onSm4(sm3(5064).securitySetup, keys, why));
  ASSERT_EQ(Status::Ok, s.onSm8(403));
  EXPECT_EQ(1u, ueKernel.livePairs());
  EXPECT_EQ(5064, s.currentPort());
  s.reset();
  EXPECT_EQ(0u, ueKernel.livePairs());
}

}  // namespace
}  // namespace secsetup::testing
