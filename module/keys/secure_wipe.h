#pragma once
// Zeroes memory that held key material, in a way the compiler may not drop as a dead store:
// the empty asm statement takes the pointer and clobbers memory, so the zeros must be there
// when it "runs" (the technique of glibc's explicit_bzero). Inline, unlike OPENSSL_cleanse's
// call through a volatile pointer: the buffers wiped here are a few dozen bytes.

#include <cstddef>
#include <cstring>

namespace secsetup {

inline void secureWipe(void* p, std::size_t n) noexcept {
  // In 16-byte steps, each fenced by the barrier: plain vector stores, never merged into a
  // "rep stos" (whose start-up costs more than wiping a key).
  auto* b = static_cast<unsigned char*>(p);
  for (; n >= 16; n -= 16, b += 16) {
    std::memset(b, 0, 16);
    __asm__ __volatile__("" : : "r"(b) : "memory");
  }
  for (; n > 0; --n, ++b) {
    *b = 0;
    __asm__ __volatile__("" : : "r"(b) : "memory");
  }
}

}  // namespace secsetup
