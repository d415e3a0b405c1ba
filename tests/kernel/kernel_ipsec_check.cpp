// Kernel suite for kernel_ipsec/: runs inside the sandbox (a kernel with ESP) after run.sh
// has built two namespaces joined by veth: "kua" (UE, 192.0.2.1, 2001:db8::1, dev vua) and
// "kpc" (P-CSCF, 192.0.2.2, 2001:db8::2, dev vpc). One process, several namespaces: every
// netlink and data socket is opened inside the namespace it belongs to (setns).
// Prints "PASS <name>" / "FAIL <name>: why" per check; exits 1 if any failed.

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "kernel_ipsec/netlink_socket.h"
#include "kernel_ipsec/xfrm_messages.h"
#include "kernel_ipsec/xfrm_mnl_backend.h"
#include "tests/kernel/check_util.h"

using namespace secsetup::kipsec;
using secsetup::kcheck::check;
using secsetup::kcheck::enterNs;
using secsetup::kcheck::ip;

namespace {

constexpr uint32_t kTag = 0x5ec5e7;
constexpr uint32_t kForeignTag = 0xf0f0;
constexpr uint16_t kUePort = 5064;
constexpr uint16_t kPcscfPort = 5060;
// The UE port of the deferred-outbound checks: its clear SM4-like packet is expected, and
// run.sh leaves this port out of its "nothing in the clear" capture check.
constexpr uint16_t kDeferUePort = 5070;

std::string str(const Result& r) {
  return std::string(toString(r.status)) + " errno " + std::to_string(r.err);
}

// Everything XFRM holds in one namespace, seen through a raw socket.
struct NsView {
  NetlinkSocketPtr sock;
  std::size_t sas(uint32_t tag, bool anyTag = false) {
    std::size_t n = 0;
    alignas(8) uint8_t buf[xfrm::kMsgMax];
    auto on = [&](std::size_t, const nlmsghdr* nlh) {
      xfrm::SaDump d;
      n += xfrm::parseSa(nlh, d) && (anyTag || d.reqid == tag) ? 1 : 0;
    };
    NlSinkFn<decltype(on)> sink(on);
    sock->dump(xfrm::buildDump(buf, XFRM_MSG_GETSA, sock->nextSeq()), sink);
    return n;
  }
  std::size_t policies(uint32_t tag, bool anyTag = false) {
    std::size_t n = 0;
    alignas(8) uint8_t buf[xfrm::kMsgMax];
    auto on = [&](std::size_t, const nlmsghdr* nlh) {
      xfrm::PolicyDump d;
      n += xfrm::parsePolicy(nlh, d) && (anyTag || d.selUser == tag) ? 1 : 0;
    };
    NlSinkFn<decltype(on)> sink(on);
    sock->dump(xfrm::buildDump(buf, XFRM_MSG_GETPOLICY, sock->nextSeq()), sink);
    return n;
  }
  std::size_t all() { return sas(0, true) + policies(0, true); }
};

class FailingBackend : public XfrmMnlBackend {
 public:
  FailingBackend(const XfrmConfig& c, std::size_t at) : XfrmMnlBackend(c), at_(at) {}

 protected:
  bool failObjectForTest(std::size_t i) noexcept override { return i == at_; }

