#pragma once
// Zeroes memory that held key material, in a way the compiler may not drop as a dead store:
// the empty asm statement takes the pointer and clobbers memory, so the zeros must be there
// when it "runs" (the technique of glibc's explicit_bzero). Inline, unlike OPENSSL_cleanse,
// whose call through a volatile pointer costs more than wiping the few bytes of an AKA key.

#include <cstddef>
#include <cstring>

namespace secsetup {

inline void secureWipe(void* p, std::size_t n) noexcept {
  std::memset(p, 0, n);
  __asm__ __volatile__("" : : "r"(p) : "memory");
}

}  // namespace secsetup
