#pragma once
// A bounded list with inline storage: no heap, trivially copyable when T is.

#include <array>
#include <cstddef>
#include <initializer_list>

namespace secsetup {

template <class T, std::size_t N>
class FixedList {
 public:
  FixedList() = default;
  FixedList(std::initializer_list<T> init) noexcept {
    for (const T& v : init) {
      push(v);
    }
  }
  bool push(const T& v) noexcept {
    if (size_ == N) {
      return false;
    }
    items_[size_++] = v;
    return true;
  }
  // Appends a slot to fill in place; nullptr when full.
  T* grow() noexcept { return size_ == N ? nullptr : &items_[size_++]; }
  void shrink() noexcept {
    if (size_ > 0) {
      --size_;
    }
  }
  void clear() noexcept { size_ = 0; }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  bool full() const noexcept { return size_ == N; }
  static constexpr std::size_t capacity() noexcept { return N; }
  const T& operator[](std::size_t i) const noexcept { return items_[i]; }
  T& operator[](std::size_t i) noexcept { return items_[i]; }
  const T* begin() const noexcept { return items_.data(); }
  const T* end() const noexcept { return items_.data() + size_; }
  bool contains(const T& v) const noexcept {
    for (const T& x : *this) {
      if (x == v) {
        return true;
      }
    }
    return false;
  }
  bool operator==(const FixedList& o) const noexcept {
    if (size_ != o.size_) {
      return false;
    }
    for (std::size_t i = 0; i < size_; ++i) {
      if (!(items_[i] == o.items_[i])) {
        return false;
      }
    }
    return true;
  }
  bool operator!=(const FixedList& o) const noexcept { return !(*this == o); }

 private:
  std::array<T, N> items_;  // only [0, size_) is ever read; left uninitialised on purpose
  std::size_t size_ = 0;
};

}  // namespace secsetup
