// secsetup-ue-agent: the test UE's IPsec half (profile section 9). SIPp is the UE's SIP stack;
// after SM4 it asks this agent, over a control message, to check the P-CSCF's choice and
// install the UE's SA pair (profile 8 item 10), using the core's own checks and key code and
// the kernel_ipsec backend. One long-running process serves every UE of a test run, because
// starting a process per registration is slow in User-mode Linux.
//
//   secsetup-ue-agent --listen IP:PORT [--listen IP:PORT]... --k TEXT --op TEXT
//                     [--key-derivation MODE] [--rotate-bits N] [--owner-tag N]
//
// IP is dotted-quad or [IPv6]; one agent serves a UE's IPv4 and IPv6 addresses (each SIPp
// sends its control messages in its own address family), so --listen may be repeated.
//
// Control requests (any method; headers name the operation):
//   X-Op: sm4      X-Ue: ip:port  X-Pcscf: ip  X-Sm1: <line>  X-Sm4: <line>  X-Nonce: <b64>
//                  [X-Corrupt-Key: 1]  (a wrong key on the UE's SA to the P-CSCF: profile 8
//                  item 4, user authentication failure)
//   X-Op: release  X-Ue: ip:port      (de-registration: the UE's pairs on that port go)
//   X-Op: wait     X-Ue: ip[:port]  X-Spi-U: N
//                  (answered once the pair whose inbound SA has SPI N is installed for that
//                  UE address, at once if it already is: install_waits.h says why)
//   X-Op: flush                       (every SA and policy of the agent)
// Answers: 200 (done), 488 with a Warning (SM4 refused, nothing installed), 500 (kernel).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "kernel_ipsec/xfrm_mnl_backend.h"
#include "module/negotiation/choice.h"
#include "module/keys/key_derivation.h"
#include "module/wire/setup_grammar.h"
#include "tests/ue_agent/answer_cache.h"
#include "tests/ue_agent/control_message.h"
#include "tests/ue_agent/install_waits.h"
#include "tests/ue_agent/milenage.h"

