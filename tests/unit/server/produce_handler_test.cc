#include "proxy/server/produce_handler.h"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "proxy/protocol/messages.h"
#include "proxy/protocol/record_batch.h"
#include "proxy/server/append_errors.h"
#include "tests/unit/server/test_support.h"
#include "tests/unit/upstream/test_batch.h"

namespace ks::server {
namespace {

using protocol::ErrorCode;
using protocol::ProduceRequest;
using protocol::ProduceResponse;

constexpr int16_t kVersion = 9;
constexpr int32_t kCorrelationId = 31;
constexpr int64_t kProducer = 4242;

// Records what was submitted; the test completes the tickets.
class FakeSink : public ProduceSink {
 public:
  explicit FakeSink(asio::any_io_executor executor) : executor_(std::move(executor)) {}

  std::shared_ptr<AppendTicket> submit(Batch batch) override {
    batches.push_back(std::move(batch));
    tickets.push_back(std::make_shared<AppendTicket>(executor_));
    return tickets.back();
  }

  std::vector<Batch> batches;
  std::vector<std::shared_ptr<AppendTicket>> tickets;

 private:
  asio::any_io_executor executor_;
};

// A valid batch of 3 records (kafka-python's) with these producer fields;
// producer id -1 makes it non-idempotent.
std::vector<std::byte> make_batch(int64_t producer_id = -1, int16_t epoch = -1,
                                  int32_t sequence = -1, std::byte extra_attributes = {}) {
  auto batch = upstream::test::python_batch();
  batch[protocol::batch_offset::attributes + 1] |= extra_attributes;  // the low byte
  protocol::rewrite_producer(batch, producer_id, epoch, sequence);    // also sets the CRC
  return batch;
}

ProduceRequest produce_request(int32_t partition, const std::vector<std::byte>& batch,
                               int16_t acks = -1) {
  ProduceRequest request;
  request.acks = acks;
  request.timeout_ms = 5000;
  ProduceRequest::ProduceTopic topic;
  topic.name = "orders";
  ProduceRequest::ProduceTopic::ProducePartition part;
  part.index = partition;
  part.records = protocol::Bytes(batch);
  topic.partitions.push_back(part);
  request.topics.push_back(std::move(topic));
  return request;
}

using Answer = std::shared_ptr<test::Spawned<Response>>;
using PartitionResponse = ProduceResponse::ProduceTopicResponse::ProducePartitionResponse;

class ProduceHandlerTest : public ::testing::Test {
 protected:
  // Runs the ordered part of `request` and starts its deferred answer, which
  // runs as far as it can without tickets completing.
  Answer produce(const ProduceRequest& request, int16_t version = kVersion) {
    auto framed = test::make_request(protocol::ApiKey::produce, version, kCorrelationId, request);
    Deferred deferred = test::run(io_, handler_.handle(std::move(framed)));
    Answer answer = test::spawn(io_, std::move(deferred));
    io_.poll();
    return answer;
  }

  // The only partition of the answer, once the answer is done.
  PartitionResponse only_partition(const Answer& answer, int16_t version = kVersion) {
    const Response response = test::result(io_, answer);
    if (!response) throw std::runtime_error("no response");
    const auto decoded = test::decode_response<ProduceResponse>(*response, version);
    EXPECT_EQ(decoded.correlation_id, kCorrelationId);
    if (decoded.body.topics.size() != 1 || decoded.body.topics[0].partitions.size() != 1)
      throw std::runtime_error("not one partition in the response");
    EXPECT_EQ(decoded.body.topics[0].name, "orders");
    return decoded.body.topics[0].partitions[0];
  }
  int16_t error_of(const Answer& answer, int16_t version = kVersion) {
    return only_partition(answer, version).error_code;
  }

