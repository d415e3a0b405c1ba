#include "module/sha256_two_lane.h"

#include <cstring>

#include "module/secure_wipe.h"

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define SECSETUP_SHA_EXTENSIONS 1
#include <cpuid.h>
#include <immintrin.h>
#endif

namespace secsetup {

namespace {
bool forceFallback = false;  // set only by the unit tests
}  // namespace

void forceSha256FallbackForTest(bool force) noexcept { forceFallback = force; }

#if defined(SECSETUP_SHA_EXTENSIONS)

namespace {

bool cpuHasShaExtensions() noexcept {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (__get_cpuid(1, &a, &b, &c, &d) == 0) {
    return false;
  }
  const bool ssse3 = (c & (1u << 9)) != 0;
  const bool sse41 = (c & (1u << 19)) != 0;
  if (__get_cpuid_count(7, 0, &a, &b, &c, &d) == 0) {
    return false;
  }
  const bool sha = (b & (1u << 29)) != 0;
  return ssse3 && sse41 && sha;
}

// FIPS 180-4 section 4.2.2: the first 32 bits of the fractional parts of the cube roots of
// the first 64 primes (recomputed with integer cube roots, not copied).
alignas(16) const uint32_t kRound[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2,
};

#define SECSETUP_SHA_TARGET __attribute__((target("sha,sse4.1"), always_inline)) inline

// sha256rnds2 keeps the eight working words in two registers, lanes high to low:
// abef = (a, b, e, f) and cdgh = (c, d, g, h).
struct State {
  __m128i abef;
  __m128i cdgh;
};

// FIPS 180-4 section 5.3.3's initial state (the first 32 bits of the fractional parts of the
// square roots of the first eight primes) as abef and cdgh, lanes low to high: f e b a h g d c.
alignas(16) const uint32_t kInitialState[8] = {0x9b05688c, 0x510e527f, 0xbb67ae85, 0x6a09e667,
                                               0x5be0cd19, 0x1f83d9ab, 0xa54ff53a, 0x3c6ef372};

// Byte order of a 32-bit big-endian word in each lane.
SECSETUP_SHA_TARGET __m128i byteSwapWords(__m128i v) {
  return _mm_shuffle_epi8(v, _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3));
}

SECSETUP_SHA_TARGET State toState(const uint32_t h[8]) {
  // Lanes low to high: (a, b, c, d) and (e, f, g, h); swapping neighbours gives
  // (b, a, d, c) and (f, e, h, g), whose halves combine into (f, e, b, a) and (h, g, d, c).
  const __m128i badc = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h)), 0xB1);
  const __m128i fehg =
      _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h + 4)), 0xB1);
  return State{_mm_unpacklo_epi64(fehg, badc), _mm_unpackhi_epi64(fehg, badc)};
}

// (a, b, c, d) and (e, f, g, h), lanes low to high.
SECSETUP_SHA_TARGET __m128i abcdOf(const State& s) {
  return _mm_shuffle_epi32(_mm_unpackhi_epi64(s.cdgh, s.abef), 0x1B);
}
SECSETUP_SHA_TARGET __m128i efghOf(const State& s) {
  return _mm_shuffle_epi32(_mm_unpacklo_epi64(s.cdgh, s.abef), 0x1B);
}

// W[4q .. 4q+3] for q >= 4 from the four groups before it (ring index q % 4 holds q - 4):
// W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16]. sha256msg1 adds s0 of the next word
// to each of the oldest four; the alignr supplies W[t-7]; sha256msg2 adds s1(W[t-2]), the
// last two from the previous group, the first two from its own result.
SECSETUP_SHA_TARGET void schedule(__m128i w[4], int q) {
  const __m128i t = _mm_add_epi32(_mm_sha256msg1_epu32(w[q & 3], w[(q + 1) & 3]),
                                  _mm_alignr_epi8(w[(q + 3) & 3], w[(q + 2) & 3], 4));
  w[q & 3] = _mm_sha256msg2_epu32(t, w[(q + 3) & 3]);
}

