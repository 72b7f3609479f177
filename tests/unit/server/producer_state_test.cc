#include "proxy/server/producer_state.h"

#include <gtest/gtest.h>

#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "proxy/server/append_errors.h"

namespace ks::server {
namespace {

using protocol::ErrorCode;

constexpr int64_t kProducer = 1000;
constexpr int32_t kPartition = 2;
constexpr int32_t kMax = std::numeric_limits<int32_t>::max();

class ProducerStateTest : public ::testing::Test {
 protected:
  ProducerState::Check check(int16_t epoch, int32_t first, int32_t last) const {
    return producers_.check(kProducer, epoch, topic_, kPartition, first, last);
  }

  // Records a batch as submitted; its append stays pending until the test
  // completes the returned ticket.
  std::shared_ptr<AppendTicket> record(int16_t epoch, int32_t first, int32_t last) {
    auto ticket = std::make_shared<AppendTicket>(io_.get_executor());
    producers_.record(kProducer, epoch, topic_, kPartition, first, last, ticket);
    return ticket;
  }

  asio::io_context io_;
  const std::string topic_ = "orders";
  ProducerState producers_;
};

TEST_F(ProducerStateTest, FirstBatchOfANewProducerIsAcceptedFromAnySequence) {
  const auto first = check(0, 42, 44);
  EXPECT_EQ(first.error, ErrorCode::none);
  EXPECT_EQ(first.duplicate_of, nullptr);
}

TEST_F(ProducerStateTest, NextBatchInOrderIsAccepted) {
  record(0, 42, 44);
  const auto next = check(0, 45, 45);
  EXPECT_EQ(next.error, ErrorCode::none);
  EXPECT_EQ(next.duplicate_of, nullptr);
}

TEST_F(ProducerStateTest, ExactRetryOfOneOfTheLastFiveBatchesIsADuplicate) {
  std::vector<std::shared_ptr<AppendTicket>> tickets;
  for (int32_t i = 0; i < 5; ++i)
    tickets.push_back(record(0, 2 * i, 2 * i + 1));
  for (int32_t i = 0; i < 5; ++i) {
    const auto retry = check(0, 2 * i, 2 * i + 1);
    EXPECT_EQ(retry.error, ErrorCode::none) << i;
    EXPECT_EQ(retry.duplicate_of, tickets[static_cast<size_t>(i)]) << i;
  }
}

TEST_F(ProducerStateTest, RetryMatchingOnlyTheFirstSequenceIsNoDuplicate) {
  record(0, 0, 4);
  const auto retry = check(0, 0, 2);
  EXPECT_EQ(retry.error, ErrorCode::out_of_order_sequence_number);
  EXPECT_EQ(retry.duplicate_of, nullptr);
}

TEST_F(ProducerStateTest, RetryOfABatchOlderThanTheLastFiveIsOutOfOrder) {
  for (int32_t i = 0; i < 6; ++i)
    record(0, 2 * i, 2 * i + 1);
  const auto retry = check(0, 0, 1);  // the sixth batch pushed the first out
  EXPECT_EQ(retry.error, ErrorCode::out_of_order_sequence_number);
  EXPECT_EQ(retry.duplicate_of, nullptr);
}

TEST_F(ProducerStateTest, GapInSequenceIsOutOfOrder) {
  record(0, 0, 4);
  EXPECT_EQ(check(0, 6, 6).error, ErrorCode::out_of_order_sequence_number);
}

TEST_F(ProducerStateTest, LowerEpochIsFenced) {
  record(3, 0, 0);
  EXPECT_EQ(check(2, 1, 1).error, ErrorCode::invalid_producer_epoch);
}

TEST_F(ProducerStateTest, HigherEpochMustStartAtSequenceZero) {
  record(0, 0, 9);
  EXPECT_EQ(check(1, 10, 10).error, ErrorCode::out_of_order_sequence_number);
  EXPECT_EQ(check(1, 0, 0).error, ErrorCode::none);
}

TEST_F(ProducerStateTest, BatchOfANewEpochFencesTheOldEpoch) {
  record(0, 0, 9);
  record(1, 0, 0);
  EXPECT_EQ(check(0, 10, 10).error, ErrorCode::invalid_producer_epoch);
  EXPECT_EQ(check(1, 1, 1).error, ErrorCode::none);
}

TEST_F(ProducerStateTest, PartitionsOfOneProducerAreCheckedApart) {
  record(0, 0, 9);
  EXPECT_EQ(producers_.check(kProducer, 0, topic_, kPartition + 1, 50, 50).error, ErrorCode::none);
  EXPECT_EQ(producers_.check(kProducer, 0, "other", kPartition, 50, 50).error, ErrorCode::none);
}

TEST_F(ProducerStateTest, FailedAppendForgetsTheBatchAndEverythingAfterIt) {
  record(0, 0, 1);
  const auto failed = record(0, 2, 3);
  record(0, 4, 5);
  failed->complete(AppendError::buffer_full);
  const auto resend = check(0, 2, 3);
  EXPECT_EQ(resend.error, ErrorCode::none);
  EXPECT_EQ(resend.duplicate_of, nullptr);  // appended anew, not answered with the failure
  EXPECT_EQ(check(0, 4, 5).error, ErrorCode::out_of_order_sequence_number);
}

TEST_F(ProducerStateTest, BatchesBeforeAFailedOneAreStillDuplicates) {
  const auto kept = record(0, 0, 1);
  record(0, 2, 3)->complete(AppendError::storage_failed);
  EXPECT_EQ(check(0, 0, 1).duplicate_of, kept);
}

TEST_F(ProducerStateTest, SuccessfulAppendIsNotForgotten) {
  const auto ticket = record(0, 0, 1);
  ticket->complete({});
  EXPECT_EQ(check(0, 0, 1).duplicate_of, ticket);
  EXPECT_EQ(check(0, 2, 2).error, ErrorCode::none);
}

// The buffer refuses a batch and then the ones queued behind it: the second
// failure must not move the expected sequence past the first failed batch.
TEST_F(ProducerStateTest, FailureOfABatchAnEarlierFailureForgotKeepsTheRewind) {
  record(0, 0, 1);
  const auto first_failed = record(0, 2, 3);
  const auto second_failed = record(0, 4, 5);
  first_failed->complete(AppendError::buffer_full);
  second_failed->complete(AppendError::buffer_full);
  EXPECT_EQ(check(0, 2, 3).error, ErrorCode::none);
  EXPECT_EQ(check(0, 4, 5).error, ErrorCode::out_of_order_sequence_number);
}

TEST_F(ProducerStateTest, SequenceWrapsToZeroAfterInt32Max) {
  record(0, kMax - 1, kMax);
  EXPECT_EQ(check(0, 0, 2).error, ErrorCode::none);
  EXPECT_EQ(check(0, 1, 2).error, ErrorCode::out_of_order_sequence_number);
}

TEST_F(ProducerStateTest, BatchSpanningTheWrapIsFollowedByItsLastSequencePlusOne) {
  record(0, kMax - 1, 1);
  EXPECT_EQ(check(0, 2, 2).error, ErrorCode::none);
  EXPECT_EQ(check(0, 0, 0).error, ErrorCode::out_of_order_sequence_number);
}

TEST_F(ProducerStateTest, FailureBeforeTheWrapAlsoForgetsTheBatchesAfterTheWrap) {
  const auto failed = record(0, kMax - 1, kMax);
  record(0, 0, 1);
  failed->complete(AppendError::buffer_full);
  const auto after_wrap = check(0, 0, 1);
  EXPECT_EQ(after_wrap.error, ErrorCode::out_of_order_sequence_number);
  EXPECT_EQ(after_wrap.duplicate_of, nullptr);
  EXPECT_EQ(check(0, kMax - 1, kMax).error, ErrorCode::none);
}

TEST(ProducerStateExpiry, ProducerIdleForADayIsForgotten) {
  asio::io_context io;
  auto now = ProducerState::Clock::now();
  ProducerState producers([&] { return now; });
  auto ticket = std::make_shared<AppendTicket>(io.get_executor());
  producers.record(kProducer, 0, "orders", 0, 0, 9, ticket);
  producers.record(kProducer + 1, 0, "orders", 0, 0, 9, ticket);
  EXPECT_TRUE(producers.check(kProducer, 0, "orders", 0, 0, 9).duplicate_of);

  now += std::chrono::hours(23);
  producers.record(kProducer + 1, 0, "orders", 0, 10, 19, ticket);  // still in use
  now += std::chrono::hours(2);
  producers.record(kProducer + 2, 0, "orders", 0, 0, 9, ticket);  // sweeps

  // Unknown again: accepted from any sequence, as Kafka does.
  const auto forgotten = producers.check(kProducer, 0, "orders", 0, 50, 59);
  EXPECT_EQ(forgotten.error, ErrorCode::none);
  EXPECT_FALSE(forgotten.duplicate_of);
  EXPECT_TRUE(producers.check(kProducer + 1, 0, "orders", 0, 10, 19).duplicate_of);
}

}  // namespace
}  // namespace ks::server
