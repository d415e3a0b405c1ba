// Security-setup and Failure grammar (profile sections 2 and 3): examples, canonical form,
// round trips, and a table of malformed or unacceptable SM1 values with their Failure reason.

#include <gtest/gtest.h>

#include <random>

#include "module/negotiation/choice.h"
#include "module/wire/failure_header.h"
#include "module/wire/setup_encode.h"
#include "module/wire/setup_grammar.h"

namespace secsetup {
namespace {

const char* kSm1 =
    "esp / esp / hmac-sha-1-96,hmac-md5-96 / aes-cbc,des-ede3-cbc / 3344556677 / port=5064";
const char* kSm4 =
    "esp / esp / hmac-sha-1-96 / aes-cbc / 1122334455 / protected-port=5060;unprotected-port=5062";

TEST(CoreGrammar, ParsesTheProfileSm1Example) {
  auto r = parseSecuritySetup(kSm1);
  ASSERT_TRUE(r.ok()) << describe(r.error());
  const SecuritySetup& s = r.value();
  EXPECT_EQ("esp", s.intMech);
  EXPECT_EQ("esp", s.confMech);
  ASSERT_EQ(2u, s.intAlgs.size());
  EXPECT_EQ("hmac-sha-1-96", s.intAlgs[0]);
  EXPECT_EQ("hmac-md5-96", s.intAlgs[1]);
  ASSERT_EQ(2u, s.confAlgs.size());
  EXPECT_EQ("des-ede3-cbc", s.confAlgs[1]);
  EXPECT_EQ(3344556677u, s.saId);
  EXPECT_EQ(5064u, s.port);
  EXPECT_EQ(kSm1, encodeSecuritySetup(s));
}

TEST(CoreGrammar, ParsesTheProfileSm4Example) {
  auto r = parseSecuritySetup(kSm4);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(5060u, r.value().protectedPort);
  EXPECT_EQ(5062u, r.value().unprotectedPort);
  EXPECT_EQ(kSm4, encodeSecuritySetup(r.value()));
}

TEST(CoreGrammar, IntegrityOnlyAndNoInfo) {
  auto r = parseSecuritySetup("esp / / hmac-md5-96 / / 3344556677 / port=5064");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r.value().hasConfidentiality());
  EXPECT_EQ("esp / / hmac-md5-96 / / 3344556677 / port=5064", encodeSecuritySetup(r.value()));
  auto bare = parseSecuritySetup("esp//hmac-md5-96//300");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ("esp / / hmac-md5-96 / / 300", encodeSecuritySetup(bare.value()));
  auto emptyInfo = parseSecuritySetup("esp//hmac-md5-96//300/");
  ASSERT_TRUE(emptyInfo.ok());
  EXPECT_EQ(bare.value(), emptyInfo.value());
}

TEST(CoreGrammar, ToleratesWhitespaceFoldingAndCase) {
  auto r = parseSecuritySetup(
      "  ESP/Esp /\tHMAC-SHA-1-96 , hmac-md5-96/AES-CBC\r\n /3344556677/ PORT = 5064 ; X=\"a/b;c\"  ");
  ASSERT_TRUE(r.ok()) << describe(r.error());
  EXPECT_EQ("esp / esp / hmac-sha-1-96,hmac-md5-96 / aes-cbc / 3344556677 / port=5064;x=\"a/b;c\"",
            encodeSecuritySetup(r.value()));
}

TEST(CoreGrammar, UnknownInfoParametersAreKept) {
  auto r = parseSecuritySetup("esp//hmac-md5-96//300/foo=bar;port=7;baz=\"q\"");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(2u, r.value().extraInfo.size());
  EXPECT_EQ("foo", r.value().extraInfo[0].name);
  EXPECT_EQ("esp / / hmac-md5-96 / / 300 / port=7;foo=bar;baz=\"q\"",
            encodeSecuritySetup(r.value()));
}

TEST(CoreGrammar, ErrorsNameFieldAndReason) {
  auto r = parseSecuritySetup("esp / esp / hmac-md5-96 / / 300");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(SetupField::ConfAlgs, r.error().field);
  EXPECT_EQ("conf-algs: conf-mech without conf-algs (offset 26)", describe(r.error()));
  auto p = parseSecuritySetup("esp//hmac-md5-96//300/port=70000");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(SetupField::Port, p.error().field);
}

// The verdict of the whole SM1 check chain for one value: grammar, structure, choice.
FailureReason sm1Verdict(const std::string& value, ConfPolicy conf = ConfPolicy::Preferred) {
  auto r = parseSecuritySetup(value);
  if (!r.ok()) {
    return FailureReason::MalformedSecuritySetup;
  }
  Rejection why;
  if (!checkProposal(r.value(), ProposalContext{}, why)) {
    return why.reason;
  }
  Policy policy;
  policy.confidentiality = conf;
  Choice c;
  if (!choose(policy, r.value(), c, why)) {
    return why.reason;
  }
  return FailureReason::None;
}

struct BadCase {
  const char* value;
  FailureReason expected;
};

constexpr FailureReason kMal = FailureReason::MalformedSecuritySetup;
constexpr FailureReason kUns = FailureReason::UnsupportedMechanism;
constexpr FailureReason kNoInt = FailureReason::NoCommonIntegrityAlgorithm;

const BadCase kBadCases[] = {
    {"", kMal},
    {"   ", kMal},
    {"esp", kMal},
    {"esp /", kMal},
    {"esp / esp", kMal},
    {"esp / esp /", kMal},
    {"esp / esp / hmac-md5-96", kMal},
    {"esp / esp / hmac-md5-96 / aes-cbc", kMal},
    {"esp / esp / hmac-md5-96 / aes-cbc /", kMal},
    {"esp / / / / 300", kMal},
    {"/ / hmac-md5-96 / / 300", kMal},
    {"esp / esp / hmac-md5-96 / / 300", kMal},
    {"esp / / hmac-md5-96 / aes-cbc / 300", kMal},
    {"esp / / hmac-md5-96, / / 300", kMal},
    {"esp / / ,hmac-md5-96 / / 300", kMal},
    {"esp / / hmac-md5-96,,hmac-sha-1-96 / / 300", kMal},
    {"esp / / hmac-md5-96,hmac-md5-96 / / 300", kMal},
    {"esp / / a,b,c,d,e,f,g,h,i / / 300", kMal},
    {"esp / / hmac-md5-96 / / ", kMal},
    {"esp / / hmac-md5-96 / / abc", kMal},
    {"esp / / hmac-md5-96 / / 12345678901", kMal},
    {"esp / / hmac-md5-96 / / 4294967296", kMal},
    {"esp / / hmac-md5-96 / / -5", kMal},
    {"esp / / hmac-md5-96 / / 255", kMal},
    {"esp / / hmac-md5-96 / / 0", kMal},
    {"esp / / hmac-md5-96 / / 300 x", kMal},
    {"esp / / hmac-md5-96 / / 300 / port", kMal},
    {"esp / / hmac-md5-96 / / 300 / port=", kMal},
    {"esp / / hmac-md5-96 / / 300 / port=0", kMal},
    {"esp / / hmac-md5-96 / / 300 / port=65536", kMal},
    {"esp / / hmac-md5-96 / / 300 / port=50a", kMal},
    {"esp / / hmac-md5-96 / / 300 / port=\"5064\"", kMal},
    {"esp / / hmac-md5-96 / / 300 / port=5064;port=5065", kMal},
    {"esp / / hmac-md5-96 / / 300 / port=5064;", kMal},
    {"esp / / hmac-md5-96 / / 300 / ;port=5064", kMal},
    {"esp / / hmac-md5-96 / / 300 / port=5064 x=1", kMal},
    {"esp / / hmac-md5-96 / / 300 / x=\"unterminated", kMal},
    {"esp / / hmac-md5-96 / / 300 / x=1;x=2", kMal},
    {"esp / / hmac-md5-96 / / 300 / port=5064 / extra", kMal},
    {"esp / / hmac-md5-96 / / 300 / protected-port=5060", kMal},
    {"esp / / hmac-md5-96 / / 300 / unprotected-port=5062", kMal},
    {"esp\r\n/ / hmac-md5-96 / / 300", kMal},
    {"esp / / hmac-md5-96\n / / 300", kMal},
    {"esp / / hmac md5 / / 300", kMal},
    {"esp / / hmac-md5-96 / / 300 / p=a\"b", kMal},
    {"esp / / hmac-md5-96 / / 300 / x=\"a\\", kMal},
    {"esp / / aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa / / 300", kMal},  // name of 33 characters
    {"esp / / hmac-md5-96 / / 300 / x=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", kMal},
    {"esp / / hmac-md5-96 / / 300 / a=1;b=2;c=3;d=4;e=5;f=6;g=7;h=8;i=9", kMal},
    {"ah / / hmac-md5-96 / / 300", kUns},
    {"ESP2 / / hmac-md5-96 / / 300", kUns},
    {"esp / tls / hmac-md5-96 / aes-cbc / 300", kUns},
    {"esp / / hmac-sha-256 / / 300", kNoInt},
    {"esp / / hmac-md5-95,hmac-sha1 / / 300", kNoInt},
};

TEST(CoreGrammar, QuotedValuesLongerThanOneWord) {
  // Quoted text is skipped a word at a time: escapes, tabs and control characters must be
  // seen wherever they fall.
  auto ok = parseSecuritySetup("esp / / a / / 300 / x=\"0123456789abcdef\\\"0123\t456789\"");
  ASSERT_TRUE(ok.ok()) << describe(ok.error());
  EXPECT_EQ("0123456789abcdef\\\"0123\t456789", ok.value().extraInfo[0].value.view());
  auto ctl = parseSecuritySetup("esp / / a / / 300 / x=\"0123456789\\\"abcdefgh\x01\"");
  ASSERT_FALSE(ctl.ok());
  EXPECT_EQ("info: unterminated quoted-string (offset 35)", describe(ctl.error()));
  auto open = parseSecuritySetup("esp / / a / / 300 / x=\"0123456789abcdefghij");
  ASSERT_FALSE(open.ok());
  EXPECT_EQ("info: unterminated quoted-string (offset 43)", describe(open.error()));
}

TEST(CoreGrammar, MalformedTableGivesTheExpectedFailureReason) {
  EXPECT_GE(sizeof(kBadCases) / sizeof(kBadCases[0]), 40u);
  for (const BadCase& c : kBadCases) {
    EXPECT_EQ(toString(c.expected), std::string(toString(sm1Verdict(c.value)))) << c.value;
  }
}

TEST(CoreGrammar, ConfidentialityPolicyReasons) {
  const char* aesOnlyNull = "esp / esp / hmac-md5-96 / null / 300";
  EXPECT_EQ(FailureReason::NoCommonConfidentialityAlgorithm,
            sm1Verdict(aesOnlyNull, ConfPolicy::Required));
  EXPECT_EQ(FailureReason::None, sm1Verdict(aesOnlyNull, ConfPolicy::Preferred));
  EXPECT_EQ(FailureReason::NoCommonConfidentialityAlgorithm,
            sm1Verdict("esp / / hmac-md5-96 / / 300", ConfPolicy::Required));
  EXPECT_EQ(FailureReason::None, sm1Verdict("esp / / hmac-md5-96 / / 300", ConfPolicy::Off));
}

TEST(CoreGrammar, FailureHeaderParsesEveryReasonAndRejectsJunk) {
  for (int i = 1; i <= static_cast<int>(FailureReason::UserAuthenticationFailure); ++i) {
    auto r = static_cast<FailureReason>(i);
    FailureReason back = FailureReason::None;
    ASSERT_TRUE(parseFailure(std::string(" ") + toString(r) + "\t", back));
    EXPECT_EQ(r, back);
  }
  FailureReason x;
  EXPECT_TRUE(parseFailure("securitysetupmismatch", x));
  EXPECT_EQ(FailureReason::SecuritySetupMismatch, x);
  EXPECT_FALSE(parseFailure("", x));
  EXPECT_FALSE(parseFailure("Unknown", x));
  EXPECT_FALSE(parseFailure("SecuritySetupMismatch extra", x));
  EXPECT_FALSE(parseFailure("NoCommonIntegrityAlgorithm,UnsupportedMechanism", x));
}

// Round-trip property: for random well-formed values, parse(encode(v)) == v and encoding is
// a fixed point.
TEST(CoreGrammar, RoundTripProperty) {
  std::mt19937 rng(20011);
  const char* ints[] = {"hmac-md5-96", "hmac-sha-1-96", "x-int", "Other.Alg"};
  const char* confs[] = {"aes-cbc", "des-ede3-cbc", "null", "x-conf"};
  for (int n = 0; n < 2000; ++n) {
    std::string v = rng() % 2 ? "esp" : "ESP";
    bool conf = rng() % 2;
    v += rng() % 2 ? " / " : "/";
    if (conf) {
      v += "esp";
    }
    v += " /\t";
    unsigned nInt = 1 + rng() % 4;
    for (unsigned i = 0; i < nInt; ++i) {
      v += (i ? " , " : "");
      v += ints[(i + n) % 4];
    }
    v += "/";
    if (conf) {
      unsigned nConf = 1 + rng() % 4;
      for (unsigned i = 0; i < nConf; ++i) {
        v += (i ? "," : "");
        v += confs[(i + n) % 4];
      }
    }
    v += " / " + std::to_string(256 + rng() % 4000000000u);
    if (rng() % 2) {
      v += " / port=" + std::to_string(1 + rng() % 65535);
      if (rng() % 2) {
        v += ";tag=\"a b/c\";k=v";
      }
    }
    auto first = parseSecuritySetup(v);
    ASSERT_TRUE(first.ok()) << v << " " << describe(first.error());
    std::string enc = encodeSecuritySetup(first.value());
    auto second = parseSecuritySetup(enc);
    ASSERT_TRUE(second.ok()) << enc;
    EXPECT_EQ(first.value(), second.value()) << v;
    EXPECT_EQ(enc, encodeSecuritySetup(second.value()));
  }
}

}  // namespace
}  // namespace secsetup
