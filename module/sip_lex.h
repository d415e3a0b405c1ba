#pragma once
// RFC 3261 lexical helpers shared by the header parsers: a cursor over a string_view that
// never reads past its end.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

// The bytes that end a plain run inside a quoted-string: the closing quote, a backslash, and
// the control characters other than tab (which make it invalid).
struct QuotedStopTable {
  bool stop[256] = {};
  constexpr QuotedStopTable() {
    for (int c = 0; c < 0x20; ++c) {
      stop[c] = c != '\t';
    }
    stop[static_cast<unsigned char>('"')] = true;
    stop[static_cast<unsigned char>('\\')] = true;
  }
};
inline constexpr QuotedStopTable kQuotedStop{};

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

// iequals for a name known in lower case (a literal): only the text side is folded.
inline bool equalsLower(std::string_view text, std::string_view lowerName) noexcept {
  if (text.size() != lowerName.size()) {
    return false;
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (lower(text[i]) != lowerName[i]) {
      return false;
    }
  }
  return true;
}

// equalsLower for a literal name of at most 16 lower-case letters, digits and punctuation, in
// two words: text's lanes where the name has a letter get bit 5 (so either case of that letter
// matches it, and no other byte does), every other lane must be equal as it is. Exact for
// any text, token or not.
template <std::size_t N>
inline bool equalsLowerName(std::string_view text, const char (&lowerName)[N]) noexcept {
  constexpr std::size_t kLen = N - 1;
  static_assert(kLen <= 16, "names of up to 16 characters");
  if (text.size() != kLen) {
    return false;
  }
  uint64_t t[2] = {0, 0};
  uint64_t l[2] = {0, 0};
  std::memcpy(t, text.data(), kLen);
  std::memcpy(l, lowerName, kLen);
  // 0x20 in the name's letter lanes: a range test on its 7-bit lanes (constant once inlined).
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHigh = 0x8080808080808080ull;
  auto letters = [](uint64_t w) {
    return ((w + kOnes * (0x80 - 'a')) & ~(w + kOnes * (0x7F - 'z')) & kHigh) >> 2;
  };
  return (((t[0] | letters(l[0])) ^ l[0]) | ((t[1] | letters(l[1])) ^ l[1])) == 0;
}

