// The C boundary: init/child_init with glue-style callbacks, a whole registration through
// plain C structs, reports, listing, counters, errors without exceptions.

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "module/c_api/core_api.h"
#include "module/c_api/core_api_convert.h"
#include "tests/fakes/fake_kernel_ipsec.h"

extern "C" int secsetup_c_header_check(void);

namespace {

using secsetup::kipsec::FakeKernelIpsec;

void* shmAlloc(void*, size_t n) { return std::malloc(n); }
void shmFree(void*, void* p) { std::free(p); }
int lockDepth = 0;
void lockFn(void*, unsigned) { ++lockDepth; }
void unlockFn(void*, unsigned) { --lockDepth; }

secsetup_str_t str(const std::string& s) { return secsetup_str_t{s.data(), s.size()}; }

const std::string kUe = "192.0.2.10", kP = "198.51.100.1", kCall = "api-call-1";
const std::string kSm1 = "esp / / hmac-md5-96 / / 7000 / port=5064";
const std::string kAuth = "Digest username=\"alice@ims.test\", response=\"\"";
const std::string kImpu = "sip:alice@ims.test";
const std::string kNotAnIp = "not-an-ip";  // named: str() views into it

secsetup_request_t registerRequest(int path, const secsetup_str_t* setup, size_t n) {
  secsetup_request_t r{};
  r.is_register = 1;
  r.path = path;
  r.src_ip = str(kUe);
  r.src_port = 5064;
  r.local_ip = str(kP);
  r.local_port = path == SECSETUP_PATH_PROTECTED ? 5060 : 5062;
  r.call_id = str(kCall);
  r.impu = str(kImpu);
  r.authorization = str(kAuth);
  r.security_setup = setup;
  r.security_setup_count = n;
  r.expires = 600;
  return r;
}

secsetup_reply_t reply(int code, const std::string& www, int path = SECSETUP_PATH_PROTECTED) {
  secsetup_reply_t r{};
  r.path = path;
  r.to_register = 1;
  r.src_ip = str(kUe);
  r.src_port = 5064;
  r.call_id = str(kCall);
  r.code = code;
  r.www_authenticate = str(www);
  r.expires = 600;
  return r;
}

TEST(CoreApi, CHeaderCompilesAsC) { EXPECT_EQ(5060, secsetup_c_header_check()); }

TEST(CoreApi, WholeRegistrationThroughTheCBoundary) {
  secsetup_actions_t out;
  secsetup_str_t setup[1] = {str(kSm1)};
  secsetup_request_t req = registerRequest(SECSETUP_PATH_UNPROTECTED, setup, 1);
  EXPECT_EQ(SECSETUP_INVALID_STATE, secsetup_on_request(&req, 1, &out));  // before init

  secsetup_params_t p;
  secsetup_params_default(&p);
  p.failure_mode = "reply";
  p.max_contacts = 32;
  secsetup_shm_ops_t shm{shmAlloc, shmFree, nullptr};
  secsetup_lock_ops_t locks{lockFn, unlockFn, nullptr, 5};
  secsetup_params_t bad = p;
  bad.confidentiality = "sometimes";
  EXPECT_EQ(SECSETUP_INVALID_ARG, secsetup_core_init(&bad, &shm, &locks));
  ASSERT_EQ(SECSETUP_OK, secsetup_core_init(&p, &shm, &locks));
  EXPECT_EQ(SECSETUP_INVALID_STATE, secsetup_core_init(&p, &shm, &locks));
  EXPECT_EQ(SECSETUP_INVALID_STATE, secsetup_on_request(&req, 1, &out));  // before child_init
  FakeKernelIpsec kernel;
  ASSERT_EQ(SECSETUP_OK,
            secsetup_core_child_init(reinterpret_cast<secsetup_kernel_t*>(
                static_cast<secsetup::kipsec::KernelIpsec*>(&kernel))));

  ASSERT_EQ(SECSETUP_OK, secsetup_on_request(&req, 100, &out));
  EXPECT_EQ(SECSETUP_RELAY, out.verdict);
  EXPECT_EQ(1, out.strip_security_setup);
  EXPECT_EQ(1, out.strip_failure);
  EXPECT_EQ(0, lockDepth);

  std::string www = "Digest nonce=\"n\", ik=\"f769bcd751044604127672711c6d3441\"";
  secsetup_reply_t r3 = reply(401, www, SECSETUP_PATH_UNPROTECTED);
  ASSERT_EQ(SECSETUP_OK, secsetup_on_reply(&r3, 100, &out));
  EXPECT_STREQ("esp / / hmac-md5-96 / / 4096 / protected-port=5060;unprotected-port=5062",
               out.security_setup);
  EXPECT_EQ(1, out.replace_www_authenticate);
  EXPECT_STREQ("Digest nonce=\"n\"", out.www_authenticate);

  // SM5 and SM7 give the addresses in binary, as the glue does: the texts beside them are
  // not read (they would be refused), and the contact SM1 made is found.
  secsetup_request_t sm5 = registerRequest(SECSETUP_PATH_PROTECTED, setup, 1);
  sm5.src_addr = secsetup_ip_t{4, {192, 0, 2, 10}};
  sm5.src_ip = str(kNotAnIp);
  sm5.local_addr = secsetup_ip_t{4, {198, 51, 100, 1}};
  sm5.local_ip = str(kNotAnIp);
  ASSERT_EQ(SECSETUP_OK, secsetup_on_request(&sm5, 101, &out));
  EXPECT_EQ(SECSETUP_RELAY, out.verdict);
  EXPECT_EQ(SECSETUP_EVENT_NONE, out.event);
  secsetup_reply_t r7 = reply(200, "");
  r7.src_addr = sm5.src_addr;
  r7.src_ip = str(kNotAnIp);
  ASSERT_EQ(SECSETUP_OK, secsetup_on_reply(&r7, 101, &out));
  EXPECT_EQ(SECSETUP_EVENT_ESTABLISHED, out.event);
  EXPECT_EQ(5064, out.event_port);
  EXPECT_EQ(4096u, out.event_spi_p);
  EXPECT_STREQ("", out.event_reason);

  std::vector<std::string> states;
  ASSERT_EQ(SECSETUP_OK, secsetup_list_contacts(
                             [](void* ctx, const secsetup_contact_info_t* c) {
                               static_cast<std::vector<std::string>*>(ctx)->push_back(
                                   std::string(c->state) + " " + c->ue_ip + ":" +
                                   std::to_string(c->port) + " " + c->integrity);
                             },
                             &states));
  ASSERT_EQ(1u, states.size());
  EXPECT_EQ("established 192.0.2.10:5064 hmac-md5-96", states[0]);

  // Reply mode: an unacceptable proposal is answered 403 with the Failure token.
  std::string badSetup = "esp / / hmac-sha-256 / / 7000 / port=5070";
  secsetup_str_t b[1] = {str(badSetup)};
  secsetup_request_t breq = registerRequest(SECSETUP_PATH_UNPROTECTED, b, 1);
  ASSERT_EQ(SECSETUP_OK, secsetup_on_request(&breq, 102, &out));
  EXPECT_EQ(SECSETUP_REPLY, out.verdict);
  EXPECT_EQ(403, out.reply_code);
  EXPECT_EQ(SECSETUP_FAILURE_NO_COMMON_INTEGRITY, out.failure);
  EXPECT_STREQ("NoCommonIntegrityAlgorithm", out.failure_token);
  EXPECT_EQ(SECSETUP_EVENT_FAILED, out.event);
  EXPECT_STREQ("NoCommonIntegrityAlgorithm", out.event_reason);
  EXPECT_EQ(0u, out.event_spi_p);

  // Invalid input is refused with a status, never an exception.
  secsetup_request_t junk = req;
  junk.src_ip = str(kNotAnIp);
  EXPECT_EQ(SECSETUP_INVALID_ARG, secsetup_on_request(&junk, 103, &out));
  junk = req;
  junk.src_addr.family = 5;  // neither 4 nor 6: refused, not read as the text
  EXPECT_EQ(SECSETUP_INVALID_ARG, secsetup_on_request(&junk, 103, &out));
  EXPECT_EQ(SECSETUP_INVALID_ARG, secsetup_on_request(nullptr, 103, &out));
  junk = req;
  junk.security_setup = nullptr;
  EXPECT_EQ(SECSETUP_INVALID_ARG, secsetup_on_request(&junk, 103, &out));

  // A new negotiation that times out produces a report for the S-CSCF.
  std::string otherCall = "api-call-2";
  std::string s2 = "esp / / hmac-md5-96 / / 7001 / port=5080";
  secsetup_str_t v2[1] = {str(s2)};
  secsetup_request_t req2 = registerRequest(SECSETUP_PATH_UNPROTECTED, v2, 1);
  req2.call_id = str(otherCall);
  req2.src_port = 5080;
  ASSERT_EQ(SECSETUP_OK, secsetup_on_request(&req2, 200, &out));
  secsetup_reply_t r2 = reply(401, www);
  r2.call_id = str(otherCall);
  r2.src_port = 5080;
  ASSERT_EQ(SECSETUP_OK, secsetup_on_reply(&r2, 200, &out));
  std::vector<std::string> reports;
  ASSERT_EQ(SECSETUP_OK, secsetup_on_timer(
                             200 + p.registration_timer,
                             [](void* ctx, const secsetup_report_t* r) {
                               static_cast<std::vector<std::string>*>(ctx)->push_back(
                                   std::string(r->call_id) + " " + r->impi + " " + r->failure +
                                   " " + std::to_string(r->event) + " " +
                                   std::to_string(r->ue_port) + " " + std::to_string(r->spi_u));
                             },
                             &reports));
  ASSERT_EQ(1u, reports.size());
  EXPECT_EQ("api-call-2 alice@ims.test UserAuthenticationFailure " +
                std::to_string(SECSETUP_EVENT_AUTH_TIMEOUT) + " 5080 7001",
            reports[0]);

  const char* name = nullptr;
  uint64_t value = 0;
  bool sawInstalled = false;
  std::map<std::string, uint64_t> counters;
  for (unsigned i = 0; secsetup_counter(i, &name, &value) == SECSETUP_OK; ++i) {
    if (std::string(name) == "sa_installed") {
      sawInstalled = value == 2;
    }
    counters[name] = value;
  }
  EXPECT_TRUE(sawInstalled);
  EXPECT_EQ(3u, counters["negotiations_started"]);
  EXPECT_EQ(1u, counters["registrations_established"]);
  EXPECT_EQ(1u, counters["failed_no_common_integrity"]);
  EXPECT_EQ(1u, counters["user_auth_failures"]);
  for (const char* n : {"failed_no_common_confidentiality", "failed_unsupported_mechanism",
                        "failed_malformed", "failed_mismatch", "failed_sm3_without_keys",
                        "failed_kernel"}) {
    EXPECT_EQ(1u, counters.count(n)) << n;
    EXPECT_EQ(0u, counters[n]) << n;
  }

  // A challenge whose rewrite does not fit the buffer: refused, and nothing of it goes on.
  std::string longWww = "Digest nonce=\"" + std::string(1100, 'n') +
                        "\", ik=\"f769bcd751044604127672711c6d3441\"";
  secsetup_reply_t rl = reply(401, longWww);
  rl.call_id = str(otherCall);
  rl.src_port = 5999;
  EXPECT_EQ(SECSETUP_OK, secsetup_on_reply(&rl, 300, &out));
  EXPECT_EQ(1, out.replace_www_authenticate);
  EXPECT_STREQ("", out.www_authenticate);
  EXPECT_EQ(500, out.reply_code);
  EXPECT_STREQ("the challenge is too long to forward", out.warning);
  std::string fits = "Digest nonce=\"" + std::string(1000, 'n') +
                     "\", ik=\"f769bcd751044604127672711c6d3441\"";
  rl = reply(401, fits);
  rl.call_id = str(otherCall);
  rl.src_port = 5999;
  EXPECT_EQ(SECSETUP_OK, secsetup_on_reply(&rl, 300, &out));
  EXPECT_EQ("Digest nonce=\"" + std::string(1000, 'n') + "\"", std::string(out.www_authenticate));

  EXPECT_EQ(SECSETUP_OK, secsetup_delete_contact(str(kUe), 5064));
  EXPECT_EQ(SECSETUP_NOT_FOUND, secsetup_delete_contact(str(kUe), 5064));
  EXPECT_EQ(0u, kernel.livePairs());
  secsetup_core_child_destroy();
  secsetup_core_destroy();
}

}  // namespace

