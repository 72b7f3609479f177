#include "proxy/forwarder/recompressor.h"

#include <gtest/gtest.h>

#include <thread>

#include "proxy/protocol/record_batch.h"
#include "tests/unit/io_runner.h"
#include "tests/unit/upstream/test_batch.h"

namespace ks::forwarder {
namespace {

using protocol::Codec;

// The io thread is the test's; compressing runs on a pool of one thread.
// Codecs other than zstd never ask the client anything: it has no brokers.
class RecompressorTest : public ::testing::Test {
 protected:
  // Runs compress() to completion on the io thread.
  void compress(Codec codec, std::vector<std::byte>& batch) {
    Recompressor recompressor(codec, pool_.get_executor(), "main");
    auto done = io_test::spawn(io_, run(recompressor, batch));
    ASSERT_TRUE(io_test::run_until(io_, [&] { return done->done; }));
    ASSERT_FALSE(done->error);
    EXPECT_TRUE(*done->value) << "compress() came back on another thread than the io thread";
  }

  awaitable<bool> run(Recompressor& recompressor, std::vector<std::byte>& batch) {
    co_await recompressor.compress(client_, 1, batch, stats_);
    // Back on the io thread (the test's) after the pool did the work.
    co_return std::this_thread::get_id() == test_thread_;
  }

  asio::io_context io_;
  asio::thread_pool pool_{1};
  upstream::Client client_{io_.get_executor(), upstream::ClientOptions{}};
  CompressionStats stats_;
  std::thread::id test_thread_ = std::this_thread::get_id();
};

TEST_F(RecompressorTest, UncompressedBatchIsCompressedAndCounted) {
  const auto original = upstream::test::orders_batch(200);
  for (Codec codec : {Codec::gzip, Codec::snappy, Codec::lz4}) {
    auto batch = original;
    stats_ = {};
    compress(codec, batch);
    protocol::BatchHeader h;
    ASSERT_EQ(protocol::validate_produce_batch(batch, h), protocol::ErrorCode::none);
    EXPECT_EQ(h.compression(), static_cast<int>(codec));
    EXPECT_EQ(stats_.batches, 1u);
    EXPECT_EQ(stats_.input_bytes, original.size());
    EXPECT_EQ(stats_.output_bytes, batch.size());
    EXPECT_LT(batch.size(), original.size());
  }
}

TEST_F(RecompressorTest, CompressingIsThePoolsWorkNotTheIoThreads) {
  // A pool that runs nothing: the io thread alone cannot compress.
  asio::thread_pool idle(1);
  idle.stop();
  Recompressor recompressor(Codec::lz4, idle.get_executor(), "main");
  auto batch = upstream::test::orders_batch(200);
  const auto before = batch;
  auto done = io_test::spawn(io_, run(recompressor, batch));
  EXPECT_FALSE(io_test::run_until(
      io_, [&] { return done->done; }, std::chrono::milliseconds(200)));
  EXPECT_EQ(batch, before);
}

TEST_F(RecompressorTest, CompressedControlAndSmallBatchesStayAsTheyAre) {
  auto compressed = upstream::test::orders_batch(50);
  compressed[protocol::batch_offset::attributes + 1] |= std::byte{3};  // lz4 already
  auto control = upstream::test::orders_batch(50);
  control[protocol::batch_offset::attributes + 1] |= std::byte{0x20};
  auto small = upstream::test::python_batch();  // 3 short records: gzip would grow it
  for (auto* batch : {&compressed, &control, &small}) {
    const auto before = *batch;
    compress(Codec::gzip, *batch);
    EXPECT_EQ(*batch, before);
  }
  EXPECT_EQ(stats_.batches, 0u);
  EXPECT_EQ(stats_.input_bytes, 0u);
}

TEST_F(RecompressorTest, ZstdToABrokerThatCannotBeAskedIsNotCompressed) {
  // No metadata: the leader's Produce version is unknown, so the batch goes
  // as it is (the send that follows fails and is retried anyway).
  auto batch = upstream::test::orders_batch(200);
  const auto before = batch;
  compress(Codec::zstd, batch);
  EXPECT_EQ(batch, before);
  EXPECT_EQ(stats_.batches, 0u);
}

}  // namespace
}  // namespace ks::forwarder
