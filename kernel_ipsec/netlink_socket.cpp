// NETLINK_XFRM request/acknowledge plumbing over libmnl (see netlink_socket.h).

#include "kernel_ipsec/netlink_socket.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <netinet/in.h>  // before linux/xfrm.h: see xfrm_messages.h
#include <linux/xfrm.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include <algorithm>

#include "kernel_ipsec/xfrm_messages.h"

namespace secsetup::kipsec {
namespace {

constexpr std::size_t kRxSize = 256 * 1024;
constexpr int kSocketBuffer = 4 * 1024 * 1024;
constexpr int kTimeoutSeconds = 10;

}  // namespace

Status statusOfErrno(int err) noexcept {
  switch (err) {
    case 0:
      return Status::Ok;
    case EEXIST:
      return Status::AlreadyExists;
    case ESRCH:
    case ENOENT:
      return Status::NotFound;
    case EPROTONOSUPPORT:
    case ENOSYS:
    case EAFNOSUPPORT:
    case EOPNOTSUPP:
      return Status::NotSupported;
    case EINVAL:
      return Status::InvalidArg;
    case ENOMEM:
    case ENOBUFS:
    case ENOSPC:
      return Status::OutOfResources;
    default:
      return Status::KernelError;
  }
}

NlBatch::NlBatch(std::size_t maxMsgs) : maxMsgs_(maxMsgs), buf_(maxMsgs * xfrm::kMsgMax) {
  offsets_.reserve(maxMsgs);
}

NlBatch::~NlBatch() { explicit_bzero(buf_.data(), buf_.size()); }

void* NlBatch::space() noexcept {
  if (offsets_.size() >= maxMsgs_) {
    return nullptr;
  }
  return buf_.data() + used_;
}

void NlBatch::push(const void* msg) noexcept {
  const auto* nlh = static_cast<const nlmsghdr*>(msg);
  offsets_.push_back(used_);  // reserved in the constructor: never reallocates
  used_ += NLMSG_ALIGN(nlh->nlmsg_len);
}

nlmsghdr* NlBatch::msg(std::size_t i) noexcept {
  return reinterpret_cast<nlmsghdr*>(buf_.data() + offsets_[i]);
}

void NlBatch::clear() noexcept {
  explicit_bzero(buf_.data(), used_);
  offsets_.clear();
  used_ = 0;
}

NetlinkSocketPtr NetlinkSocket::open(const std::vector<unsigned>& groups, Result& res) noexcept {
  try {
    NetlinkSocketPtr s(new NetlinkSocket());
    const int flags = SOCK_CLOEXEC | (groups.empty() ? 0 : SOCK_NONBLOCK);
    s->nl_ = mnl_socket_open2(NETLINK_XFRM, flags);
    if (s->nl_ == nullptr) {
      res = resultOfErrno(errno);
      return nullptr;
    }
    if (mnl_socket_bind(s->nl_, 0, MNL_SOCKET_AUTOPID) < 0) {
      res = resultOfErrno(errno);
      return nullptr;
    }
    const int fd = mnl_socket_get_fd(s->nl_);
    int one = 1;
    // Errors come back without the request echoed (which would copy keys back to us).
    mnl_socket_setsockopt(s->nl_, NETLINK_CAP_ACK, &one, sizeof(one));
    mnl_socket_setsockopt(s->nl_, NETLINK_EXT_ACK, &one, sizeof(one));
    int size = kSocketBuffer;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0) {
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
    }
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0) {
      setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
    }
    timeval tv{kTimeoutSeconds, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    for (unsigned g : groups) {
      int grp = static_cast<int>(g);
      if (mnl_socket_setsockopt(s->nl_, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)) < 0) {
        res = resultOfErrno(errno);
        return nullptr;
      }
    }
    s->portid_ = mnl_socket_get_portid(s->nl_);
    s->seq_ = static_cast<uint32_t>(time(nullptr));
    s->rx_.resize(kRxSize);
    res = Result::success();
    return s;
  } catch (...) {
    res = Result::failure(Status::OutOfResources, ENOMEM);
    return nullptr;
  }
}

NetlinkSocket::~NetlinkSocket() {
  wipeReceived();
  if (nl_ != nullptr) {
    mnl_socket_close(nl_);
  }
}

int NetlinkSocket::fd() const noexcept { return mnl_socket_get_fd(nl_); }

void NetlinkSocket::wipeReceived() noexcept {
  explicit_bzero(rx_.data(), rxUsed_);
  rxUsed_ = 0;
}

