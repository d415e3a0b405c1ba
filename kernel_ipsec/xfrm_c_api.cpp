#include "kernel_ipsec/xfrm_c_api.h"

#include <cerrno>
#include <cstring>
#include <vector>

#include "kernel_ipsec/owner_claim.h"
#include "kernel_ipsec/xfrm_mnl_backend.h"

using secsetup::kipsec::KernelIpsec;

namespace {

KernelIpsec* backend(secsetup_kernel_t* k) noexcept { return reinterpret_cast<KernelIpsec*>(k); }

int negativeErrno(const secsetup::kipsec::Result& r) noexcept {
  if (r.ok()) {
    return 0;
  }
  return -(r.err != 0 ? r.err : EIO);
}

}  // namespace

int secsetup_xfrm_claim_owner_tag(uint32_t owner_tag, int* err) noexcept {
  int e = 0;
  const int fd = secsetup::kipsec::claimOwnerTag(owner_tag, e);
  if (err != nullptr) {
    *err = e;
  }
  return fd;
}

secsetup_kernel_t* secsetup_xfrm_open(const secsetup_xfrm_config_t* cfg, int* err) noexcept {
  try {
    secsetup::kipsec::XfrmConfig c;
    if (cfg != nullptr) {
      c.ownerTag = cfg->owner_tag;
      c.spiMin = cfg->spi_min;
      c.spiMax = cfg->spi_max;
    }
    secsetup::kipsec::Result res;
    secsetup::kipsec::KernelIpsecPtr k = secsetup::kipsec::makeXfrmBackend(c, &res);
    if (!k) {
      if (err != nullptr) {
        *err = res.err != 0 ? res.err : EIO;
      }
      return nullptr;
    }
    return reinterpret_cast<secsetup_kernel_t*>(k.release());
  } catch (...) {
    if (err != nullptr) {
      *err = ENOMEM;
    }
    return nullptr;
  }
}

void secsetup_xfrm_close(secsetup_kernel_t* k) noexcept { delete backend(k); }

int secsetup_xfrm_has_esp(secsetup_kernel_t* k) noexcept {
  if (k == nullptr) {
    return -1;
  }
  return backend(k)->features().esp ? 1 : 0;
}

int secsetup_xfrm_count_owned(secsetup_kernel_t* k) noexcept {
  try {
    std::vector<secsetup::kipsec::SaInfo> sas;
    if (k == nullptr || !backend(k)->listOwned(sas).ok()) {
      return -1;
    }
    return static_cast<int>(sas.size());
  } catch (...) {
    return -1;
  }
}

int secsetup_xfrm_flush_owned(secsetup_kernel_t* k) noexcept {
  if (k == nullptr) {
    return -EINVAL;
  }
  return negativeErrno(backend(k)->flushOwned());
}

int secsetup_xfrm_event_fd(secsetup_kernel_t* k) noexcept {
  return k == nullptr ? -1 : backend(k)->expireEventFd();
}

int secsetup_xfrm_drain_expired(secsetup_kernel_t* k, secsetup_xfrm_gone_cb cb, void* ctx) noexcept {
  try {
    std::vector<secsetup::kipsec::SaGone> gone;
    if (k == nullptr || !backend(k)->drainExpired(gone).ok()) {
      return -1;
    }
    for (const auto& g : gone) {
      if (cb != nullptr) {
        cb(ctx, g.dst.toString().c_str(), g.spi);
      }
    }
    return static_cast<int>(gone.size());
  } catch (...) {
    return -1;
  }
}

const char* secsetup_xfrm_strerror(int err) noexcept { return std::strerror(err < 0 ? -err : err); }
