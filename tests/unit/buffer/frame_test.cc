#include "buffer/frame.h"

#include <gtest/gtest.h>

#include "buffer/format.h"
#include "test_util.h"

namespace ks::buffer {
namespace {

std::vector<std::byte> encode(const Entry& entry) {
  std::vector<std::byte> frame;
  encode_frame_prefix(entry, &frame);
  frame.insert(frame.end(), entry.batch.begin(), entry.batch.end());
  return frame;
}

std::vector<std::byte> bytes(std::initializer_list<int> values) {
  std::vector<std::byte> out;
  for (int v : values)
    out.push_back(std::byte(static_cast<uint8_t>(v)));
  return out;
}

// Suites are named buffer_* so that `ctest -R buffer` selects them.
TEST(buffer_Frame, MatchesWorkedExampleInFormatMd) {
  Entry entry;
  entry.append_time_ms = 1700000000000;
  entry.topic = "orders";
  entry.partition = 3;
  entry.record_count = 2;
  entry.batch = bytes({0xde, 0xad, 0xbe, 0xef});
  const auto expected =
      bytes({0xe7, 0x5a, 0x2c, 0x9d, 0x1c, 0x00, 0x00, 0x00, 0x60, 0x81, 0x85, 0x8f, 0x01, 0x00,
             0x68, 0xe5, 0xcf, 0x8b, 0x01, 0x00, 0x00, 0x06, 0x00, 0x6f, 0x72, 0x64, 0x65, 0x72,
             0x73, 0x03, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0xde, 0xad, 0xbe, 0xef});
  EXPECT_EQ(encode(entry), expected);
  EXPECT_EQ(frame_size(entry), 41u);
}

TEST(buffer_Frame, DecodesWhatItEncodes) {
  const Entry entry = testing::make_entry(5, 300);
  const auto frame = encode(entry);
  ASSERT_EQ(frame.size(), frame_size(entry));
  const FrameHeader header = decode_header(
      std::span<const std::byte, format::kHeaderSize>(frame.data(), format::kHeaderSize));
  ASSERT_EQ(check_header(header), FrameCheck::ok);
  EntryView view;
  ASSERT_EQ(check_payload(header, std::span(frame).subspan(format::kHeaderSize), &view),
            FrameCheck::ok);
  EXPECT_EQ(view.to_entry(), entry);
}

TEST(buffer_Frame, EveryFlippedPayloadBitFailsTheChecksum) {
  const Entry entry = testing::make_entry(1, 8);
  const auto frame = encode(entry);
  for (size_t i = format::kHeaderSize - 1; i < frame.size(); ++i) {
    auto bad = frame;
    bad[i] ^= std::byte{0x10};
    const FrameHeader header = decode_header(
        std::span<const std::byte, format::kHeaderSize>(bad.data(), format::kHeaderSize));
    EntryView view;
    EXPECT_EQ(check_payload(header, std::span(bad).subspan(format::kHeaderSize), &view),
              FrameCheck::bad_checksum)
        << "byte " << i;
  }
}

TEST(buffer_Frame, MaskRoundTripsAndDiffers) {
  for (uint32_t crc : {0u, 1u, 0xe3069283u, 0xffffffffu}) {
    EXPECT_EQ(format::unmask_crc(format::mask_crc(crc)), crc);
    EXPECT_NE(format::mask_crc(crc), crc);
  }
}

// (The kMaxPayload bound is not exercised here: building a 256 MiB entry
// takes seconds in a sanitizer build.)
TEST(buffer_Frame, ValidateRefusesTopicLongerThanU16) {
  Entry entry = testing::make_entry(0);
  EXPECT_FALSE(validate(entry));
  entry.topic.assign(65535, 't');
  EXPECT_FALSE(validate(entry));
  entry.topic.push_back('t');
  EXPECT_EQ(validate(entry), std::errc::invalid_argument);
}

TEST(buffer_Frame, ZeroesAreNotAHeader) {
  const std::byte zeros[format::kHeaderSize] = {};
  EXPECT_EQ(check_header(decode_header(zeros)), FrameCheck::bad_magic);
}

}  // namespace
}  // namespace ks::buffer