 private:
  std::size_t at_;
};

struct Side {
  KernelIpsecPtr k;
  NsView view;
  int udp4 = -1, udp6 = -1, cap = -1;
};

int udpSocket(const IpAddress& a, uint16_t port) {
  const bool v6 = a.family == Family::V6;
  const int s = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_storage ss{};
  socklen_t len;
  if (v6) {
    auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons(port);
    std::memcpy(&s6->sin6_addr, a.bytes.data(), 16);
    len = sizeof(*s6);
  } else {
    auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
    s4->sin_family = AF_INET;
    s4->sin_port = htons(port);
    std::memcpy(&s4->sin_addr, a.bytes.data(), 4);
    len = sizeof(*s4);
  }
  int one = 1;
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (bind(s, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    close(s);
    return -1;
  }
  return s;
}

sockaddr_storage sockAddr(const IpAddress& a, uint16_t port, socklen_t& len) {
  sockaddr_storage ss{};
  if (a.family == Family::V6) {
    auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons(port);
    std::memcpy(&s6->sin6_addr, a.bytes.data(), 16);
    len = sizeof(*s6);
  } else {
    auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
    s4->sin_family = AF_INET;
    s4->sin_port = htons(port);
    std::memcpy(&s4->sin_addr, a.bytes.data(), 4);
    len = sizeof(*s4);
  }
  return ss;
}

bool recvText(int s, const std::string& want, int timeoutMs) {
  pollfd p{s, POLLIN, 0};
  while (poll(&p, 1, timeoutMs) > 0) {
    char buf[2048];
    const ssize_t n = recv(s, buf, sizeof(buf), MSG_DONTWAIT);
    if (n > 0 && std::string(buf, static_cast<std::size_t>(n)) == want) {
      return true;
    }
  }
  return false;
}

// What the P-CSCF's veth saw: ESP packets by SPI, and clear UDP/TCP between the parties.
struct Capture {
  std::set<uint32_t> espSpis;
  int clearTransport = 0;
  bool plaintextSeen = false;
};

Capture readCapture(int cap, const std::string& secret) {
  Capture c;
  uint8_t buf[4096];
  for (;;) {
    const ssize_t n = recv(cap, buf, sizeof(buf), MSG_DONTWAIT);
    if (n <= 0) {
      break;
    }
    const std::size_t len = static_cast<std::size_t>(n);
    if (std::string(reinterpret_cast<char*>(buf), len).find(secret) != std::string::npos) {
      c.plaintextSeen = true;
    }
    uint8_t proto = 0;
    std::size_t off = 0;
    if (len >= 20 && (buf[0] >> 4) == 4) {
      proto = buf[9];
      off = (buf[0] & 0xf) * 4u;
    } else if (len >= 40 && (buf[0] >> 4) == 6) {
      proto = buf[6];
      off = 40;
    } else {
      continue;
    }
    if (proto == IPPROTO_ESP && len >= off + 4) {
      uint32_t spi;
      std::memcpy(&spi, buf + off, 4);
      c.espSpis.insert(ntohl(spi));
    } else if (proto == IPPROTO_UDP || proto == IPPROTO_TCP) {
      ++c.clearTransport;
    }
  }
  return c;
}

void drainCapture(int cap) { readCapture(cap, "\x01"); }

SaPairParams makeParams(Role role, IntegrityAlg ia, CipherAlg ca) {
  // Profile 5 layouts from fixed IK/CK: sha-1 key || 32 zero bits, des3 CK1||CK2||CK1.
  uint8_t ikIn[20] = {}, ikOut[20] = {}, ck[24] = {};
  for (int i = 0; i < 16; ++i) {
    ikIn[i] = static_cast<uint8_t>(0x10 + i);
    ikOut[i] = static_cast<uint8_t>(0x40 + i);
    ck[i] = static_cast<uint8_t>(0x80 + i);
  }
  std::memcpy(ck + 16, ck, 8);
  SaPairParams p;
  p.local = role;
  p.uePort = kUePort;
  p.pcscfProtectedPort = kPcscfPort;
  p.integrity = ia;
  p.cipher = ca;
  const std::size_t ikLen = ia == IntegrityAlg::HmacSha1_96 ? 20 : 16;
  p.integrityKeyToPcscf = KeyBytes(ikIn, ikLen);
  p.integrityKeyToUe = KeyBytes(ikOut, ikLen);
  const std::size_t ckLen = ca == CipherAlg::AesCbc ? 16 : ca == CipherAlg::DesEde3Cbc ? 24 : 0;
  p.cipherKey = KeyBytes(ck, ckLen);
  return p;
}

const char* name(IntegrityAlg a) { return a == IntegrityAlg::HmacMd5_96 ? "md5" : "sha1"; }
const char* name(CipherAlg c) {
  switch (c) {
    case CipherAlg::None: return "none";
    case CipherAlg::Null: return "null";
    case CipherAlg::AesCbc: return "aes";
    case CipherAlg::DesEde3Cbc: return "des3";
  }
  return "?";
}

}  // namespace
namespace {

struct Env {
  Side ue, pc;
  IpAddress ueAddr[2] = {ip("192.0.2.1"), ip("2001:db8::1")};
  IpAddress pcAddr[2] = {ip("192.0.2.2"), ip("2001:db8::2")};
  int ueUdp[2] = {-1, -1};
  int pcUdp[2] = {-1, -1};
  int pcTcpListen[2] = {-1, -1};
  int ueTcp[2] = {-1, -1};
  int ueDeferUdp = -1;  // UE 192.0.2.1:kDeferUePort
};

XfrmConfig config(uint32_t tag = kTag) {
  XfrmConfig c;
  c.ownerTag = tag;
  return c;
}

int tcpSocket(const IpAddress& a, uint16_t port, bool listen_) {
  socklen_t len;
  sockaddr_storage ss = sockAddr(a, port, len);
  const int s = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  timeval tv{3, 0};
  setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  if (bind(s, reinterpret_cast<sockaddr*>(&ss), len) != 0 || (listen_ && listen(s, 4) != 0)) {
    close(s);
    return -1;
  }
  return s;
}

bool openSide(Env& e, bool pcscf) {
  Side& s = pcscf ? e.pc : e.ue;
  if (!enterNs(pcscf ? "kpc" : "kua")) {
    return false;
  }
  Result r;
  s.k = makeXfrmBackend(config(), &r);
  s.view.sock = NetlinkSocket::open({}, r);
  if (!s.k || !s.view.sock) {
    return false;
  }
  for (int f = 0; f < 2; ++f) {
    if (pcscf) {
      e.pcUdp[f] = udpSocket(e.pcAddr[f], kPcscfPort);
    } else {
      e.ueUdp[f] = udpSocket(e.ueAddr[f], kUePort);
    }
  }
  if (pcscf) {
    s.k->expireEventFd();  // opened now, inside kpc
    s.cap = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_ALL));
    sockaddr_ll sll{};
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_ALL);
    sll.sll_ifindex = static_cast<int>(if_nametoindex("vpc"));
    if (s.cap < 0 || bind(s.cap, reinterpret_cast<sockaddr*>(&sll), sizeof(sll)) != 0) {
      return false;
    }
  }
  return true;
}

