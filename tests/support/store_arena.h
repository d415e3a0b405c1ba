#pragma once
// A contact store on ordinary memory for one process (unit tests, fuzz targets, the core
// benchmark): the arena, its no-op locks (one thread, so nothing to exclude) and the store
// built in it. The one copy of that set-up; tests of several processes sharing a store build
// theirs in shared memory with process-shared locks (core_store_test).

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "module/store/contact_store.h"

namespace secsetup::testing {

class StoreArena {
 public:
  // locks: the lock set's size (stripes + 1); key: the index hash key (fixed: reproducible).
  explicit StoreArena(uint32_t maxContacts, unsigned locks = 5, HashKey key = HashKey{{42}}) {
    LockOps ops;
    ops.lock = noLock;
    ops.unlock = noLock;
    ops.count = locks;
    const std::size_t bytes = ContactStore::bytesFor(maxContacts, locks - 1);
    arena_ = std::aligned_alloc(64, (bytes + 63) / 64 * 64);
    store_ = ContactStore::create(arena_, bytes, maxContacts, ops, key);
  }
  ~StoreArena() { std::free(arena_); }
  StoreArena(const StoreArena&) = delete;
  StoreArena& operator=(const StoreArena&) = delete;

  // nullptr when the store could not be built (the caller asserts).
  ContactStore* store() const noexcept { return store_; }

 private:
  static void noLock(void*, unsigned) {}
  void* arena_ = nullptr;
  ContactStore* store_ = nullptr;
};

}  // namespace secsetup::testing
