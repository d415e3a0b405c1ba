#pragma once
// A text of at most N characters with inline storage, built by appending: the protocol
// outputs of the engine (SM4's Security-setup, the rewritten challenge, the Warning) are
// written into it, so handling a message allocates nothing. What does not fit is cut off and
// remembered (overflowed()), so that the caller can refuse rather than send a cut header.

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <ostream>
#include <string_view>

namespace secsetup {

template <std::size_t N>
class BoundedText {
  static_assert(N < 65535, "length is kept in two bytes");

 public:
  BoundedText() noexcept = default;  // the characters stay uninitialised until written
  BoundedText(std::string_view v) noexcept { append(v); }  // NOLINT: implicit by design
  BoundedText& operator=(std::string_view v) noexcept {
    clear();
    append(v);
    return *this;
  }

  void clear() noexcept {
    len_ = 0;
    overflowed_ = false;
  }
  void append(const char* p, std::size_t n) noexcept {
    std::size_t room = N - len_;
    if (n > room) {
      n = room;
      overflowed_ = true;
    }
    std::memcpy(chars_ + len_, p, n);
    len_ = static_cast<uint16_t>(len_ + n);
  }
  void append(std::string_view v) noexcept { append(v.data(), v.size()); }
  void push_back(char c) noexcept {  // NOLINT: the name std::string uses
    if (len_ == N) {
      overflowed_ = true;
      return;
    }
    chars_[len_++] = c;
  }
  BoundedText& operator+=(std::string_view v) noexcept {
    append(v);
    return *this;
  }
  BoundedText& operator+=(char c) noexcept {
    push_back(c);
    return *this;
  }

  std::string_view view() const noexcept { return std::string_view(chars_, len_); }
  operator std::string_view() const noexcept { return view(); }  // NOLINT: implicit by design
  std::size_t size() const noexcept { return len_; }
  bool empty() const noexcept { return len_ == 0; }
  // Something appended did not fit: the text is cut.
  bool overflowed() const noexcept { return overflowed_; }
  static constexpr std::size_t capacity() noexcept { return N; }
  std::size_t find(std::string_view v) const noexcept { return view().find(v); }

  friend bool operator==(const BoundedText& a, const BoundedText& b) noexcept {
    return a.view() == b.view();
  }
  friend bool operator!=(const BoundedText& a, const BoundedText& b) noexcept {
    return a.view() != b.view();
  }
  friend bool operator==(const BoundedText& a, std::string_view b) noexcept {
    return a.view() == b;
  }
  friend bool operator!=(const BoundedText& a, std::string_view b) noexcept {
    return a.view() != b;
  }
  friend bool operator==(std::string_view a, const BoundedText& b) noexcept {
    return a == b.view();
  }
  friend bool operator!=(std::string_view a, const BoundedText& b) noexcept {
    return a != b.view();
  }
  friend std::ostream& operator<<(std::ostream& os, const BoundedText& t) {
    return os << t.view();
  }

 private:
  char chars_[N];
  uint16_t len_ = 0;
  bool overflowed_ = false;
};

// The decimal digits of v appended to out (a BoundedText or a std::string).
template <class Out>
void appendDecimal(uint32_t v, Out& out) {
  char buf[10];
  const std::to_chars_result r = std::to_chars(buf, buf + sizeof(buf), v);
  out += std::string_view(buf, static_cast<std::size_t>(r.ptr - buf));
}

}  // namespace secsetup