bool sendText(int s, const IpAddress& to, uint16_t port, const std::string& text) {
  socklen_t len;
  sockaddr_storage ss = sockAddr(to, port, len);
  return sendto(s, text.data(), text.size(), 0, reinterpret_cast<sockaddr*>(&ss), len) ==
         static_cast<ssize_t>(text.size());
}

// TCP UE:5064 -> P-CSCF:5060 through the pair; the data must arrive, in ESP only.
bool tcpThroughPair(Env& e, int f, const std::string& secret, std::string& why) {
  socklen_t len;
  sockaddr_storage to = sockAddr(e.pcAddr[f], kPcscfPort, len);
  if (e.ueTcp[f] < 0 || e.pcTcpListen[f] < 0) {
    why = "tcp sockets";
    return false;
  }
  if (connect(e.ueTcp[f], reinterpret_cast<sockaddr*>(&to), len) != 0) {
    why = std::string("connect: ") + strerror(errno);
    return false;
  }
  send(e.ueTcp[f], secret.data(), secret.size(), 0);
  pollfd p{e.pcTcpListen[f], POLLIN, 0};
  if (poll(&p, 1, 3000) <= 0) {
    why = "no accept";
    return false;
  }
  const int c = accept(e.pcTcpListen[f], nullptr, nullptr);
  const bool got = recvText(c, secret, 3000);
  // End with a reset from the P-CSCF's full socket (it goes through the SA) so that no
  // closed socket is left for the kernel to answer statelessly: the kernel's stateless TCP
  // replies (RST to a closed port) bypass the socket and were seen leaving in the clear.
  linger lg{1, 0};
  setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
  close(c);
  pollfd pu{e.ueTcp[f], POLLIN, 0};
  poll(&pu, 1, 2000);
  char sink[16];
  recv(e.ueTcp[f], sink, sizeof(sink), MSG_DONTWAIT);
  close(e.ueTcp[f]);
  e.ueTcp[f] = -1;
  if (!got) {
    why = "tcp data did not arrive";
  }
  return got;
}

