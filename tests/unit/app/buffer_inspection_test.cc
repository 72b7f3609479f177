// The read-only inspection of a cluster's buffer: what it counts, how it
// applies the checkpoint, and one named test per kind of damage.
#include "app/buffer_inspection.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "buffer/checkpoint.h"
#include "buffer/format.h"
#include "buffer/frame.h"
#include "buffer/log.h"
#include "buffer/segment_name.h"
#include "tests/unit/buffer/test_util.h"
#include "tests/unit/upstream/test_batch.h"

namespace ks::app {
namespace {

using buffer::Entry;
using buffer::Position;
using buffer::Range;

constexpr int64_t kTime = 1'700'000'000'000;

// A batch of 3 real Kafka records (kafka-python's) for `topic` / `partition`.
Entry entry(const std::string& topic, int32_t partition, int64_t append_time_ms = kTime) {
  return Entry{append_time_ms, topic, partition, 3, upstream::test::python_batch()};
}

class BufferInspection : public ::testing::Test {
 protected:
  std::vector<Position> write(const std::filesystem::path& dir, const std::vector<Entry>& entries,
                              uint64_t segment_bytes = 1 << 20) {
    buffer::LogOptions options;
    options.segment_bytes = segment_bytes;
    std::unique_ptr<buffer::Log> log;
    EXPECT_FALSE(buffer::Log::open(dir.string(), options, &log));
    std::vector<Position> positions;
    EXPECT_FALSE(log->append(entries, &positions));
    EXPECT_FALSE(log->sync());
    return positions;
  }

  std::vector<Position> write(const std::vector<Entry>& entries, uint64_t segment_bytes = 1 << 20) {
    return write(layout_.log, entries, segment_bytes);
  }

  void save(const buffer::Checkpoint& checkpoint) {
    ASSERT_FALSE(buffer::save_checkpoint(layout_.checkpoint.string(), checkpoint));
  }

  ClusterInspection inspect(const EntryVisitor& visit = {}) {
    auto inspected = inspect_cluster_buffer("main", layout_, visit);
    EXPECT_TRUE(inspected.ok()) << inspected.error().message;
    return inspected.ok() ? std::move(*inspected) : ClusterInspection{};
  }

  std::string segment_path(uint64_t base) const {
    return (layout_.log / buffer::segment_name(base)).string();
  }

  // The partition's stats; a default (topic "") if the log has none.
  static PartitionStats stats(const LogInspection& log, const std::string& topic,
                              int32_t partition) {
    for (const auto& p : log.partitions) {
      if (p.topic == topic && p.partition == partition) return p;
    }
    return {};
  }

