#pragma once
// A P-CSCF engine on ordinary memory with the recording fake, and helpers that play the SIP
// messages of profile section 1 (SM1..SM8) as the glue would hand them over.

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "module/negotiation/engine.h"
#include "tests/fakes/fake_kernel_ipsec.h"
#include "tests/support/store_arena.h"

namespace secsetup::testing {


inline kipsec::IpAddress ip(const char* text) {
  kipsec::IpAddress a;
  EXPECT_TRUE(kipsec::IpAddress::parse(text, a)) << text;
  return a;
}

constexpr const char* kSm1 =
    "esp / esp / hmac-sha-1-96,hmac-md5-96 / aes-cbc,des-ede3-cbc / 3344556677 / port=5064";
constexpr const char* kIkHex = "f769bcd751044604127672711c6d3441";
constexpr const char* kCkHex = "b40ba9a3c58b2a05bbf0d987b21bf8cb";
constexpr const char* kImpi = "alice@ims.test";
constexpr const char* kImpu = "sip:alice@ims.test";

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override { build(64); }

  void build(uint32_t maxContacts, unsigned locks = 5) {
    engine_.reset();
    arena_ = std::make_unique<StoreArena>(maxContacts, locks);
    store_ = arena_->store();
    ASSERT_NE(nullptr, store_);
    engine_ = std::make_unique<Engine>(*store_, policy, kernel);
  }
  void rebuildEngine() { engine_ = std::make_unique<Engine>(*store_, policy, kernel); }

  std::string authorization(const char* response = "", bool auts = false) const {
    std::string a = std::string("Digest username=\"") + impi + "\", realm=\"ims.test\", nonce=\"n\", "
                    "uri=\"sip:ims.test\", response=\"" + response + "\"";
    if (auts) {
      a += ", auts=\"AAAAAAAAAAAAAAAAAAAA\"";
    }
    return a;
  }

  Actions request(Path path, uint16_t srcPort, std::vector<std::string> setup,
                  bool isRegister = true, long expires = 600, std::string auth = "") {
    setupStore_ = std::move(setup);
    views_.assign(setupStore_.begin(), setupStore_.end());
    authStore_ = auth.empty() && isRegister && !omitAuthorization ? authorization() : auth;
    RequestFacts f;
    f.isRegister = isRegister;
    f.path = path;
    f.source = ue;
    f.sourcePort = srcPort;
    f.local = pcscf;
    f.localPort = path == Path::Protected ? policy.protectedPort : policy.unprotectedPort;
    f.callId = callId;
    f.impu = isRegister ? std::string_view(impu) : std::string_view();
    f.authorization = authStore_;
    f.securitySetup = views_.data();
    f.securitySetupCount = views_.size();
    f.expires = expires;
    f.cseq = cseq;
    return engine_->onRequest(f, now);
  }
  Actions sm1(const std::string& setup = kSm1, uint16_t srcPort = 5064) {
    return request(Path::Unprotected, srcPort, {setup});
  }
  // path: where the REGISTER answered arrived (SM1 in the clear, SM5 and later through SAs).
  Actions reply(int code, uint16_t srcPort, std::string www = "", long expires = 600,
                FailureReason forwarded = FailureReason::None, Path path = Path::Protected) {
    wwwStore_ = std::move(www);
    ReplyFacts f;
    f.path = path;
    f.cseq = cseq;
    f.toRegister = true;
    f.source = ue;
    f.sourcePort = srcPort;
    f.callId = callId;
    f.code = code;
    f.wwwAuthenticate = wwwStore_;
    f.expires = expires;
    f.forwardedFailure = forwarded;
    Actions a = engine_->onReply(f, now);
    // Profile 5: IK and CK never travel on, whatever the reply was.
    for (std::string_view text : {a.wwwAuthenticate.view(), a.warning.view(), a.securitySetup.view()}) {
      EXPECT_EQ(std::string_view::npos, text.find(kIkHex)) << text;
      EXPECT_EQ(std::string_view::npos, text.find(kCkHex)) << text;
    }
    if (wwwStore_.find(kIkHex) != std::string::npos) {
      EXPECT_TRUE(a.replaceWwwAuthenticate);
    }
    return a;
  }
  static std::string challenge(const char* ik = kIkHex, const char* ck = kCkHex) {
    std::string w = "Digest realm=\"ims.test\", nonce=\"bm9uY2U=\", algorithm=AKAv1-MD5";
    if (ik) {
      w += std::string(", ik=\"") + ik + "\"";
    }
    if (ck) {
      w += std::string(", ck=\"") + ck + "\"";
    }
    return w;
  }
  Actions sm3(uint16_t srcPort = 5064, Path path = Path::Unprotected) {
    return reply(401, srcPort, challenge(), 600, FailureReason::None, path);
  }
  Actions sm5(const std::string& setup = kSm1, uint16_t port = 5064) {
    return request(Path::Protected, port, {setup});
  }
  Actions sm7(int code = 200, uint16_t port = 5064, long expires = 600) {
    return reply(code, port, "", expires);
  }
  // A registration on that port; each port has its own SPI_U (3344556677 on 5064), as two
  // UAs of one UE would (the kernel refuses a second SA with the same address and SPI).
  void establish(uint16_t port = 5064) {
    std::string setup = "esp / esp / hmac-sha-1-96,hmac-md5-96 / aes-cbc / " +
                        std::to_string(3344556677u - 5064u + port) +
                        " / port=" + std::to_string(port);
    ASSERT_EQ(Verdict::Relay, sm1(setup, port).verdict);
    ASSERT_FALSE(sm3(port).securitySetup.empty());
    ASSERT_EQ(Verdict::Relay, sm5(setup, port).verdict);
    sm7(200, port);
    ASSERT_EQ(Phase::Established, phaseOf(port));
  }
  // A re-registration of the UA on 5064 up to SM4: SM1 (line) through SA1, SM3.
  void startReRegistration(const char* line) {
    request(Path::Protected, 5064, {line});
    sm3(5064, Path::Protected);
  }
  // ... and on through SM5 from the new port and SM7 200 (SM8 sent, the old pair kept).
  void reRegister(const char* line, uint16_t newPort) {
    startReRegistration(line);
    sm5(line, newPort);
    sm7(200, newPort);
  }
  std::vector<Report> tick(uint64_t advance) {
    now += advance;
    std::vector<Report> reports;
    engine_->onTimer(now, reports);
    return reports;
  }
  Phase phaseOf(uint16_t port) {
    std::vector<ContactView> all;
    engine_->listContacts(all);
    for (const ContactView& v : all) {
      if (v.port == port) {
        return v.phase;
      }
    }
    return Phase::Free;
  }

  Policy policy;
  kipsec::FakeKernelIpsec kernel;
  kipsec::IpAddress ue = ip("192.0.2.10");
  kipsec::IpAddress pcscf = ip("198.51.100.1");
  std::string callId = "call-1@192.0.2.10";
  std::string impi = kImpi;
  std::string impu = kImpu;
  uint64_t now = 1000000;
  uint32_t cseq = 0;  // CSeq of requests and replies (0: unknown, as before the glue gave it)
  bool omitAuthorization = false;  // REGISTERs without Authorization (the seed's SM1)
  ContactStore* store_ = nullptr;
  std::unique_ptr<Engine> engine_;

 private:
  std::unique_ptr<StoreArena> arena_;
  std::vector<std::string> setupStore_;
  std::vector<std::string_view> views_;
  std::string authStore_;
  std::string wwwStore_;
};

}  // namespace secsetup::testing
