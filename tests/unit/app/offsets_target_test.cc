#include "app/offsets_target.h"

#include <gtest/gtest.h>

#include <limits>

namespace ks::app {
namespace {

using Kind = ResetTarget::Kind;

// A log from offset 10 to 50 (exclusive), committed at 30.
PartitionOffsets log_10_to_50() {
  PartitionOffsets p;
  p.log_start = 10;
  p.log_end = 50;
  p.committed = 30;
  return p;
}

int64_t target(Kind kind, int64_t value, const PartitionOffsets& p = log_10_to_50()) {
  const auto offset = new_offset(ResetTarget{kind, value}, p);
  EXPECT_TRUE(offset.ok()) << offset.error().message;
  return offset.ok() ? *offset : -999;
}

TEST(OffsetsTarget, EarliestAndLatestAreTheLogEdges) {
  EXPECT_EQ(target(Kind::earliest, 0), 10);
  EXPECT_EQ(target(Kind::latest, 0), 50);
}

TEST(OffsetsTarget, OffsetInsideTheLogIsKept) {
  EXPECT_EQ(target(Kind::offset, 25), 25);
  EXPECT_EQ(target(Kind::offset, 10), 10);
  EXPECT_EQ(target(Kind::offset, 50), 50);
}

TEST(OffsetsTarget, OffsetBelowTheLogStartIsClamped) {
  EXPECT_EQ(target(Kind::offset, 3), 10);
  EXPECT_EQ(target(Kind::offset, -7), 10);
}

TEST(OffsetsTarget, OffsetPastTheLogEndIsClamped) {
  EXPECT_EQ(target(Kind::offset, 51), 50);
}

TEST(OffsetsTarget, EmptyLogClampsToItsOnlyOffset) {
  PartitionOffsets empty;
  empty.log_start = 7;
  empty.log_end = 7;
  EXPECT_EQ(target(Kind::offset, 0, empty), 7);
  EXPECT_EQ(target(Kind::offset, 100, empty), 7);
}

TEST(OffsetsTarget, TimestampLandsOnTheBrokersOffset) {
  PartitionOffsets p = log_10_to_50();
  p.at_timestamp = 42;
  EXPECT_EQ(target(Kind::timestamp, 1'700'000'000'000, p), 42);
}

TEST(OffsetsTarget, TimestampPastTheLastRecordGivesTheLogEnd) {
  EXPECT_EQ(target(Kind::timestamp, 1'700'000'000'000), 50);
}

TEST(OffsetsTarget, ShiftMovesFromTheCommittedOffset) {
  EXPECT_EQ(target(Kind::shift, -5), 25);
  EXPECT_EQ(target(Kind::shift, 5), 35);
  EXPECT_EQ(target(Kind::shift, 0), 30);
}

TEST(OffsetsTarget, ShiftIsClampedIntoTheLog) {
  EXPECT_EQ(target(Kind::shift, -100), 10);
  EXPECT_EQ(target(Kind::shift, 100), 50);
}

TEST(OffsetsTarget, HugeShiftDoesNotOverflow) {
  EXPECT_EQ(target(Kind::shift, std::numeric_limits<int64_t>::max()), 50);
  EXPECT_EQ(target(Kind::shift, std::numeric_limits<int64_t>::min()), 10);
}

TEST(OffsetsTarget, ShiftWithoutCommittedOffsetIsAnError) {
  PartitionOffsets p = log_10_to_50();
  p.committed.reset();
  const auto offset = new_offset(ResetTarget{Kind::shift, 1}, p);
  ASSERT_FALSE(offset.ok());
  EXPECT_EQ(offset.error().message, "no committed offset to shift from");
}

TEST(OffsetsTarget, OtherTargetsNeedNoCommittedOffset) {
  PartitionOffsets p = log_10_to_50();
  p.committed.reset();
  EXPECT_EQ(target(Kind::earliest, 0, p), 10);
  EXPECT_EQ(target(Kind::offset, 20, p), 20);
  EXPECT_EQ(target(Kind::timestamp, 5, p), 50);
}

}  // namespace
}  // namespace ks::app
