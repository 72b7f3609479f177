#include "common/crc32c.h"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

namespace ks {
namespace {

std::span<const std::byte> bytes(std::string_view s) {
  return std::as_bytes(std::span(s));
}

TEST(Crc32c, KnownVectors) {
  // RFC 3720 B.4 check value and the all-zero/all-ones 32-byte vectors.
  EXPECT_EQ(crc32c(bytes("123456789")), 0xe3069283u);
  std::vector<std::byte> zeros(32, std::byte{0});
  EXPECT_EQ(crc32c(zeros), 0x8a9136aau);
  std::vector<std::byte> ones(32, std::byte{0xff});
  EXPECT_EQ(crc32c(ones), 0x62a8ab43u);
  EXPECT_EQ(crc32c({}), 0u);
}

TEST(Crc32c, ExtendEqualsWhole) {
  std::string s(1000, 'x');
  for (size_t i = 0; i < s.size(); ++i)
    s[i] = static_cast<char>(i * 7);
  const auto all = bytes(s);
  for (size_t split : {0, 1, 7, 8, 9, 500, 999, 1000}) {
    EXPECT_EQ(crc32c_extend(crc32c(all.first(split)), all.subspan(split)), crc32c(all)) << split;
  }
}

// Bit by bit, straight from the definition: the reference for the fast paths.
uint32_t reference_crc32c(std::span<const std::byte> data) {
  uint32_t crc = 0xffffffff;
  for (const std::byte b : data) {
    crc ^= static_cast<uint32_t>(b);
    for (int i = 0; i < 8; ++i)
      crc = (crc >> 1) ^ ((crc & 1) ? 0x82f63b78u : 0);
  }
  return ~crc;
}

TEST(Crc32c, LargeInputsMatchTheDefinition) {
  // Sizes around the three-stream blocks (3 x 256 and 3 x 8192 bytes).
  std::vector<std::byte> data(100'000);
  uint32_t noise = 2463534242u;
  for (auto& b : data) {
    noise ^= noise << 13;
    noise ^= noise >> 17;
    noise ^= noise << 5;
    b = static_cast<std::byte>(noise);
  }
  for (size_t size : {767, 768, 769, 1000, 24575, 24576, 24577, 25344, 50000, 100'000}) {
    const auto piece = std::span<const std::byte>(data).first(size);
    EXPECT_EQ(crc32c(piece), reference_crc32c(piece)) << size;
    EXPECT_EQ(crc32c_extend(crc32c(piece.first(size / 3)), piece.subspan(size / 3)),
              reference_crc32c(piece))
        << size;
  }
}

}  // namespace
}  // namespace ks
