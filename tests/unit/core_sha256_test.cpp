// SHA-256 and the HMAC-SHA-256 pair of key derivation through both paths: the two-lane SHA
// extensions code (module/sha256_two_lane.cpp), when this CPU has them, and OpenSSL (forced
// with forceSha256FallbackForTest). Published vectors (FIPS 180-4 examples, RFC 4231) and a
// randomized cross-check against OpenSSL's own HMAC.

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "module/key_derivation.h"
#include "module/sha256.h"
#include "module/sha256_two_lane.h"
#include "tests/unit/hex_text.h"

namespace secsetup {
namespace {

std::vector<uint8_t> bytes(std::size_t n, uint8_t v) { return std::vector<uint8_t>(n, v); }

std::string openSslHmac(const std::vector<uint8_t>& key, const std::string& msg) {
  uint8_t out[32];
  unsigned len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const uint8_t*>(msg.data()), msg.size(), out, &len);
  return hex(out, len);
}

// Runs each test once on the path this CPU takes and once on the forced OpenSSL fallback.
class Sha256Paths : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    forceSha256FallbackForTest(GetParam());
    if (!GetParam() && !sha256TwoLaneAvailable()) {
      GTEST_SKIP() << "this CPU has no SHA extensions: only the fallback runs";
    }
  }
  void TearDown() override { forceSha256FallbackForTest(false); }
  bool twoLane() const { return sha256TwoLaneAvailable(); }
};

INSTANTIATE_TEST_SUITE_P(Core, Sha256Paths, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& p) {
                           return p.param ? "OpenSslFallback" : "ShaExtensions";
                         });

TEST_P(Sha256Paths, TakesThePathAsked) { EXPECT_EQ(!GetParam(), twoLane()); }

// FIPS 180-4 examples ("abc": one block, the 448-bit message: two blocks) and the empty
// message, compressed block by block by the two-lane code with the padding written here,
// the two messages side by side in the two lanes.
TEST(CoreSha256, TwoLaneCompressionGivesFipsExampleDigests) {
  if (!sha256TwoLaneAvailable()) {
    GTEST_SKIP() << "this CPU has no SHA extensions";
  }
  const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                          0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  auto pad = [](const std::string& m) {
    std::vector<uint8_t> b(m.begin(), m.end());
    b.push_back(0x80);
    while (b.size() % 64 != 56) {
      b.push_back(0);
    }
    const uint64_t bits = static_cast<uint64_t>(m.size()) * 8;
    for (int i = 7; i >= 0; --i) {
      b.push_back(static_cast<uint8_t>(bits >> (8 * i)));
    }
    return b;
  };
  auto digest = [](const uint32_t st[8]) {
    uint8_t out[32];
    for (int i = 0; i < 8; ++i) {
      for (int j = 0; j < 4; ++j) {
        out[4 * i + j] = static_cast<uint8_t>(st[i] >> (24 - 8 * j));
      }
    }
    return hex(out, 32);
  };
  const std::vector<uint8_t> abc = pad("abc");
  const std::vector<uint8_t> long448 =
      pad("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq");
  const std::vector<uint8_t> empty = pad("");
  ASSERT_EQ(64u, abc.size());
  ASSERT_EQ(128u, long448.size());

  uint32_t a[8], b[8];
  std::memcpy(a, iv, sizeof(a));
  std::memcpy(b, iv, sizeof(b));
  sha256CompressTwo(a, abc.data(), b, long448.data());
  EXPECT_EQ("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", digest(a));
  std::memcpy(a, iv, sizeof(a));
  sha256CompressTwo(a, empty.data(), b, long448.data() + 64);
  EXPECT_EQ("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", digest(a));
  EXPECT_EQ("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", digest(b));
}

struct Rfc4231Case {
  std::vector<uint8_t> key;
  std::string data;
  const char* mac;  // hex; case 5 is truncated to 128 bits in the RFC
};

