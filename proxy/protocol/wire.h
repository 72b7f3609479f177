#pragma once
// Kafka wire primitives (https://kafka.apache.org/protocol#protocol_types).
// Reader never throws: a short or malformed input sets a sticky failure flag
// that the caller checks once at the end, so hostile bytes cannot crash us.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ks::protocol {

using Bytes = std::span<const std::byte>;

struct Uuid {
  std::array<std::byte, 16> bytes{};
  bool operator==(const Uuid&) const = default;
};

class Reader {
 public:
  explicit Reader(Bytes data) : data_(data) {}

  bool ok() const { return ok_; }
  size_t remaining() const { return data_.size() - pos_; }
  size_t position() const { return pos_; }
  void fail() { ok_ = false; }

  int8_t int8();
  int16_t int16();
  int32_t int32();
  int64_t int64();
  uint32_t uint32();
  double float64();
  bool boolean() { return int8() != 0; }
  Uuid uuid();
  uint32_t uvarint();
  int32_t varint();
  int64_t varlong();

  // Strings and bytes, classic (int16/int32 length) or compact (uvarint N+1).
  std::string string(bool compact);
  std::optional<std::string> nullable_string(bool compact);
  Bytes bytes(bool compact);
  std::optional<Bytes> nullable_bytes(bool compact);
  // Array length: -1 (classic) / 0 (compact) is null, returned as -1.
  int32_t array_length(bool compact);
  // Skips a tagged-field section (we keep no tagged fields we do not know).
  void skip_tagged_fields();
  Bytes take(size_t n);

 private:
  bool need(size_t n);
  int64_t length(bool compact, bool wide);

  Bytes data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

class Writer {
 public:
  // Appends to `out`, which must outlive the writer.
  explicit Writer(std::vector<std::byte>& out) : out_(&out) {}

  void int8(int8_t v);
  void int16(int16_t v);
  void int32(int32_t v);
  void int64(int64_t v);
  void uint32(uint32_t v);
  void float64(double v);
  void boolean(bool v) { int8(v ? 1 : 0); }
  void uuid(const Uuid& v) { raw(v.bytes); }
  void uvarint(uint32_t v);
  void varint(int32_t v);
  void varlong(int64_t v);

  void string(std::string_view v, bool compact);
  void nullable_string(const std::optional<std::string>& v, bool compact);
  void bytes(Bytes v, bool compact);
  void nullable_bytes(const std::optional<Bytes>& v, bool compact);
  void array_length(int32_t n, bool compact);  // n = -1 writes null
  void empty_tagged_fields() { uvarint(0); }
  void raw(Bytes v);

  size_t size() const { return out_->size(); }
  // Overwrites 4 bytes at `at` (for length prefixes written after the body).
  void patch_int32(size_t at, int32_t v);
  std::vector<std::byte>& buffer() { return *out_; }

 private:
  std::vector<std::byte>* out_;
};

}  // namespace ks::protocol
