#include "module/store/keyed_hash.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

namespace secsetup {

namespace {

// One context per thread (in Kamailio, per worker process), keyed again on every call:
// fetching the algorithm and allocating a context cost more than the hash of a few bytes, a
// re-key does not. Freed at thread exit.
struct ThreadContext {
  EVP_MAC_CTX* ctx = nullptr;
  ThreadContext() noexcept {
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_SIPHASH, nullptr);
    if (mac != nullptr) {
      ctx = EVP_MAC_CTX_new(mac);
      EVP_MAC_free(mac);  // the context keeps its own reference
    }
  }
  ~ThreadContext() { EVP_MAC_CTX_free(ctx); }
  ThreadContext(const ThreadContext&) = delete;
  ThreadContext& operator=(const ThreadContext&) = delete;
};

EVP_MAC_CTX* threadContext() noexcept {
  static thread_local ThreadContext t;
  return t.ctx;
}

}  // namespace

bool keyedHashAvailable() noexcept { return threadContext() != nullptr; }

uint64_t keyedHash(const HashKey& key, const void* data, std::size_t len) noexcept {
  EVP_MAC_CTX* ctx = threadContext();
  std::size_t size = sizeof(uint64_t);  // SipHash-2-4's 64-bit output (OpenSSL's default is 128)
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size),
                               OSSL_PARAM_construct_end()};
  unsigned char out[sizeof(uint64_t)];
  std::size_t outLen = 0;
  if (ctx == nullptr || EVP_MAC_init(ctx, key.bytes, sizeof(key.bytes), params) != 1 ||
      EVP_MAC_update(ctx, static_cast<const unsigned char*>(data), len) != 1 ||
      EVP_MAC_final(ctx, out, &outLen, sizeof(out)) != 1 || outLen != sizeof(out)) {
    return 0;
  }
  uint64_t h = 0;  // SipHash's output is its 64-bit value in little-endian order
  for (std::size_t i = sizeof(out); i-- > 0;) {
    h = (h << 8) | out[i];
  }
  return h;
}

}  // namespace secsetup
