// libFuzzer target: the P-CSCF engine fed with event sequences decoded from the input, against
// the recording fake. After every event: the kernel's pairs are exactly the store's pairs,
// SPI_P != SPI_U, no live SPI reused, no SPI reservation leaks; at the end, once time runs out,
// nothing is left.

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "module/negotiation/engine.h"
#include "tests/fakes/fake_kernel_ipsec.h"
#include "tests/support/store_arena.h"

using namespace secsetup;

namespace {


struct Input {
  const uint8_t* p;
  size_t n;
  uint8_t byte() {
    if (n == 0) {
      return 0;
    }
    --n;
    return *p++;
  }
  std::string text(size_t maxLen) {
    size_t len = byte() % (maxLen + 1);
    len = len > n ? n : len;
    std::string s(reinterpret_cast<const char*>(p), len);
    p += len;
    n -= len;
    return s;
  }
};

void check(Engine& e, kipsec::FakeKernelIpsec& k, ContactStore& s) {
  std::vector<ContactView> all;
  if (e.listContacts(all) != Status::Ok) {
    std::abort();
  }
  std::set<uint32_t> stored;
  for (const ContactView& v : all) {
    for (const PairSlot* p : {&v.active, &v.pending}) {
      if (p->state != PairState::Empty) {
        if (p->spiP == p->spiU || !stored.insert(p->spiP).second) {
          std::abort();
        }
      }
    }
  }
  std::set<uint32_t> live;
  for (const kipsec::FakePair& p : k.pairs()) {
    live.insert(p.id.spiP);
  }
  if (stored != live || !k.violations().empty() || k.reservedCount() != 0 ||
      all.size() != s.used()) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // A fresh store per input: nothing of one run reaches the next.
  testing::StoreArena arena(6, 3, HashKey{{1}});
  ContactStore* store = arena.store();
  kipsec::FakeKernelIpsec kernel;
  Input in{data, size};
  Policy policy;
  uint8_t flags = in.byte();
  policy.failureMode = flags & 1 ? FailureMode::Reply : FailureMode::Forward;
  policy.confidentiality = static_cast<ConfPolicy>((flags >> 1) % 3);
  policy.keyDerivation = static_cast<KeyDerivation>((flags >> 3) % 3);
  Engine engine(*store, policy, kernel);
  kipsec::IpAddress ue, pcscf;
  kipsec::IpAddress::parse("192.0.2.10", ue);
  kipsec::IpAddress::parse("198.51.100.1", pcscf);
  const uint16_t ports[] = {5064, 5066, 5068, 6000};
  const char* calls[] = {"c1", "c2", "c3", ""};
  const char* impis[] = {"alice@ims.test", "bob@ims.test"};
  uint64_t now = 1000;
  std::string ik = "f769bcd751044604127672711c6d3441", ck = "b40ba9a3c58b2a05bbf0d987b21bf8cb";
  for (int step = 0; step < 64 && in.n > 0; ++step) {
    uint8_t op = in.byte();
    uint8_t arg = in.byte();
    uint16_t port = ports[arg & 3];
    std::string callId = calls[(arg >> 2) & 3];
    std::string setup;
    if (op & 0x80) {
      setup = in.text(80);  // raw fuzzer text
    } else {
      setup = std::string("esp / esp / hmac-sha-1-96,hmac-md5-96 / aes-cbc / ") +
              std::to_string(300 + ((arg >> 4) & 3)) + " / port=" + std::to_string(ports[(arg >> 6) & 3]);
    }
    std::string auth = std::string("Digest username=\"") + impis[(op >> 4) & 1] + "\", response=\"" +
                       ((op >> 5) & 1 ? "abc" : "") + "\"" + ((op >> 6) & 1 ? ", auts=\"x\"" : "");
    std::string_view views[2] = {setup, setup};
    switch (op & 15) {
      case 0:
      case 1:
      case 2: {
        RequestFacts f;
        f.isRegister = (op & 15) != 2 || (arg & 1);
        f.path = (op & 15) == 0 ? Path::Unprotected : Path::Protected;
        f.source = ue;
        f.sourcePort = port;
        f.local = pcscf;
        f.callId = callId;
        f.impu = "sip:alice@ims.test";
        f.authorization = auth;
        f.securitySetup = views;
        f.securitySetupCount = (op >> 2) & 1 ? 0 : ((op >> 3) & 1) + 1 - ((op >> 3) & 1);
        if ((op & 0x0C) == 0x0C) {
          f.securitySetupCount = 2;
        }
        f.expires = (arg & 0x30) == 0x30 ? 0 : 600;
        engine.onRequest(f, now);
        break;
      }
      case 3:
      case 4:
      case 5: {
        ReplyFacts r;
        r.toRegister = true;
        r.source = ue;
        r.sourcePort = port;
        r.callId = callId;
        static const int codes[] = {401, 200, 403, 500};
        r.code = codes[(arg >> 4) & 3];
        std::string www = (op & 15) == 5 ? in.text(120)
                                         : "Digest nonce=\"n\", ik=\"" + ik + "\", ck=\"" + ck + "\"";
        r.wwwAuthenticate = www;
        r.expires = (arg & 0x40) ? 0 : 600;
        r.forwardedFailure = (op & 0x40) ? FailureReason::MalformedSecuritySetup : FailureReason::None;
        engine.onReply(r, now);
        break;
      }
      case 6: {
        now += arg;
        std::vector<Report> reports;
        engine.onTimer(now, reports);
        break;
      }
      case 7:
        engine.deleteContact(ue, port);
        break;
      case 8:
        if (!kernel.pairs().empty()) {
          // The kernel's SA goes first: a notice of an SA it still holds is ignored.
          uint32_t spiP = kernel.pairs().front().id.spiP;
          kernel.expireSa(pcscf, spiP, (arg & 1) == 0);
          engine.onSaGone(kipsec::SaGone{pcscf, spiP, true});
        }
        break;
      case 9:
        kernel.failAddAt((arg & 3) + 1);  // an absolute call number, as before
        break;
      case 10:
        kernel.failAllocs((arg & 1) != 0);
        break;
      default:
        break;
    }
    check(engine, kernel, *store);
  }
  kernel.failAllocs(false);
  std::vector<Report> reports;
  engine.onTimer(now + 1000000, reports);
  check(engine, kernel, *store);
  if (kernel.livePairs() != 0 || store->used() != 0) {
    std::abort();
  }
  return 0;
}
