// Keys (profile section 5) pinned by fixed vectors (computed independently with Python's
// hmac module), IK/CK extraction from the challenge, and key layout per algorithm.

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "module/wire/auth_params.h"
#include "module/c_api/core_api.h"
#include "module/negotiation/engine.h"
#include "module/keys/key_derivation.h"
#include "module/wire/setup_encode.h"
#include "module/wire/setup_grammar.h"
#include "tests/unit/hex_text.h"

namespace secsetup {
namespace {

// Milenage test set 1 IK and CK (3GPP TS 35.207).
const char* kIk = "f769bcd751044604127672711c6d3441";
const char* kCk = "b40ba9a3c58b2a05bbf0d987b21bf8cb";

// The SM1 fingerprint (setupDigest) of a Security-setup value that parses.
std::array<uint8_t, 32> digest(const std::string& v) {
  auto r = parseSecuritySetup(v);
  EXPECT_TRUE(r.ok()) << v;
  std::array<uint8_t, 32> d{};
  if (r.ok()) {
    setupDigest(r.value(), d.data());
  }
  return d;
}

struct Vector {
  KeyDerivation mode;
  unsigned bits;
  const char* toPcscf;
  const char* toUe;
};

TEST(CoreKeys, DerivationVectors) {
  const Vector vectors[] = {
      {KeyDerivation::HmacSha256, 64, "2ffbbc71b9f59bc8500f8dff219a572f",
       "d9c96c7ad28d09d6d8f60b6234bf1a9c"},
      {KeyDerivation::Rotate, 64, kIk, "127672711c6d3441f769bcd751044604"},
      {KeyDerivation::Rotate, 5, kIk, "ed379aea2088c0824ece4e238da6883e"},
      {KeyDerivation::Rotate, 127, kIk, "fbb4de6ba8822302093b39388e369a20"},
      {KeyDerivation::Rotate, 0, kIk, kIk},
      {KeyDerivation::None, 64, kIk, kIk},
  };
  uint8_t ik[16];
  ASSERT_TRUE(parseHexKey(kIk, ik));
  for (const Vector& v : vectors) {
    uint8_t in[16], out[16];
    deriveIntegrityKeys(v.mode, v.bits, ik, in, out);
    EXPECT_EQ(v.toPcscf, hex(in, 16)) << static_cast<int>(v.mode) << " " << v.bits;
    EXPECT_EQ(v.toUe, hex(out, 16)) << static_cast<int>(v.mode) << " " << v.bits;
  }
}

TEST(CoreKeys, AlgorithmLayouts) {
  AkaKeys keys;
  ASSERT_TRUE(parseHexKey(kIk, keys.ik));
  ASSERT_TRUE(parseHexKey(kCk, keys.ck));
  keys.hasCk = true;
  kipsec::SaPairParams p;
  ASSERT_TRUE(fillSaKeys(KeyDerivation::None, 64,
                         Choice{IntegrityAlg::HmacSha1_96, CipherAlg::DesEde3Cbc}, keys, p));
  EXPECT_EQ(std::string(kIk) + "00000000", hex(p.integrityKeyToPcscf.data(), 20));
  EXPECT_EQ(20u, p.integrityKeyToUe.size());
  EXPECT_EQ(std::string(kCk) + "b40ba9a3c58b2a05", hex(p.cipherKey.data(), p.cipherKey.size()));
  ASSERT_TRUE(fillSaKeys(KeyDerivation::HmacSha256, 64,
                         Choice{IntegrityAlg::HmacMd5_96, CipherAlg::AesCbc}, keys, p));
  EXPECT_EQ("2ffbbc71b9f59bc8500f8dff219a572f", hex(p.integrityKeyToPcscf.data(), 16));
  EXPECT_EQ(16u, p.integrityKeyToPcscf.size());
  EXPECT_EQ(kCk, hex(p.cipherKey.data(), p.cipherKey.size()));
  ASSERT_TRUE(fillSaKeys(KeyDerivation::None, 64,
                         Choice{IntegrityAlg::HmacMd5_96, CipherAlg::Null}, keys, p));
  EXPECT_EQ(0u, p.cipherKey.size());
  keys.hasCk = false;
  EXPECT_FALSE(fillSaKeys(KeyDerivation::None, 64,
                          Choice{IntegrityAlg::HmacMd5_96, CipherAlg::AesCbc}, keys, p));
}

TEST(CoreKeys, HexKeysAreStrict) {
  uint8_t k[16];
  EXPECT_TRUE(parseHexKey("F769BCD751044604127672711C6D3441", k));
  EXPECT_FALSE(parseHexKey("f769bcd751044604127672711c6d344", k));
  EXPECT_FALSE(parseHexKey("f769bcd751044604127672711c6d34411", k));
  EXPECT_FALSE(parseHexKey("g769bcd751044604127672711c6d3441", k));
  EXPECT_FALSE(parseHexKey("", k));
}

// A non-hex byte anywhere (the last digit too) refuses the key and leaves nothing of it.
TEST(CoreKeys, HexKeyWithABadDigitAnywhereIsWiped) {
  const std::string good = "F769BCD751044604127672711C6D3441";
  for (std::size_t at = 0; at < good.size(); ++at) {
    for (char bad : {'g', 'G', ' ', '\0', '/', ':', '@', '`', '\xff'}) {
      std::string h = good;
      h[at] = bad;
      uint8_t k[16];
      EXPECT_FALSE(parseHexKey(h, k)) << at;
      EXPECT_EQ(std::string(32, '0'), hex(k, 16)) << at;
    }
  }
}

// The decoder against a reference reading: every byte value at every position, every digit in
// both cases, every length around 32.
int referenceHexDigit(unsigned char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

TEST(CoreKeys, HexKeyDecodesEveryByteAtEveryPositionLikeTheReference) {
  const std::string base = "0123456789abcdefABCDEF0f1e2d3c4b";
  for (std::size_t at = 0; at < base.size(); ++at) {
    for (int b = 0; b < 256; ++b) {
      std::string h = base;
      h[at] = static_cast<char>(b);
      uint8_t k[16];
      std::fill(k, k + 16, 0xAA);
      bool valid = referenceHexDigit(static_cast<unsigned char>(b)) >= 0;
      ASSERT_EQ(valid, parseHexKey(h, k)) << at << " " << b;
      if (!valid) {
        ASSERT_EQ(std::string(32, '0'), hex(k, 16)) << at << " " << b;
        continue;
      }
      for (std::size_t i = 0; i < 16; ++i) {
        int want = referenceHexDigit(static_cast<unsigned char>(h[2 * i])) * 16 +
                   referenceHexDigit(static_cast<unsigned char>(h[2 * i + 1]));
        ASSERT_EQ(want, k[i]) << at << " " << b << " byte " << i;
      }
    }
  }
}

TEST(CoreKeys, HexKeyCaseAndLength) {
  uint8_t lower[16], upper[16], mixed[16];
  ASSERT_TRUE(parseHexKey("00ff10ef20df30cf40bf50af609f708f", lower));
  ASSERT_TRUE(parseHexKey("00FF10EF20DF30CF40BF50AF609F708F", upper));
  ASSERT_TRUE(parseHexKey("00Ff10eF20Df30cF40Bf50aF609f708F", mixed));
  EXPECT_EQ("00ff10ef20df30cf40bf50af609f708f", hex(lower, 16));
  EXPECT_EQ(hex(lower, 16), hex(upper, 16));
  EXPECT_EQ(hex(lower, 16), hex(mixed, 16));
  const std::string digits(40, 'a');
  for (std::size_t len = 0; len <= digits.size(); ++len) {
    uint8_t k[16];
    EXPECT_EQ(len == 32, parseHexKey(std::string_view(digits).substr(0, len), k)) << len;
  }
}

TEST(CoreKeys, AkaKeysWipe) {
  AkaKeys keys;
  ASSERT_TRUE(parseHexKey(kIk, keys.ik));
  keys.wipe();
  EXPECT_EQ(std::string(32, '0'), hex(keys.ik, 16));
}

TEST(CoreKeys, ChallengeLosesIkAndCk) {
  AkaKeys keys;
  std::string out;
  std::string v = std::string("Digest realm=\"ims.test\", nonce=\"abc\", algorithm=AKAv1-MD5, ik=\"") +
                  kIk + "\", ck=\"" + kCk + "\", qop=\"auth\"";
  ChallengeKeys r = extractChallengeKeys(v, keys, out);
  EXPECT_TRUE(r.parsed && r.ikValid && r.ckValid);
  EXPECT_EQ("Digest realm=\"ims.test\", nonce=\"abc\", algorithm=AKAv1-MD5, qop=\"auth\"", out);
  EXPECT_EQ(kIk, hex(keys.ik, 16));
  EXPECT_TRUE(keys.hasCk);

  r = extractChallengeKeys(std::string("Digest ik=\"") + kIk + "\",nonce=\"n\"", keys, out);
  EXPECT_TRUE(r.ikValid);
  EXPECT_FALSE(r.hadCk);
  EXPECT_EQ("Digest nonce=\"n\"", out);

  r = extractChallengeKeys("Digest nonce=\"n\", ik=\"00\"", keys, out);
  EXPECT_TRUE(r.hadIk);
  EXPECT_FALSE(r.ikValid);
  EXPECT_EQ("Digest nonce=\"n\"", out);

  r = extractChallengeKeys("Digest nonce=\"n", keys, out);
  EXPECT_FALSE(r.parsed);
}

// The last resort for a reply the glue cannot edit: the keys' values go in place, nothing
// else moves, and the C boundary does the same.
TEST(CoreKeys, ScrubOverwritesOnlyTheKeyValuesInPlace) {
  std::string v = std::string("Digest realm=\"ims.test\", nonce=\"abc\", IK=\"") + kIk +
                  "\", ck=" + kCk + ", qop=\"auth\"";
  std::string expected = std::string("Digest realm=\"ims.test\", nonce=\"abc\", IK=\"") +
                         std::string(32, '0') + "\", ck=" + std::string(32, '0') +
                         ", qop=\"auth\"";
  EXPECT_EQ(64u, scrubChallengeKeys(v.data(), v.size()));
  EXPECT_EQ(expected, v);
  EXPECT_EQ(std::string::npos, v.find(kIk));
  EXPECT_EQ(std::string::npos, v.find(kCk));

  std::string none = "Digest realm=\"ims.test\", nonce=\"abc\"";
  std::string before = none;
  EXPECT_EQ(0u, scrubChallengeKeys(none.data(), none.size()));
  EXPECT_EQ(before, none);

  // Unreadable to its end: a key after the fault could not be found, so nothing stays.
  std::string bad = std::string("Digest nonce=\"abc\", ik=\"") + kIk + "\", junk junk";
  EXPECT_EQ(bad.size(), scrubChallengeKeys(bad.data(), bad.size()));
  EXPECT_EQ(std::string(bad.size(), 'x'), bad);

  std::string c = std::string("Digest nonce=\"n\", ik=\"") + kIk + "\"";
  EXPECT_EQ(32u, secsetup_scrub_challenge_keys(c.data(), c.size()));
  EXPECT_EQ(std::string("Digest nonce=\"n\", ik=\"") + std::string(32, '0') + "\"", c);
  EXPECT_EQ(0u, secsetup_scrub_challenge_keys(nullptr, 0));
}

// hmac-sha256 is the first 128 bits of HMAC-SHA-256(IK, label) for any IK, "IK_IM_in" into
// the P-CSCF and "IK_IM_out" out of it: random IKs against OpenSSL's one-shot HMAC.
TEST(CoreKeys, HmacDerivationIsTheTruncatedMacOfEachLabel) {
  std::mt19937 rng(20261124);
  for (int i = 0; i < 200; ++i) {
    uint8_t ik[16];
    for (uint8_t& b : ik) {
      b = static_cast<uint8_t>(rng());
    }
    uint8_t in[16], out[16];
    ASSERT_TRUE(deriveIntegrityKeys(KeyDerivation::HmacSha256, 64, ik, in, out));
    uint8_t refIn[32], refOut[32];
    unsigned lenIn = 0, lenOut = 0;
    HMAC(EVP_sha256(), ik, sizeof(ik), reinterpret_cast<const uint8_t*>("IK_IM_in"), 8, refIn,
         &lenIn);
    HMAC(EVP_sha256(), ik, sizeof(ik), reinterpret_cast<const uint8_t*>("IK_IM_out"), 9, refOut,
         &lenOut);
    ASSERT_EQ(32u, lenIn);
    EXPECT_EQ(hex(refIn, 16), hex(in, 16)) << i;
    EXPECT_EQ(hex(refOut, 16), hex(out, 16)) << i;
  }
}

// Issue 14: every other challenge header of a reply (a second WWW-Authenticate, a
// Proxy-Authenticate) goes on without its keys, untouched without any, or not at all when it
// cannot be read to its end.
TEST(CoreKeys, EveryOtherChallengeLosesItsKeysThroughTheCBoundary) {
  auto call = [](const std::string& v, std::string& out, std::size_t size) {
    out.assign(v.size() + 1, '#');
    std::size_t len = 0;
    int rc = secsetup_challenge_without_keys(secsetup_str_t{v.data(), v.size()}, out.data(),
                                             size, &len);
    out.resize(rc == SECSETUP_OK ? len : 0);
    return rc;
  };
  std::string out;
  std::string v = std::string("Digest realm=\"b\", ik=\"") + kIk + "\", nonce=\"n\", ck=\"" +
                  kCk + "\", algorithm=AKAv1-MD5";
  ASSERT_EQ(SECSETUP_OK, call(v, out, v.size()));
  EXPECT_EQ("Digest realm=\"b\", nonce=\"n\", algorithm=AKAv1-MD5", out);
  std::string none = "Digest realm=\"b\", nonce=\"n\"";
  EXPECT_EQ(SECSETUP_NOT_FOUND, call(none, out, none.size()));
  std::string bad = std::string("Digest nonce=\"n\", ik=\"") + kIk + "\", junk junk";
  EXPECT_EQ(SECSETUP_INVALID_ARG, call(bad, out, bad.size()));
  EXPECT_EQ(SECSETUP_TRUNCATED, call(v, out, 10));
  std::size_t len = 0;
  EXPECT_EQ(SECSETUP_INVALID_ARG,
            secsetup_challenge_without_keys(secsetup_str_t{v.data(), v.size()}, nullptr, 0, &len));
}

// A proposal too long to be kept whole is kept as 0xFF and a prefix of its SHA-256: equal
// values (case, whitespace) still fingerprint alike, and one different field sets them apart.
TEST(CoreKeys, LongProposalsDigestByValue) {
  const char* longValue =
      "esp/esp/hmac-sha-1-96,hmac-md5-96,null/aes-cbc,des-ede3-cbc,null/300/port=5064";
  const auto d = digest(longValue);
  EXPECT_EQ(0xFF, d[0]);
  EXPECT_EQ(d, digest("ESP / esp / hmac-SHA-1-96, hmac-md5-96, null / aes-cbc, des-ede3-cbc, "
                      "NULL / 300 / port=5064"));
  EXPECT_NE(d, digest("esp/esp/hmac-sha-1-96,hmac-md5-96,null/aes-cbc,des-ede3-cbc,null/301/"
                      "port=5064"));
  EXPECT_NE(d, digest("esp/esp/hmac-md5-96,hmac-sha-1-96,null/aes-cbc,des-ede3-cbc,null/300/"
                      "port=5064"));
}

TEST(CoreKeys, SetupDigestTellsValuesApart) {
  // Equal values (case, whitespace) digest alike; every field counts, known names or not.
  EXPECT_EQ(digest("esp/esp/hmac-md5-96/aes-cbc/300/port=5064"),
            digest("ESP / esp / HMAC-MD5-96 / AES-cbc / 300 / Port=5064"));
  std::set<std::array<uint8_t, 32>> seen;
  for (const char* v :
       {"esp/esp/hmac-md5-96/aes-cbc/300/port=5064", "esp/esp/hmac-md5-96/aes-cbc/301/port=5064",
        "esp/esp/hmac-md5-96/aes-cbc/300/port=5065", "esp/esp/hmac-md5-96/aes-cbc/300",
        "esp/esp/hmac-sha-1-96/aes-cbc/300/port=5064", "esp/esp/hmac-md5-96/null/300/port=5064",
        "esp/esp/hmac-md5-96,aes-cbc/aes-cbc/300/port=5064", "esp//hmac-md5-96//300/port=5064",
        "esp/esp/hmac-md5-96/aes-cbc,null/300/port=5064", "esp/esp/hmac-md5-97/aes-cbc/300",
        "esp/esp/hmac-md5-96/aes-cbc/300/port=5064;x=y", "esp/esp/hmac-md5-96/aes-cbc/300/x=\"y\"",
        "esp/esp/hmac-md5-96/aes-cbc/300/protected-port=5064"}) {
    EXPECT_TRUE(seen.insert(digest(v)).second) << v;
  }
}

// A known token is recognised only when every byte is its own: each known token with any one
// byte changed digests apart from the token itself (the known-token compare is exact).
TEST(CoreKeys, DigestKnownTokensMatchOnlyExactly) {
  // {text before, known token, text after}: each token where a proposal carries it.
  const std::vector<std::array<std::string, 3>> places = {
      {"", "esp", "/esp/hmac-md5-96/null/300"},
      {"esp/esp/", "hmac-md5-96", "/null/300"},
      {"esp/esp/", "hmac-sha-1-96", "/null/300"},
      {"esp/esp/hmac-md5-96/", "null", "/300"},
      {"esp/esp/hmac-md5-96/", "aes-cbc", "/300"},
      {"esp/esp/hmac-md5-96/", "des-ede3-cbc", "/300"},
  };
  for (const auto& [before, known, after] : places) {
    const auto want = digest(before + known + after);
    for (std::size_t i = 0; i < known.size(); ++i) {
      for (char c : {'x', '0', '-'}) {
        std::string t = known;
        if (t[i] == c) {
          continue;
        }
        t[i] = c;
        EXPECT_NE(want, digest(before + t + after)) << t;
      }
    }
  }
}

TEST(CoreKeys, AuthorizationFacts) {
  auto a = parseAuthorization(
      "Digest username=\"user@ims.test\", realm=\"ims.test\", nonce=\"x\", uri=\"sip:ims.test\", "
      "response=\"\"");
  EXPECT_TRUE(a.present);
  EXPECT_EQ("user@ims.test", a.username);
  EXPECT_TRUE(a.emptyResponse);
  EXPECT_FALSE(a.hasAuts);
  auto s = parseAuthorization("Digest username=\"u\", response=\"\", auts=\"AAAA\"");
  EXPECT_TRUE(s.hasAuts);
  auto r = parseAuthorization("Digest username=\"u\", response=\"0123\"");
  EXPECT_FALSE(r.emptyResponse);
  EXPECT_FALSE(parseAuthorization("").present);
  EXPECT_FALSE(parseAuthorization("Digest username=\"u").present);
}

}  // namespace
}  // namespace secsetup