  buffer::testing::TempDir tmp_;
  ClusterBufferLayout layout_ = cluster_buffer_layout(std::filesystem::path(tmp_.path()) / "main");
};

TEST_F(BufferInspection, CountsEntriesAndRecordsPerPartition) {
  const uint64_t frame = buffer::frame_size(entry("orders", 0));
  std::vector<Entry> entries;
  for (int i = 0; i < 6; ++i)
    entries.push_back(entry("orders", i % 2, kTime + 100 * i));
  entries.push_back(entry("clicks", 0, kTime - 5));
  const auto positions = write(entries, 3 * frame);

  const ClusterInspection inspection = inspect();
  EXPECT_TRUE(intact(inspection));
  EXPECT_EQ(inspection.cluster, "main");
  EXPECT_EQ(inspection.checkpoint.state, CheckpointInspection::State::missing);
  const LogInspection& log = inspection.log;
  EXPECT_EQ(log.dir, layout_.log.string());
  ASSERT_EQ(log.segments.size(), 3u);
  EXPECT_EQ(log.segments[0].entries, 3u);
  EXPECT_EQ(log.segments[1].base, positions[3].value);
  EXPECT_EQ(log.segments[1].size, 3 * frame);
  EXPECT_EQ(log.segments[2].entries, 1u);
  EXPECT_EQ(log.span, (Range{Position{0}, Position{7 * frame}}));
  EXPECT_TRUE(log.corruption.empty());
  EXPECT_FALSE(log.incomplete_tail);

  // Sorted by topic, then partition.
  ASSERT_EQ(log.partitions.size(), 3u);
  const PartitionStats& clicks = log.partitions[0];
  EXPECT_EQ(clicks.topic, "clicks");
  EXPECT_EQ(clicks.entries, 1u);
  EXPECT_EQ(clicks.records, 3u);
  EXPECT_EQ(clicks.first, positions[6]);
  EXPECT_EQ(clicks.oldest_append_ms, kTime - 5);
  const PartitionStats& odd = log.partitions[2];
  EXPECT_EQ(odd.topic, "orders");
  EXPECT_EQ(odd.partition, 1);
  EXPECT_EQ(odd.entries, 3u);
  EXPECT_EQ(odd.records, 9u);
  EXPECT_EQ(odd.bytes, 3 * frame);
  EXPECT_EQ(odd.first, positions[1]);
  EXPECT_EQ(odd.last, positions[5]);
  EXPECT_EQ(odd.oldest_append_ms, kTime + 100);
  EXPECT_EQ(odd.newest_append_ms, kTime + 500);
  // No checkpoint: nothing forwarded.
  EXPECT_FALSE(odd.forwarded_until);
  EXPECT_EQ(odd.unforwarded_entries, 3u);
  EXPECT_EQ(odd.unforwarded_records, 9u);

  EXPECT_EQ(log.totals.entries, 7u);
  EXPECT_EQ(log.totals.records, 21u);
  EXPECT_EQ(log.totals.bytes, 7 * frame);
  EXPECT_EQ(log.totals.unforwarded_records, 21u);
}

TEST_F(BufferInspection, ForwardedAndUnforwardedFollowTheCheckpoint) {
  std::vector<Entry> entries;
  for (int i = 0; i < 8; ++i)
    entries.push_back(entry("orders", i % 2));
  entries.push_back(entry("clicks", 0));
  const auto positions = write(entries);
  buffer::Checkpoint checkpoint;
  checkpoint.low_watermark = positions[2].value;  // entries 0 and 1 forwarded
  checkpoint.producer_id = 77;
  checkpoint.producer_epoch = 2;
  // orders-0 up to entry 6 (exclusive), orders-1 to its low watermark only,
  // and a partition the log no longer holds anything of.
  checkpoint.partitions = {{"orders", 0, positions[6].value, 9, 41},
                           {"orders", 1, positions[1].value, 3, 10},
                           {"gone", 4, positions[8].value, 1, 1}};
  save(checkpoint);

  const ClusterInspection inspection = inspect();
  EXPECT_TRUE(intact(inspection));
  EXPECT_EQ(inspection.checkpoint.state, CheckpointInspection::State::ok);
  EXPECT_EQ(inspection.checkpoint.checkpoint, checkpoint);
  ASSERT_EQ(inspection.log.partitions.size(), 4u);
  const PartitionStats even = stats(inspection.log, "orders", 0);
  EXPECT_EQ(even.forwarded_until, positions[6].value);
  EXPECT_EQ(even.entries, 4u);
  EXPECT_EQ(even.unforwarded_entries, 1u);  // entry 6
  EXPECT_EQ(even.unforwarded_records, 3u);
  const PartitionStats odd = stats(inspection.log, "orders", 1);
  EXPECT_EQ(odd.unforwarded_entries, 3u);  // entries 3, 5, 7: 1 is below the low watermark
  // No cursor: everything from the low watermark on.
  const PartitionStats clicks = stats(inspection.log, "clicks", 0);
  EXPECT_FALSE(clicks.forwarded_until);
  EXPECT_EQ(clicks.unforwarded_entries, 1u);
  const PartitionStats gone = stats(inspection.log, "gone", 4);
  EXPECT_EQ(gone.entries, 0u);
  EXPECT_EQ(gone.forwarded_until, positions[8].value);
  EXPECT_EQ(gone.unforwarded_entries, 0u);

  EXPECT_EQ(inspection.log.totals.unforwarded_entries, 5u);
  EXPECT_EQ(inspection.log.totals.unforwarded_records, 15u);
}

TEST_F(BufferInspection, EverythingForwardedLeavesNothingUnforwarded) {
  const auto positions = write({entry("orders", 0), entry("orders", 1), entry("orders", 0)});
  const uint64_t end = positions.back().value + buffer::frame_size(entry("orders", 0));
  save(buffer::Checkpoint{end, 5, 0, {{"orders", 0, end, 6, 5}, {"orders", 1, end, 3, 2}}});

  const ClusterInspection inspection = inspect();
  EXPECT_EQ(inspection.log.totals.entries, 3u);
  EXPECT_EQ(inspection.log.totals.unforwarded_entries, 0u);
  EXPECT_EQ(inspection.log.totals.unforwarded_records, 0u);
}

TEST_F(BufferInspection, FlippedByteInTheMiddleIsCorruptionWithItsRange) {
  const auto positions = write({entry("orders", 0), entry("orders", 1), entry("orders", 2)});
  auto bytes = buffer::testing::read_file(segment_path(0));
  bytes.at(positions[1].value + buffer::format::kHeaderSize + 20) ^= std::byte{0x01};
  buffer::testing::write_file(segment_path(0), bytes);

  const ClusterInspection inspection = inspect();
  EXPECT_FALSE(intact(inspection));
  const LogInspection& log = inspection.log;
  ASSERT_EQ(log.corruption.size(), 1u);
  const Damage& damage = log.corruption[0];
  EXPECT_EQ(damage.segment, buffer::segment_name(0));
  EXPECT_EQ(damage.offset, positions[1].value);
  EXPECT_EQ(damage.range, (Range{positions[1], positions[2]}));
  EXPECT_EQ(damage.reason, "checksum mismatch");
  // Reading goes on after it.
  EXPECT_EQ(log.totals.entries, 2u);
  EXPECT_EQ(stats(log, "orders", 2).entries, 1u);
  // Nothing repaired.
  EXPECT_EQ(buffer::testing::read_file(segment_path(0)), bytes);
}

TEST_F(BufferInspection, CorruptionInALaterSegmentNamesThatSegment) {
  const uint64_t frame = buffer::frame_size(entry("orders", 0));
  const auto positions = write(
      {entry("orders", 0), entry("orders", 0), entry("orders", 0), entry("orders", 0)}, 2 * frame);
  const std::string path = segment_path(positions[2].value);
  auto bytes = buffer::testing::read_file(path);
  bytes.at(buffer::format::kHeaderSize + 3) ^= std::byte{0x10};
  buffer::testing::write_file(path, bytes);

  const ClusterInspection inspection = inspect();
  ASSERT_EQ(inspection.log.corruption.size(), 1u);
  const Damage& damage = inspection.log.corruption[0];
  EXPECT_EQ(damage.segment, buffer::segment_name(positions[2].value));
  EXPECT_EQ(damage.offset, 0u);
  EXPECT_EQ(damage.range, (Range{positions[2], positions[3]}));
}

TEST_F(BufferInspection, MissingMiddleSegmentIsCorruptionInNoFile) {
  const uint64_t frame = buffer::frame_size(entry("orders", 0));
  std::vector<Entry> entries(6, entry("orders", 0));
  const auto positions = write(entries, 2 * frame);
  std::filesystem::remove(segment_path(positions[2].value));

  const ClusterInspection inspection = inspect();
  EXPECT_FALSE(intact(inspection));
  ASSERT_EQ(inspection.log.corruption.size(), 1u);
  const Damage& damage = inspection.log.corruption[0];
  EXPECT_EQ(damage.segment, "");
  EXPECT_EQ(damage.range, (Range{positions[2], positions[4]}));
  EXPECT_EQ(damage.reason, buffer::kMissingSegment);
}

TEST_F(BufferInspection, TornTailIsReportedAndNotTruncated) {
  const auto positions = write({entry("orders", 0), entry("orders", 1)});
  const uint64_t end = positions[1].value + buffer::frame_size(entry("orders", 1));
  // Half of a third frame: what a writer in the middle of an append leaves.
  auto bytes = buffer::testing::read_file(segment_path(0));
  const std::vector<std::byte> frame(
      bytes.begin() + static_cast<std::ptrdiff_t>(positions[1].value), bytes.end());
  bytes.insert(bytes.end(), frame.begin(), frame.begin() + 40);
  buffer::testing::write_file(segment_path(0), bytes);

  const ClusterInspection inspection = inspect();
  EXPECT_TRUE(intact(inspection));  // not corruption: it may be in progress
  const LogInspection& log = inspection.log;
  EXPECT_TRUE(log.corruption.empty());
  ASSERT_TRUE(log.incomplete_tail);
  EXPECT_EQ(log.incomplete_tail->segment, buffer::segment_name(0));
  EXPECT_EQ(log.incomplete_tail->offset, end);
  EXPECT_EQ(log.incomplete_tail->range, (Range{Position{end}, Position{end + 40}}));
  EXPECT_EQ(log.incomplete_tail->reason, "incomplete tail (may be in progress)");
  EXPECT_EQ(log.totals.entries, 2u);
  EXPECT_EQ(log.span.end.value, end);
  EXPECT_EQ(std::filesystem::file_size(segment_path(0)), end + 40);
}

TEST_F(BufferInspection, UnreadableCheckpointCountsEverythingUnforwarded) {
  write({entry("orders", 0), entry("orders", 1)});
  buffer::testing::write_file(layout_.checkpoint.string(),
                              std::vector<std::byte>(40, std::byte{7}));

  const ClusterInspection inspection = inspect();
  EXPECT_FALSE(intact(inspection));
  EXPECT_EQ(inspection.checkpoint.state, CheckpointInspection::State::unreadable);
  EXPECT_EQ(inspection.checkpoint.error, buffer::errc::corruption);
  EXPECT_EQ(inspection.log.totals.unforwarded_entries, 2u);
}

TEST_F(BufferInspection, MissingLogIsAnErrorNamingThePath) {
  auto inspected = inspect_cluster_buffer("main", layout_);
  ASSERT_FALSE(inspected.ok());
  EXPECT_NE(inspected.error().message.find(layout_.log.string()), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(layout_.dir));  // nothing created

  std::filesystem::create_directories(layout_.log);
  inspected = inspect_cluster_buffer("main", layout_);
  ASSERT_FALSE(inspected.ok());
  EXPECT_EQ(inspected.error().message, "no log segments in " + layout_.log.string());
  EXPECT_TRUE(std::filesystem::is_empty(layout_.log));
}

TEST_F(BufferInspection, DeadLetterLogIsCountedPerPartition) {
  write({entry("orders", 0)});
  EXPECT_FALSE(inspect().dead_letter);

  write(layout_.dead_letter, {entry("orders", 1), entry("orders", 1), entry("clicks", 0)});
  const ClusterInspection inspection = inspect();
  ASSERT_TRUE(inspection.dead_letter);
  EXPECT_EQ(inspection.dead_letter->dir, layout_.dead_letter.string());
  const LogInspection& dead = *inspection.dead_letter;
  ASSERT_EQ(dead.partitions.size(), 2u);
  EXPECT_EQ(stats(dead, "orders", 1).entries, 2u);
  EXPECT_EQ(stats(dead, "orders", 1).records, 6u);
  EXPECT_EQ(stats(dead, "clicks", 0).entries, 1u);
  EXPECT_EQ(inspection.dead_letter->totals.records, 9u);
}

TEST_F(BufferInspection, VisitsEveryEntryInOrder) {
  const auto positions = write({entry("orders", 0), entry("clicks", 1), entry("orders", 2)});
  std::vector<std::pair<Position, std::string>> visited;
  inspect([&](Position position, const buffer::EntryView& e) {
    visited.emplace_back(position, std::string(e.topic) + "-" + std::to_string(e.partition));
  });
  EXPECT_EQ(visited, (std::vector<std::pair<Position, std::string>>{{positions[0], "orders-0"},
                                                                    {positions[1], "clicks-1"},
                                                                    {positions[2], "orders-2"}}));
}

TEST_F(BufferInspection, DirIsTheClusterDirectoryOrItsLog) {
  write({entry("orders", 0)});
  EXPECT_EQ(layout_for_dir(layout_.dir).log, layout_.log);
  EXPECT_EQ(layout_for_dir(layout_.log).checkpoint, layout_.checkpoint);
  EXPECT_EQ(layout_for_dir(layout_.log.string() + "/").dir, layout_.dir);
  // Anything else is taken as a cluster directory, for the error to name.
  EXPECT_EQ(layout_for_dir(tmp_.path()).log, std::filesystem::path(tmp_.path()) / "log");
}

}  // namespace
}  // namespace ks::app
