#include "proxy/protocol/wire.h"

#include <gtest/gtest.h>

#include <limits>

namespace ks::protocol {
namespace {

std::vector<std::byte> make(std::initializer_list<int> values) {
  std::vector<std::byte> out;
  for (int v : values)
    out.push_back(static_cast<std::byte>(v));
  return out;
}

TEST(Wire, FixedWidthBigEndian) {
  std::vector<std::byte> buf;
  Writer w(buf);
  w.int16(0x0102);
  w.int32(-2);
  w.int64(0x0102030405060708);
  EXPECT_EQ(buf, make({1, 2, 0xff, 0xff, 0xff, 0xfe, 1, 2, 3, 4, 5, 6, 7, 8}));
  Reader r(buf);
  EXPECT_EQ(r.int16(), 0x0102);
  EXPECT_EQ(r.int32(), -2);
  EXPECT_EQ(r.int64(), 0x0102030405060708);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(Wire, VarintZigZagMatchesProtocolGuide) {
  // Examples from the protocol guide / protobuf zig-zag encoding.
  const std::pair<int32_t, std::vector<std::byte>> cases[] = {
      {0, make({0x00})},
      {-1, make({0x01})},
      {1, make({0x02})},
      {-64, make({0x7f})},
      {64, make({0x80, 0x01})},
      {std::numeric_limits<int32_t>::min(), make({0xff, 0xff, 0xff, 0xff, 0x0f})}};
  for (const auto& [value, bytes] : cases) {
    std::vector<std::byte> buf;
    Writer w(buf);
    w.varint(value);
    EXPECT_EQ(buf, bytes) << value;
    Reader r(buf);
    EXPECT_EQ(r.varint(), value);
    EXPECT_TRUE(r.ok());
  }
}

TEST(Wire, VarlongExtremes) {
  for (int64_t v : {int64_t{0}, int64_t{-1}, std::numeric_limits<int64_t>::max(),
                    std::numeric_limits<int64_t>::min()}) {
    std::vector<std::byte> buf;
    Writer w(buf);
    w.varlong(v);
    Reader r(buf);
    EXPECT_EQ(r.varlong(), v);
    EXPECT_TRUE(r.ok());
  }
}

TEST(Wire, OverlongVarintFails) {
  const auto buf = make({0x80, 0x80, 0x80, 0x80, 0x80, 0x01});
  Reader r(buf);
  r.uvarint();
  EXPECT_FALSE(r.ok());
}

TEST(Wire, CompactAndClassicStrings) {
  std::vector<std::byte> buf;
  Writer w(buf);
  w.string("ab", false);
  w.string("ab", true);
  w.nullable_string(std::nullopt, false);
  w.nullable_string(std::nullopt, true);
  EXPECT_EQ(buf, make({0, 2, 'a', 'b', 3, 'a', 'b', 0xff, 0xff, 0}));
  Reader r(buf);
  EXPECT_EQ(r.string(false), "ab");
  EXPECT_EQ(r.string(true), "ab");
  EXPECT_EQ(r.nullable_string(false), std::nullopt);
  EXPECT_EQ(r.nullable_string(true), std::nullopt);
  EXPECT_TRUE(r.ok());
}

TEST(Wire, ShortInputFailsStickyWithoutReadingPastEnd) {
  const auto buf = make({0, 5, 'a'});  // string of 5 with 1 byte present
  Reader r(buf);
  EXPECT_EQ(r.string(false), "");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.int32(), 0);  // sticky: later reads return zero
  EXPECT_FALSE(r.ok());
}

TEST(Wire, NegativeLengthOtherThanNullFails) {
  const auto buf = make({0xff, 0xfe});
  Reader r(buf);
  r.nullable_string(false);
  EXPECT_FALSE(r.ok());
}

TEST(Wire, HugeArrayCountRejectedBeforeAllocation) {
  const auto buf = make({0x7f, 0xff, 0xff, 0xff, 1, 2});
  Reader r(buf);
  EXPECT_EQ(r.array_length(false), -1);
  EXPECT_FALSE(r.ok());
}

TEST(Wire, TaggedFieldsAreSkipped) {
  // Two tagged fields: tag 0 with 2 bytes, tag 5 with 0 bytes; then int8 7.
  const auto buf = make({2, 0, 2, 0xaa, 0xbb, 5, 0, 7});
  Reader r(buf);
  r.skip_tagged_fields();
  EXPECT_EQ(r.int8(), 7);
  EXPECT_TRUE(r.ok());
}

}  // namespace
}  // namespace ks::protocol
