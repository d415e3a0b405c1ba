#pragma once
// The keyed hash of the contact store's indexes: SipHash-2-4 (Aumasson and Bernstein, 2012)
// from OpenSSL 3 (EVP_MAC "SIPHASH"), under a 128-bit key drawn from getrandom() at start.
// The indexed values (Call-ID, UE address and port, SPI) are the UE's choice; with a secret
// key a UE cannot predict their buckets, so it cannot pile its contacts into one chain (hash
// flooding), as strongSwan keys its hash tables (chunk_hash_seed + SipHash).
// OpenSSL's rather than one written here: about 75 ns per call against 16 ns for the unkeyed
// multiply hash it replaced, a few per message (docs/benchmarks.md, issue 14).

#include <cstddef>
#include <cstdint>

namespace secsetup {

struct HashKey {
  uint8_t bytes[16] = {};
};

// Whether OpenSSL provides SipHash; checked at start.
bool keyedHashAvailable() noexcept;

// SipHash-2-4 of data under key (the paper's 64-bit value). 0 if OpenSSL failed (out of
// memory): the indexes then still work, in one chain.
uint64_t keyedHash(const HashKey& key, const void* data, std::size_t len) noexcept;

}  // namespace secsetup
