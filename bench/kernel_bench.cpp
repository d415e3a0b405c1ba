// Benchmark of the XFRM backend (not a test). Run inside the sandbox by tests/kernel/bench.sh.
//   kernel_bench pairs N          install N pairs, then delete them (timed from outside,
//                                 against `ip -batch` doing the same objects)
//   kernel_bench scaling FILL M   time M install+delete cycles on an empty kernel, then with
//                                 FILL pairs installed; prints both rates and their ratio
//                                 (one UE address per pair; scaling-same: all pairs between
//                                 the same two addresses)
// Pairs: P-CSCF role, hmac-sha-1-96 + aes-cbc, 192.0.2.1:(10000+i) <-> 192.0.2.2:5060,
// SPIs 0x10000+2i / +1: the same six objects bench.sh gives to ip.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

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

double cyclesPerSecond(KernelIpsec& k, uint32_t from, uint32_t m) {
  const auto t0 = std::chrono::steady_clock::now();
  if (!install(k, from, from + m) || !remove(k, from, from + m)) {
    return -1;
  }
  const std::chrono::duration<double> dt = std::chrono::steady_clock::now() - t0;
  return m / dt.count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: kernel_bench pairs N | scaling FILL M\n");
    return 2;
  }
  Result r;
  KernelIpsecPtr k = makeXfrmBackend(XfrmConfig{}, &r);
  if (!k) {
    std::fprintf(stderr, "backend: %s\n", toString(r.status));
    return 1;
  }
  k->flushOwned();
  const uint32_t n = static_cast<uint32_t>(std::strtoul(argv[2], nullptr, 10));
  if (std::strcmp(argv[1], "pairs") == 0) {
    return install(*k, 0, n) && remove(*k, 0, n) ? 0 : 1;
  }
  if ((std::strcmp(argv[1], "scaling") == 0 || std::strcmp(argv[1], "scaling-same") == 0) &&
      argc >= 4) {
    distinctUes = std::strcmp(argv[1], "scaling") == 0;
    const uint32_t m = static_cast<uint32_t>(std::strtoul(argv[3], nullptr, 10));
    // Warm-up, then the empty-kernel rate, then the rate with n pairs already installed.
    cyclesPerSecond(*k, n, m);
    const double empty = cyclesPerSecond(*k, n, m);
    const auto f0 = std::chrono::steady_clock::now();
    if (!install(*k, 0, n)) {
      return 1;
    }
    const std::chrono::duration<double> fill = std::chrono::steady_clock::now() - f0;
    // Steady state: let the kernel's one-shot per-object timers (armed 1 s after each
    // insert) and its hash-table resize work finish before measuring.
    std::this_thread::sleep_for(std::chrono::seconds(3));
    const double loaded = cyclesPerSecond(*k, n, m);
    k->flushOwned();
    if (empty <= 0 || loaded <= 0) {
      return 1;
    }
    std::printf("fill %u pairs: %.2f s (%.0f pairs/s)\n", n, fill.count(), n / fill.count());
    std::printf("install+delete, empty kernel: %.0f pairs/s\n", empty);
    std::printf("install+delete, %u pairs present: %.0f pairs/s\n", n, loaded);
    std::printf("cost ratio loaded/empty: %.3f\n", empty / loaded);
    return 0;
  }
  return 2;
}
