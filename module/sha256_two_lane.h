#pragma once
// SHA-256 compression of two independent states at once with the x86 SHA extensions
// (sha256rnds2/sha256msg1/sha256msg2), written from Intel's instruction descriptions and
// FIPS 180-4: the two chains' instructions interleave, so each hides the other's latency.
// hmacSha256Pair (sha256.cpp) uses it for the HMAC pair of key derivation and falls back to
// OpenSSL when it is unavailable.

#include <cstddef>
#include <cstdint>

namespace secsetup {

// True when the CPU has the SHA extensions (CPUID leaf 7, EBX bit 29) and SSSE3 and SSE4.1
// (leaf 1, ECX bits 9 and 19), the build targets x86, and no test forced the fallback.
bool sha256TwoLaneAvailable() noexcept;

// Makes sha256TwoLaneAvailable() false (true) or back to what the CPU says (false), so the
// unit tests exercise the fallback path on a CPU with the extensions too.
void forceSha256FallbackForTest(bool force) noexcept;

// One compression of stateA by blockA and of stateB by blockB (64 bytes each, as in the
// message). States are the eight working words H0..H7 of FIPS 180-4 in native byte order.
// Only when sha256TwoLaneAvailable().
void sha256CompressTwo(uint32_t stateA[8], const uint8_t blockA[64], uint32_t stateB[8],
                       const uint8_t blockB[64]) noexcept;

// hmacSha256Pair (sha256.h) for keyLen <= 64 and len1, len2 <= 55, where each message and
// its padding fit one block: six compressions in three pairs (the ipad and opad key blocks,
// the two inner message blocks, the two outer blocks holding the inner digests), the padding
// of each block written directly. Only when sha256TwoLaneAvailable().
void hmacSha256PairTwoLane(const uint8_t* key, std::size_t keyLen, const void* msg1,
                           std::size_t len1, uint8_t out1[32], const void* msg2,
                           std::size_t len2, uint8_t out2[32]) noexcept;

}  // namespace secsetup
