// Core benchmarks: parse/serialize of typical SM1/SM4 lines, engine work per registration
// (null kernel backend: only the core's own cost), shared memory per contact.
// Baselines in the same invocation: copying the SM1 line into a std::string, and reading
// every byte of it once (memchr for a byte it does not hold) - the floor of any parser.
// The machine is shared: run with repetitions and compare medians and bests with the
// baselines of the same run, e.g. secsetup_core_bench --benchmark_min_time=0.3
// --benchmark_repetitions=10 --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "module/wire/auth_params.h"
#include "module/negotiation/engine.h"
#include "module/keys/key_derivation.h"
#include "module/store/keyed_hash.h"
#include "module/wire/setup_encode.h"
#include "module/wire/setup_grammar.h"
#include "tests/support/store_arena.h"

using namespace secsetup;

namespace {

// The best repetition approximates the uncontended cost on a shared machine.
double minOf(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }

const std::string kSm1 =
    "esp / esp / hmac-sha-1-96,hmac-md5-96 / aes-cbc,des-ede3-cbc / 3344556677 / port=5064";
const std::string kSm4 =
    "esp / esp / hmac-sha-1-96 / aes-cbc / 1122334455 / protected-port=5060;unprotected-port=5062";

// A kernel that does nothing: the figures are the core's own work.
class NullKernel : public kipsec::KernelIpsec {
 public:
  kipsec::Result allocSpi(const kipsec::IpAddress&, const kipsec::IpAddress&, uint32_t min,
                          uint32_t, uint32_t& spi) noexcept override {
    spi = min + (next_++ & 0xFFFFFF);
    return {};
  }
  kipsec::Result releaseSpi(const kipsec::IpAddress&, const kipsec::IpAddress&,
                            uint32_t) noexcept override {
    return {};
  }
  kipsec::Result addPair(const kipsec::SaPairId&, const kipsec::SaPairParams&) noexcept override {
    return {};
  }
  kipsec::Result deletePair(const kipsec::SaPairId&,
                            const kipsec::SaPairParams&) noexcept override {
    return {};
  }
  kipsec::Result activateOutbound(const kipsec::SaPairId&,
                                  const kipsec::SaPairParams&) noexcept override {
    return {};
  }
  kipsec::Result querySa(const kipsec::IpAddress&, uint32_t, kipsec::SaInfo&) noexcept override {
    return {};
  }
  kipsec::Result listOwned(std::vector<kipsec::SaInfo>&) noexcept override { return {}; }
  kipsec::Result flushOwned() noexcept override { return {}; }
  int expireEventFd() noexcept override { return -1; }
  kipsec::Result drainExpired(std::vector<kipsec::SaGone>&) noexcept override { return {}; }
  kipsec::Features features() noexcept override { return {true, true}; }

