#pragma once
// Fixed-width little-endian encoding (FORMAT.md). The hosts we run on are
// little-endian, so encoding is a memcpy; the static_assert keeps it honest.
#include <bit>
#include <cstddef>
#include <cstring>
#include <span>
#include <type_traits>
#include <vector>

namespace ks::buffer {

static_assert(std::endian::native == std::endian::little, "FORMAT.md is little-endian");

template <typename T>
requires std::is_integral_v<T>
void put_fixed(std::vector<std::byte>* out, T value) {
  const size_t at = out->size();
  out->resize(at + sizeof value);
  std::memcpy(out->data() + at, &value, sizeof value);
}

template <typename T>
requires std::is_integral_v<T> T get_fixed(const std::byte* in) {
  T value;
  std::memcpy(&value, in, sizeof value);
  return value;
}

// A bounds-checked cursor: every read fails, without moving, past the end.
class Decoder {
 public:
  explicit Decoder(std::span<const std::byte> in) : in_(in) {}

  template <typename T>
  bool read(T* value) {
    if (in_.size() < sizeof(T)) return false;
    *value = get_fixed<T>(in_.data());
    in_ = in_.subspan(sizeof(T));
    return true;
  }

  bool read_bytes(size_t n, std::span<const std::byte>* out) {
    if (in_.size() < n) return false;
    *out = in_.first(n);
    in_ = in_.subspan(n);
    return true;
  }

  std::span<const std::byte> rest() const { return in_; }

 private:
  std::span<const std::byte> in_;
};

}  // namespace ks::buffer
