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
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == ' ' || c == '\t') {
        ++pos_;
      } else if (c == '\r' && pos_ + 2 < s_.size() && s_[pos_ + 1] == '\n' &&
                 (s_[pos_ + 2] == ' ' || s_[pos_ + 2] == '\t')) {
        pos_ += 3;
      } else {
        break;
      }
    }
  }
  // Skips SWS, then consumes c (and the SWS after it). False if c is not next.
  bool separator(char c) noexcept {
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
    std::size_t start = pos_;
    while (pos_ < s_.size() && isTokenChar(s_[pos_])) {
      ++pos_;
    }
    return s_.substr(start, pos_ - start);
  }
  // quoted-string: returns the raw text between the quotes (escapes kept), false if unterminated
  // or if it holds a control character other than a tab.
  bool quoted(std::string_view& out) noexcept {
    if (peek() != '"') {
      return false;
    }
    std::size_t start = ++pos_;
    while (pos_ < s_.size()) {
      // Jump to the next quote or backslash, then check the span for control characters.
      const char* base = s_.data() + pos_;
      std::size_t left = s_.size() - pos_;
      const void* q = std::memchr(base, '"', left);
      std::size_t stop = q ? static_cast<std::size_t>(static_cast<const char*>(q) - base) : left;
      const void* bs = std::memchr(base, '\\', stop);
      if (bs != nullptr) {
        stop = static_cast<std::size_t>(static_cast<const char*>(bs) - base);
      }
      for (std::size_t i = 0; i < stop; ++i) {
        auto c = static_cast<unsigned char>(base[i]);
        if (c < 0x20 && c != '\t') {
          return false;
        }
      }
      pos_ += stop;
      if (pos_ >= s_.size()) {
        return false;
      }
      if (s_[pos_] == '\\') {
        if (pos_ + 1 >= s_.size()) {
          return false;
        }
        pos_ += 2;
        continue;
      }
      out = s_.substr(start, pos_ - start);  // at the closing quote
      ++pos_;
      return true;
    }
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