 private:
  uint32_t next_ = 0;
};

void BM_BaselineCopySm1(benchmark::State& state) {
  for (auto _ : state) {
    std::string copy = kSm1;
    benchmark::DoNotOptimize(copy);
  }
}
BENCHMARK(BM_BaselineCopySm1)->ComputeStatistics("min", minOf);

void BM_BaselineScanSm1(benchmark::State& state) {
  for (auto _ : state) {
    std::string_view line = kSm1;
    benchmark::DoNotOptimize(line);
    benchmark::DoNotOptimize(std::memchr(line.data(), '\n', line.size()));
  }
}
BENCHMARK(BM_BaselineScanSm1)->ComputeStatistics("min", minOf);

void BM_ParseSm1(benchmark::State& state) {
  SecuritySetup s;
  SetupError err;
  for (auto _ : state) {
    benchmark::DoNotOptimize(parseSecuritySetup(kSm1, s, err));
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_ParseSm1)->ComputeStatistics("min", minOf);

void BM_ParseSm4(benchmark::State& state) {
  SecuritySetup s;
  SetupError err;
  for (auto _ : state) {
    benchmark::DoNotOptimize(parseSecuritySetup(kSm4, s, err));
    benchmark::ClobberMemory();
  }
}

// The value-returning form (copies the ~1.4 KB value once more).
void BM_ParseSm1ByValue(benchmark::State& state) {
  for (auto _ : state) {
    auto r = parseSecuritySetup(kSm1);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_ParseSm1ByValue)->ComputeStatistics("min", minOf);
BENCHMARK(BM_ParseSm4)->ComputeStatistics("min", minOf);

const std::string kAuthorization =
    "Digest username=\"alice@ims.test\", realm=\"ims.test\", nonce=\"bm9uY2U=\", "
    "uri=\"sip:ims.test\", response=\"\"";
const std::string kChallenge =
    "Digest realm=\"ims.test\", nonce=\"bm9uY2U=\", algorithm=AKAv1-MD5, "
    "ik=\"f769bcd751044604127672711c6d3441\", ck=\"b40ba9a3c58b2a05bbf0d987b21bf8cb\"";

// The Authorization of SM1/SM5 (twice per registration).
void BM_ParseAuthorization(benchmark::State& state) {
  for (auto _ : state) {
    AuthorizationFacts f = parseAuthorization(kAuthorization);
    benchmark::DoNotOptimize(f);
  }
}
BENCHMARK(BM_ParseAuthorization)->ComputeStatistics("min", minOf);

// SM3's challenge: ik/ck read and the challenge rewritten without them (once per registration).
void BM_ExtractChallengeKeys(benchmark::State& state) {
  AkaKeys keys;
  ChallengeText rewritten;
  for (auto _ : state) {
    benchmark::DoNotOptimize(extractChallengeKeys(kChallenge, keys, rewritten));
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_ExtractChallengeKeys)->ComputeStatistics("min", minOf);

void BM_EncodeSm1(benchmark::State& state) {
  SecuritySetup s = parseSecuritySetup(kSm1).value();
  std::string out;
  for (auto _ : state) {
    encodeSecuritySetup(s, out);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_EncodeSm1)->ComputeStatistics("min", minOf);

void BM_EncodeSm4(benchmark::State& state) {
  SecuritySetup s = parseSecuritySetup(kSm4).value();
  std::string out;
  for (auto _ : state) {
    encodeSecuritySetup(s, out);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_EncodeSm4)->ComputeStatistics("min", minOf);

void BM_DeriveIntegrityKeys(benchmark::State& state) {
  uint8_t ik[16] = {1, 2, 3}, in[16], out[16];
  for (auto _ : state) {
    deriveIntegrityKeys(KeyDerivation::HmacSha256, 64, ik, in, out);
    benchmark::DoNotOptimize(in);
  }
}
BENCHMARK(BM_DeriveIntegrityKeys)->ComputeStatistics("min", minOf);

void BM_Sm1Digest(benchmark::State& state) {
  SecuritySetup s = parseSecuritySetup(kSm1).value();
  uint8_t d[32];
  for (auto _ : state) {
    setupDigest(s, d);
    benchmark::DoNotOptimize(d);
  }
}
BENCHMARK(BM_Sm1Digest)->ComputeStatistics("min", minOf);

// The store's index hash (OpenSSL's SipHash-2-4) of a Call-ID: a few per message.
void BM_IndexHashCallId(benchmark::State& state) {
  const HashKey key{{1, 2, 3}};
  std::string callId = "a84b4c76e66710-00012@pc33.ims.test";
  for (auto _ : state) {
    ++callId[15];
    benchmark::DoNotOptimize(keyedHash(key, callId.data(), callId.size()));
  }
}
BENCHMARK(BM_IndexHashCallId)->ComputeStatistics("min", minOf);


// SM1's Security-setup and the Call-ID of UE k (k < kUes): SPI_U, port and Call-ID digits
// patched in place, fixed width so that the texts keep their length.
class ReceivedTexts {
 public:
  static constexpr uint32_t kUes = 50000;
  static uint16_t portOf(uint32_t k) { return static_cast<uint16_t>(10000 + k); }

  ReceivedTexts()
      : sm1_(kSm1.substr(0, kSm1.find("3344556677")) + "0000000000 / port=00000"),
        callId_("a84b4c76e66710-00000@pc33.ims.test") {}

  uint16_t write(uint32_t k) {
    const uint16_t port = portOf(k);
    digits(sm1_, sm1_.size() - 5, 5, port);
    digits(sm1_, sm1_.size() - 23, 10, 3344556677u + k * 7919u);
    digits(callId_, 15, 5, k);
    return port;
  }
  std::string_view sm1() const { return sm1_; }
  std::string_view callId() const { return callId_; }

 private:
  static void digits(std::string& s, std::size_t at, std::size_t width, uint32_t v) {
    for (std::size_t d = width; d-- > 0; v /= 10) {
      s[at + d] = static_cast<char>('0' + v % 10);
    }
  }
  std::string sm1_;
  std::string callId_;
};

// What happens to the contacts the timed registrations leave.
enum class Cleanup {
  DeleteEach,        // an operator delete after each registration, timed with it
  DeleteInBatches,   // every kBatch registrations, deleted with the timer paused
  Keep,              // kept: the store fills (deleted only when it is full)
};
constexpr uint32_t kBatch = 1000;

// One full successful registration per iteration (SM1, SM3 with IK/CK, SM5, SM7 200).
void runRegistration(benchmark::State& state, Cleanup cleanup) {
  constexpr uint32_t kContacts = 70000;
  testing::StoreArena arena(kContacts, 17, HashKey{{3}});
  ContactStore* store = arena.store();
  NullKernel kernel;
  Policy policy;
  Engine engine(*store, policy, kernel);
  kipsec::IpAddress ue, pcscf;
  kipsec::IpAddress::parse("192.0.2.10", ue);
  kipsec::IpAddress::parse("198.51.100.1", pcscf);
  const std::string& auth = kAuthorization;
  const std::string& www = kChallenge;
  uint32_t i = 0;
  uint64_t now = 1000;
  // Each UE its own SM1 (SPI_U and port) and Call-ID, as UEs pick them: shared values would
  // pile every contact into one index chain. They are written into one buffer per message,
  // as a message arrives in Kamailio's receive buffer (hot in cache); texts built in advance
  // for every UE would be read cold from megabytes of memory, which no real message is.
  ReceivedTexts texts;
  for (auto _ : state) {
    const uint32_t ueIndex = i % ReceivedTexts::kUes;
    const uint16_t port = texts.write(ueIndex);
    ue.bytes[3] = static_cast<uint8_t>(i / ReceivedTexts::kUes);
    std::string_view views[1] = {texts.sm1()};
    std::string_view callId = texts.callId();
    RequestFacts f;
    f.isRegister = true;
    f.path = Path::Unprotected;
    f.source = ue;
    f.sourcePort = port;
    f.local = pcscf;
    f.callId = callId;
    f.impu = "sip:alice@ims.test";
    f.authorization = auth;
    f.securitySetup = views;
    f.securitySetupCount = 1;
    f.expires = 600;
    benchmark::DoNotOptimize(engine.onRequest(f, now));
    ReplyFacts r;
    r.toRegister = true;
    r.source = ue;
    r.sourcePort = port;
    r.callId = callId;
    r.code = 401;
    r.wwwAuthenticate = www;
    benchmark::DoNotOptimize(engine.onReply(r, now));
    f.path = Path::Protected;
    if (engine.onRequest(f, now).verdict != Verdict::Relay) {
      state.SkipWithError("SM5 was not relayed");
      break;
    }
    r.code = 200;
    r.wwwAuthenticate = {};
    r.expires = 600;
    benchmark::DoNotOptimize(engine.onReply(r, now));
    ++i;
    if (cleanup == Cleanup::DeleteEach || store->used() + 1 >= kContacts) {
      engine.deleteContact(ue, port);
    } else if (cleanup == Cleanup::DeleteInBatches && i % kBatch == 0) {
      state.PauseTiming();  // once per kBatch registrations: its own cost is spread thin
      for (uint32_t j = i - kBatch; j < i; ++j) {
        ue.bytes[3] = static_cast<uint8_t>(j / ReceivedTexts::kUes);
        engine.deleteContact(ue, ReceivedTexts::portOf(j % ReceivedTexts::kUes));
      }
      state.ResumeTiming();
    }
  }
  state.counters["contacts"] = store->used();
}

// The registration alone (issue 3's "engine work per registration"): at most kBatch contacts
// in the store, removed outside the timed work.
void BM_Registration(benchmark::State& state) { runRegistration(state, Cleanup::DeleteInBatches); }
BENCHMARK(BM_Registration)->ComputeStatistics("min", minOf);

// The registration and its removal (an operator delete) together.
void BM_RegistrationThenDelete(benchmark::State& state) { runRegistration(state, Cleanup::DeleteEach); }
BENCHMARK(BM_RegistrationThenDelete)->ComputeStatistics("min", minOf);

// Registrations accumulate (up to 70000 contacts): lookups in a filling store.
void BM_RegistrationFillingStore(benchmark::State& state) { runRegistration(state, Cleanup::Keep); }
BENCHMARK(BM_RegistrationFillingStore)->ComputeStatistics("min", minOf)->Iterations(60000);

void BM_SharedBytesPerContact(benchmark::State& state) {
  const uint32_t n = static_cast<uint32_t>(state.range(0));
  std::size_t bytes = 0;
  for (auto _ : state) {
    bytes = ContactStore::bytesFor(n, 16);
    benchmark::DoNotOptimize(bytes);
  }
  state.counters["bytes_per_contact"] = static_cast<double>(bytes) / n;
  state.counters["record_bytes"] = sizeof(ContactRecord);
}
BENCHMARK(BM_SharedBytesPerContact)->ComputeStatistics("min", minOf)->Arg(10000)->Arg(100000);

}  // namespace

BENCHMARK_MAIN();
