#include "module/register_expires.h"

#include <cstdint>

#include "module/sip_lex.h"

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

long registerExpires(std::string_view contact, std::string_view expires) noexcept {
  long fromContact = contact.empty() ? -1 : contactExpires(contact);
  if (fromContact >= 0) {
    return fromContact;
  }
  return expires.empty() ? -1 : seconds(expires);
}

}  // namespace secsetup
