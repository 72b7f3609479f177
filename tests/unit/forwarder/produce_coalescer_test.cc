// The coalescer against librdkafka's mock cluster: batches for partitions of
// one broker share requests, within its limits, and each partition gets its
// own answer.
#include "proxy/forwarder/produce_coalescer.h"

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <vector>

#include "tests/unit/upstream/mock_cluster.h"
#include "tests/unit/upstream/run.h"
#include "tests/unit/upstream/test_batch.h"
#include "tests/unit/upstream/test_client.h"

namespace ks::forwarder {
namespace {

using namespace std::chrono_literals;
using upstream::test::run;
using upstream::test::spawn;

constexpr int kPartitions = 6;

class ProduceCoalescerTest : public ::testing::Test {
 protected:
  ProduceCoalescerTest() {
    mock_.create_topic("orders", kPartitions);  // one broker: it leads them all
    client_ = std::make_unique<upstream::Client>(
        io_.get_executor(), upstream::test::test_client_options(mock_.bootstrap()));
    EXPECT_TRUE(run(io_, client_->refresh_metadata({"orders"})));
  }
  ~ProduceCoalescerTest() override {
    client_.reset();
    upstream::test::run_for(io_, 100ms);  // let the closed connections wind down
  }

  // Sends one batch to each partition at once; their results, by partition.
  std::vector<Result<PartitionAnswer>> send_to_every_partition(ProduceCoalescer& coalescer) {
    std::vector<std::shared_ptr<upstream::test::Spawned<Result<PartitionAnswer>>>> sends;
    for (int32_t p = 0; p < kPartitions; ++p)
      sends.push_back(spawn(io_, coalescer.send(1, "orders", p, protocol::Bytes(batch_))));
    EXPECT_TRUE(upstream::test::run_until(io_, [&] {
      for (const auto& send : sends)
        if (!send->done) return false;
      return true;
    }));
    std::vector<Result<PartitionAnswer>> results;
    for (auto& send : sends)
      results.push_back(std::move(*send->value));
    return results;
  }

  static void expect_stored(const std::vector<Result<PartitionAnswer>>& results) {
    std::set<int32_t> answered;
    for (const auto& result : results) {
      ASSERT_TRUE(result) << result.error().message;
      EXPECT_EQ(result->error_code, 0);
      answered.insert(result->index);
    }
    EXPECT_EQ(answered.size(), results.size());
  }

  asio::io_context io_;
  upstream::test::MockCluster mock_{1};
  std::unique_ptr<upstream::Client> client_;
  const std::vector<std::byte> batch_ = upstream::test::plain_batch();
};

TEST_F(ProduceCoalescerTest, BatchesWaitingForTheBrokerLeaveInOneRequest) {
  CoalescerOptions options;
  options.max_in_flight = 1;
  ProduceCoalescer coalescer(io_.get_executor(), *client_, options);
  const auto results = send_to_every_partition(coalescer);
  expect_stored(results);
  for (size_t p = 0; p < results.size(); ++p)
    EXPECT_EQ(results[p]->index, static_cast<int32_t>(p));
  // The first goes at once; the five that came meanwhile leave together.
  EXPECT_EQ(coalescer.requests(), 2u);
  EXPECT_EQ(coalescer.batches(), 6u);
}

TEST_F(ProduceCoalescerTest, ARequestStaysWithinMaxRequestBytes) {
  CoalescerOptions options;
  options.max_in_flight = 1;
  options.max_request_bytes = batch_.size() * 5 / 2;  // room for two batches
  ProduceCoalescer coalescer(io_.get_executor(), *client_, options);
  expect_stored(send_to_every_partition(coalescer));
  EXPECT_EQ(coalescer.requests(), 4u);  // 1, then 2, 2 and 1
}

TEST_F(ProduceCoalescerTest, ABatchLargerThanTheLimitStillGoes) {
  CoalescerOptions options;
  options.max_request_bytes = batch_.size() / 2;
  ProduceCoalescer coalescer(io_.get_executor(), *client_, options);
  expect_stored(send_to_every_partition(coalescer));
  EXPECT_EQ(coalescer.requests(), 6u);
}

TEST_F(ProduceCoalescerTest, LingerGathersTheBatchesOfAnIdleBroker) {
  CoalescerOptions options;
  options.linger = 200ms;
  ProduceCoalescer coalescer(io_.get_executor(), *client_, options);
  expect_stored(send_to_every_partition(coalescer));
  EXPECT_EQ(coalescer.requests(), 1u);
}

TEST_F(ProduceCoalescerTest, WithoutLingerAnIdleBrokerGetsTheFirstBatchAtOnce) {
  ProduceCoalescer coalescer(io_.get_executor(), *client_, CoalescerOptions{});
  expect_stored(send_to_every_partition(coalescer));
  // Five may be out at once: the first five go one by one, the sixth waits.
  EXPECT_EQ(coalescer.requests(), 6u);
}

TEST_F(ProduceCoalescerTest, ALostRequestFailsEveryBatchItCarried) {
  CoalescerOptions options;
  options.max_in_flight = 1;
  ProduceCoalescer coalescer(io_.get_executor(), *client_, options);
  mock_.set_down(1);
  const auto results = send_to_every_partition(coalescer);
  for (const auto& result : results)
    EXPECT_FALSE(result);
}

}  // namespace
}  // namespace ks::forwarder
