#include "proxy/protocol/compression.h"

#include <gtest/gtest.h>

#include <string_view>

namespace ks::protocol {
namespace {

constexpr Codec kCodecs[] = {Codec::gzip, Codec::snappy, Codec::lz4, Codec::zstd};
constexpr size_t kLimit = 8 << 20;

std::vector<std::byte> bytes(std::string_view s) {
  const auto* p = reinterpret_cast<const std::byte*>(s.data());
  return {p, p + s.size()};
}

std::vector<std::byte> bytes(std::initializer_list<uint8_t> list) {
  std::vector<std::byte> out;
  for (uint8_t b : list)
    out.push_back(static_cast<std::byte>(b));
  return out;
}

std::string repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i)
    out += s;
  return out;
}

// 1 MiB of record-like text with varying fields: compressible, not trivially.
std::vector<std::byte> mebibyte() {
  std::string text;
  for (int i = 0; text.size() < (1 << 20); ++i)
    text += "{\"order\":" + std::to_string(i * 7919 % 100003) + ",\"sku\":\"A" +
            std::to_string(i % 97) + "\",\"qty\":" + std::to_string(i % 13) + "}";
  text.resize(1 << 20);
  return bytes(text);
}

TEST(Compression, EveryCodecRoundTripsSmallEmptyAndLargeInputs) {
  const std::vector<std::vector<std::byte>> inputs = {
      {}, bytes("x"), bytes(repeat("kafka-sidecar ", 50)), mebibyte()};
  for (Codec codec : kCodecs) {
    for (const auto& input : inputs) {
      const auto packed = compress(codec, input);
      ASSERT_TRUE(packed) << codec_name(codec) << ": " << packed.error().message;
      const auto back = decompress(codec, *packed, kLimit);
      ASSERT_TRUE(back) << codec_name(codec) << ": " << back.error().message;
      EXPECT_EQ(*back, input) << codec_name(codec) << " size " << input.size();
      if (input.size() == (1 << 20)) {
        EXPECT_LT(packed->size(), input.size() / 2) << codec_name(codec);
      }
    }
  }
}

TEST(Compression, GarbageIsAnErrorNotACrash) {
  const auto garbage = bytes(repeat("\xff\x00\x13garbage", 40));
  for (Codec codec : kCodecs) {
    const auto back = decompress(codec, garbage, kLimit);
    ASSERT_FALSE(back) << codec_name(codec);
    EXPECT_EQ(back.error().code, compression_errc::corrupt_input) << codec_name(codec);
  }
}

TEST(Compression, EveryTruncationIsAnError) {
  const auto input = bytes(repeat("truncate me, please. ", 30));
  for (Codec codec : kCodecs) {
    const auto packed = compress(codec, input);
    ASSERT_TRUE(packed);
    for (size_t n = 0; n < packed->size(); ++n) {
      const auto back = decompress(codec, Bytes(*packed).first(n), kLimit);
      EXPECT_FALSE(back) << codec_name(codec) << " cut at " << n;
    }
  }
}

TEST(Compression, OutputOverTheLimitIsRefused) {
  const auto input = mebibyte();
  for (Codec codec : kCodecs) {
    const auto packed = compress(codec, input);
    ASSERT_TRUE(packed);
    const auto back = decompress(codec, *packed, input.size() - 1);
    ASSERT_FALSE(back) << codec_name(codec);
    EXPECT_EQ(back.error().code, compression_errc::output_too_large) << codec_name(codec);
    EXPECT_TRUE(decompress(codec, *packed, input.size()));
  }
}

TEST(Compression, NoneIsNoCodec) {
  EXPECT_EQ(compress(Codec::none, bytes("a")).error().code, compression_errc::unknown_codec);
  EXPECT_EQ(decompress(Codec::none, bytes("a"), kLimit).error().code,
            compression_errc::unknown_codec);
}

