// Benchmark-only stand-in for the XFRM backend: makeXfrmBackend without the kernel.
//
// Linked instead of secsetup_kernel into build/bench-module/secsetup.so (glue/CMakeLists.txt,
// target secsetup_bench_null_module, never built by default nor installed), so that the
// whole-P-CSCF benchmark (bench/pcscf) can measure the module's own code in Kamailio with the
// kernel work taken out. The shipped module has no switch that reaches this file.
// Every call succeeds at once. SPIs stay unique across Kamailio's processes (each process
// opens its own backend): the process id picks a block of 2^20 SPIs, a counter walks it.

#include <unistd.h>

#include <cerrno>

#include <memory>
#include <new>

#include "kernel_ipsec/xfrm_mnl_backend.h"

namespace secsetup::kipsec {
namespace {

class NullBackend : public KernelIpsec {
 public:
  Result allocSpi(const IpAddress&, const IpAddress&, uint32_t min, uint32_t max,
                  uint32_t& spi) noexcept override {
    const uint64_t candidate = uint64_t{min} + (block_ << 20) + (next_++ & 0xFFFFF);
    if (candidate > max) {
      return Result::failure(Status::OutOfResources, ENOENT);
    }
    spi = static_cast<uint32_t>(candidate);
    return {};
  }
  Result releaseSpi(const IpAddress&, const IpAddress&, uint32_t) noexcept override { return {}; }
  Result addPair(const SaPairId&, const SaPairParams&) noexcept override { return {}; }
  Result deletePair(const SaPairId&, const SaPairParams&) noexcept override { return {}; }
  Result activateOutbound(const SaPairId&, const SaPairParams&) noexcept override { return {}; }
  Result querySa(const IpAddress&, uint32_t, SaInfo&) noexcept override {
    return Result::failure(Status::NotFound, ESRCH);
  }
  Result listOwned(std::vector<SaInfo>& out) noexcept override {
    out.clear();
    return {};
  }
  Result flushOwned() noexcept override { return {}; }
  int expireEventFd() noexcept override { return -1; }
  Result drainExpired(std::vector<SaGone>& out) noexcept override {
    out.clear();
    return {};
  }
  Features features() noexcept override { return {true, true}; }

 private:
  const uint64_t block_ = static_cast<uint64_t>(getpid()) % 2047;  // once: no syscall per SPI
  uint32_t next_ = 0;
};

}  // namespace

KernelIpsecPtr makeXfrmBackend(const XfrmConfig&, Result* res) noexcept {
  KernelIpsecPtr k(new (std::nothrow) NullBackend);
  if (!k && res != nullptr) {
    *res = Result::failure(Status::OutOfResources, ENOMEM);
  }
  return k;
}

}  // namespace secsetup::kipsec
