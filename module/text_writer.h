#pragma once
// A short text written into a fixed buffer by fixed-size moves: for lines whose longest form
// is known in advance (SM4's answer, the canonical text of a typical proposal), so that no
// append checks for room or calls memcpy for a handful of bytes. Callers size Cap for their
// longest text plus kTextWriterSlack (token() moves 16 bytes whatever its length).

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace secsetup {

// "00" to "99" one after the other: two digits per division by 100.
struct DigitPairs {
  char text[200] = {};
  constexpr DigitPairs() {
    for (int i = 0; i < 100; ++i) {
      text[2 * i] = static_cast<char>('0' + i / 10);
      text[2 * i + 1] = static_cast<char>('0' + i % 10);
    }
  }
};
inline constexpr DigitPairs kDigitPairs{};

// The decimal digits of v written to end just before at; returns where they start.
inline char* writeDecimalBefore(char* at, uint32_t v) noexcept {
  for (; v >= 100; v /= 100) {
    at -= 2;
    std::memcpy(at, kDigitPairs.text + 2 * (v % 100), 2);
  }
  if (v >= 10) {
    at -= 2;
    std::memcpy(at, kDigitPairs.text + 2 * v, 2);
  } else {
    *--at = static_cast<char>('0' + v);
  }
  return at;
}

constexpr std::size_t kTextWriterSlack = 16;

template <std::size_t Cap>
class TextWriter {
 public:
  template <std::size_t N>
  void literal(const char (&s)[N]) noexcept {
    std::memcpy(buf_ + len_, s, N - 1);
    len_ += N - 1;
  }
  // A text of at most 16 bytes stored with 16 bytes of room (padded16): one fixed move.
  void padded16(const char* padded16, std::size_t len) noexcept {
    std::memcpy(buf_ + len_, padded16, 16);
    len_ += len;
  }
  void byte(char c) noexcept { buf_[len_++] = c; }
  void decimal(uint32_t v) noexcept {
    static constexpr uint32_t kPow10[9] = {10,      100,      1000,      10000,     100000,
                                           1000000, 10000000, 100000000, 1000000000};
    std::size_t digits = 1;
    while (digits < 10 && v >= kPow10[digits - 1]) {
      ++digits;
    }
    len_ += digits;
    writeDecimalBefore(buf_ + len_, v);
  }
  std::string_view view() const noexcept { return std::string_view(buf_, len_); }

 private:
  char buf_[Cap];
  std::size_t len_ = 0;
};

}  // namespace secsetup
