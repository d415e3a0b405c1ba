#pragma once
// RFC 3261 lexical helpers shared by the header parsers: a cursor over a string_view that
// never reads past its end.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace secsetup::lex {

struct TokenTable {
  bool ok[256] = {};
  constexpr TokenTable() {
    for (int c = 'a'; c <= 'z'; ++c) {
      ok[c] = true;
    }
    for (int c = 'A'; c <= 'Z'; ++c) {
      ok[c] = true;
    }
    for (int c = '0'; c <= '9'; ++c) {
      ok[c] = true;
    }
    for (char c : {'-', '.', '!', '%', '*', '_', '+', '`', '\'', '~'}) {
      ok[static_cast<unsigned char>(c)] = true;
    }
  }
};
inline constexpr TokenTable kTokenTable{};

// Token characters mapped to their lower case, every other byte to 0: one lookup both
// classifies and folds a character.
struct LowerTokenTable {
  char map[256] = {};
  constexpr LowerTokenTable() {
    for (int c = 0; c < 256; ++c) {
      if (TokenTable().ok[c]) {
        map[c] = static_cast<char>((c >= 'A' && c <= 'Z') ? c + 32 : c);
      }
    }
  }
};
inline constexpr LowerTokenTable kLowerToken{};

inline bool isTokenChar(char c) noexcept { return kTokenTable.ok[static_cast<unsigned char>(c)]; }

inline char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

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

inline void appendLower(std::string& out, std::string_view s) {
  for (char c : s) {
    out.push_back(lower(c));
  }
}

class Cursor {
 public:
  explicit Cursor(std::string_view s) noexcept : s_(s) {}
  std::size_t pos() const noexcept { return pos_; }
  bool atEnd() const noexcept { return pos_ >= s_.size(); }
  char peek() const noexcept { return atEnd() ? '\0' : s_[pos_]; }
  // SWS / LWS: spaces, tabs, and CRLF folds (CRLF followed by a space or tab).
  void skipSws() noexcept {
    std::size_t i = pos_;
    const std::size_t n = s_.size();
    const char* s = s_.data();
    while (i < n) {
      char c = s[i];
      if (c == ' ' || c == '\t') {
        ++i;
      } else if (c == '\r' && i + 2 < n && s[i + 1] == '\n' && (s[i + 2] == ' ' || s[i + 2] == '\t')) {
        i += 3;
      } else {
        break;
      }
    }
    pos_ = i;
  }
  // Skips SWS, then consumes c (and the SWS after it). False if c is not next.
  bool separator(char c) noexcept {
    if (pos_ < s_.size() && s_[pos_] == c) {  // the common case: no whitespace before c
      ++pos_;
      skipSws();
      return true;
    }
    std::size_t save = pos_;
    skipSws();
    if (peek() != c) {
      pos_ = save;
      return false;
    }
    ++pos_;
    skipSws();
    return true;
  }
  std::string_view token() noexcept {
    const std::size_t start = pos_;
    std::size_t i = start;  // a local: the loop keeps it in a register
    const std::size_t n = s_.size();
    const char* s = s_.data();
    while (i < n && kTokenTable.ok[static_cast<unsigned char>(s[i])]) {
      ++i;
    }
    pos_ = i;
    return std::string_view(s + start, i - start);
  }
  // A token like token(), copied lower-cased into dst as it is scanned (at most cap
  // characters are written); returns the token's full length.
  std::size_t tokenLower(char* dst, std::size_t cap) noexcept {
    const std::size_t start = pos_;
    std::size_t i = start;
    const std::size_t n = s_.size();
    const char* s = s_.data();
    while (i < n) {
      char l = kLowerToken.map[static_cast<unsigned char>(s[i])];
      if (l == 0) {
        break;
      }
      if (i - start < cap) {
        dst[i - start] = l;
      }
      ++i;
    }
    pos_ = i;
    return i - start;
  }
  // quoted-string: returns the raw text between the quotes (escapes kept), false if unterminated
  // or if it holds a control character other than a tab (an escaped character is taken as
  // is). On failure the position is left at the start of the run (after the opening quote
  // or the last escape pair) that held the control character, at a trailing backslash, or at
  // the end. One pass: the values are short.
  bool quoted(std::string_view& out) noexcept {
    if (peek() != '"') {
      return false;
    }
    const char* s = s_.data();
    const std::size_t n = s_.size();
    const std::size_t start = pos_ + 1;
    std::size_t run = start;
    std::size_t i = start;
    while (i < n) {
      auto c = static_cast<unsigned char>(s[i]);
      if (c == '"') {
        out = std::string_view(s + start, i - start);
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
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  out = v;
  return true;
}

}  // namespace secsetup::lex