// snappy-java's xerial framing (Java producers), in three chunks, as
// kafka-python's snappy_encode(xerial_compatible=True, xerial_blocksize=64)
// writes it.
TEST(Compression, XerialFramedSnappyDecodes) {
  const auto framed =
      bytes({0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
             0x00, 0x01, 0x00, 0x00, 0x00, 0x26, 0x40, 0x80, 0x6b, 0x61, 0x66, 0x6b, 0x61, 0x2d,
             0x73, 0x69, 0x64, 0x65, 0x63, 0x61, 0x72, 0x20, 0x78, 0x65, 0x72, 0x69, 0x61, 0x6c,
             0x20, 0x63, 0x68, 0x75, 0x6e, 0x6b, 0x20, 0x74, 0x65, 0x73, 0x74, 0x2e, 0x20, 0x7a,
             0x21, 0x00, 0x00, 0x00, 0x00, 0x26, 0x40, 0x80, 0x2e, 0x20, 0x6b, 0x61, 0x66, 0x6b,
             0x61, 0x2d, 0x73, 0x69, 0x64, 0x65, 0x63, 0x61, 0x72, 0x20, 0x78, 0x65, 0x72, 0x69,
             0x61, 0x6c, 0x20, 0x63, 0x68, 0x75, 0x6e, 0x6b, 0x20, 0x74, 0x65, 0x73, 0x74, 0x7a,
             0x21, 0x00, 0x00, 0x00, 0x00, 0x06, 0x04, 0x0c, 0x73, 0x74, 0x2e, 0x20});
  const auto back = decompress(Codec::snappy, framed, kLimit);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, bytes(repeat("kafka-sidecar xerial chunk test. ", 4)));

  auto cut = framed;
  cut[19] = std::byte{0x7f};  // the first chunk's length, past the end
  EXPECT_EQ(decompress(Codec::snappy, cut, kLimit).error().code, compression_errc::corrupt_input);
}

// An LZ4 frame from another implementation (python-lz4) with the content
// size and a content checksum, and linked blocks: settings we do not write.
TEST(Compression, Lz4FrameOfAnotherWriterDecodes) {
  auto frame =
      bytes({0x04, 0x22, 0x4d, 0x18, 0x6c, 0x40, 0x78, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
             0x01, 0x29, 0x00, 0x00, 0x00, 0xff, 0x0f, 0x6b, 0x61, 0x66, 0x6b, 0x61, 0x2d, 0x73,
             0x69, 0x64, 0x65, 0x63, 0x61, 0x72, 0x20, 0x6c, 0x7a, 0x34, 0x20, 0x66, 0x72, 0x61,
             0x6d, 0x65, 0x20, 0x74, 0x65, 0x73, 0x74, 0x2e, 0x20, 0x1e, 0x00, 0x42, 0x50, 0x65,
             0x73, 0x74, 0x2e, 0x20, 0x00, 0x00, 0x00, 0x00, 0x91, 0xaf, 0xa3, 0xb5});
  const auto back = decompress(Codec::lz4, frame, kLimit);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, bytes(repeat("kafka-sidecar lz4 frame test. ", 4)));

  frame[14] ^= std::byte{1};  // the header checksum (Kafka < 0.10 got it wrong)
  EXPECT_EQ(decompress(Codec::lz4, frame, kLimit).error().code, compression_errc::corrupt_input);
}

// What Kafka (magic 2) checks of our frames: magic, version 01, independent
// blocks, and the header checksum (xxh32 of the descriptor >> 8).
TEST(Compression, Lz4FrameHeaderIsKafkas) {
  const auto packed = compress(Codec::lz4, bytes(repeat("abc", 100)));
  ASSERT_TRUE(packed);
  ASSERT_GE(packed->size(), 7u);
  EXPECT_EQ(std::to_integer<int>((*packed)[0]), 0x04);
  EXPECT_EQ(std::to_integer<int>((*packed)[3]), 0x18);
  const int flags = std::to_integer<int>((*packed)[4]);
  EXPECT_EQ(flags >> 6, 1);                               // version
  EXPECT_EQ((flags >> 5) & 1, 1);                         // independent blocks
  EXPECT_EQ((flags >> 3) & 1, 0);                         // no content size: the header is 7 bytes
  EXPECT_EQ(std::to_integer<int>((*packed)[5]) >> 4, 4);  // 64 KiB blocks
}

TEST(Compression, CodecIdsAndNamesAreKafkas) {
  EXPECT_EQ(codec_from_id(2), Codec::snappy);
  EXPECT_EQ(codec_from_id(5), std::nullopt);
  EXPECT_EQ(codec_from_id(-1), std::nullopt);
  EXPECT_EQ(codec_name(Codec::zstd), "zstd");
  EXPECT_EQ(static_cast<int>(Codec::lz4), 3);
}

}  // namespace
}  // namespace ks::protocol