void comboCheck(Env& e, int f, IntegrityAlg ia, CipherAlg ca, bool& allDeleted) {
  const std::string n = std::string("esp_") + name(ia) + "_" + name(ca) + (f == 0 ? "_v4" : "_v6");
  const IpAddress& ue = e.ueAddr[f];
  const IpAddress& pc = e.pcAddr[f];
  SaPairId id{ue, pc, 0, 0};
  Result r = e.pc.k->allocSpi(ue, pc, 0x1000, 0xfffffff, id.spiP);
  Result r2 = e.ue.k->allocSpi(pc, ue, 0x1000, 0xfffffff, id.spiU);
  if (!r.ok() || !r2.ok()) {
    check(n, false, "allocSpi " + str(r) + " / " + str(r2));
    return;
  }
  r = e.pc.k->addPair(id, makeParams(Role::Pcscf, ia, ca));
  r2 = e.ue.k->addPair(id, makeParams(Role::Ue, ia, ca));
  if (!r.ok() || !r2.ok()) {
    check(n, false, "addPair pcscf " + str(r) + ", ue " + str(r2));
    e.pc.k->flushOwned();
    e.ue.k->flushOwned();
    return;
  }
  drainCapture(e.pc.cap);
  const std::string up = "secret-" + n + "-up", down = "secret-" + n + "-down";
  sendText(e.ueUdp[f], pc, kPcscfPort, up);
  const bool gotUp = recvText(e.pcUdp[f], up, 3000);
  sendText(e.pcUdp[f], ue, kUePort, down);
  const bool gotDown = recvText(e.ueUdp[f], down, 3000);
  std::string why;
  bool tcpOk = true;
  if (ia == IntegrityAlg::HmacSha1_96 && ca == CipherAlg::AesCbc) {
    tcpOk = tcpThroughPair(e, f, "secret-" + n + "-tcp", why);
    check(std::string("tcp_protected") + (f == 0 ? "_v4" : "_v6"), tcpOk, why);
    SaInfo info;
    Result q = e.pc.k->querySa(pc, id.spiP, info);
    check(std::string("query_last_use") + (f == 0 ? "_v4" : "_v6"),
          q.ok() && info.lastUse > 0 && info.packets >= 1 && info.src == ue,
          str(q) + " lastUse " + std::to_string(info.lastUse));
  }
  const Capture cap = readCapture(e.pc.cap, "secret-");
  const bool encrypted = ca == CipherAlg::AesCbc || ca == CipherAlg::DesEde3Cbc;
  const bool ok = gotUp && gotDown && cap.espSpis.count(id.spiP) == 1 &&
                  cap.espSpis.count(id.spiU) == 1 && cap.clearTransport == 0 &&
                  (!encrypted || !cap.plaintextSeen);
  check(n, ok,
        std::string("up ") + (gotUp ? "ok" : "lost") + ", down " + (gotDown ? "ok" : "lost") +
            ", esp spis seen " + std::to_string(cap.espSpis.size()) + ", clear udp/tcp " +
            std::to_string(cap.clearTransport) + (encrypted && cap.plaintextSeen ? ", PLAINTEXT" : ""));
  r = e.pc.k->deletePair(id, makeParams(Role::Pcscf, ia, ca));
  r2 = e.ue.k->deletePair(id, makeParams(Role::Ue, ia, ca));
  if (!r.ok() || !r2.ok() || e.pc.view.all() != 0 || e.ue.view.all() != 0) {
    allDeleted = false;
    std::printf("# delete after %s: %s / %s, left %zu / %zu\n", n.c_str(), str(r).c_str(),
                str(r2).c_str(), e.pc.view.all(), e.ue.view.all());
    e.pc.k->flushOwned();
    e.ue.k->flushOwned();
  }
}

SaPairId fixedId(const Env& e, uint32_t spiP, uint32_t spiU) {
  return SaPairId{e.ueAddr[0], e.pcAddr[0], spiP, spiU};
}

