// Registration expiry from the raw Contact and Expires values (module/wire/register_expires.h):
// what the glue hands the engine as the REGISTER's or the 2xx's expiry.
#include <gtest/gtest.h>

#include <string>

#include "module/c_api/core_api.h"
#include "module/wire/register_expires.h"

namespace secsetup {
namespace {

struct ExpiresCase {
  const char* contact;
  const char* expires;
  long want;
  const char* why;
};

const ExpiresCase kCases[] = {
    {"<sip:alice@192.0.2.10:5064>;expires=600", "", 600, "name-addr with expires"},
    {"<sip:alice@192.0.2.10:5064>;expires=0", "3600", 0, "the contact's 0 beats Expires"},
    {"<sip:alice@192.0.2.10:5064>", "3600", 3600, "no parameter: the Expires header"},
    {"<sip:alice@192.0.2.10:5064>", "", -1, "neither"},
    {"", "", -1, "no Contact, no Expires"},
    {"", "0", 0, "Expires only"},
    {"<sip:alice@h;expires=5>", "60", 60, "a URI parameter inside <> is not the contact's"},
    {"sip:alice@h;expires=7", "60", 7, "addr-spec: parameters after the URI are the contact's"},
    {"\"A, b; expires=9 <x>\" <sip:a@h>;q=0.5;Expires=30", "", 30,
     "quoted display name with separators; the name is case-insensitive"},
    {"Alice <sip:a@h> ; q=1 ; expires = 45 ", "", 45, "whitespace around separators"},
    {"<sip:a@h>;q=\"x;expires=1\";expires=20", "", 20, "a quoted value hides its semicolons"},
    {"<sip:a@h>, <sip:b@h>;expires=0", "300", 300, "only the first contact counts"},
    {"*", "0", 0, "a star contact: the Expires header"},
    {"<sip:a@h>;expires=abc", "600", 600, "not a number: the Expires header"},
    {"<sip:a@h>;expires=", "600", 600, "empty value"},
    {"<sip:a@h>;expires", "600", 600, "no value"},
    {"<sip:a@h>;expires=\"600\"", "", -1, "quoted value is not delta-seconds"},
    {"<sip:a@h>;expires=4294967295", "", 4294967295L, "the largest 32-bit value"},
    {"<sip:a@h>;expires=4294967296", "1", 1, "beyond 32 bits"},
    {"<sip:a@h>;expires=12345678901", "", -1, "eleven digits"},
    {"<sip:a@h", "60", 60, "unterminated <"},
    {"\"unterminated <sip:a@h>;expires=3", "60", 60, "unterminated quote"},
    {"<sip:a@h>", " 3600 ", 3600, "Expires value trimmed"},
    {"<sip:a@h>", "36 00", -1, "Expires with a space inside"},
    {"<sip:a@h>", "-1", -1, "negative Expires"},
    {"<sip:a@h>", "Thu, 01 Dec 1994 16:00:00 GMT", -1, "RFC 2543 date"},
};

TEST(RegisterExpires, Table) {
  for (const ExpiresCase& c : kCases) {
    EXPECT_EQ(registerExpires(c.contact, c.expires), c.want) << c.why << ": " << c.contact;
  }
}

TEST(RegisterExpires, CApiTakesAbsentHeadersAsNull) {
  secsetup_str_t none = {nullptr, 0};
  std::string contact = "<sip:a@h>;expires=0";
  secsetup_str_t c = {contact.data(), contact.size()};
  std::string expires = "600";
  secsetup_str_t e = {expires.data(), expires.size()};
  EXPECT_EQ(secsetup_register_expires(none, none), -1);
  EXPECT_EQ(secsetup_register_expires(c, none), 0);
  EXPECT_EQ(secsetup_register_expires(none, e), 600);
  // Only the given length is read: a value that runs on in the buffer is cut where told.
  EXPECT_EQ(secsetup_register_expires(secsetup_str_t{contact.data(), 10}, e), 600);
}

// Item 7 of issue 14: the 2xx lists every binding of the AOR; a contact's lifetime is its own.
TEST(BindingExpires, TheUesOwnBindingNotTheFirst) {
  kipsec::IpAddress ue;
  ASSERT_TRUE(kipsec::IpAddress::parse("192.0.2.10", ue));
  const std::string_view two[] = {
      "<sip:alice@192.0.2.99:5064>;expires=7200, <sip:alice@192.0.2.10:5066>;expires=10",
      "\"Alice, home\" <sip:alice@192.0.2.10:5064;transport=udp>;expires=600"};
  EXPECT_EQ(600, bindingExpires(two, 2, "", ue, 5064));
  EXPECT_EQ(10, bindingExpires(two, 2, "", ue, 5066));
  // No binding of this UE and port: the Expires header, else none.
  EXPECT_EQ(3600, bindingExpires(two, 2, "3600", ue, 5070));
  EXPECT_EQ(-1, bindingExpires(two, 2, "", ue, 5070));
  // The binding without an expires parameter takes the Expires header.
  const std::string_view bare[] = {"sip:alice@192.0.2.10:5064"};
  EXPECT_EQ(300, bindingExpires(bare, 1, "300", ue, 5064));
  // No port in the URI is 5060; user info with '@' and ':' is skipped.
  const std::string_view defaultPort[] = {"<sips:a:b@192.0.2.10>;expires=42"};
  EXPECT_EQ(42, bindingExpires(defaultPort, 1, "", ue, 5060));
  kipsec::IpAddress ue6;
  ASSERT_TRUE(kipsec::IpAddress::parse("2001:db8:1::10", ue6));
  const std::string_view v6[] = {"<sip:a@[2001:db8:1::11]:5064>;expires=1, "
                                 "<sip:a@[2001:db8:1:0::10]:5064>;expires=77"};
  EXPECT_EQ(77, bindingExpires(v6, 1, "", ue6, 5064));
  // Junk in a contact does not match and does not stop the search.
  const std::string_view junk[] = {"<tel:+1555>;expires=5, <sip:@>, <sip:a@192.0.2.10:99999>",
                                   "<sip:a@192.0.2.10:5064>;expires=9"};
  EXPECT_EQ(9, bindingExpires(junk, 2, "", ue, 5064));
}

}  // namespace
}  // namespace secsetup
