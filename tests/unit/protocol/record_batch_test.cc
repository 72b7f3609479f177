#include "proxy/protocol/record_batch.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "tests/unit/upstream/test_batch.h"

namespace ks::protocol {
namespace {

// A batch of 3 records built by kafka-python's DefaultRecordBatchBuilder
// (an independent implementation): producer id 4242, epoch 3, sequence 17.
const std::vector<uint8_t> kPythonBatch = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x6d, 0x00, 0x00, 0x00, 0x00,
    0x02, 0xd1, 0x65, 0x61, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x01, 0x8b, 0xcf,
    0xe5, 0x68, 0x00, 0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x10, 0x92, 0x00, 0x03, 0x00, 0x00, 0x00, 0x11, 0x00, 0x00, 0x00, 0x03, 0x26, 0x00, 0x00,
    0x00, 0x04, 0x6b, 0x30, 0x0e, 0x76, 0x61, 0x6c, 0x75, 0x65, 0x2d, 0x30, 0x02, 0x02, 0x68, 0x02,
    0x76, 0x26, 0x00, 0x02, 0x02, 0x04, 0x6b, 0x31, 0x0e, 0x76, 0x61, 0x6c, 0x75, 0x65, 0x2d, 0x31,
    0x02, 0x02, 0x68, 0x02, 0x76, 0x26, 0x00, 0x04, 0x04, 0x04, 0x6b, 0x32, 0x0e, 0x76, 0x61, 0x6c,
    0x75, 0x65, 0x2d, 0x32, 0x02, 0x02, 0x68, 0x02, 0x76};

std::vector<std::byte> python_batch() {
  std::vector<std::byte> out;
  for (uint8_t b : kPythonBatch)
    out.push_back(static_cast<std::byte>(b));
  return out;
}

TEST(RecordBatch, ParsesAndValidatesAnotherClientsBatch) {
  const auto batch = python_batch();
  BatchHeader h;
  ASSERT_EQ(validate_produce_batch(batch, h), ErrorCode::none);
  EXPECT_EQ(h.magic, 2);
  EXPECT_EQ(h.record_count, 3);
  EXPECT_EQ(h.producer_id, 4242);
  EXPECT_EQ(h.producer_epoch, 3);
  EXPECT_EQ(h.base_sequence, 17);
  EXPECT_EQ(h.last_sequence(), 19);
  EXPECT_EQ(h.total_size(), batch.size());
  EXPECT_FALSE(h.is_transactional());
}

TEST(RecordBatch, EveryFlippedByteAfterTheCrcFieldIsDetected) {
  for (size_t i = batch_offset::attributes; i < kPythonBatch.size(); ++i) {
    auto batch = python_batch();
    batch[i] ^= std::byte{0x01};
    BatchHeader h;
    EXPECT_NE(validate_produce_batch(batch, h), ErrorCode::none) << i;
  }
}

TEST(RecordBatch, WrongMagicIsRejected) {
  auto batch = python_batch();
  batch[batch_offset::magic] = std::byte{1};
  BatchHeader h;
  EXPECT_EQ(validate_produce_batch(batch, h), ErrorCode::unsupported_for_message_format);
}

TEST(RecordBatch, LengthMismatchIsCorrupt) {
  auto batch = python_batch();
  batch.push_back(std::byte{0});
  BatchHeader h;
  EXPECT_EQ(validate_produce_batch(batch, h), ErrorCode::corrupt_message);
  batch.resize(kBatchHeaderSize - 1);
  EXPECT_EQ(validate_produce_batch(batch, h), ErrorCode::corrupt_message);
}

TEST(RecordBatch, RewriteProducerKeepsTheBatchValid) {
  auto batch = python_batch();
  rewrite_producer(batch, 99, 1, 1000);
  BatchHeader h;
  ASSERT_EQ(validate_produce_batch(batch, h), ErrorCode::none);
  EXPECT_EQ(h.producer_id, 99);
  EXPECT_EQ(h.producer_epoch, 1);
  EXPECT_EQ(h.base_sequence, 1000);
  // Records themselves untouched.
  EXPECT_TRUE(std::equal(batch.begin() + kBatchHeaderSize, batch.end(),
                         python_batch().begin() + kBatchHeaderSize));
}

TEST(RecordBatch, SequenceWrapsLikeKafka) {
  BatchHeader h;
  h.base_sequence = INT32_MAX;
  h.last_offset_delta = 2;
  EXPECT_EQ(h.last_sequence(), 1);
}

TEST(RecordBatch, SplitIgnoresAPartialTrailingBatch) {
  auto two = python_batch();
  const auto one = python_batch();
  two.insert(two.end(), one.begin(), one.end());
  two.resize(two.size() - 5);
  const auto batches = split_batches(two);
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].size(), one.size());
}

// A length of 0 makes a 12-byte "batch": it used to be handed out as one,
// shorter than the header its reader then failed to read (found by
// tests/fuzz/record_batch_fuzz.cc).
TEST(RecordBatch, SplitStopsAtABatchShorterThanItsHeader) {
  auto records = python_batch();
  const auto first_size = records.size();
  std::vector<std::byte> bogus(kBatchHeaderSize, std::byte{0});  // base offset 0, length 0
  records.insert(records.end(), bogus.begin(), bogus.end());
  const auto one = python_batch();
  records.insert(records.end(), one.begin(), one.end());
  const auto batches = split_batches(records);
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].size(), first_size);
  BatchHeader h;
  EXPECT_TRUE(read_batch_header(batches[0], h));
}