void errorValueChecks(Env& e) {
  const SaPairParams p = makeParams(Role::Pcscf, IntegrityAlg::HmacSha1_96, CipherAlg::AesCbc);
  const SaPairId id = fixedId(e, 0x2000, 0x2001);
  Result r = e.pc.k->addPair(id, p);
  Result again = e.pc.k->addPair(id, p);
  const std::size_t afterSame = e.pc.view.all();
  // Other SPIs, same selectors: the SAs are new but the policies exist -> rolled back.
  Result sameSel = e.pc.k->addPair(fixedId(e, 0x2002, 0x2003), p);
  const std::size_t afterSel = e.pc.view.all();
  check("add_existing_already_exists",
        r.ok() && again.status == Status::AlreadyExists && again.err == EEXIST && afterSame == 6 &&
            sameSel.status == Status::AlreadyExists && afterSel == 6,
        str(r) + ", again " + str(again) + ", same selectors " + str(sameSel) + ", objects " +
            std::to_string(afterSame) + "/" + std::to_string(afterSel));
  Result del = e.pc.k->deletePair(id, p);
  const std::size_t left = e.pc.view.all();
  Result del2 = e.pc.k->deletePair(id, p);
  SaInfo info;
  Result q = e.pc.k->querySa(e.pcAddr[0], 0x2000, info);
  Result rel = e.pc.k->releaseSpi(e.ueAddr[0], e.pcAddr[0], 0x2000);
  check("delete_missing_not_found",
        del.ok() && left == 0 && del2.status == Status::NotFound && q.status == Status::NotFound &&
            rel.status == Status::NotFound,
        str(del) + ", left " + std::to_string(left) + ", second " + str(del2) + ", query " +
            str(q) + ", release " + str(rel));
}

void rollbackChecks(Env& e) {
  enterNs("kpc");
  const SaPairParams p = makeParams(Role::Pcscf, IntegrityAlg::HmacMd5_96, CipherAlg::DesEde3Cbc);
  for (std::size_t i = 0; i < XfrmMnlBackend::kPairObjects; ++i) {
    FailingBackend k(config(), i);
    Result o = k.open();
    // The inbound SA's SPI is a reservation, as in production.
    SaPairId id = fixedId(e, 0, 0x3001);
    Result a = k.allocSpi(id.ue, id.pcscf, 0x3000, 0x3fff, id.spiP);
    Result r = k.addPair(id, p);
    const std::size_t left = e.pc.view.all();
    const std::size_t larval = e.pc.view.sas(kTag);
    Result rel = k.releaseSpi(id.ue, id.pcscf, id.spiP);
    const std::string n = i + 1 == XfrmMnlBackend::kPairObjects
                              ? std::string("rollback_last_object")
                              : "rollback_object_" + std::to_string(i);
    // Only the untouched reservation may remain: none of the pair's six objects.
    check(n,
          o.ok() && a.ok() && r.status == Status::InvalidArg && left == 1 && larval == 1 &&
              rel.ok() && e.pc.view.all() == 0,
          "add " + str(r) + ", objects left " + std::to_string(left) + ", release " + str(rel));
  }
}

void flushCheck(Env& e) {
  enterNs("kpc");
  KernelIpsecPtr foreign = makeXfrmBackend(config(kForeignTag));
  SaPairParams p = makeParams(Role::Pcscf, IntegrityAlg::HmacSha1_96, CipherAlg::Null);
  SaPairParams fp = p;
  fp.uePort = 7000;
  Result rf = foreign->addPair(fixedId(e, 0x4000, 0x4001), fp);
  Result ro = e.pc.k->addPair(fixedId(e, 0x4002, 0x4003), p);
  uint32_t spi = 0;
  Result ra = e.pc.k->allocSpi(e.ueAddr[1], e.pcAddr[1], 0x5000, 0x5fff, spi);
  Result fl = e.pc.k->flushOwned();
  const std::size_t ownSas = e.pc.view.sas(kTag), ownPols = e.pc.view.policies(kTag);
  const std::size_t fSas = e.pc.view.sas(kForeignTag), fPols = e.pc.view.policies(kForeignTag);
  check("flush_leaves_foreign",
        rf.ok() && ro.ok() && ra.ok() && fl.ok() && ownSas == 0 && ownPols == 0 && fSas == 2 &&
            fPols == 4,
        str(rf) + " " + str(ro) + " " + str(fl) + ", own left " + std::to_string(ownSas) + "+" +
            std::to_string(ownPols) + ", foreign " + std::to_string(fSas) + "+" +
            std::to_string(fPols));
  foreign->flushOwned();
}

