// The lexer (module/wire/sip_lex.h) against a plain byte-by-byte reading of RFC 3261's token and
// SWS: every byte value at every position of a token, tokens that end before, at and after the
// cap, random text; quoted-strings the same way; and the separators' whitespace cases.

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "module/wire/sip_lex.h"

namespace secsetup {
namespace {

// RFC 3261 25.1: token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")
bool referenceTokenChar(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string("-.!%*_+`'~").find(static_cast<char>(c)) != std::string::npos;
}

std::size_t referenceTokenLength(const std::string& s, std::size_t from) {
  std::size_t i = from;
  while (i < s.size() && referenceTokenChar(static_cast<unsigned char>(s[i]))) {
    ++i;
  }
  return i - from;
}

std::string referenceLower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c + 32);
    }
  }
  return s;
}

// Reads the token at from both ways (token() and tokenLower() with cap) and compares them with
// the reference.
void expectLikeReference(const std::string& s, std::size_t from, std::size_t cap) {
  const std::size_t len = referenceTokenLength(s, from);
  lex::Cursor plain(std::string_view(s).substr(from));
  std::string_view t = plain.token();
  ASSERT_EQ(len, t.size()) << "token() of \"" << s << "\" at " << from;
  EXPECT_EQ(len, plain.pos());

  lex::Cursor lowered(std::string_view(s).substr(from));
  std::string dst(cap + 8, '#');
  std::size_t got = lowered.tokenLower(&dst[0], cap);
  ASSERT_EQ(len, got) << "tokenLower() of \"" << s << "\" at " << from << " cap " << cap;
  EXPECT_EQ(len, lowered.pos());
  std::size_t copied = len < cap ? len : cap;
  EXPECT_EQ(referenceLower(s.substr(from, copied)), dst.substr(0, copied));
  EXPECT_EQ(std::string(8, '#'), dst.substr(cap)) << "tokenLower wrote past cap";
}

TEST(CoreLex, EveryByteAtEveryLaneEndsTheTokenLikeTheTable) {
  const std::string word = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-.";
  for (int b = 0; b < 256; ++b) {
    for (std::size_t at = 0; at < 20; ++at) {
      std::string s = word.substr(0, at) + static_cast<char>(b) + word.substr(at, 12);
      expectLikeReference(s, 0, 32);
      expectLikeReference(s, 0, 8);
      expectLikeReference(s, 0, 5);
    }
  }
}

TEST(CoreLex, TokensAroundWordBoundariesAndTheCap) {
  for (std::size_t len = 0; len <= 40; ++len) {
    std::string tok;
    for (std::size_t i = 0; i < len; ++i) {
      tok += "Xy-9.!_~"[i % 8];  // usual and rarer token characters mixed
    }
    for (const char* tail : {"", " ", "/x", ";=", "\r\n"}) {
      std::string s = tok + tail;
      for (std::size_t cap : {0, 1, 7, 8, 9, 16, 31, 32, 33}) {
        expectLikeReference(s, 0, cap);
      }
    }
  }
}

TEST(CoreLex, RandomTextReadsLikeTheReference) {
  std::mt19937 rng(20261123);
  const std::string alphabet = "aZ09-._!~ /,;=\"\t\r\n\x7f\x80\xff@:";
  for (int round = 0; round < 20000; ++round) {
    std::string s;
    std::size_t n = rng() % 48;
    for (std::size_t i = 0; i < n; ++i) {
      s += (rng() % 4 == 0) ? static_cast<char>(rng() % 256) : alphabet[rng() % alphabet.size()];
    }
    std::size_t from = n == 0 ? 0 : rng() % (n + 1);
    expectLikeReference(s, from, 32);
  }
}

// quoted-string read byte by byte: the text between the quotes (escapes kept); false when
// unterminated or holding a control character other than a tab, with the position at the start
// of the run that held it, at a trailing backslash, or at the end.
bool referenceQuoted(const std::string& s, std::string& out, std::size_t& pos) {
  pos = 0;
  if (s.empty() || s[0] != '"') {
    return false;
  }
  std::size_t i = 1;
  std::size_t run = 1;
  for (;;) {
    if (i >= s.size()) {
      pos = s.size();
      return false;
    }
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '"') {
      out = s.substr(1, i - 1);
      pos = i + 1;
      return true;
    }
    if (c == '\\') {
      if (i + 1 >= s.size()) {
        pos = i;
        return false;
      }
      i += 2;
      run = i;
      continue;
    }
    if (c < 0x20 && c != '\t') {
      pos = run;
      return false;
    }
    ++i;
  }
}

void expectQuotedLikeReference(const std::string& s) {
  std::string want;
  std::size_t wantPos = 0;
  bool wantOk = referenceQuoted(s, want, wantPos);
  lex::Cursor c(s);
  std::string_view got;
  ASSERT_EQ(wantOk, c.quoted(got)) << "\"" << s << "\"";
  EXPECT_EQ(wantPos, c.pos()) << "\"" << s << "\"";
  if (wantOk) {
    EXPECT_EQ(want, std::string(got)) << "\"" << s << "\"";
  }
}

