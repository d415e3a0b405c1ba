// The owner tag's claim: an abstract unix socket per (network namespace, tag); see owner_claim.h.

#include "kernel_ipsec/owner_claim.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace secsetup::kipsec {

int claimOwnerTag(uint32_t tag, int& err) noexcept {
  // A stream socket that never listens: a connect() to the name is refused, nothing queues.
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    err = errno;
    return -1;
  }
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  // sun_path[0] == 0: an abstract name, its length given by the address length.
  const int n = snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1, "secsetup-owner-tag-%08x",
                         static_cast<unsigned>(tag));
  const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + n);
  if (bind(fd, reinterpret_cast<const sockaddr*>(&sa), len) != 0) {
    err = errno;
    close(fd);
    return -1;
  }
  err = 0;
  return fd;
}

}  // namespace secsetup::kipsec