// Address texts (RPC, kernel events, and requests given without the binary form): parseIp
// accepts exactly what the full parse (inet_pton) accepts, with the same bytes.
TEST(CoreApi, AddressTextsParseAsInetPtonDoes) {
  const char* texts[] = {"192.0.2.10",  "0.0.0.0",     "255.255.255.255", "10.1.2.3",
                         "127.0.82.4",  "1.2.3.256",   "01.2.3.4",        "1.2.3.04",
                         "1.2.3",       "1.2.3.4.",    "1.2.3.4.5",       "1..2.3",
                         ".1.2.3",      "1.2.3.4 ",    " 1.2.3.4",        "1234.1.1.1",
                         "1.2.3.a",     "2001:db8::1", "::ffff:1.2.3.4",  "fe80::1%eth0",
                         "300.1.1.1",   "1.2.3.0",     "9.99.199.249",    ""};
  for (const char* t : texts) {
    secsetup::kipsec::IpAddress fast, full;
    fast.bytes.fill(0xAA);
    bool fastOk = secsetup::capi::parseIp(secsetup_str_t{t, std::strlen(t)}, fast);
    bool fullOk = std::strlen(t) > 0 && secsetup::kipsec::IpAddress::parse(t, full);
    EXPECT_EQ(fullOk, fastOk) << t;
    if (fastOk && fullOk) {
      EXPECT_TRUE(fast == full) << t;
    }
  }
}