void expireEventCheck(Env& e) {
  enterNs("kpc");
  std::vector<SaGone> gone;
  e.pc.k->drainExpired(gone);
  gone.clear();
  KernelIpsecPtr worker = makeXfrmBackend(config());  // another process's view
  const SaPairParams p = makeParams(Role::Pcscf, IntegrityAlg::HmacSha1_96, CipherAlg::AesCbc);
  Result a = worker->addPair(fixedId(e, 0x6000, 0x6001), p);
  Result d = worker->deletePair(fixedId(e, 0x6000, 0x6001), p);
  Result r = e.pc.k->drainExpired(gone);
  std::set<uint32_t> spis;
  for (const auto& g : gone) {
    spis.insert(g.spi);
  }
  check("sa_gone_events", a.ok() && d.ok() && r.ok() && spis == std::set<uint32_t>{0x6000, 0x6001},
        str(a) + " " + str(d) + " " + str(r) + ", events " + std::to_string(gone.size()));
}

void spiUniquenessCheck(Env& e) {
  const uint32_t lo = 0x100000, hi = 0x100000 + 999999;
  std::set<uint32_t> seen;
  bool inRange = true;
  Result bad;
  for (int i = 0; i < 10000; ++i) {
    uint32_t spi = 0;
    Result r = e.pc.k->allocSpi(e.ueAddr[0], e.pcAddr[0], lo, hi, spi);
    if (!r.ok()) {
      bad = r;
      break;
    }
    inRange = inRange && spi >= lo && spi <= hi;
    seen.insert(spi);
  }
  const std::size_t reserved = e.pc.view.sas(kTag);
  for (uint32_t spi : seen) {
    e.pc.k->releaseSpi(e.ueAddr[0], e.pcAddr[0], spi);
  }
  check("spi_alloc_10000_unique",
        bad.ok() && seen.size() == 10000 && inRange && reserved == 10000 && e.pc.view.all() == 0,
        str(bad) + ", unique " + std::to_string(seen.size()) + ", reserved " +
            std::to_string(reserved));
}

// Profile 6: the pair exists from SM3 on, SM4 leaves in the clear, the UE's SM5 arrives
// through its SA, and from then on (activateOutbound) the P-CSCF sends in ESP only.
SaPairParams deferParams(Role role, bool defer) {
  SaPairParams p = makeParams(role, IntegrityAlg::HmacSha1_96, CipherAlg::AesCbc);
  p.uePort = kDeferUePort;
  p.deferOutbound = defer;
  return p;
}

