#pragma once
// A bounded string with inline storage: no heap, trivially copyable. Holds parsed tokens so
// that parsing a header allocates nothing.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <ostream>
#include <string_view>

namespace secsetup {

template <std::size_t N>
class ShortText {
  static_assert(N < 256, "length is kept in one byte");

 public:
  ShortText() noexcept : len_(0) {}  // the characters stay uninitialised until assigned
  explicit ShortText(std::string_view v) noexcept : len_(0) { assign(v); }
  ShortText& operator=(std::string_view v) noexcept {
    assign(v);
    return *this;
  }
  // False (and empty) when v is longer than N.
  bool assign(std::string_view v) noexcept {
    if (v.size() > N) {
      len_ = 0;
      return false;
    }
    std::memcpy(chars_, v.data(), v.size());
    len_ = static_cast<uint8_t>(v.size());
    return true;
  }
  bool assignLower(std::string_view v) noexcept {
    if (!assign(v)) {
      return false;
    }
    for (std::size_t i = 0; i < len_; ++i) {
      char c = chars_[i];
      chars_[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    }
    return true;
  }
  void clear() noexcept { len_ = 0; }
  // In-place filling for parsers: write at most N characters at buffer(), then setSize.
  char* buffer() noexcept { return chars_; }
  void setSize(std::size_t n) noexcept { len_ = static_cast<uint8_t>(n <= N ? n : 0); }
  static constexpr std::size_t capacity() noexcept { return N; }
  std::string_view view() const noexcept { return std::string_view(chars_, len_); }
  std::size_t size() const noexcept { return len_; }
  bool empty() const noexcept { return len_ == 0; }

  friend bool operator==(const ShortText& a, const ShortText& b) noexcept {
    return a.view() == b.view();
  }
  friend bool operator!=(const ShortText& a, const ShortText& b) noexcept { return !(a == b); }
  friend bool operator==(const ShortText& a, std::string_view b) noexcept { return a.view() == b; }
  friend bool operator==(std::string_view a, const ShortText& b) noexcept { return a == b.view(); }
  friend bool operator!=(const ShortText& a, std::string_view b) noexcept { return !(a == b); }
  friend bool operator!=(std::string_view a, const ShortText& b) noexcept { return !(a == b); }
  friend std::ostream& operator<<(std::ostream& os, const ShortText& t) { return os << t.view(); }

 private:
  char chars_[N];
  uint8_t len_;
};

}  // namespace secsetup
