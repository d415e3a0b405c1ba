#pragma once
// SHA-256 and HMAC-SHA-256 over OpenSSL's low-level interface: the one-shot EVP calls of
// OpenSSL 3 fetch and allocate on every call, which costs microseconds per registration.
// Every intermediate state is wiped.

#include <cstddef>
#include <cstdint>

namespace secsetup {

void sha256(const void* data, std::size_t len, uint8_t out[32]) noexcept;

// Incremental SHA-256; the state is wiped on destruction.
class Sha256 {
 public:
  Sha256() noexcept;
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(const void* data, std::size_t len) noexcept;
  void final(uint8_t out[32]) noexcept;

 private:
  alignas(8) unsigned char state_[112];  // SHA256_CTX (checked in sha256.cpp)
};

// HMAC-SHA-256 of two messages under one key, sharing the padded-key states. A key of at most
// 64 bytes with messages of at most 55 (key derivation's case) goes through the two-lane SHA
// extensions code (sha256_two_lane.h) when the CPU has it; anything else through OpenSSL.
void hmacSha256Pair(const uint8_t* key, std::size_t keyLen, const void* msg1, std::size_t len1,
                    uint8_t out1[32], const void* msg2, std::size_t len2, uint8_t out2[32]) noexcept;

}  // namespace secsetup