void deferredFlowChecks(Env& e) {
  enterNs("kpc");
  const IpAddress& ue = e.ueAddr[0];
  const IpAddress& pc = e.pcAddr[0];
  const SaPairParams pp = deferParams(Role::Pcscf, true);
  const SaPairParams up = deferParams(Role::Ue, false);
  SaPairId id{ue, pc, 0, 0x7001};
  Result a = e.pc.k->allocSpi(ue, pc, 0x7000, 0x70ff, id.spiP);  // as in production
  Result r = e.pc.k->addPair(id, pp);
  const std::size_t objs = e.pc.view.all(), pols = e.pc.view.policies(kTag);
  Result early = e.ue.k->activateOutbound(id, up);  // the UE has nothing yet
  // SM4: P-CSCF -> UE's port while the UE has no SAs: must leave and arrive in the clear.
  drainCapture(e.pc.cap);
  const std::string sm4 = "secret-deferred-sm4";
  sendText(e.pcUdp[0], ue, kDeferUePort, sm4);
  const bool gotSm4 = e.ueDeferUdp >= 0 && recvText(e.ueDeferUdp, sm4, 3000);
  const Capture c4 = readCapture(e.pc.cap, sm4);
  check("deferred_outbound_sends_clear",
        a.ok() && r.ok() && objs == 4 && pols == 2 && early.status == Status::NotFound &&
            gotSm4 && c4.plaintextSeen && c4.clearTransport >= 1 && c4.espSpis.empty(),
        "alloc " + str(a) + ", add " + str(r) + ", objects " + std::to_string(objs) +
            ", policies " + std::to_string(pols) + ", ue activate " + str(early) + ", sm4 " +
            (gotSm4 ? "arrived" : "lost") + ", clear " + std::to_string(c4.clearTransport) +
            ", esp spis " + std::to_string(c4.espSpis.size()));

  // SM5: the UE installs its pair and sends through its SA; the P-CSCF accepts it.
  Result ru = e.ue.k->addPair(id, up);
  drainCapture(e.pc.cap);
  const std::string sm5 = "secret-deferred-sm5";
  sendText(e.ueDeferUdp, pc, kPcscfPort, sm5);
  const bool gotSm5 = recvText(e.pcUdp[0], sm5, 3000);
  const Capture c5 = readCapture(e.pc.cap, "secret-");
  check("deferred_inbound_sa_accepts_ue",
        ru.ok() && gotSm5 && c5.espSpis.count(id.spiP) == 1 && c5.clearTransport == 0 &&
            !c5.plaintextSeen,
        "ue add " + str(ru) + ", sm5 " + (gotSm5 ? "arrived" : "lost") + ", esp spiP " +
            std::to_string(c5.espSpis.count(id.spiP)) + ", clear " +
            std::to_string(c5.clearTransport));

  // From SM8 on: activated, the same send is ESP with SPI_U only.
  Result act = e.pc.k->activateOutbound(id, pp);
  const std::size_t objsAct = e.pc.view.all();
  drainCapture(e.pc.cap);
  const std::string sm8 = "secret-deferred-sm8";
  sendText(e.pcUdp[0], ue, kDeferUePort, sm8);
  const bool gotSm8 = recvText(e.ueDeferUdp, sm8, 3000);
  const Capture c8 = readCapture(e.pc.cap, "secret-");
  check("activate_outbound_then_esp_only",
        act.ok() && objsAct == 6 && gotSm8 && c8.espSpis == std::set<uint32_t>{id.spiU} &&
            c8.clearTransport == 0 && !c8.plaintextSeen,
        "activate " + str(act) + ", objects " + std::to_string(objsAct) + ", sm8 " +
            (gotSm8 ? "arrived" : "lost") + ", esp spis " + std::to_string(c8.espSpis.size()) +
            ", clear " + std::to_string(c8.clearTransport) + (c8.plaintextSeen ? ", PLAINTEXT" : ""));

  Result again = e.pc.k->activateOutbound(id, pp);
  const std::size_t objsAgain = e.pc.view.all();
  Result unknown = e.pc.k->activateOutbound(fixedId(e, 0x7300, 0x7301), pp);
  const std::size_t objsUnknown = e.pc.view.all();
  check("activate_outbound_twice_already_exists",
        again.status == Status::AlreadyExists && again.err == EEXIST && objsAgain == 6 &&
            unknown.status == Status::NotFound && objsUnknown == 6,
        "again " + str(again) + ", objects " + std::to_string(objsAgain) + ", unknown pair " +
            str(unknown) + ", objects " + std::to_string(objsUnknown));

  Result del = e.pc.k->deletePair(id, pp);
  Result delUe = e.ue.k->deletePair(id, up);
  const std::size_t left = e.pc.view.all() + e.ue.view.all();
  Result del2 = e.pc.k->deletePair(id, pp);
  check("delete_activated_removes_all",
        del.ok() && delUe.ok() && left == 0 && del2.status == Status::NotFound,
        str(del) + " / " + str(delUe) + ", left " + std::to_string(left) + ", second " +
            str(del2));
  e.pc.k->flushOwned();
  e.ue.k->flushOwned();
}

void deferredDeleteChecks(Env& e) {
  // Never activated, on both roles: delete removes the four objects there are.
  const SaPairId id = fixedId(e, 0x7100, 0x7101);
  const SaPairParams pp = deferParams(Role::Pcscf, true);
  const SaPairParams up = deferParams(Role::Ue, true);
  Result rp = e.pc.k->addPair(id, pp);
  Result ru = e.ue.k->addPair(id, up);
  const std::size_t objs = e.pc.view.all() + e.ue.view.all();
  Result dp = e.pc.k->deletePair(id, pp);
  Result du = e.ue.k->deletePair(id, up);
  const std::size_t left = e.pc.view.all() + e.ue.view.all();
  Result dp2 = e.pc.k->deletePair(id, pp);
  Result du2 = e.ue.k->deletePair(id, up);
  check("delete_deferred_removes_all",
        rp.ok() && ru.ok() && objs == 8 && dp.ok() && du.ok() && left == 0 &&
            dp2.status == Status::NotFound && du2.status == Status::NotFound,
        "add " + str(rp) + " / " + str(ru) + ", objects " + std::to_string(objs) + ", delete " +
            str(dp) + " / " + str(du) + ", left " + std::to_string(left) + ", second " +
            str(dp2) + " / " + str(du2));
  e.pc.k->flushOwned();
  e.ue.k->flushOwned();
}

