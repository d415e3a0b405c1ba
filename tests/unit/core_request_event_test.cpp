// The request classifier (module/negotiation/request_event.h): a request's event from its origin and
// content against a record snapshot, with no engine and no store. The origin rules of
// docs/protocol.md section 4, one case each.

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "module/negotiation/request_event.h"

namespace secsetup {
namespace {

constexpr const char* kLine = "esp / / hmac-md5-96 / / 3344556677 / port=5064";

kipsec::IpAddress ip(const char* text) {
  kipsec::IpAddress a;
  EXPECT_TRUE(kipsec::IpAddress::parse(text, a)) << text;
  return a;
}

struct Request {
  std::string auth = "Digest username=\"alice@ims.test\", nonce=\"\", response=\"\"";
  std::string setup;
  RequestFacts f;
  AuthorizationFacts facts;
  std::string_view view;

  Request(bool isRegister, uint16_t port, const std::string& securitySetup = "") {
    setup = securitySetup;
    f.isRegister = isRegister;
    f.path = Path::Protected;
    f.source = ip("192.0.2.10");
    f.sourcePort = port;
    f.local = ip("198.51.100.1");
    f.callId = "call-1";
    f.impu = isRegister ? "sip:alice@ims.test" : "";
    f.expires = 600;
  }
  RequestFacts& prepared() {
    f.authorization = auth;
    facts = parseAuthorization(auth);
    view = setup;
    f.securitySetup = setup.empty() ? nullptr : &view;
    f.securitySetupCount = setup.empty() ? 0 : 1;
    return f;
  }
  RequestEvent clear() { return classifyClear(prepared(), facts).event; }
  RequestClass through(const ContactRecord* r) { return classifyProtected(prepared(), facts, r); }
};

ContactRecord registeredOn(uint16_t port) {
  ContactRecord r;
  std::memset(&r, 0, sizeof(r));
  r.family = static_cast<uint8_t>(kipsec::Family::V4);
  kipsec::IpAddress local = ip("198.51.100.1");
  std::memcpy(r.pcscfIp, local.bytes.data(), 16);
  std::strcpy(r.impi, "alice@ims.test");
  r.impiLen = static_cast<uint8_t>(std::strlen(r.impi));
  std::strcpy(r.impu, "sip:alice@ims.test");
  r.impuLen = static_cast<uint8_t>(std::strlen(r.impu));
  std::strcpy(r.callId, "call-1");
  r.callIdLen = 6;
  r.active.state = PairState::Live;
  r.active.uePort = port;
  r.phase = Phase::Established;
  return r;
}

TEST(RequestEvent, ClearPortTakesExactlyTheThreeKindsOfD14) {
  Request options(false, 5064);
  EXPECT_EQ(RequestEvent::ClearNotAccepted, options.clear());
  Request sm1(true, 5064, kLine);
  EXPECT_EQ(RequestEvent::ClearSm1, sm1.clear());
  sm1.auth.clear();  // the seed's SM1 has no Authorization
  EXPECT_EQ(RequestEvent::ClearSm1, sm1.clear());
  Request answered(true, 5064, kLine);
  answered.auth = "Digest username=\"alice@ims.test\", nonce=\"n\", response=\"0123abcd\"";
  EXPECT_EQ(RequestEvent::ClearNotAccepted, answered.clear());
  Request garbage(true, 5064, kLine);
  garbage.auth = "Digest junk=\"";
  EXPECT_EQ(RequestEvent::ClearNotAccepted, garbage.clear());
  Request netAuth(true, 5064);
  EXPECT_EQ(RequestEvent::ClearNetAuthFailure, netAuth.clear());
  Request sync(true, 5064);
  sync.auth = "Digest username=\"alice@ims.test\", nonce=\"n\", response=\"\", auts=\"AAAA\"";
  EXPECT_EQ(RequestEvent::ClearSyncFailure, sync.clear());
  sync.setup = kLine;  // auts with a proposal starts afresh
  EXPECT_EQ(RequestEvent::ClearSm1, sync.clear());
  Request bare(true, 5064);
  bare.auth.clear();
  EXPECT_EQ(RequestEvent::ClearWithoutSetup, bare.clear());
}

TEST(RequestEvent, ProtectedPortNeedsThePairsAddressPortLocalAddressAndIdentity) {
  ContactRecord r = registeredOn(5064);
  EXPECT_EQ(RequestEvent::NoPair, Request(false, 5064).through(nullptr).event);
  EXPECT_EQ(RequestEvent::NoPair, Request(false, 5066).through(&r).event);
  Request other(false, 5064);
  other.f.local = ip("198.51.100.2");
  EXPECT_EQ(RequestEvent::OtherLocalAddress, other.through(&r).event);
  Request mallory(true, 5064);
  mallory.auth = "Digest username=\"mallory@ims.test\", nonce=\"\", response=\"\"";
  EXPECT_EQ(RequestEvent::OtherIdentity, mallory.through(&r).event);
  Request impu(true, 5064);
  impu.f.impu = "sip:mallory@ims.test";
  EXPECT_EQ(RequestEvent::OtherIdentity, impu.through(&r).event);
  EXPECT_EQ(RequestEvent::Request, Request(false, 5064).through(&r).event);
  EXPECT_EQ(RequestEvent::Refresh, Request(true, 5064).through(&r).event);
  Request dereg(true, 5064);
  dereg.f.expires = 0;
  EXPECT_EQ(RequestEvent::Deregistration, dereg.through(&r).event);
  EXPECT_EQ(RequestEvent::ReRegistrationSm1,
            Request(true, 5064, "esp / / hmac-md5-96 / / 1 / port=5066").through(&r).event);
}

TEST(RequestEvent, Sm5ThroughThePendingPairAndTheImpiItBinds) {
  ContactRecord r = registeredOn(5064);
  r.active.state = PairState::Empty;
  r.pending.state = PairState::Live;
  r.pending.uePort = 5064;
  r.phase = Phase::AwaitSm5;
  RequestClass c = Request(true, 5064, kLine).through(&r);
  EXPECT_EQ(RequestEvent::Sm5, c.event);
  EXPECT_TRUE(c.viaPending);
  EXPECT_FALSE(c.adoptImpi);
  r.impiLen = 0;  // SM1 named no IMPI: SM5 binds it
  c = Request(true, 5064, kLine).through(&r);
  EXPECT_EQ(RequestEvent::Sm5, c.event);
  EXPECT_TRUE(c.adoptImpi);
  // A re-registration's negotiation through the active pair: the authentication failures.
  ContactRecord re = registeredOn(5064);
  re.pending.state = PairState::Live;
  re.pending.uePort = 5066;
  re.phase = Phase::AwaitSm5;
  Request sync(true, 5064);
  sync.auth = "Digest username=\"alice@ims.test\", nonce=\"n\", response=\"\", auts=\"AAAA\"";
  EXPECT_EQ(RequestEvent::SyncFailure, sync.through(&re).event);
  EXPECT_EQ(RequestEvent::NetAuthFailure, Request(true, 5064).through(&re).event);
}

TEST(RequestEvent, LostSm8WindowEndsByThePairThatCarriesAMessage) {
  ContactRecord r = registeredOn(5064);
  r.pending.state = PairState::Live;
  r.pending.uePort = 5066;
  r.flags = kFlagAwaitConfirm;
  RequestClass viaNew = Request(false, 5066).through(&r);
  EXPECT_EQ(RequestEvent::Request, viaNew.event);
  EXPECT_EQ(WindowEffect::KeepNew, viaNew.window);
  RequestClass viaOld = Request(false, 5064).through(&r);
  EXPECT_EQ(WindowEffect::KeepOld, viaOld.window);
  // A REGISTER through the new pair after the window is the active pair's: a refresh, and a
  // re-registration SM1 would be one too.
  EXPECT_EQ(RequestEvent::Refresh, Request(true, 5066).through(&r).event);
}

}  // namespace
}  // namespace secsetup