namespace secsetup::ue {
namespace {

volatile sig_atomic_t stopRequested = 0;
void onSignal(int) { stopRequested = 1; }

struct ListenAddress {
  kipsec::IpAddress ip;
  uint16_t port = 0;
};

struct Options {
  std::vector<ListenAddress> listen;
  Block k{}, op{};
  KeyDerivation derivation = KeyDerivation::HmacSha256;
  unsigned rotateBits = 64;
  uint32_t ownerTag = 0x5ec0e;
};

struct Installed {
  kipsec::SaPairId id;
  kipsec::SaPairParams params;  // keys wiped once installed
};

// Key bytes of a printable K or OP (SIPp 3.6.1 takes them as text), zero-padded.
Block textKey(const char* s) {
  Block b{};
  std::memcpy(b.data(), s, std::min<std::size_t>(std::strlen(s), b.size()));
  return b;
}

bool splitHostPort(const std::string& s, kipsec::IpAddress& ip, uint16_t& port) {
  std::size_t colon = s.rfind(':');
  if (colon == std::string::npos) {
    return false;
  }
  std::string host = s.substr(0, colon);
  if (host.size() > 1 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  long p = std::strtol(s.c_str() + colon + 1, nullptr, 10);
  if (p <= 0 || p > 65535) {
    return false;
  }
  port = static_cast<uint16_t>(p);
  return kipsec::IpAddress::parse(host, ip);
}

// What a UE with the wrong key (a failed user authentication) would install.
void corruptKey(kipsec::KeyBytes& key) {
  std::vector<uint8_t> bytes(key.data(), key.data() + key.size());
  bytes[0] ^= 0xff;
  key = kipsec::KeyBytes(bytes.data(), bytes.size());
  OPENSSL_cleanse(bytes.data(), bytes.size());
}

bool randFromNonce(const std::string& nonce64, Block& rand) {
  std::vector<unsigned char> raw(nonce64.size() + 4);
  int n = EVP_DecodeBlock(raw.data(), reinterpret_cast<const unsigned char*>(nonce64.data()),
                          static_cast<int>(nonce64.size()));
  if (n < 32) {
    return false;  // RAND (16) || AUTN (16)
  }
  std::memcpy(rand.data(), raw.data(), 16);
  return true;
}

class Agent {
 public:
  Agent(const Options& o, kipsec::KernelIpsec& kernel) : opt_(o), kernel_(kernel) {}

  // The answers to send: usually one to the requester; none yet for a wait; an install
  // also answers the waits for its pair.
  std::vector<Outgoing> handle(const ControlRequest& req, const Outgoing& requester) {
    const std::string op = req.header("x-op");
    std::vector<Outgoing> out;
    if (op == "wait") {
      return wait(req, requester);
    }
    std::string answer;
    if (op == "sm4") {
      answer = sm4(req, out);
    } else if (op == "release") {
      answer = release(req);
    } else if (op == "flush") {
      kipsec::Result r = kernel_.flushOwned();
      sessions_.clear();
      waits_.clear();
      answer = r.ok() ? formatResponse(req, 200, "Flushed", "")
                      : refuse(req, 500, "Kernel Error", kipsec::toString(r.status));
    } else {
      answer = refuse(req, 400, "Bad Request", "unknown X-Op '" + op + "'");
    }
    out.insert(out.begin(), Outgoing{requester.to, requester.toLen, std::move(answer), requester.txn});
    return out;
  }

 private:
  std::string refuse(const ControlRequest& req, int code, const char* reason,
                     const std::string& why) {
    std::fprintf(stderr, "ue-agent: %d %s: %s\n", code, reason, why.c_str());
    return formatResponse(req, code, reason, "Warning: 399 ue-agent \"" + why + "\"\r\n");
  }

  std::vector<Outgoing> wait(const ControlRequest& req, const Outgoing& requester) {
    kipsec::IpAddress ue;
    uint16_t port = 0;
    std::string x = req.header("x-ue");
    bool parsed = splitHostPort(x, ue, port) || kipsec::IpAddress::parse(x, ue);
    char* end = nullptr;
    std::string spiText = req.header("x-spi-u");
    unsigned long spi = std::strtoul(spiText.c_str(), &end, 10);
    if (!parsed || spiText.empty() || *end != '\0' || spi > 0xffffffffUL) {
      return {Outgoing{requester.to, requester.toLen,
                       refuse(req, 400, "Bad Request", "X-Ue ip[:port] and X-Spi-U are required"),
                       requester.txn}};
    }
    Outgoing answer{requester.to, requester.toLen, formatResponse(req, 200, "Installed", ""),
                    requester.txn};
    if (holdsPair(ue, static_cast<uint32_t>(spi))) {
      return {answer};
    }
    waits_.wait(InstallWaits::key(ue.toString(), static_cast<uint32_t>(spi)), std::move(answer));
    return {};
  }

  std::string sm4(const ControlRequest& req, std::vector<Outgoing>& woken) {
    kipsec::IpAddress ue, pcscf;
    uint16_t uaPort = 0;
    if (!splitHostPort(req.header("x-ue"), ue, uaPort) ||
        !kipsec::IpAddress::parse(req.header("x-pcscf"), pcscf)) {
      return refuse(req, 400, "Bad Request", "X-Ue ip:port and X-Pcscf ip are required");
    }
    auto sm1 = parseSecuritySetup(req.header("x-sm1"));
    auto sm4 = parseSecuritySetup(req.header("x-sm4"));
    if (!sm1.ok()) {
      return refuse(req, 400, "Bad Request", "SM1: " + describe(sm1.error()));
    }
    if (!sm4.ok()) {
      return refuse(req, 488, "Not Acceptable Here", "SM4: " + describe(sm4.error()));
    }
    Choice choice;
    Rejection why;
    if (!checkAnswer(sm1.value(), sm4.value(), choice, why)) {
      return refuse(req, 488, "Not Acceptable Here", why.detail);  // 7.3.2.2: stop here
    }
    Block rand{};
    MilenageOut aka;
    if (!randFromNonce(req.header("x-nonce"), rand) ||
        !milenage(opt_.k, opt_.op, rand, {}, {}, aka)) {
      return refuse(req, 400, "Bad Request", "X-Nonce is not base64(RAND||AUTN)");
    }
    AkaKeys keys;
    std::memcpy(keys.ik, aka.ik.data(), kAkaKeyLen);
    std::memcpy(keys.ck, aka.ck.data(), kAkaKeyLen);
    keys.hasCk = true;
    OPENSSL_cleanse(&aka, sizeof aka);

    Installed pair;
    pair.id.ue = ue;
    pair.id.pcscf = pcscf;
    pair.id.spiP = sm4.value().saId;
    pair.id.spiU = sm1.value().saId;
    pair.params.local = kipsec::Role::Ue;
    pair.params.uePort = static_cast<uint16_t>(sm1.value().port ? sm1.value().port : uaPort);
    pair.params.pcscfProtectedPort = static_cast<uint16_t>(sm4.value().protectedPort);
    if (!fillSaKeys(opt_.derivation, opt_.rotateBits, choice, keys, pair.params)) {
      return refuse(req, 500, "Server Internal Error", "key derivation failed");
    }
    if (req.header("x-corrupt-key") == "1") {
      corruptKey(pair.params.integrityKeyToPcscf);
    }
    kipsec::Result r = kernel_.addPair(pair.id, pair.params);
    pair.params.integrityKeyToPcscf.wipe();
    pair.params.integrityKeyToUe.wipe();
    pair.params.cipherKey.wipe();
    if (!r.ok()) {
      return refuse(req, 500, "Kernel Error",
                    std::string("addPair: ") + kipsec::toString(r.status) + " errno " +
                        std::to_string(r.err));
    }
    sessions_[key(ue, pair.params.uePort)].push_back(pair);
    woken = waits_.installed(InstallWaits::key(ue.toString(), pair.id.spiU));
    char info[96];
    std::snprintf(info, sizeof info, "X-Pair: spi-p=%u;spi-u=%u;port=%u\r\n", pair.id.spiP,
                  pair.id.spiU, pair.params.uePort);
    return formatResponse(req, 200, "Installed", info);
  }

  std::string release(const ControlRequest& req) {
    kipsec::IpAddress ue;
    uint16_t port = 0;
    if (!splitHostPort(req.header("x-ue"), ue, port)) {
      return refuse(req, 400, "Bad Request", "X-Ue ip:port is required");
    }
    auto it = sessions_.find(key(ue, port));
    std::size_t deleted = 0;
    if (it != sessions_.end()) {
      for (const Installed& p : it->second) {
        if (kernel_.deletePair(p.id, p.params).ok()) {
          ++deleted;
        }
      }
      sessions_.erase(it);
    }
    return formatResponse(req, 200, "Released", "X-Deleted: " + std::to_string(deleted) + "\r\n");
  }

  static std::string key(const kipsec::IpAddress& ip, uint16_t port) {
    return ip.toString() + "|" + std::to_string(port);
  }

  // Whether a pair of this UE address with this SPI_U is installed (any of its ports).
  bool holdsPair(const kipsec::IpAddress& ue, uint32_t spiU) const {
    const std::string prefix = ue.toString() + "|";
    for (auto it = sessions_.lower_bound(prefix);
         it != sessions_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
      for (const Installed& p : it->second) {
        if (p.id.spiU == spiU) {
          return true;
        }
      }
    }
    return false;
  }

  Options opt_;
  kipsec::KernelIpsec& kernel_;
  std::map<std::string, std::vector<Installed>> sessions_;
  InstallWaits waits_;
};

bool parseOptions(int argc, char** argv, Options& o) {
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string name = argv[i];
    const char* v = argv[i + 1];
    if (name == "--listen") {
      ListenAddress l;
      if (!splitHostPort(v, l.ip, l.port)) {
        return false;
      }
      o.listen.push_back(l);
    } else if (name == "--k") {
      o.k = textKey(v);
    } else if (name == "--op") {
      o.op = textKey(v);
    } else if (name == "--key-derivation") {
      if (parseKeyDerivation(v, o.derivation) != Status::Ok) {
        return false;
      }
    } else if (name == "--rotate-bits") {
      o.rotateBits = static_cast<unsigned>(std::strtoul(v, nullptr, 10));
    } else if (name == "--owner-tag") {
      o.ownerTag = static_cast<uint32_t>(std::strtoul(v, nullptr, 0));
    } else {
      return false;
    }
  }
  return !o.listen.empty();
}

// A UDP socket bound to the address, in the address's family; -1 (perror said why) if not.
int bindControlSocket(const ListenAddress& l) {
  sockaddr_storage addr{};
  socklen_t len = 0;
  if (l.ip.family == kipsec::Family::V6) {
    auto* a6 = reinterpret_cast<sockaddr_in6*>(&addr);
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons(l.port);
    std::memcpy(&a6->sin6_addr, l.ip.bytes.data(), 16);
    len = sizeof(sockaddr_in6);
  } else {
    auto* a4 = reinterpret_cast<sockaddr_in*>(&addr);
    a4->sin_family = AF_INET;
    a4->sin_port = htons(l.port);
    std::memcpy(&a4->sin_addr, l.ip.bytes.data(), 4);
    len = sizeof(sockaddr_in);
  }
  int fd = socket(addr.ss_family, SOCK_DGRAM, 0);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0) {
    std::perror("ue-agent: bind");
    if (fd >= 0) {
      close(fd);
    }
    return -1;
  }
  // Hundreds of UEs of a load test may ask at once while the agent is busy in the kernel;
  // the default buffer holds about ninety requests, and a dropped one costs a SIPp retransmit.
  int bytes = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes);
  std::fprintf(stderr, "ue-agent: listening on %s port %u\n", l.ip.toString().c_str(), l.port);
  return fd;
}

