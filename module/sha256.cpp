#include "module/sha256.h"

// SHA256_Init/Update/Final are deprecated in OpenSSL 3 in favour of EVP, but remain
// supported and are several times faster for short inputs.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <cstring>

#include "module/secure_wipe.h"
#include "module/sha256_two_lane.h"

namespace secsetup {

namespace {
constexpr std::size_t kBlock = 64;
// A message this long or shorter fits one block with its 0x80 and 8-byte bit length.
constexpr std::size_t kOneBlockMax = kBlock - 9;
}  // namespace

void sha256(const void* data, std::size_t len, uint8_t out[32]) noexcept {
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, data, len);
  SHA256_Final(out, &ctx);
  secureWipe(&ctx, sizeof(ctx));
}

static_assert(sizeof(SHA256_CTX) <= 112, "Sha256 state size");

Sha256::Sha256() noexcept { SHA256_Init(reinterpret_cast<SHA256_CTX*>(state_)); }
Sha256::~Sha256() { secureWipe(state_, sizeof(state_)); }
void Sha256::update(const void* data, std::size_t len) noexcept {
  SHA256_Update(reinterpret_cast<SHA256_CTX*>(state_), data, len);
}
void Sha256::final(uint8_t out[32]) noexcept {
  SHA256_Final(out, reinterpret_cast<SHA256_CTX*>(state_));
}

void hmacSha256Pair(const uint8_t* key, std::size_t keyLen, const void* msg1, std::size_t len1,
                    uint8_t out1[32], const void* msg2, std::size_t len2,
                    uint8_t out2[32]) noexcept {
  if (keyLen <= kBlock && len1 <= kOneBlockMax && len2 <= kOneBlockMax &&
      sha256TwoLaneAvailable()) {
    hmacSha256PairTwoLane(key, keyLen, msg1, len1, out1, msg2, len2, out2);
    return;
  }
  // Otherwise (long inputs, or no SHA extensions): OpenSSL, one compression after another.
  uint8_t block[SHA256_CBLOCK];
  uint8_t k[SHA256_CBLOCK] = {};
  if (keyLen > sizeof(k)) {
    sha256(key, keyLen, k);
  } else {
    std::memcpy(k, key, keyLen);
  }
  SHA256_CTX inner, outer, work;
  for (std::size_t i = 0; i < sizeof(block); ++i) {
    block[i] = static_cast<uint8_t>(k[i] ^ 0x36);
  }
  SHA256_Init(&inner);
  SHA256_Update(&inner, block, sizeof(block));
  for (std::size_t i = 0; i < sizeof(block); ++i) {
    block[i] = static_cast<uint8_t>(k[i] ^ 0x5c);
  }
  SHA256_Init(&outer);
  SHA256_Update(&outer, block, sizeof(block));
  uint8_t mid[32];
  const void* msgs[2] = {msg1, msg2};
  std::size_t lens[2] = {len1, len2};
  uint8_t* outs[2] = {out1, out2};
  for (int m = 0; m < 2; ++m) {
    work = inner;
    SHA256_Update(&work, msgs[m], lens[m]);
    SHA256_Final(mid, &work);
    work = outer;
    SHA256_Update(&work, mid, sizeof(mid));
    SHA256_Final(outs[m], &work);
  }
  secureWipe(block, sizeof(block));
  secureWipe(k, sizeof(k));
  secureWipe(mid, sizeof(mid));
  secureWipe(&inner, sizeof(inner));
  secureWipe(&outer, sizeof(outer));
  secureWipe(&work, sizeof(work));
}

}  // namespace secsetup