  test::TempDir dir_;
  asio::io_context io_;
  TopicCatalog catalog_{dir_.path() / "topics", {{"orders", 2}}};
  ProducerState producers_;
  FakeSink sink_{io_.get_executor()};
  ProduceHandler handler_{catalog_, producers_, sink_};
};

TEST_F(ProduceHandlerTest, ValidBatchIsSubmittedAndAnsweredOnceItsAppendCompletes) {
  const auto batch = make_batch();
  const Answer answer = produce(produce_request(1, batch));
  ASSERT_EQ(sink_.batches.size(), 1u);
  EXPECT_EQ(sink_.batches[0].topic, "orders");
  EXPECT_EQ(sink_.batches[0].partition, 1);
  EXPECT_EQ(sink_.batches[0].record_count, 3);
  EXPECT_EQ(sink_.batches[0].bytes, batch);
  EXPECT_FALSE(answer->done);  // not before the batch is durable

  sink_.tickets[0]->complete({});
  const auto part = only_partition(answer);
  EXPECT_EQ(part.index, 1);
  EXPECT_EQ(part.error_code, 0);
  EXPECT_EQ(part.base_offset, -1);
}

TEST_F(ProduceHandlerTest, EveryProduceVersionIsAnsweredInItsOwnFormat) {
  const auto batch = make_batch();
  for (int16_t version = ProduceRequest::kMinVersion; version <= ProduceRequest::kMaxVersion;
       ++version) {
    const Answer answer = produce(produce_request(0, batch), version);
    ASSERT_EQ(sink_.tickets.size(), static_cast<size_t>(version - ProduceRequest::kMinVersion + 1));
    sink_.tickets.back()->complete({});
    EXPECT_EQ(error_of(answer, version), 0) << version;
  }
}

TEST_F(ProduceHandlerTest, CorruptBatchIsRefusedAndNotSubmitted) {
  auto batch = make_batch();
  batch.back() ^= std::byte{0x01};  // a record byte: only the CRC can tell
  const Answer answer = produce(produce_request(0, batch));
  EXPECT_EQ(error_of(answer), protocol::to_int(ErrorCode::corrupt_message));
  EXPECT_TRUE(sink_.batches.empty());
}

TEST_F(ProduceHandlerTest, PartitionBeyondTheTopicsCountIsUnknown) {
  const Answer answer = produce(produce_request(2, make_batch()));
  EXPECT_EQ(error_of(answer), protocol::to_int(ErrorCode::unknown_topic_or_partition));
  EXPECT_TRUE(sink_.batches.empty());
}

TEST_F(ProduceHandlerTest, TransactionalBatchIsRefused) {
  const auto batch = make_batch(kProducer, 0, 0, std::byte{0x10});
  const Answer answer = produce(produce_request(0, batch));
  EXPECT_EQ(error_of(answer), protocol::to_int(ErrorCode::transactional_id_authorization_failed));
  EXPECT_TRUE(sink_.batches.empty());
}

TEST_F(ProduceHandlerTest, RequestWithATransactionalIdIsRefused) {
  const auto batch = make_batch();
  auto request = produce_request(0, batch);
  request.transactional_id = "payments-tx";
  const Answer answer = produce(request);
  EXPECT_EQ(error_of(answer), protocol::to_int(ErrorCode::transactional_id_authorization_failed));
  EXPECT_TRUE(sink_.batches.empty());
}

TEST_F(ProduceHandlerTest, BufferFullIsNotEnoughReplicasAndTheSameBatchCanBeResent) {
  const auto batch = make_batch(kProducer, 0, 0);
  const Answer first = produce(produce_request(0, batch));
  ASSERT_EQ(sink_.tickets.size(), 1u);
  sink_.tickets[0]->complete(AppendError::buffer_full);
  EXPECT_EQ(error_of(first), protocol::to_int(ErrorCode::not_enough_replicas));

  const Answer resend = produce(produce_request(0, batch));
  ASSERT_EQ(sink_.tickets.size(), 2u);  // appended again, not answered as a duplicate
  sink_.tickets[1]->complete({});
  EXPECT_EQ(error_of(resend), 0);
}

TEST_F(ProduceHandlerTest, RetriedBatchIsAnsweredWithTheEarlierAppendsOutcome) {
  const auto batch = make_batch(kProducer, 0, 0);
  const Answer first = produce(produce_request(0, batch));
  const Answer retry = produce(produce_request(0, batch));
  ASSERT_EQ(sink_.tickets.size(), 1u);
  EXPECT_FALSE(retry->done);  // waits for the first append
  sink_.tickets[0]->complete({});
  EXPECT_EQ(error_of(first), 0);
  EXPECT_EQ(error_of(retry), 0);
}

TEST_F(ProduceHandlerTest, SequenceGapIsOutOfOrderAndNotSubmitted) {
  produce(produce_request(0, make_batch(kProducer, 0, 0)));
  const Answer gap = produce(produce_request(0, make_batch(kProducer, 0, 10)));
  EXPECT_EQ(error_of(gap), protocol::to_int(ErrorCode::out_of_order_sequence_number));
  EXPECT_EQ(sink_.tickets.size(), 1u);
}

TEST_F(ProduceHandlerTest, AcksZeroGetsNoResponse) {
  const Answer answer = produce(produce_request(0, make_batch(), 0));
  EXPECT_EQ(test::result(io_, answer), std::nullopt);
  EXPECT_EQ(sink_.batches.size(), 1u);
}

}  // namespace
}  // namespace ks::server