// activateOutbound is both or neither: object `at` (one of the local role's outbound
// policies) is made invalid; the other one must not stay, the deferred pair must.
void deferredRollbackOne(Env& e, Role role, std::size_t at, const std::string& name) {
  const bool pcscf = role == Role::Pcscf;
  enterNs(pcscf ? "kpc" : "kua");
  Side& side = pcscf ? e.pc : e.ue;
  FailingBackend k(config(), at);
  Result o = k.open();
  const SaPairId id = fixedId(e, 0x7200 + static_cast<uint32_t>(at), 0x7280);
  const SaPairParams p = deferParams(role, true);
  Result a = k.addPair(id, p);  // `at` is not part of a deferred add
  const std::size_t added = side.view.all();
  Result act = k.activateOutbound(id, p);
  const std::size_t left = side.view.all(), pols = side.view.policies(kTag);
  Result retry = side.k->activateOutbound(id, p);  // a working backend still can
  const std::size_t afterRetry = side.view.all();
  Result del = side.k->deletePair(id, p);
  check(name,
        o.ok() && a.ok() && added == 4 && act.status == Status::InvalidArg && left == 4 &&
            pols == 2 && retry.ok() && afterRetry == 6 && del.ok() && side.view.all() == 0,
        "add " + str(a) + " (" + std::to_string(added) + " objects), activate " + str(act) +
            ", left " + std::to_string(left) + ", retry " + str(retry) + " (" +
            std::to_string(afterRetry) + "), delete " + str(del));
  side.k->flushOwned();
}

void deferredRollbackChecks(Env& e) {
  // Objects: 2,3 policies towards the P-CSCF (the UE's outbound), 4,5 towards the UE.
  deferredRollbackOne(e, Role::Pcscf, 5, "activate_rollback_second_outbound_pcscf");
  deferredRollbackOne(e, Role::Pcscf, 4, "activate_rollback_first_outbound_pcscf");
  deferredRollbackOne(e, Role::Ue, 3, "activate_rollback_second_outbound_ue");
}

}  // namespace

int main() {
  Env e;
  if (!openSide(e, false) || !openSide(e, true)) {
    check("setup", false, "namespaces kua/kpc or sockets");
    return 1;
  }
  enterNs("kua");
  for (int f = 0; f < 2; ++f) {
    e.ueTcp[f] = tcpSocket(e.ueAddr[f], kUePort, false);
  }
  e.ueDeferUdp = udpSocket(e.ueAddr[0], kDeferUePort);
  enterNs("kpc");
  for (int f = 0; f < 2; ++f) {
    e.pcTcpListen[f] = tcpSocket(e.pcAddr[f], kPcscfPort, true);
  }
  const Features fu = e.ue.k->features(), fp = e.pc.k->features();
  check("features_esp_ipv6", fu.esp && fu.ipv6 && fp.esp && fp.ipv6);
  e.pc.k->flushOwned();
  e.ue.k->flushOwned();

  bool allDeleted = true;
  for (int f = 0; f < 2; ++f) {
    for (IntegrityAlg ia : {IntegrityAlg::HmacMd5_96, IntegrityAlg::HmacSha1_96}) {
      for (CipherAlg ca :
           {CipherAlg::None, CipherAlg::Null, CipherAlg::AesCbc, CipherAlg::DesEde3Cbc}) {
        comboCheck(e, f, ia, ca, allDeleted);
      }
    }
  }
  check("delete_removes_every_object", allDeleted);
  errorValueChecks(e);
  rollbackChecks(e);
  flushCheck(e);
  expireEventCheck(e);
  spiUniquenessCheck(e);
  deferredFlowChecks(e);
  deferredDeleteChecks(e);
  deferredRollbackChecks(e);
  e.pc.k->flushOwned();
  e.ue.k->flushOwned();
  check("nothing_left", e.pc.view.all() == 0 && e.ue.view.all() == 0);
  return secsetup::kcheck::failures() == 0 ? 0 : 1;
}
