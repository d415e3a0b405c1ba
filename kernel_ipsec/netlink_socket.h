#pragma once
// One NETLINK_XFRM socket: batched requests, each acknowledged and matched by sequence
// number; dumps; errno -> Status mapping. No XFRM knowledge beyond NLMSG_* framing.

#include <linux/netlink.h>

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "kernel_ipsec/kernel_ipsec.h"

struct mnl_socket;

namespace secsetup::kipsec {

// errno (positive) -> Status, as the contract defines it.
Status statusOfErrno(int err) noexcept;
inline Result resultOfErrno(int err) noexcept {
  return err == 0 ? Result::success() : Result::failure(statusOfErrno(err), err);
}

// Contiguous request messages sent with one sendmsg(). The bytes may hold key material:
// they are wiped on clear() and destruction.
class NlBatch {
 public:
  explicit NlBatch(std::size_t maxMsgs);
  ~NlBatch();
  NlBatch(const NlBatch&) = delete;
  NlBatch& operator=(const NlBatch&) = delete;

  // Free space of xfrm::kMsgMax bytes for the next message, nullptr when full.
  void* space() noexcept;
  // Appends the message just built in space().
  void push(const void* nlh) noexcept;
  std::size_t count() const noexcept { return offsets_.size(); }
  std::size_t capacity() const noexcept { return maxMsgs_; }
  nlmsghdr* msg(std::size_t i) noexcept;
  const uint8_t* data() const noexcept { return buf_.data(); }
  std::size_t size() const noexcept { return used_; }
  void clear() noexcept;

 private:
  std::size_t maxMsgs_;
  std::vector<uint8_t> buf_;
  std::vector<std::size_t> offsets_;
  std::size_t used_ = 0;
};

// Receives the data messages (not the acknowledgements) of a transaction or dump.
class NlSink {
 public:
  virtual void onMessage(std::size_t requestIndex, const nlmsghdr* nlh) noexcept = 0;

 protected:
  ~NlSink() = default;
};

template <typename F>
class NlSinkFn final : public NlSink {
 public:
  explicit NlSinkFn(F& f) : f_(f) {}
  void onMessage(std::size_t i, const nlmsghdr* nlh) noexcept override { f_(i, nlh); }

 private:
  F& f_;
};

class NetlinkSocket;
using NetlinkSocketPtr = std::unique_ptr<NetlinkSocket>;

class NetlinkSocket {
 public:
  // groups: XFRMNLGRP_* numbers to join (event sockets are non-blocking); none for requests.
  static NetlinkSocketPtr open(const std::vector<unsigned>& groups, Result& res) noexcept;
  ~NetlinkSocket();
  NetlinkSocket(const NetlinkSocket&) = delete;
  NetlinkSocket& operator=(const NetlinkSocket&) = delete;

  int fd() const noexcept;
  uint32_t portid() const noexcept { return portid_; }
  uint32_t nextSeq() noexcept { return ++seq_; }

  // Sends every message of the batch at once (each must carry NLM_F_ACK) and waits for the
  // acknowledgement of each, matched by sequence number. errs[i] is 0 or the errno the
  // kernel answered message i with. The Result is an error only when the exchange itself
  // failed (send/receive error, timeout); then errs is meaningless.
  Result transact(NlBatch& batch, std::vector<int>& errs, NlSink* sink) noexcept;

  // Runs a dump request (built with NLM_F_DUMP) to its NLMSG_DONE.
  Result dump(const nlmsghdr* request, NlSink& sink) noexcept;

  // Event sockets: reads what is queued without blocking. ENOBUFS (events lost) is reported
  // as OutOfResources after the queued messages are delivered.
  Result drain(NlSink& sink) noexcept;

  // Test-only: the receive buffer as it is now, to check that nothing the kernel sent (GETSA
  // answers, dumps and DELSA notifications carry keys) outlives the call that read it.
  const std::vector<uint8_t>& receiveBufferForTest() const noexcept { return rx_; }

 private:
  NetlinkSocket() = default;
  // One blocking read into rx_ (bounded by the socket's receive timeout).
  Result receive(ssize_t& len) noexcept;
  // rx_ receives GETSA answers, dumps and DELSA notifications, which carry the SAs' keys
  // (XFRMA_ALG_*): every call that reads it wipes what it received before returning, on
  // every path (WipeOnReturn). rxUsed_ bounds what was written since the last wipe.
  void wipeReceived() noexcept;
  struct WipeOnReturn {
    NetlinkSocket& s;
    ~WipeOnReturn() { s.wipeReceived(); }
  };

  mnl_socket* nl_ = nullptr;
  uint32_t portid_ = 0;
  uint32_t seq_ = 0;
  std::vector<uint8_t> rx_;
  std::size_t rxUsed_ = 0;
};

}  // namespace secsetup::kipsec