Result NetlinkSocket::receive(ssize_t& len) noexcept {
  len = mnl_socket_recvfrom(nl_, rx_.data(), rx_.size());
  if (len >= 0) {
    rxUsed_ = std::max(rxUsed_, static_cast<std::size_t>(len));
    return Result::success();
  }
  const int e = errno == EAGAIN ? ETIMEDOUT : errno;  // SO_RCVTIMEO ran out
  // libmnl reports a truncated datagram (MSG_TRUNC: ENOSPC) or a bad sender address
  // (EINVAL) as an error after recvmsg() has filled the buffer: assume all of it was written.
  rxUsed_ = rx_.size();
  return Result::failure(e == ENOBUFS ? Status::OutOfResources : Status::KernelError, e);
}

Result NetlinkSocket::transact(NlBatch& batch, std::vector<int>& errs, NlSink* sink) noexcept {
  WipeOnReturn wipe{*this};
  const std::size_t n = batch.count();
  errs.assign(n, 0);
  if (n == 0) {
    return Result::success();
  }
  std::vector<bool> acked(n, false);
  const uint32_t firstSeq = batch.msg(0)->nlmsg_seq;
  for (std::size_t i = 0; i < n; ++i) {
    // The kernel copies this into the notifications the request causes (e.g. DELSA), so
    // that listeners can tell this socket's own changes from others'.
    batch.msg(i)->nlmsg_pid = portid_;
  }
  if (mnl_socket_sendto(nl_, batch.data(), batch.size()) < 0) {
    return resultOfErrno(errno);
  }
  std::size_t pending = n;
  while (pending > 0) {
    ssize_t len = 0;
    if (Result r = receive(len); !r.ok()) {
      return r;
    }
    int remaining = static_cast<int>(len);
    for (auto* nlh = reinterpret_cast<const nlmsghdr*>(rx_.data()); mnl_nlmsg_ok(nlh, remaining);
         nlh = mnl_nlmsg_next(nlh, &remaining)) {
      const uint32_t idx = nlh->nlmsg_seq - firstSeq;
      if (idx >= n || nlh->nlmsg_pid != portid_) {
        continue;  // a late answer to an earlier, abandoned exchange
      }
      if (nlh->nlmsg_type == NLMSG_ERROR) {
        const auto* e = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
        if (!acked[idx]) {
          acked[idx] = true;
          errs[idx] = -e->error;
          --pending;
        }
      } else if (sink != nullptr && nlh->nlmsg_type >= NLMSG_MIN_TYPE) {
        sink->onMessage(idx, nlh);
      }
    }
  }
  return Result::success();
}

Result NetlinkSocket::dump(const nlmsghdr* request, NlSink& sink) noexcept {
  WipeOnReturn wipe{*this};
  if (mnl_socket_sendto(nl_, request, request->nlmsg_len) < 0) {
    return resultOfErrno(errno);
  }
  const uint32_t seq = request->nlmsg_seq;
  for (;;) {
    ssize_t len = 0;
    if (Result r = receive(len); !r.ok()) {
      return r;
    }
    int remaining = static_cast<int>(len);
    for (auto* nlh = reinterpret_cast<const nlmsghdr*>(rx_.data()); mnl_nlmsg_ok(nlh, remaining);
         nlh = mnl_nlmsg_next(nlh, &remaining)) {
      if (nlh->nlmsg_seq != seq || nlh->nlmsg_pid != portid_) {
        continue;
      }
      if (nlh->nlmsg_type == NLMSG_DONE) {
        return Result::success();
      }
      if (nlh->nlmsg_type == NLMSG_ERROR) {
        const auto* e = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
        return resultOfErrno(-e->error);
      }
      sink.onMessage(0, nlh);
    }
  }
}

Result NetlinkSocket::drain(NlSink& sink) noexcept {
  WipeOnReturn wipe{*this};
  bool lost = false;
  for (;;) {
    // recv() without MSG_TRUNC returns the bytes it copied, also for a truncated datagram.
    const ssize_t len = recv(fd(), rx_.data(), rx_.size(), MSG_DONTWAIT);
    if (len >= 0) {
      rxUsed_ = std::max(rxUsed_, static_cast<std::size_t>(len));
    }
    if (len < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        break;
      }
      if (errno == ENOBUFS) {
        lost = true;
        continue;
      }
      return resultOfErrno(errno);
    }
    int remaining = static_cast<int>(len);
    for (auto* nlh = reinterpret_cast<const nlmsghdr*>(rx_.data()); mnl_nlmsg_ok(nlh, remaining);
         nlh = mnl_nlmsg_next(nlh, &remaining)) {
      sink.onMessage(0, nlh);
    }
  }
  return lost ? Result::failure(Status::OutOfResources, ENOBUFS) : Result::success();
}

}  // namespace secsetup::kipsec
