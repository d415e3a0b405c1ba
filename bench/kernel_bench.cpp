// Benchmark of the XFRM backend (not a test). Run inside the sandbox by tests/kernel/bench.sh.
//   kernel_bench pairs N          install N pairs, then delete them (timed from outside,
//                                 against `ip -batch` doing the same objects)
//   kernel_bench scaling EMPTY_NS LOADED_NS FILL
//                                 install cost with FILL pairs present (in fresh namespace
//                                 LOADED_NS) against an empty kernel (fresh namespace
//                                 EMPTY_NS), measured in alternating rounds in one process:
//                                 first fill (kernel tables growing) and again after a flush
//                                 and second fill (tables grown). One UE address per pair;
//                                 scaling-same: all pairs between the same two addresses.
// Pairs: P-CSCF role, hmac-sha-1-96 + aes-cbc, 192.0.2.1:(10000+i) <-> 192.0.2.2:5060,
// SPIs 0x10000+2i / +1: the same six objects bench.sh gives to ip.

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "kernel_ipsec/xfrm_mnl_backend.h"

using namespace secsetup::kipsec;

namespace {

SaPairParams params(uint16_t uePort) {
  uint8_t ik[20] = {}, ck[16] = {};
  for (int i = 0; i < 16; ++i) {
    ik[i] = static_cast<uint8_t>(i + 1);
    ck[i] = static_cast<uint8_t>(0x80 + i);
  }
  SaPairParams p;
  p.local = Role::Pcscf;
  p.uePort = uePort;
  p.pcscfProtectedPort = 5060;
  p.integrity = IntegrityAlg::HmacSha1_96;
  p.cipher = CipherAlg::AesCbc;
  p.integrityKeyToPcscf = KeyBytes(ik, 20);
  p.integrityKeyToUe = KeyBytes(ik, 20);
  p.cipherKey = KeyBytes(ck, 16);
  return p;
}

// The scaling run gives every pair its own UE address (10.x.y.z), as 10,000 registered UEs
// have; the ip comparison keeps one address pair, exactly the objects bench.sh gives ip.
bool distinctUes = false;

SaPairId pairId(uint32_t i) {
  SaPairId id;
  if (distinctUes) {
    const std::string ue = "10." + std::to_string((i >> 16) & 0xff) + "." +
                           std::to_string((i >> 8) & 0xff) + "." + std::to_string(i & 0xff);
    IpAddress::parse(ue, id.ue);
  } else {
    IpAddress::parse("192.0.2.1", id.ue);
  }
  IpAddress::parse("192.0.2.2", id.pcscf);
  id.spiP = 0x10000 + 2 * i;
  id.spiU = 0x10000 + 2 * i + 1;
  return id;
}

// Index i maps to a distinct UE port: 10000.. for the first 50000.
uint16_t portOf(uint32_t i) { return static_cast<uint16_t>(10000 + (i % 50000)); }

bool install(KernelIpsec& k, uint32_t from, uint32_t to) {
  for (uint32_t i = from; i < to; ++i) {
    Result r = k.addPair(pairId(i), params(portOf(i)));
    if (!r.ok()) {
      std::fprintf(stderr, "addPair %u: %s errno %d\n", i, toString(r.status), r.err);
      return false;
    }
  }
  return true;
}

bool remove(KernelIpsec& k, uint32_t from, uint32_t to) {
  for (uint32_t i = from; i < to; ++i) {
    if (!k.deletePair(pairId(i), params(portOf(i))).ok()) {
      std::fprintf(stderr, "deletePair %u failed\n", i);
      return false;
    }
  }
  return true;
}

double secondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Opens a backend whose socket belongs to network namespace `ns` (/run/netns/ns): XFRM state
// is per namespace, so one process can hold an empty and a filled kernel side by side.
KernelIpsecPtr openIn(const char* ns) {
  const int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  const int target = open((std::string("/run/netns/") + ns).c_str(), O_RDONLY | O_CLOEXEC);
  KernelIpsecPtr k;
  if (self >= 0 && target >= 0 && setns(target, CLONE_NEWNET) == 0) {
    Result r;
    k = makeXfrmBackend(XfrmConfig{}, &r);
    if (!k) {
      std::fprintf(stderr, "backend in %s: %s\n", ns, toString(r.status));
    }
    if (setns(self, CLONE_NEWNET) != 0) {
      k.reset();
    }
  } else {
    std::fprintf(stderr, "cannot enter namespace %s\n", ns);
  }
  if (self >= 0) {
    close(self);
  }
  if (target >= 0) {
    close(target);
  }
  if (k) {
    k->flushOwned();
  }
  return k;
}

// The kernel's hash-table sizes in a namespace (`ip -s -s xfrm ... count`): SAD buckets and
// the SPD index-table size (its per-direction tables grow in the same work item). Read
// between timed sections only.
std::string hashInfo(const char* ns) {
  std::string out;
  const std::string cmd = std::string("ip -n ") + ns + " -s -s xfrm state count; ip -n " + ns +
                          " -s -s xfrm policy count";
  FILE* f = popen(cmd.c_str(), "r");
  if (f == nullptr) {
    return "?";
  }
  char line[256];
  while (std::fgets(line, sizeof line, f) != nullptr) {
    const char* spd = std::strstr(line, "SPD buckets: count ");
    const char* sad = std::strstr(line, "buckets count ");
    if (spd != nullptr) {
      out += ", SPD index buckets " + std::to_string(std::atoi(spd + 19) + 1);
    } else if (sad != nullptr) {
      out += "SAD buckets " + std::to_string(std::atoi(sad + 14));
    }
  }
  pclose(f);
  return out;
}

// One measured round: install pairs [from, from + r), then delete them; microseconds per pair.
struct Round {
  double install = 0, remove = 0;
};

bool measure(KernelIpsec& k, uint32_t from, uint32_t r, Round& out) {
  const auto t0 = std::chrono::steady_clock::now();
  if (!install(k, from, from + r)) {
    return false;
  }
  out.install = 1e6 * secondsSince(t0) / r;
  const auto t1 = std::chrono::steady_clock::now();
  if (!remove(k, from, from + r)) {
    return false;
  }
  out.remove = 1e6 * secondsSince(t1) / r;
  return true;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

constexpr uint32_t kStep = 1000;  // fill step between two reference rounds
constexpr uint32_t kRound = 200;  // pairs installed and deleted per measured round
constexpr int kRounds = 21;       // interleaved rounds per side

// Fills `loaded` to `fill` pairs in steps of kStep. After every step, a reference round in
// `empty` (same objects, nothing else there) at that moment: the step's install cost against
// the empty kernel's is the growth curve, including the kernel's table resizes, which run
// while the fill goes on.
bool fillSteps(KernelIpsec& loaded, KernelIpsec& empty, uint32_t fill) {
  std::printf("  %6s %12s %12s %6s\n", "pairs", "fill us/pr", "empty us/pr", "ratio");
  std::vector<double> ratios;
  for (uint32_t at = 0; at < fill; at += kStep) {
    const uint32_t n = std::min(kStep, fill - at);
    const auto t0 = std::chrono::steady_clock::now();
    if (!install(loaded, at, at + n)) {
      return false;
    }
    const double step = 1e6 * secondsSince(t0) / n;
    Round ref;
    if (!measure(empty, fill, kRound, ref)) {
      return false;
    }
    std::printf("  %6u %12.0f %12.0f %6.2f\n", at + n, step, ref.install, step / ref.install);
    ratios.push_back(step / ref.install);
  }
  std::printf("  fill steps against the empty kernel: median ratio %.2f\n", median(ratios));
  return true;
}

double minOf(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }

// kRounds rounds in `loaded` (fill pairs present) and in `empty`, alternating, so that both
// sides see the same moments of a shared machine. Two estimates of loaded/empty: the median
// of the ratios of adjacent rounds, and the ratio of each side's best round (noise on a
// shared machine only adds time). The first rounds right after the fill are listed too.
bool compare(KernelIpsec& loaded, KernelIpsec& empty, uint32_t fill, const char* what) {
  std::vector<double> li, ei, lc, ec, ri, rc;
  for (int i = 0; i < kRounds; ++i) {
    Round l, e;
    if (!measure(loaded, fill, kRound, l) || !measure(empty, fill, kRound, e)) {
      return false;
    }
    li.push_back(l.install);
    ei.push_back(e.install);
    lc.push_back(l.install + l.remove);
    ec.push_back(e.install + e.remove);
    ri.push_back(l.install / e.install);
    rc.push_back(lc.back() / ec.back());
  }
  std::printf(
      "  %s, %d alternating rounds of %u pairs, install us/pair with %u present vs "
      "empty: median %.0f vs %.0f, best %.0f vs %.0f\n",
      what, kRounds, kRound, fill, median(li), median(ei), minOf(li), minOf(ei));
  std::printf(
      "  %s: install cost ratio %.2f (median of round ratios), %.2f (best rounds); "
      "install+delete %.2f, %.2f; rounds 1-3 after the fill: %.2f %.2f %.2f\n",
      what, median(ri), minOf(li) / minOf(ei), median(rc), minOf(lc) / minOf(ec), ri[0], ri[1],
      ri[2]);
  return true;
}

// The scaling benchmark: `loaded` and `empty` are fresh namespaces. First fill (tables
// growing as the kernel resizes them), comparison; then the same after flushing and filling
// again (tables already grown: they never shrink), comparison.
int scaling(const char* emptyNs, const char* loadedNs, uint32_t fill) {
  KernelIpsecPtr empty = openIn(emptyNs);
  KernelIpsecPtr loaded = openIn(loadedNs);
  if (!empty || !loaded) {
    return 1;
  }
  Round warm;  // process and slab warm-up, in both namespaces alike
  if (!measure(*empty, fill, kRound, warm) || !measure(*loaded, fill, kRound, warm)) {
    return 1;
  }
  std::printf("first fill of a fresh namespace [%s]:\n", hashInfo(loadedNs).c_str());
  auto t0 = std::chrono::steady_clock::now();
  if (!fillSteps(*loaded, *empty, fill)) {
    return 1;
  }
  std::printf("  filled in %.2f s [%s]\n", secondsSince(t0), hashInfo(loadedNs).c_str());
  if (!compare(*loaded, *empty, fill, "first fill")) {
    return 1;
  }
  if (!loaded->flushOwned().ok()) {
    return 1;
  }
  std::printf("second fill, same namespace (tables already grown) [%s]:\n",
              hashInfo(loadedNs).c_str());
  t0 = std::chrono::steady_clock::now();
  if (!fillSteps(*loaded, *empty, fill)) {
    return 1;
  }
  std::printf("  filled in %.2f s\n", secondsSince(t0));
  if (!compare(*loaded, *empty, fill, "steady state")) {
    return 1;
  }
  std::printf("  [empty: %s] [loaded: %s]\n", hashInfo(emptyNs).c_str(),
              hashInfo(loadedNs).c_str());
  loaded->flushOwned();
  empty->flushOwned();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 3 && std::strcmp(argv[1], "pairs") == 0) {
    Result r;
    KernelIpsecPtr k = makeXfrmBackend(XfrmConfig{}, &r);
    if (!k) {
      std::fprintf(stderr, "backend: %s\n", toString(r.status));
      return 1;
    }
    k->flushOwned();
    const uint32_t n = static_cast<uint32_t>(std::strtoul(argv[2], nullptr, 10));
    return install(*k, 0, n) && remove(*k, 0, n) ? 0 : 1;
  }
  if (argc >= 5 &&
      (std::strcmp(argv[1], "scaling") == 0 || std::strcmp(argv[1], "scaling-same") == 0)) {
    distinctUes = std::strcmp(argv[1], "scaling") == 0;
    return scaling(argv[2], argv[3], static_cast<uint32_t>(std::strtoul(argv[4], nullptr, 10)));
  }
  std::fprintf(stderr, "usage: kernel_bench pairs N | scaling[-same] EMPTY_NS LOADED_NS FILL\n");
  return 2;
}
