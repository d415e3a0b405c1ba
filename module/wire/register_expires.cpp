#include "module/wire/register_expires.h"

#include <cstdint>

#include "module/wire/sip_lex.h"

namespace secsetup {

namespace {

constexpr uint64_t kMaxExpires = 0xFFFFFFFFu;

bool isSpace(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && isSpace(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && isSpace(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

long seconds(std::string_view digits) noexcept {
  uint64_t v = 0;
  if (!lex::parseDecimal(trim(digits), 10, v) || v > kMaxExpires) {
    return -1;
  }
  return static_cast<long>(v);
}

// Index just past a quoted string starting at i (at the opening quote); n if unterminated.
std::size_t skipQuoted(std::string_view s, std::size_t i) noexcept {
  for (++i; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
    } else if (s[i] == '"') {
      return i + 1;
    }
  }
  return s.size();
}

// Where the first contact's parameters start: after its name-addr's '>', or at the first
// ';' of an addr-spec. npos for "*", an unterminated '<' or quote, or no parameters at all.
std::size_t paramsStart(std::string_view s) noexcept {
  std::size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == '"') {
      i = skipQuoted(s, i);
      if (i >= s.size()) {
        return std::string_view::npos;
      }
    } else if (c == '<') {
      std::size_t close = s.find('>', i + 1);
      return close == std::string_view::npos ? close : close + 1;
    } else if (c == ';') {
      return i;
    } else if (c == ',') {
      return std::string_view::npos;
    } else {
      ++i;
    }
  }
  return std::string_view::npos;
}

}  // namespace

long contactExpires(std::string_view contact) noexcept {
  std::size_t i = paramsStart(contact);
  if (i == std::string_view::npos) {
    return -1;
  }
  lex::Cursor cur(contact.substr(i));
  while (cur.separator(';')) {
    std::string_view name = cur.token();
    std::string_view value;
    if (cur.separator('=')) {
      if (cur.peek() == '"') {
        if (!cur.quoted(value)) {
          return -1;
        }
        value = {};  // a quoted expires is not delta-seconds
      } else {
        value = cur.token();
      }
    }
    if (lex::iequals(name, "expires")) {
      return seconds(value);
    }
    cur.skipSws();
  }
  return -1;
}

namespace {

// The host and port of a SIP URI that starts at u ("sip:user@host:port;params..." or with
// "sips:"), the port 0 when absent. False if it is not a sip/sips URI with a host.
bool uriHostPort(std::string_view u, std::string_view& host, uint16_t& port) noexcept {
  std::size_t i;
  if (u.size() > 4 && lex::iequals(u.substr(0, 4), "sip:")) {
    i = 4;
  } else if (u.size() > 5 && lex::iequals(u.substr(0, 5), "sips:")) {
    i = 5;
  } else {
    return false;
  }
  const std::size_t end = u.find_first_of(";?>", i);
  std::string_view rest = u.substr(i, end == std::string_view::npos ? u.size() - i : end - i);
  const std::size_t at = rest.rfind('@');
  if (at != std::string_view::npos) {
    rest.remove_prefix(at + 1);
  }
  std::size_t hostEnd;
  if (!rest.empty() && rest.front() == '[') {
    hostEnd = rest.find(']');
    if (hostEnd == std::string_view::npos) {
      return false;
    }
    host = rest.substr(1, hostEnd - 1);
    ++hostEnd;
  } else {
    hostEnd = rest.find(':');
    hostEnd = hostEnd == std::string_view::npos ? rest.size() : hostEnd;
    host = rest.substr(0, hostEnd);
  }
  port = 0;
  if (hostEnd < rest.size()) {
    uint64_t v = 0;
    if (rest[hostEnd] != ':' || !lex::parseDecimal(rest.substr(hostEnd + 1), 5, v) || v == 0 ||
        v > 65535) {
      return false;
    }
    port = static_cast<uint16_t>(v);
  }
  return !host.empty();
}

// Whether the contact starting at c (its name-addr or addr-spec) names ue and port.
bool namesBinding(std::string_view c, const kipsec::IpAddress& ue, uint16_t port) noexcept {
  std::size_t i = 0;
  while (i < c.size() && (isSpace(c[i]) || c[i] == '"')) {
    if (c[i] == '"') {
      i = skipQuoted(c, i);
    } else {
      ++i;
    }
  }
  const std::size_t lt = c.find('<', i);
  const std::size_t semi = c.find_first_of(";,", i);
  std::string_view uri =
      lt != std::string_view::npos && (semi == std::string_view::npos || lt < semi)
          ? c.substr(lt + 1)
          : c.substr(i);
  std::string_view host;
  uint16_t uriPort = 0;
  if (!uriHostPort(uri, host, uriPort) || host.size() > 45) {
    return false;
  }
  kipsec::IpAddress a;
  return (uriPort == 0 ? 5060 : uriPort) == port &&
         kipsec::IpAddress::parse(std::string(host), a) && a == ue;
}

// Where the contact after the one starting at i begins (past its top-level comma); npos at
// the end.
std::size_t nextContact(std::string_view s, std::size_t i) noexcept {
  bool inAngle = false;
  while (i < s.size()) {
    const char c = s[i];
    if (c == '"') {
      i = skipQuoted(s, i);
      continue;
    }
    if (c == '<') {
      inAngle = true;
    } else if (c == '>') {
      inAngle = false;
    } else if (c == ',' && !inAngle) {
      return i + 1;
    }
    ++i;
  }
  return std::string_view::npos;
}

}  // namespace

long bindingExpires(const std::string_view* contacts, std::size_t count,
                    std::string_view expires, const kipsec::IpAddress& ue,
                    uint16_t port) noexcept {
  for (std::size_t h = 0; h < count; ++h) {
    const std::string_view v = contacts[h];
    for (std::size_t at = 0; at != std::string_view::npos && at < v.size();
         at = nextContact(v, at)) {
      if (namesBinding(v.substr(at), ue, port)) {
        return registerExpires(v.substr(at), expires);
      }
    }
  }
  return expires.empty() ? -1 : seconds(expires);
}

long registerExpires(std::string_view contact, std::string_view expires) noexcept {
  long fromContact = contact.empty() ? -1 : contactExpires(contact);
  if (fromContact >= 0) {
    return fromContact;
  }
  return expires.empty() ? -1 : seconds(expires);
}

}  // namespace secsetup