TEST(CoreLex, EveryByteAtEveryLaneOfAQuotedString) {
  const std::string plain = "alice@ims.test;sip:bm9uY2U=xyz";
  for (int b = 0; b < 256; ++b) {
    for (std::size_t at = 0; at < 24; ++at) {
      std::string body = plain.substr(0, at) + static_cast<char>(b) + plain.substr(at, 9);
      expectQuotedLikeReference("\"" + body + "\"");
      expectQuotedLikeReference("\"" + body + "\", x=1");
      expectQuotedLikeReference("\"" + body);
    }
  }
}

// Long values (the 16-byte steps and the last load that ends at the text's end): every byte
// at every offset of bodies up to 70 bytes, followed by texts of 0 to 16 bytes, so the byte
// that ends the run falls in each lane of a step, of the last load, and on their edges.
TEST(CoreLex, EveryByteAtEveryOffsetOfALongQuotedString) {
  const std::string plain =
      "f769bcd751044604127672711c6d3441b40ba9a3c58b2a05bbf0d987b21bf8cbalice@ims.test";
  const std::string after = ", ck=\"0123456789";  // cut to 0..16 bytes
  for (int b : {0x00, 0x01, 0x09, 0x0A, 0x0D, 0x1F, 0x20, 0x22, 0x5C, 0x7F, 0x80, 0xFF}) {
    for (std::size_t len = 0; len <= 70; len += 3) {
      for (std::size_t at = 0; at <= len; ++at) {
        std::string body = plain.substr(0, len);
        body.insert(at, 1, static_cast<char>(b));
        for (std::size_t tail = 0; tail <= after.size(); tail += 1) {
          expectQuotedLikeReference("\"" + body + "\"" + after.substr(0, tail));
        }
        expectQuotedLikeReference("\"" + body);
      }
    }
  }
  // No stop byte at all, and a closing quote at every length (both sides of 16 and 32).
  for (std::size_t len = 0; len <= 70; ++len) {
    for (std::size_t tail = 0; tail <= after.size(); ++tail) {
      expectQuotedLikeReference("\"" + plain.substr(0, len) + "\"" + after.substr(0, tail));
      expectQuotedLikeReference("\"" + plain.substr(0, len) + after.substr(0, tail));
    }
  }
}

TEST(CoreLex, RandomLongQuotedStringsReadLikeTheReference) {
  std::mt19937 rng(4096);
  const std::string alphabet = "ab\"\\\t\r\n\x01\x1f\x7f\x80 ,=";
  for (int round = 0; round < 20000; ++round) {
    std::string s = "\"";
    std::size_t n = rng() % 100;
    for (std::size_t i = 0; i < n; ++i) {
      s += rng() % 16 == 0 ? alphabet[rng() % alphabet.size()]
                           : static_cast<char>('a' + rng() % 26);
    }
    expectQuotedLikeReference(s);
  }
}

TEST(CoreLex, RandomQuotedStringsReadLikeTheReference) {
  std::mt19937 rng(3329);
  const std::string alphabet = "ab\"\"\\\t\r\n\x01\x1f\x7f\x80 ,=";
  for (int round = 0; round < 50000; ++round) {
    std::string s = "\"";
    std::size_t n = rng() % 40;
    for (std::size_t i = 0; i < n; ++i) {
      s += rng() % 3 == 0 ? alphabet[rng() % alphabet.size()] : static_cast<char>('a' + rng() % 26);
    }
    expectQuotedLikeReference(s);
  }
}

TEST(CoreLex, SeparatorsSkipSwsAndFolds) {
  struct Case {
    const char* text;
    char sep;
    bool ok;
    std::size_t pos;  // after the separator and the SWS that follows it (ok), else unchanged
  };
  const Case cases[] = {
      {"/x", '/', true, 1},        {" / x", '/', true, 3},       {"  /  x", '/', true, 5},
      {"\t/\tx", '/', true, 3},    {" \r\n /x", '/', true, 5},   {"/ \r\n x", '/', true, 5},
      {" x", '/', false, 0},       {"\r\n/", '/', false, 0},     {"", '/', false, 0},
      {" ", '/', false, 0},        {"/", '/', true, 1},          {" /", '/', true, 2},
      {"/ \r\nx", '/', true, 2},   {"/\r\n", '/', true, 1},      {",x", ',', true, 1},
  };
  for (const Case& c : cases) {
    lex::Cursor cur(c.text);
    EXPECT_EQ(c.ok, cur.separator(c.sep)) << "\"" << c.text << "\"";
    EXPECT_EQ(c.pos, cur.pos()) << "\"" << c.text << "\"";
  }
}

}  // namespace
}  // namespace secsetup
