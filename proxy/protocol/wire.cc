#include "proxy/protocol/wire.h"

#include <bit>
#include <cstring>

namespace ks::protocol {
namespace {

// std::byteswap is C++23; the builtins are what it compiles to.
template <typename T>
T byteswap(T v) {
  if constexpr (sizeof(T) == 2) return static_cast<T>(__builtin_bswap16(static_cast<uint16_t>(v)));
  if constexpr (sizeof(T) == 4) return static_cast<T>(__builtin_bswap32(static_cast<uint32_t>(v)));
  if constexpr (sizeof(T) == 8) return static_cast<T>(__builtin_bswap64(static_cast<uint64_t>(v)));
}

template <typename T>
T load_big_endian(const std::byte* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::little && sizeof(T) > 1) v = byteswap(v);
  return v;
}

template <typename T>
void store_big_endian(std::vector<std::byte>& out, T v) {
  if constexpr (std::endian::native == std::endian::little && sizeof(T) > 1) v = byteswap(v);
  const auto* p = reinterpret_cast<const std::byte*>(&v);
  out.insert(out.end(), p, p + sizeof v);
}

}  // namespace

// ---- Reader ----

bool Reader::need(size_t n) {
  if (!ok_ || remaining() < n) {
    ok_ = false;
    return false;
  }
  return true;
}

Bytes Reader::take(size_t n) {
  if (!need(n)) return {};
  Bytes out = data_.subspan(pos_, n);
  pos_ += n;
  return out;
}

int8_t Reader::int8() {
  return need(1) ? static_cast<int8_t>(data_[pos_++]) : 0;
}

#define KS_READ_FIXED(name, T)                     \
  T Reader::name() {                               \
    if (!need(sizeof(T))) return 0;                \
    T v = load_big_endian<T>(data_.data() + pos_); \
    pos_ += sizeof(T);                             \
    return v;                                      \
  }
KS_READ_FIXED(int16, int16_t)
KS_READ_FIXED(int32, int32_t)
KS_READ_FIXED(int64, int64_t)
KS_READ_FIXED(uint32, uint32_t)
#undef KS_READ_FIXED

double Reader::float64() {
  return std::bit_cast<double>(int64());
}

Uuid Reader::uuid() {
  Uuid u;
  const Bytes b = take(16);
  if (ok_) std::memcpy(u.bytes.data(), b.data(), 16);
  return u;
}

uint32_t Reader::uvarint() {
  uint32_t v = 0;
  for (int shift = 0; shift < 35; shift += 7) {
    if (!need(1)) return 0;
    const auto b = static_cast<uint8_t>(data_[pos_++]);
    v |= static_cast<uint32_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
  ok_ = false;  // more than 5 bytes
  return 0;
}

int32_t Reader::varint() {
  const uint32_t z = uvarint();
  return static_cast<int32_t>((z >> 1) ^ -(z & 1));
}

int64_t Reader::varlong() {
  uint64_t v = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (!need(1)) return 0;
    const auto b = static_cast<uint8_t>(data_[pos_++]);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return static_cast<int64_t>((v >> 1) ^ -(v & 1));
  }
  ok_ = false;
  return 0;
}

// Returns the length, or -1 for null; fails on negative lengths other than -1.
int64_t Reader::length(bool compact, bool wide) {
  int64_t n;
  if (compact) {
    n = static_cast<int64_t>(uvarint()) - 1;
  } else {
    n = wide ? int32() : int16();
  }
  if (n < -1) ok_ = false;
  return ok_ ? n : -1;
}

std::optional<std::string> Reader::nullable_string(bool compact) {
  const int64_t n = length(compact, false);
  if (n < 0) return std::nullopt;
  const Bytes b = take(static_cast<size_t>(n));
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

std::string Reader::string(bool compact) {
  auto s = nullable_string(compact);
  if (!s) {
    ok_ = false;
    return {};
  }
  return std::move(*s);
}

std::optional<Bytes> Reader::nullable_bytes(bool compact) {
  const int64_t n = length(compact, true);
  if (n < 0) return std::nullopt;
  return take(static_cast<size_t>(n));
}

Bytes Reader::bytes(bool compact) {
  auto b = nullable_bytes(compact);
  if (!b) ok_ = false;
  return b.value_or(Bytes{});
}

int32_t Reader::array_length(bool compact) {
  const int64_t n = length(compact, true);
  // Every element takes at least one byte: a larger count is malformed, and
  // rejecting it here stops a hostile count from driving a huge reserve().
  if (n > static_cast<int64_t>(remaining())) ok_ = false;
  return ok_ ? static_cast<int32_t>(n) : -1;
}

void Reader::skip_tagged_fields() {
  const uint32_t count = uvarint();
  for (uint32_t i = 0; i < count && ok_; ++i) {
    uvarint();  // tag
    take(uvarint());
  }
}

// ---- Writer ----

void Writer::int8(int8_t v) {
  out_->push_back(static_cast<std::byte>(v));
}
void Writer::int16(int16_t v) {
  store_big_endian(*out_, v);
}
void Writer::int32(int32_t v) {
  store_big_endian(*out_, v);
}
void Writer::int64(int64_t v) {
  store_big_endian(*out_, v);
}
void Writer::uint32(uint32_t v) {
  store_big_endian(*out_, v);
}
void Writer::float64(double v) {
  int64(std::bit_cast<int64_t>(v));
}

void Writer::uvarint(uint32_t v) {
  while (v >= 0x80) {
    out_->push_back(static_cast<std::byte>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out_->push_back(static_cast<std::byte>(v));
}

void Writer::varint(int32_t v) {
  uvarint((static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31));
}

void Writer::varlong(int64_t v) {
  auto z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  while (z >= 0x80) {
    out_->push_back(static_cast<std::byte>((z & 0x7f) | 0x80));
    z >>= 7;
  }
  out_->push_back(static_cast<std::byte>(z));
}

void Writer::raw(Bytes v) {
  out_->insert(out_->end(), v.begin(), v.end());
}

void Writer::string(std::string_view v, bool compact) {
  if (compact) {
    uvarint(static_cast<uint32_t>(v.size() + 1));
  } else {
    int16(static_cast<int16_t>(v.size()));
  }
  raw(std::as_bytes(std::span(v)));
}

void Writer::nullable_string(const std::optional<std::string>& v, bool compact) {
  if (v) return string(*v, compact);
  if (compact) {
    uvarint(0);
  } else {
    int16(-1);
  }
}

void Writer::bytes(Bytes v, bool compact) {
  if (compact) {
    uvarint(static_cast<uint32_t>(v.size() + 1));
  } else {
    int32(static_cast<int32_t>(v.size()));
  }
  raw(v);
}

void Writer::nullable_bytes(const std::optional<Bytes>& v, bool compact) {
  if (v) return bytes(*v, compact);
  array_length(-1, compact);
}

void Writer::array_length(int32_t n, bool compact) {
  if (compact) {
    uvarint(static_cast<uint32_t>(n + 1));
  } else {
    int32(n);
  }
}

void Writer::patch_int32(size_t at, int32_t v) {
  if constexpr (std::endian::native == std::endian::little) v = byteswap(v);
  std::memcpy(out_->data() + at, &v, sizeof v);
}

}  // namespace ks::protocol