// Rounds 4q .. 4q+3: each sha256rnds2 does two rounds with the W+K sums in its low two lanes
// and returns the new (a, b, e, f); the old (a, b, e, f) is then the new (c, d, g, h).
SECSETUP_SHA_TARGET void fourRounds(State& s, const __m128i w[4], int q) {
  const __m128i wk =
      _mm_add_epi32(w[q & 3], _mm_load_si128(reinterpret_cast<const __m128i*>(kRound + 4 * q)));
  s.cdgh = _mm_sha256rnds2_epu32(s.cdgh, s.abef, wk);
  s.abef = _mm_sha256rnds2_epu32(s.abef, s.cdgh, _mm_shuffle_epi32(wk, 0x0E));
}

// One compression of each lane, from the state at startA (startB), as (abef, cdgh) in
// memory, by its sixteen message words (four per register, W[t] in lane t % 4, native byte
// order; consumed by the schedule). The start is read again for the final addition rather
// than held in registers through the rounds: with it there, the compiler spills.
SECSETUP_SHA_TARGET void compressTwo(const __m128i startA[2], __m128i wa[4],
                                     const __m128i startB[2], __m128i wb[4], State& a,
                                     State& b) {
  a = State{_mm_load_si128(startA), _mm_load_si128(startA + 1)};
  b = State{_mm_load_si128(startB), _mm_load_si128(startB + 1)};
#pragma GCC unroll 16
  for (int q = 0; q < 16; ++q) {
    if (q >= 4) {
      schedule(wa, q);
      schedule(wb, q);
    }
    fourRounds(a, wa, q);
    fourRounds(b, wb, q);
  }
  __asm__ __volatile__("" : : "r"(startA), "r"(startB) : "memory");
  a.abef = _mm_add_epi32(a.abef, _mm_load_si128(startA));
  a.cdgh = _mm_add_epi32(a.cdgh, _mm_load_si128(startA + 1));
  b.abef = _mm_add_epi32(b.abef, _mm_load_si128(startB));
  b.cdgh = _mm_add_epi32(b.cdgh, _mm_load_si128(startB + 1));
}

SECSETUP_SHA_TARGET void saveState(const State& s, __m128i to[2]) {
  _mm_store_si128(to, s.abef);
  _mm_store_si128(to + 1, s.cdgh);
}

SECSETUP_SHA_TARGET void loadBlock(const uint8_t block[64], __m128i w[4]) {
  const __m128i* m = reinterpret_cast<const __m128i*>(block);
  w[0] = byteSwapWords(_mm_loadu_si128(m));
  w[1] = byteSwapWords(_mm_loadu_si128(m + 1));
  w[2] = byteSwapWords(_mm_loadu_si128(m + 2));
  w[3] = byteSwapWords(_mm_loadu_si128(m + 3));
}

// The inner message's only block (after the ipad block): the message, 0x80, zeros, and the
// 8-byte bit length of ipad block plus message. room is filled by fillInnerBlock, then read by
// loadInnerBlock, whose W[15] takes the length (W[14], its high half, is 0).
void fillInnerBlock(const void* msg, std::size_t len, uint8_t room[64]) {
  std::memset(room, 0, 64);
  std::memcpy(room, msg, len);
  room[len] = 0x80;
}
SECSETUP_SHA_TARGET void loadInnerBlock(const uint8_t room[64], std::size_t len, __m128i w[4]) {
  loadBlock(room, w);
  w[3] = _mm_insert_epi32(w[3], static_cast<int>((64 + len) * 8), 3);
}

// The outer message's only block: the inner digest (its words are the state's, no byte
// swapping), 0x80, zeros, and the bit length of opad block plus digest, 768.
SECSETUP_SHA_TARGET void outerBlock(const State& innerDigest, __m128i w[4]) {
  w[0] = abcdOf(innerDigest);
  w[1] = efghOf(innerDigest);
  w[2] = _mm_set_epi32(0, 0, 0, static_cast<int>(0x80000000u));
  w[3] = _mm_set_epi32((64 + 32) * 8, 0, 0, 0);
}

SECSETUP_SHA_TARGET void storeDigest(const State& s, uint8_t out[32]) {
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out), byteSwapWords(abcdOf(s)));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 16), byteSwapWords(efghOf(s)));
}

}  // namespace

