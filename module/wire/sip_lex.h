#pragma once
// RFC 3261 lexical helpers shared by the header parsers: a cursor over a string_view that
// never reads past its end. Character classes are tables indexed by the byte, as sofia-sip's
// span_token and skip_lws read them.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace secsetup::lex {

// RFC 3261 25.1: token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" /
// "~"). Each token character maps to its lower case (names and algorithms compare case
// ignored), every other byte to 0.
struct LowerTokenTable {
  char map[256] = {};
  constexpr LowerTokenTable() {
    for (int c = 'a'; c <= 'z'; ++c) {
      map[c] = static_cast<char>(c);
      map[c - 'a' + 'A'] = static_cast<char>(c);
    }
    for (int c = '0'; c <= '9'; ++c) {
      map[c] = static_cast<char>(c);
    }
    for (char c : {'-', '.', '!', '%', '*', '_', '+', '`', '\'', '~'}) {
      map[static_cast<unsigned char>(c)] = c;
    }
  }
};
inline constexpr LowerTokenTable kLowerToken{};

inline char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

// Equality ignoring ASCII case (RFC 3261 7.3.1: header parameter names and tokens compare
// case-insensitively).
inline bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) {
      return false;
    }
  }
  return true;
}

class Cursor {
 public:
  explicit Cursor(std::string_view s) noexcept : s_(s) {}
  std::size_t pos() const noexcept { return pos_; }
  bool atEnd() const noexcept { return pos_ >= s_.size(); }
  char peek() const noexcept { return atEnd() ? '\0' : s_[pos_]; }
  // SWS / LWS (RFC 3261 25.1): spaces, tabs, and CRLF folds (CRLF followed by a space or tab).
  void skipSws() noexcept {
    const std::size_t n = s_.size();
    for (;;) {
      while (pos_ < n && (s_[pos_] == ' ' || s_[pos_] == '\t')) {
        ++pos_;
      }
      if (pos_ + 2 < n && s_[pos_] == '\r' && s_[pos_ + 1] == '\n' &&
          (s_[pos_ + 2] == ' ' || s_[pos_ + 2] == '\t')) {
        pos_ += 3;
      } else {
        return;
      }
    }
  }
  // Skips SWS, then consumes c (and the SWS after it). False (position unchanged) if c is
  // not next.
  bool separator(char c) noexcept {
    const std::size_t start = pos_;
    skipSws();
    if (peek() != c) {
      pos_ = start;
      return false;
    }
    ++pos_;
    skipSws();
    return true;
  }
  std::string_view token() noexcept {
    const std::size_t start = pos_;
    while (pos_ < s_.size() && isTokenChar(s_[pos_])) {
      ++pos_;
    }
    return s_.substr(start, pos_ - start);
  }
  // A token like token(), copied lower-cased into dst (its first cap characters); returns
  // the token's full length.
  std::size_t tokenLower(char* dst, std::size_t cap) noexcept {
    const std::size_t start = pos_;
    for (; pos_ < s_.size(); ++pos_) {
      const char folded = kLowerToken.map[static_cast<unsigned char>(s_[pos_])];
      if (folded == 0) {
        break;
      }
      if (pos_ - start < cap) {
        dst[pos_ - start] = folded;
      }
    }
    return pos_ - start;
  }

  // quoted-string (RFC 3261 25.1: DQUOTE *(qdtext / quoted-pair) DQUOTE): returns the raw text
  // between the quotes (escapes kept), false if unterminated or if it holds a control
  // character other than a tab (an escaped character is taken as is). On failure the position
  // is left at the start of the run (after the opening quote or the last escape pair) that
  // held the control character, at a trailing backslash, or at the end.
  bool quoted(std::string_view& out) noexcept {
    if (peek() != '"') {
      return false;
    }
    const std::size_t n = s_.size();
    const std::size_t start = pos_ + 1;
    std::size_t run = start;
    for (std::size_t i = start; i < n;) {
      const auto c = static_cast<unsigned char>(s_[i]);
      if (c == '"') {
        out = s_.substr(start, i - start);
        pos_ = i + 1;
        return true;
      }
      if (c == '\\') {
        if (i + 1 >= n) {
          pos_ = i;
          return false;
        }
        i += 2;
        run = i;
        continue;
      }
      if (c < 0x20 && c != '\t') {
        pos_ = run;
        return false;
      }
      ++i;
    }
    pos_ = n;
    return false;
  }

 private:
  static bool isTokenChar(char c) noexcept {
    return kLowerToken.map[static_cast<unsigned char>(c)] != 0;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

// Parses 1*maxDigits DIGIT as an unsigned value; false on empty, too long, or non-digit.
inline bool parseDecimal(std::string_view digits, std::size_t maxDigits, uint64_t& out) noexcept {
  if (digits.empty() || digits.size() > maxDigits) {
    return false;
  }
  uint64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') {
      return false;
    }
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  out = v;
  return true;
}

}  // namespace secsetup::lex
