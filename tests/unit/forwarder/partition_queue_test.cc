#include "proxy/forwarder/partition_queue.h"

#include <gtest/gtest.h>

#include <limits>

namespace ks::forwarder {
namespace {

TEST(PartitionQueue, SequencesFollowRecordCounts) {
  PartitionQueue q(10, -1);
  q.push({100, 3});
  q.push({200, 2});
  EXPECT_EQ(q.front_sequence(), 10);
  EXPECT_EQ(q.front_last_sequence(), 12);
  q.acknowledge_front(55);
  EXPECT_EQ(q.front_sequence(), 13);
  EXPECT_EQ(q.last_upstream_offset(), 55);
  EXPECT_EQ(q.forwarded_until(999), 200u);
  q.acknowledge_front(57);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.forwarded_until(999), 999u);
}

TEST(PartitionQueue, DroppedBatchDoesNotUseSequences) {
  PartitionQueue q(0, -1);
  q.push({1, 5});
  q.push({2, 1});
  q.drop_front();
  EXPECT_EQ(q.front_sequence(), 0);
}

TEST(PartitionQueue, KeepsTheSumsOfWhatIsPending) {
  PartitionQueue q(0, -1);
  q.push({.position = 1, .record_count = 3, .bytes = 100});
  q.push({.position = 2, .record_count = 2, .bytes = 50});
  q.push({.position = 3, .record_count = 1, .bytes = 10});
  EXPECT_EQ(q.pending_records(), 6u);
  EXPECT_EQ(q.pending_bytes(), 160u);
  q.acknowledge_front(2);
  EXPECT_EQ(q.pending_records(), 3u);
  EXPECT_EQ(q.pending_bytes(), 60u);
  q.drop_front();
  EXPECT_EQ(q.pending_records(), 1u);
  EXPECT_EQ(q.acknowledge_through(3, 7), 1u);  // the dropped batch used no sequences
  EXPECT_EQ(q.pending_records(), 0u);
  EXPECT_EQ(q.pending_bytes(), 0u);
}

TEST(PartitionQueue, ReconcileAcknowledgesThroughTheMatchingBatch) {
  PartitionQueue q(0, -1);
  q.push({1, 3});  // 0..2
  q.push({2, 3});  // 3..5
  q.push({3, 3});  // 6..8
  EXPECT_EQ(q.acknowledge_through(5, 41), 2u);
  EXPECT_EQ(q.front_sequence(), 6);
  EXPECT_EQ(q.last_upstream_offset(), 41);
  EXPECT_EQ(q.size(), 1u);
}

TEST(PartitionQueue, ReconcileIgnoresASequenceThatEndsNoPendingBatch) {
  PartitionQueue q(6, 10);
  q.push({3, 3});
  EXPECT_EQ(q.acknowledge_through(5, 10), 0u);  // already acknowledged before
  EXPECT_EQ(q.acknowledge_through(7, 12), 0u);  // mid-batch: not a boundary of ours
  EXPECT_EQ(q.size(), 1u);
}

TEST(PartitionQueue, SequencesWrapAtInt32Max) {
  const int32_t max = std::numeric_limits<int32_t>::max();
  PartitionQueue q(max - 1, -1);
  q.push({1, 4});
  EXPECT_EQ(q.front_last_sequence(), 1);
  q.push({2, 1});
  EXPECT_EQ(q.acknowledge_through(1, 9), 1u);
  EXPECT_EQ(q.front_sequence(), 2);
}

}  // namespace
}  // namespace ks::forwarder
