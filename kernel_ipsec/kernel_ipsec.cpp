// Value types of the kernel_ipsec contract: status names, addresses, wiped key buffers.
// No libmnl here: the core links this without the backend.

#include "kernel_ipsec/kernel_ipsec.h"

#include <arpa/inet.h>
#include <string.h>

namespace secsetup::kipsec {

const char* toString(Status s) noexcept {
  switch (s) {
    case Status::Ok:
      return "ok";
    case Status::AlreadyExists:
      return "already exists";
    case Status::NotFound:
      return "not found";
    case Status::NotSupported:
      return "not supported";
    case Status::InvalidArg:
      return "invalid argument";
    case Status::OutOfResources:
      return "out of resources";
    case Status::KernelError:
      return "kernel error";
  }
  return "unknown";
}

bool IpAddress::parse(const std::string& text, IpAddress& out) noexcept {
  IpAddress a;
  if (text.find(':') == std::string::npos) {
    in_addr v4{};
    if (inet_pton(AF_INET, text.c_str(), &v4) != 1) {
      return false;
    }
    a.family = Family::V4;
    memcpy(a.bytes.data(), &v4, 4);
  } else {
    in6_addr v6{};
    if (inet_pton(AF_INET6, text.c_str(), &v6) != 1) {
      return false;
    }
    a.family = Family::V6;
    memcpy(a.bytes.data(), &v6, 16);
  }
  out = a;
  return true;
}

std::string IpAddress::toString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (family == Family::V4) {
    inet_ntop(AF_INET, bytes.data(), buf, sizeof(buf));
  } else {
    inet_ntop(AF_INET6, bytes.data(), buf, sizeof(buf));
  }
  return buf;
}

KeyBytes::KeyBytes(const uint8_t* data, std::size_t len) noexcept {
  if (data == nullptr || len > kMax) {
    return;  // an oversized key is refused: size() stays 0
  }
  memcpy(bytes_.data(), data, len);
  len_ = len;
}

KeyBytes::KeyBytes(const KeyBytes& o) noexcept : bytes_(o.bytes_), len_(o.len_) {}

KeyBytes& KeyBytes::operator=(const KeyBytes& o) noexcept {
  if (this != &o) {
    wipe();
    bytes_ = o.bytes_;
    len_ = o.len_;
  }
  return *this;
}

KeyBytes::~KeyBytes() { wipe(); }

// Every way of making or changing a KeyBytes keeps its bytes all zero while len_ is 0, so an
// empty one (most of a pair's parameters on delete and activation) has nothing to wipe.
void KeyBytes::wipe() noexcept {
  if (len_ == 0) {
    return;
  }
  explicit_bzero(bytes_.data(), bytes_.size());
  len_ = 0;
}

}  // namespace secsetup::kipsec
