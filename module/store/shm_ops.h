#pragma once
// What the glue hands the core: an allocator over shared memory and a set of locks that work
// across Kamailio's forked workers. Plain function pointers so C can fill them in.

#include <cstddef>

namespace secsetup {

struct ShmOps {
  void* (*alloc)(void* ctx, std::size_t bytes) = nullptr;
  void (*release)(void* ctx, void* p) = nullptr;
  void* ctx = nullptr;
};

struct LockOps {
  void (*lock)(void* ctx, unsigned index) = nullptr;
  void (*unlock)(void* ctx, unsigned index) = nullptr;
  void* ctx = nullptr;
  unsigned count = 0;  // locks 0..count-2 guard the stripes, count-1 the free list
};

}  // namespace secsetup
