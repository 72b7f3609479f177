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

}  // namespace
}  // namespace ks
