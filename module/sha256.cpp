#include "module/sha256.h"

// SHA256_Init/Update/Final are deprecated in OpenSSL 3 in favour of EVP, but remain
// supported and are several times faster for short inputs.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <cstring>

#include "module/secure_wipe.h"

namespace secsetup {

namespace {

// Inputs this short end in one block with their padding: the block is built here and run
// through the compression function, without the buffering of SHA256_Update/Final.
constexpr std::size_t kOneBlockMax = SHA256_CBLOCK - 9;

// Finishes a hash whose state has taken prefixBytes (a multiple of 64) with msg (len <=
// kOneBlockMax): one compression of msg || 0x80 || zeros || bit length.
void finishOneBlock(const SHA256_CTX& from, uint64_t prefixBytes, const void* msg,
                    std::size_t len, uint8_t out[32]) noexcept {
  SHA256_CTX c = from;
  uint8_t block[SHA256_CBLOCK] = {};
  std::memcpy(block, msg, len);
  block[len] = 0x80;
  uint64_t bits = (prefixBytes + len) * 8;
  for (int i = 0; i < 8; ++i) {
    block[SHA256_CBLOCK - 1 - i] = static_cast<uint8_t>(bits >> (8 * i));
  }
  SHA256_Transform(&c, block);
  for (int i = 0; i < 8; ++i) {
    out[4 * i] = static_cast<uint8_t>(c.h[i] >> 24);
    out[4 * i + 1] = static_cast<uint8_t>(c.h[i] >> 16);
    out[4 * i + 2] = static_cast<uint8_t>(c.h[i] >> 8);
    out[4 * i + 3] = static_cast<uint8_t>(c.h[i]);
  }
  secureWipe(block, sizeof(block));
  secureWipe(&c, sizeof(c));
}

}  // namespace

void sha256(const void* data, std::size_t len, uint8_t out[32]) noexcept {
  SHA256_CTX ctx;
  if (len <= kOneBlockMax) {
    SHA256_Init(&ctx);
    finishOneBlock(ctx, 0, data, len, out);
    return;
  }
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
    if (lens[m] <= kOneBlockMax) {
      // The usual case (short labels): one compression for each of the two hashes.
      finishOneBlock(inner, SHA256_CBLOCK, msgs[m], lens[m], mid);
      finishOneBlock(outer, SHA256_CBLOCK, mid, sizeof(mid), outs[m]);
      continue;
    }
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
