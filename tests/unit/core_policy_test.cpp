// Policy parameters and the P-CSCF's choice (profile section 4) and the UE's SM4 check.

#include <gtest/gtest.h>

#include <cctype>
#include <string>

#include "module/negotiation/choice.h"
#include "module/negotiation/policy.h"
#include "module/wire/setup_encode.h"

namespace secsetup {
namespace {

SecuritySetup parse(const char* v) {
  auto r = parseSecuritySetup(v);
  EXPECT_TRUE(r.ok()) << v;
  return r.value();
}

TEST(CorePolicy, WireNamesReadBackInAnyCase) {
  for (IntegrityAlg a : {IntegrityAlg::HmacMd5_96, IntegrityAlg::HmacSha1_96}) {
    IntegrityAlg got = a == IntegrityAlg::HmacMd5_96 ? IntegrityAlg::HmacSha1_96
                                                     : IntegrityAlg::HmacMd5_96;
    std::string upper = wireName(a);
    for (char& c : upper) {
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    ASSERT_TRUE(integrityFromWire(upper, got)) << upper;
    EXPECT_EQ(a, got);
  }
  for (CipherAlg a : {CipherAlg::Null, CipherAlg::AesCbc, CipherAlg::DesEde3Cbc}) {
    CipherAlg got = CipherAlg::None;
    ASSERT_TRUE(cipherFromWire(wireName(a), got)) << wireName(a);
    EXPECT_EQ(a, got);
  }
  IntegrityAlg i;
  CipherAlg c;
  EXPECT_FALSE(integrityFromWire("hmac-md5-9", i));
  EXPECT_FALSE(cipherFromWire("", c));
}

TEST(CorePolicy, ParsesModuleParameters) {
  FixedList<IntegrityAlg, 2> ints;
  ASSERT_EQ(Status::Ok, parseIntegrityOrder("hmac-md5-96, HMAC-SHA-1-96", ints));
  ASSERT_EQ(2u, ints.size());
  EXPECT_EQ(IntegrityAlg::HmacMd5_96, ints[0]);
  EXPECT_EQ(Status::InvalidArg, parseIntegrityOrder("hmac-md5-96,hmac-md5-96", ints));
  EXPECT_EQ(Status::InvalidArg, parseIntegrityOrder("", ints));
  EXPECT_EQ(Status::InvalidArg, parseIntegrityOrder("sha2", ints));
  FixedList<CipherAlg, 3> ciphers;
  ASSERT_EQ(Status::Ok, parseCipherOrder("null,aes-cbc", ciphers));
  EXPECT_EQ(CipherAlg::Null, ciphers[0]);
  ConfPolicy c;
  EXPECT_EQ(Status::Ok, parseConfPolicy("Required", c));
  EXPECT_EQ(ConfPolicy::Required, c);
  EXPECT_EQ(Status::InvalidArg, parseConfPolicy("maybe", c));
  FailureMode m;
  EXPECT_EQ(Status::Ok, parseFailureMode("reply", m));
  EXPECT_EQ(FailureMode::Reply, m);
  KeyDerivation k;
  EXPECT_EQ(Status::Ok, parseKeyDerivation("rotate", k));
  EXPECT_EQ(KeyDerivation::Rotate, k);
  Policy p;
  EXPECT_EQ(Status::Ok, validatePolicy(p));
  p.unprotectedPort = p.protectedPort;
  EXPECT_EQ(Status::InvalidArg, validatePolicy(p));
  p = Policy{};
  p.spiMin = 100;
  EXPECT_EQ(Status::InvalidArg, validatePolicy(p));
}

TEST(CorePolicy, ChoiceFollowsThePcscfOrderNotTheUes) {
  Policy p;  // sha-1 before md5, aes before 3des
  Choice c;
  Rejection why;
  ASSERT_TRUE(choose(p, parse("esp/esp/hmac-md5-96,hmac-sha-1-96/des-ede3-cbc,aes-cbc/300"), c,
                     why));
  EXPECT_EQ(IntegrityAlg::HmacSha1_96, c.integrity);
  EXPECT_EQ(CipherAlg::AesCbc, c.cipher);
  p.integrityOrder = {IntegrityAlg::HmacMd5_96};
  ASSERT_TRUE(choose(p, parse("esp/esp/hmac-md5-96,hmac-sha-1-96/des-ede3-cbc/300"), c, why));
  EXPECT_EQ(IntegrityAlg::HmacMd5_96, c.integrity);
  EXPECT_EQ(CipherAlg::DesEde3Cbc, c.cipher);
  p.confidentiality = ConfPolicy::Off;
  ASSERT_TRUE(choose(p, parse("esp/esp/hmac-md5-96/aes-cbc/300"), c, why));
  EXPECT_EQ(CipherAlg::None, c.cipher);
  EXPECT_FALSE(choose(p, parse("esp//hmac-sha-1-96//300"), c, why));
  EXPECT_EQ(FailureReason::NoCommonIntegrityAlgorithm, why.reason);
}

TEST(CorePolicy, ReRegistrationNeedsANewPort) {
  Rejection why;
  EXPECT_FALSE(checkProposal(parse("esp//hmac-md5-96//300"), {true, 5064}, why));
  EXPECT_EQ(FailureReason::MalformedSecuritySetup, why.reason);
  EXPECT_FALSE(checkProposal(parse("esp//hmac-md5-96//300/port=5064"), {true, 5064}, why));
  EXPECT_TRUE(checkProposal(parse("esp//hmac-md5-96//300/port=5066"), {true, 5064}, why));
  EXPECT_TRUE(checkProposal(parse("esp//hmac-md5-96//300"), {false, 0}, why));
}

TEST(CorePolicy, UeChecksTheAnswer) {
  SecuritySetup proposal = parse("esp/esp/hmac-md5-96/aes-cbc/300/port=5064");
  Choice c;
  Rejection why;
  SecuritySetup good = makeAnswer(Choice{IntegrityAlg::HmacMd5_96, CipherAlg::AesCbc}, 5000,
                                  5060, 5062);
  ASSERT_TRUE(checkAnswer(proposal, good, c, why));
  EXPECT_EQ(CipherAlg::AesCbc, c.cipher);
  EXPECT_TRUE(checkAnswer(proposal,
                          makeAnswer(Choice{IntegrityAlg::HmacMd5_96, CipherAlg::None}, 5000,
                                     5060, 5062),
                          c, why));
  EXPECT_FALSE(checkAnswer(proposal,
                           makeAnswer(Choice{IntegrityAlg::HmacSha1_96, CipherAlg::AesCbc}, 5000,
                                      5060, 5062),
                           c, why));
  EXPECT_EQ(FailureReason::NoCommonIntegrityAlgorithm, why.reason);
  EXPECT_FALSE(checkAnswer(proposal,
                           makeAnswer(Choice{IntegrityAlg::HmacMd5_96, CipherAlg::DesEde3Cbc},
                                      5000, 5060, 5062),
                           c, why));
  EXPECT_FALSE(checkAnswer(proposal, parse("esp/esp/hmac-md5-96,hmac-sha-1-96/aes-cbc/5000/"
                                           "protected-port=5060;unprotected-port=5062"),
                           c, why));
  EXPECT_FALSE(checkAnswer(proposal, parse("esp/esp/hmac-md5-96/aes-cbc/5000"), c, why));
}

// SM4's line written directly is the encoded answer value, for every choice and port case.
TEST(CorePolicy, AnswerLineIsTheEncodedAnswer) {
  for (IntegrityAlg a : {IntegrityAlg::HmacMd5_96, IntegrityAlg::HmacSha1_96}) {
    for (CipherAlg e : {CipherAlg::None, CipherAlg::Null, CipherAlg::AesCbc, CipherAlg::DesEde3Cbc}) {
      for (uint32_t spi : {256u, 5000u, 4294967295u}) {
        for (uint16_t pp : {0, 1, 5060, 65535}) {
          for (uint16_t up : {0, 5062}) {
            Choice c{a, e};
            SetupLine direct;
            encodeAnswer(c, spi, pp, up, direct);
            SetupLine viaValue;
            encodeSecuritySetup(makeAnswer(c, spi, pp, up), viaValue);
            EXPECT_EQ(viaValue, direct);
          }
        }
      }
    }
  }
  SetupLine line;
  encodeAnswer(Choice{IntegrityAlg::HmacSha1_96, CipherAlg::AesCbc}, 1122334455, 5060, 5062, line);
  EXPECT_EQ("esp / esp / hmac-sha-1-96 / aes-cbc / 1122334455 / "
            "protected-port=5060;unprotected-port=5062",
            line);
}

}  // namespace
}  // namespace secsetup