// The binary form the glue passes gives the same address as its text, for both families.
TEST(CoreApi, BinaryAddressesReadAsTheirTexts) {
  secsetup::kipsec::IpAddress fromText, fromBinary;
  ASSERT_TRUE(secsetup::kipsec::IpAddress::parse("2001:db8::5:1", fromText));
  secsetup_ip_t v6{6, {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x05, 0, 0x01}};
  ASSERT_TRUE(secsetup::capi::readIp(v6, secsetup_str_t{nullptr, 0}, fromBinary));
  EXPECT_TRUE(fromText == fromBinary);
  ASSERT_TRUE(secsetup::kipsec::IpAddress::parse("192.0.2.10", fromText));
  secsetup_ip_t v4{4, {192, 0, 2, 10, 0xAA, 0xAA}};  // bytes past the fourth are not read
  ASSERT_TRUE(secsetup::capi::readIp(v4, secsetup_str_t{nullptr, 0}, fromBinary));
  EXPECT_TRUE(fromText == fromBinary);
  secsetup_ip_t none{};
  ASSERT_TRUE(secsetup::capi::readIp(none, secsetup_str_t{"192.0.2.10", 10}, fromBinary));
  EXPECT_TRUE(fromText == fromBinary);
  EXPECT_FALSE(secsetup::capi::readIp(secsetup_ip_t{5, {}}, secsetup_str_t{"192.0.2.10", 10},
                                      fromBinary));
}