TEST(RecordBatch, RecordSizesOfAnotherClientsBatch) {
  std::vector<RecordSizes> sizes;
  ASSERT_TRUE(read_record_sizes(python_batch(), sizes));
  ASSERT_EQ(sizes.size(), 3u);
  for (const RecordSizes& record : sizes) {
    EXPECT_EQ(record.key, 2);    // "k0"
    EXPECT_EQ(record.value, 7);  // "value-0"
    EXPECT_EQ(record.headers, 1);
  }
}

TEST(RecordBatch, RecordSizesOfACompressedBatchAreUnknown) {
  auto batch = python_batch();
  batch[batch_offset::attributes + 1] |= std::byte{1};  // gzip
  std::vector<RecordSizes> sizes;
  EXPECT_FALSE(read_record_sizes(batch, sizes));
  BatchHeader h;
  ASSERT_TRUE(read_batch_header(batch, h));
  EXPECT_EQ(compression_name(h.compression()), "gzip");
}

TEST(RecordBatch, RecordSizesOfRecordsThatDoNotFillTheBatchFail) {
  auto batch = python_batch();
  batch[batch_offset::record_count + 3] = std::byte{4};  // one record more than there is
  std::vector<RecordSizes> sizes;
  EXPECT_FALSE(read_record_sizes(batch, sizes));
  batch = python_batch();
  batch[batch_offset::record_count + 3] = std::byte{2};  // bytes left over
  EXPECT_FALSE(read_record_sizes(batch, sizes));
  batch = python_batch();
  batch.resize(batch.size() - 1);
  EXPECT_FALSE(read_record_sizes(batch, sizes));
}

TEST(RecordBatch, RecompressedBatchKeepsItsHeaderAndRecords) {
  const auto original = upstream::test::orders_batch(200);
  BatchHeader before;
  ASSERT_EQ(validate_produce_batch(original, before), ErrorCode::none);
  for (Codec codec : {Codec::gzip, Codec::snappy, Codec::lz4, Codec::zstd}) {
    const auto result = recompress_batch(original, codec);
    ASSERT_TRUE(result) << result.error().message;
    ASSERT_TRUE(result->has_value()) << codec_name(codec);
    const auto& packed = **result;
    EXPECT_LT(packed.size(), original.size() / 2) << codec_name(codec);

    BatchHeader after;
    ASSERT_EQ(validate_produce_batch(packed, after), ErrorCode::none) << codec_name(codec);
    EXPECT_EQ(after.compression(), static_cast<int>(codec));
    EXPECT_EQ(after.attributes & ~0x7, before.attributes & ~0x7);
    EXPECT_EQ(after.total_size(), packed.size());
    for (int64_t BatchHeader::*field : {&BatchHeader::base_offset, &BatchHeader::max_timestamp,
                                        &BatchHeader::base_timestamp, &BatchHeader::producer_id}) {
      EXPECT_EQ(after.*field, before.*field);
    }
    EXPECT_EQ(after.partition_leader_epoch, before.partition_leader_epoch);
    EXPECT_EQ(after.magic, 2);
    EXPECT_EQ(after.last_offset_delta, before.last_offset_delta);
    EXPECT_EQ(after.producer_epoch, before.producer_epoch);
    EXPECT_EQ(after.base_sequence, before.base_sequence);
    EXPECT_EQ(after.record_count, before.record_count);

    const auto records = decompress(codec, Bytes(packed).subspan(kBatchHeaderSize), 1 << 20);
    ASSERT_TRUE(records) << records.error().message;
    EXPECT_TRUE(std::equal(records->begin(), records->end(), original.begin() + kBatchHeaderSize,
                           original.end()));
    EXPECT_EQ(records->size(), original.size() - kBatchHeaderSize);
  }
}

TEST(RecordBatch, CompressedAndControlBatchesAreNotRecompressed) {
  auto compressed = upstream::test::orders_batch(50);
  compressed[batch_offset::attributes + 1] |= std::byte{2};  // snappy already
  const auto as_is = recompress_batch(compressed, Codec::zstd);
  ASSERT_TRUE(as_is);
  EXPECT_FALSE(as_is->has_value());

  auto control = upstream::test::orders_batch(50);
  control[batch_offset::attributes + 1] |= std::byte{0x20};
  const auto untouched = recompress_batch(control, Codec::zstd);
  ASSERT_TRUE(untouched);
  EXPECT_FALSE(untouched->has_value());

  const auto none = recompress_batch(upstream::test::orders_batch(50), Codec::none);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
}

TEST(RecordBatch, BatchThatWouldNotShrinkIsNotRecompressed) {
  // Three short distinct records: gzip's own framing outweighs the gain.
  const auto result = recompress_batch(python_batch(), Codec::gzip);
  ASSERT_TRUE(result);
  EXPECT_FALSE(result->has_value());
}

TEST(RecordBatch, RecompressingBytesThatAreNoBatchIsAnError) {
  auto batch = upstream::test::orders_batch(10);
  batch.pop_back();
  EXPECT_FALSE(recompress_batch(batch, Codec::lz4));
  EXPECT_FALSE(recompress_batch(Bytes(batch).first(20), Codec::lz4));
}

}  // namespace
}  // namespace ks::protocol
