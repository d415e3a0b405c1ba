#pragma once
// Bytes as lower-case hex, for comparing digests and keys with published test vectors.

#include <cstddef>
#include <cstdint>
#include <string>

namespace secsetup {

inline std::string hex(const uint8_t* p, std::size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (std::size_t i = 0; i < n; ++i) {
    s += d[p[i] >> 4];
    s += d[p[i] & 15];
  }
  return s;
}

}  // namespace secsetup