// Whether token (RFC 3261 token characters only) is lowerName, case ignored. lowerName is a
// literal of letters (lower case), digits, '-' and '.': bytes with bit 5 set, so a token
// character matches one of them exactly when it does with bit 5 set (the only other byte that
// would, a control character, is no token character). Names of up to 8 characters are
// compared as one word.
template <std::size_t N>
inline bool tokenIs(std::string_view token, const char (&lowerName)[N]) noexcept {
  constexpr std::size_t kLen = N - 1;
  if (token.size() != kLen) {
    return false;
  }
  if (kLen <= 8) {
    constexpr uint64_t kBit5 = 0x2020202020202020ull;
    uint64_t t = 0;
    uint64_t l = 0;
    std::memcpy(&t, token.data(), kLen <= 8 ? kLen : 8);
    std::memcpy(&l, lowerName, kLen <= 8 ? kLen : 8);
    return (t | kBit5) == (l | kBit5);  // unused lanes are 0 in both
  }
  for (std::size_t i = 0; i < kLen; ++i) {
    if ((static_cast<unsigned char>(token[i]) | 0x20) != static_cast<unsigned char>(lowerName[i])) {
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

// The lanes (bytes) of the 8 at p that may end a plain run of a quoted-string, marked 0x80: a
// quote, a backslash or a byte below 0x20 (a tab too: the byte loop then looks closer). The
// first marked lane in memory order is never after the first byte that ends the run (the
// borrows of the test only ever mark lanes after a true one on a little-endian machine, and a
// lane marked too early on a big-endian one just hands over to the byte loop sooner).
inline uint64_t quotedStopLanes(const char* p) noexcept {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHigh = 0x8080808080808080ull;
  uint64_t w;
  std::memcpy(&w, p, 8);
  auto hasZero = [](uint64_t v) { return (v - kOnes) & ~v & kHigh; };
  uint64_t below20 = (w - kOnes * 0x20) & ~w & kHigh;
  return below20 | hasZero(w ^ (kOnes * '"')) | hasZero(w ^ (kOnes * '\\'));
}

// The index of the first lane in memory order marked in mask (mask != 0).
inline std::size_t firstMarkedLane(uint64_t mask) noexcept {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  return static_cast<std::size_t>(__builtin_clzll(mask)) / 8;
#else
  return static_cast<std::size_t>(__builtin_ctzll(mask)) / 8;
#endif
}

#if defined(__SSE2__)
// The bytes of the 16 at p that may end a plain run of a quoted-string, one bit each (bit k
// for p[k]): a quote, a backslash or a byte at or below 0x1F (a tab too, as above). Exact.
inline unsigned quotedStopMask16(const char* p) noexcept {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i quote = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
  const __m128i backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'));
  const __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v);
  const __m128i stop = _mm_or_si128(_mm_or_si128(quote, backslash), control);
  return static_cast<unsigned>(_mm_movemask_epi8(stop));
}
#endif

// The first position from i on (i <= n) of s[0, n) that may end a plain run of a
// quoted-string, or n: never after the first byte that ends it (a tab, or a lane marked early
// by the word test, hands over to the caller's byte loop). Long values (nonce, ik, ck) go 16
// bytes per step with SSE2, the last part of the text by one 16-byte load ending at n (lanes
// before i masked off); without SSE2, 8 bytes per step.
inline std::size_t plainRunEnd(const char* s, std::size_t i, std::size_t n) noexcept {
#if defined(__SSE2__)
  if (n >= 16) {
    for (; i + 16 <= n; i += 16) {
      const unsigned m = quotedStopMask16(s + i);
      if (m != 0) {
        return i + static_cast<std::size_t>(__builtin_ctz(m));
      }
    }
    if (i >= n) {
      return n;
    }
    const std::size_t base = n - 16;  // i - base is 1..15 here
    const unsigned m = quotedStopMask16(s + base) >> (i - base);
    return m != 0 ? i + static_cast<std::size_t>(__builtin_ctz(m)) : n;
  }
#endif
  for (; i + 8 <= n; i += 8) {
    const uint64_t stops = quotedStopLanes(s + i);
    if (stops != 0) {
      return i + firstMarkedLane(stops);
    }
  }
  return i;
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
    const auto* s = reinterpret_cast<const unsigned char*>(s_.data());
    // The common cases first: no whitespace, or one space before a visible character (space,
    // tab and CR are all at or below ' ').
    if (i < n && s[i] > ' ') {
      return;
    }
    if (i + 1 < n && s[i] == ' ' && s[i + 1] > ' ') {
      pos_ = i + 1;
      return;
    }
    for (;;) {
      while (i < n && (s[i] == ' ' || s[i] == '\t')) {
        ++i;
      }
      if (i + 2 < n && s[i] == '\r' && s[i + 1] == '\n' && (s[i + 2] == ' ' || s[i + 2] == '\t')) {
        i += 3;
      } else {
        break;
      }
    }
    pos_ = i;
  }
  // Skips SWS, then consumes c (and the SWS after it). False if c is not next.
  bool separator(char c) noexcept {
    std::size_t i = pos_;
    const std::size_t n = s_.size();
    const char* s = s_.data();
    if (i < n && s[i] == c) {  // the common cases: c right away, or after one space
      pos_ = i + 1;
    } else if (i + 1 < n && s[i] == ' ' && s[i + 1] == c) {
      pos_ = i + 2;
    } else {
      skipSws();
      if (peek() != c) {
        pos_ = i;
        return false;
      }
      ++pos_;
    }
    skipSws();
    return true;
  }
  std::string_view token() noexcept {
    const std::size_t start = pos_;
    pos_ = tokenEnd(start);
    return std::string_view(s_.data() + start, pos_ - start);
  }
  // A token like token(), copied lower-cased into dst (its first cap characters); returns
  // the token's full length. One table lookup per character both classifies and folds it.
  std::size_t tokenLower(char* dst, std::size_t cap) noexcept {
    const std::size_t start = pos_;
    const std::size_t n = s_.size();
    const auto* s = reinterpret_cast<const unsigned char*>(s_.data());
    const std::size_t stop = n - start > cap ? start + cap : n;
    std::size_t i = start;
    for (; i < stop; ++i) {
      const char folded = kLowerToken.map[s[i]];
      if (folded == 0) {
        break;
      }
      dst[i - start] = folded;
    }
    pos_ = i == stop ? tokenEnd(i) : i;  // a token longer than cap: find its end
    return pos_ - start;
  }

  // quoted-string: returns the raw text between the quotes (escapes kept), false if unterminated
  // or if it holds a control character other than a tab (an escaped character is taken as
  // is). On failure the position is left at the start of the run (after the opening quote
  // or the last escape pair) that held the control character, at a trailing backslash, or at
  // the end. Plain text is skipped by plainRunEnd, straight to the first byte that may end it.
  __attribute__((always_inline)) bool quoted(std::string_view& out) noexcept {
    if (peek() != '"') {
      return false;
    }
    const char* s = s_.data();
    const std::size_t n = s_.size();
    const std::size_t start = pos_ + 1;
    std::size_t run = start;
    std::size_t i = start;
    for (;;) {
      i = plainRunEnd(s, i, n);
      while (i < n && !kQuotedStop.stop[static_cast<unsigned char>(s[i])]) {
        ++i;
      }
      if (i >= n) {
        pos_ = n;
        return false;
      }
      if (s[i] == '"') {
        out = std::string_view(s + start, i - start);
        pos_ = i + 1;
        return true;
      }
      if (s[i] != '\\') {
        pos_ = run;  // a control character
        return false;
      }
      if (i + 1 >= n) {
        pos_ = i;
        return false;
      }
      i += 2;
      run = i;
    }
  }

 private:
  // The end of the token starting at i (the position in a local: the loop keeps it in a
  // register).
  std::size_t tokenEnd(std::size_t i) const noexcept {
    const std::size_t n = s_.size();
    const auto* s = reinterpret_cast<const unsigned char*>(s_.data());
    const bool* ok = kTokenTable.ok;
    for (; i + 4 <= n; i += 4) {  // four characters per bounds check
      if (!ok[s[i]]) {
        return i;
      }
      if (!ok[s[i + 1]]) {
        return i + 1;
      }
      if (!ok[s[i + 2]]) {
        return i + 2;
      }
      if (!ok[s[i + 3]]) {
        return i + 3;
      }
    }
    while (i < n && ok[s[i]]) {
      ++i;
    }
    return i;
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
    const unsigned d = static_cast<unsigned char>(c) - static_cast<unsigned>('0');
    if (d > 9) {
      return false;
    }
    v = v * 10 + d;
  }
  out = v;
  return true;
}

}  // namespace secsetup::lex