bool sha256TwoLaneAvailable() noexcept {
  static const bool has = cpuHasShaExtensions();
  return has && !forceFallback;
}

__attribute__((target("sha,sse4.1"))) void sha256CompressTwo(uint32_t stateA[8],
                                                             const uint8_t blockA[64],
                                                             uint32_t stateB[8],
                                                             const uint8_t blockB[64]) noexcept {
  __m128i startA[2], startB[2];
  saveState(toState(stateA), startA);
  saveState(toState(stateB), startB);
  __m128i wa[4], wb[4];
  loadBlock(blockA, wa);
  loadBlock(blockB, wb);
  State a, b;
  compressTwo(startA, wa, startB, wb, a, b);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(stateA), abcdOf(a));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(stateA + 4), efghOf(a));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(stateB), abcdOf(b));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(stateB + 4), efghOf(b));
}

// The states and message words stay in registers (checked in the object code: no spill):
// every call (memcpy) comes before the first of them exists; the stack buffers that held key
// or message bytes or a state are wiped.
__attribute__((target("sha,sse4.1"))) void hmacSha256PairTwoLane(
    const uint8_t* key, std::size_t keyLen, const void* msg1, std::size_t len1,
    uint8_t out1[32], const void* msg2, std::size_t len2, uint8_t out2[32]) noexcept {
  alignas(16) uint8_t roomA[64];
  alignas(16) uint8_t roomB[64];
  fillInnerBlock(msg1, len1, roomA);
  fillInnerBlock(msg2, len2, roomB);
  alignas(16) uint8_t k[64] = {};
  std::memcpy(k, key, keyLen);

  // Pair 1: the ipad and opad key blocks from the initial state.
  __m128i wa[4], wb[4];
  loadBlock(k, wa);
  secureWipe(k, sizeof(k));
  wb[0] = _mm_xor_si128(wa[0], _mm_set1_epi8(0x5c));
  wb[1] = _mm_xor_si128(wa[1], _mm_set1_epi8(0x5c));
  wb[2] = _mm_xor_si128(wa[2], _mm_set1_epi8(0x5c));
  wb[3] = _mm_xor_si128(wa[3], _mm_set1_epi8(0x5c));
  wa[0] = _mm_xor_si128(wa[0], _mm_set1_epi8(0x36));
  wa[1] = _mm_xor_si128(wa[1], _mm_set1_epi8(0x36));
  wa[2] = _mm_xor_si128(wa[2], _mm_set1_epi8(0x36));
  wa[3] = _mm_xor_si128(wa[3], _mm_set1_epi8(0x36));
  // keyed[0..1]: the state after the ipad block, [2..3]: after the opad block.
  __m128i keyed[4];
  State a, b;
  const __m128i* iv = reinterpret_cast<const __m128i*>(kInitialState);
  compressTwo(iv, wa, iv, wb, a, b);
  saveState(a, keyed);
  saveState(b, keyed + 2);

  // Pair 2: each message's block after the ipad state.
  loadInnerBlock(roomA, len1, wa);
  loadInnerBlock(roomB, len2, wb);
  secureWipe(roomA, sizeof(roomA));
  secureWipe(roomB, sizeof(roomB));
  compressTwo(keyed, wa, keyed, wb, a, b);

  // Pair 3: each inner digest's block after the opad state.
  outerBlock(a, wa);
  outerBlock(b, wb);
  compressTwo(keyed + 2, wa, keyed + 2, wb, a, b);
  secureWipe(keyed, sizeof(keyed));
  storeDigest(a, out1);
  storeDigest(b, out2);
}

#else  // no SHA extensions in this build

bool sha256TwoLaneAvailable() noexcept { return false; }

void sha256CompressTwo(uint32_t*, const uint8_t*, uint32_t*, const uint8_t*) noexcept {}

void hmacSha256PairTwoLane(const uint8_t*, std::size_t, const void*, std::size_t, uint8_t*,
                           const void*, std::size_t, uint8_t*) noexcept {}

#endif

}  // namespace secsetup