std::vector<Rfc4231Case> rfc4231Cases() {
  std::vector<uint8_t> key4;
  for (uint8_t i = 1; i <= 25; ++i) {
    key4.push_back(i);
  }
  return {
      {bytes(20, 0x0b), "Hi There",
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {{'J', 'e', 'f', 'e'}, "what do ya want for nothing?",
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {bytes(20, 0xaa), std::string(50, '\xdd'),
       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
      {key4, std::string(50, '\xcd'),
       "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
      {bytes(20, 0x0c), "Test With Truncation", "a3b6167473100ee06e0c796c2955552b"},
      {bytes(131, 0xaa), "Test Using Larger Than Block-Size Key - Hash Key First",
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {bytes(131, 0xaa),
       "This is a test using a larger than block-size key and a larger than block-size data. "
       "The key needs to be hashed before being used by the HMAC algorithm.",
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
  };
}

// Each RFC 4231 case in either slot of the pair, the other slot holding another message
// (checked against OpenSSL's HMAC). Cases 1-5 fit the two-lane path; 6 and 7 (a key longer
// than a block) and 7 (long data) take OpenSSL on either path.
TEST_P(Sha256Paths, HmacPairGivesRfc4231Macs) {
  const std::string other = "IK_IM_out";
  for (const Rfc4231Case& c : rfc4231Cases()) {
    const std::size_t n = std::strlen(c.mac) / 2;
    uint8_t o1[32], o2[32];
    hmacSha256Pair(c.key.data(), c.key.size(), c.data.data(), c.data.size(), o1, other.data(),
                   other.size(), o2);
    EXPECT_EQ(c.mac, hex(o1, n)) << c.data;
    EXPECT_EQ(openSslHmac(c.key, other), hex(o2, 32)) << c.data;
    hmacSha256Pair(c.key.data(), c.key.size(), other.data(), other.size(), o1, c.data.data(),
                   c.data.size(), o2);
    EXPECT_EQ(openSslHmac(c.key, other), hex(o1, 32)) << c.data;
    EXPECT_EQ(c.mac, hex(o2, n)) << c.data;
  }
}

// Random keys of every length a block holds (16, the IK's, most often) with the two labels of
// key derivation, and random messages of every length around the one-block limit (55).
TEST_P(Sha256Paths, HmacPairMatchesOpenSslOverRandomKeys) {
  std::mt19937 rng(20261124);
  auto randomBytes = [&rng](std::size_t n) {
    std::vector<uint8_t> v(n);
    for (uint8_t& b : v) {
      b = static_cast<uint8_t>(rng());
    }
    return v;
  };
  const std::string in = "IK_IM_in", out = "IK_IM_out";
  for (int i = 0; i < 3000; ++i) {
    const std::size_t keyLen = i % 3 == 0 ? rng() % 80 : 16;
    const std::vector<uint8_t> key = randomBytes(keyLen);
    uint8_t o1[32], o2[32];
    hmacSha256Pair(key.data(), key.size(), in.data(), in.size(), o1, out.data(), out.size(), o2);
    ASSERT_EQ(openSslHmac(key, in), hex(o1, 32)) << i;
    ASSERT_EQ(openSslHmac(key, out), hex(o2, 32)) << i;

    const std::vector<uint8_t> m1 = randomBytes(rng() % 60), m2 = randomBytes(rng() % 60);
    const std::string s1(m1.begin(), m1.end()), s2(m2.begin(), m2.end());
    hmacSha256Pair(key.data(), key.size(), s1.data(), s1.size(), o1, s2.data(), s2.size(), o2);
    ASSERT_EQ(openSslHmac(key, s1), hex(o1, 32)) << i << " " << s1.size();
    ASSERT_EQ(openSslHmac(key, s2), hex(o2, 32)) << i << " " << s2.size();
  }
}

// The fixed vector of CoreKeys.DerivationVectors (Milenage test set 1 IK) on each path.
TEST_P(Sha256Paths, KeyDerivationVector) {
  uint8_t ik[16], in[16], out[16];
  ASSERT_TRUE(parseHexKey("f769bcd751044604127672711c6d3441", ik));
  deriveIntegrityKeys(KeyDerivation::HmacSha256, 64, ik, in, out);
  EXPECT_EQ("2ffbbc71b9f59bc8500f8dff219a572f", hex(in, 16));
  EXPECT_EQ("d9c96c7ad28d09d6d8f60b6234bf1a9c", hex(out, 16));
}

}  // namespace
}  // namespace secsetup