// The first socket of that address family, or fallback.
int socketFor(const std::vector<pollfd>& fds, const std::vector<int>& families, int family,
              int fallback) {
  for (std::size_t i = 0; i < fds.size(); ++i) {
    if (families[i] == family) {
      return fds[i].fd;
    }
  }
  return fallback;
}

int run(int argc, char** argv) {
  Options opt;
  if (argc < 2 || (argc - 1) % 2 != 0 || !parseOptions(argc, argv, opt)) {
    std::fprintf(stderr,
                 "usage: secsetup-ue-agent --listen IP:PORT... --k TEXT --op TEXT "
                 "[--key-derivation hmac-sha256|rotate|none] [--rotate-bits N] [--owner-tag N]\n");
    return 2;
  }
  kipsec::XfrmConfig cfg;
  cfg.ownerTag = opt.ownerTag;
  kipsec::Result res;
  kipsec::KernelIpsecPtr kernel = kipsec::makeXfrmBackend(cfg, &res);
  if (!kernel) {
    std::fprintf(stderr, "ue-agent: no XFRM socket: %s\n", kipsec::toString(res.status));
    return 1;
  }
  std::vector<pollfd> fds;
  std::vector<int> families;  // of each socket in fds
  for (const ListenAddress& l : opt.listen) {
    int fd = bindControlSocket(l);
    if (fd < 0) {
      return 1;
    }
    fds.push_back(pollfd{fd, POLLIN, 0});
    families.push_back(l.ip.family == kipsec::Family::V6 ? AF_INET6 : AF_INET);
  }
  struct sigaction sa {};
  sa.sa_handler = onSignal;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);

  Agent agent(opt, *kernel);
  AnswerCache answers;
  std::vector<char> buf(65536);
  while (!stopRequested) {
    if (poll(fds.data(), fds.size(), -1) <= 0) {
      continue;  // EINTR on a stop signal
    }
    for (pollfd& p : fds) {
      if ((p.revents & POLLIN) == 0) {
        continue;
      }
      sockaddr_storage from{};
      socklen_t fromLen = sizeof from;
      ssize_t n = recvfrom(p.fd, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from),
                           &fromLen);
      if (n <= 0) {
        continue;
      }
      ControlRequest req;
      if (!parseControlRequest(std::string_view(buf.data(), static_cast<std::size_t>(n)), req)) {
        continue;  // responses and noise
      }
      // A waiter woken by this request may have asked over the other family: each answer
      // leaves through a socket of its addressee's family.
      std::string txn = AnswerCache::transactionOf(req);
      if (const std::string* earlier = answers.find(txn)) {
        if (!earlier->empty()) {  // a retransmission: the same answer, nothing done again
          sendto(p.fd, earlier->data(), earlier->size(), 0, reinterpret_cast<sockaddr*>(&from),
                 fromLen);
        }
        continue;
      }
      answers.store(txn, "");
      for (const Outgoing& o : agent.handle(req, Outgoing{from, fromLen, {}, txn})) {
        sendto(socketFor(fds, families, o.to.ss_family, p.fd), o.text.data(), o.text.size(), 0,
               reinterpret_cast<const sockaddr*>(&o.to), o.toLen);
        answers.store(o.txn, o.text);
      }
    }
  }
  // Leaves nothing behind: every SA and policy the agent made goes with it.
  kernel->flushOwned();
  for (pollfd& p : fds) {
    close(p.fd);
  }
  OPENSSL_cleanse(&opt, sizeof opt);
  return 0;
}

}  // namespace
}  // namespace secsetup::ue

int main(int argc, char** argv) { return secsetup::ue::run(argc, argv); }
