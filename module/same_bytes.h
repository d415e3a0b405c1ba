#pragma once
// Equality of two byte strings of one length, for the short texts a contact record keeps
// (Call-ID, IMPI, IMPU: under 100 bytes), without a memcmp call, which costs more than the
// compare at these sizes: 8 bytes per step, the last word overlapping the one before it (no
// byte loop); under 8 bytes, two overlapping halves. Reads only the n bytes of each side.

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace secsetup {

inline bool sameBytes(const char* a, const char* b, std::size_t n) noexcept {
  auto word = [](const char* p) {
    uint64_t w;
    std::memcpy(&w, p, sizeof(w));
    return w;
  };
  auto half = [](const char* p) {
    uint32_t w;
    std::memcpy(&w, p, sizeof(w));
    return w;
  };
  if (n >= 8) {
    uint64_t diff = word(a + n - 8) ^ word(b + n - 8);
    for (std::size_t i = 0; i + 8 < n; i += 8) {
      diff |= word(a + i) ^ word(b + i);
    }
    return diff == 0;
  }
  if (n >= 4) {
    return ((half(a) ^ half(b)) | (half(a + n - 4) ^ half(b + n - 4))) == 0;
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace secsetup
