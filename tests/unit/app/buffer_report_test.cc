// What `buffer inspect` prints: the fields scripts split on, and never a
// byte of a payload.
#include "app/buffer_report.h"

#include <gtest/gtest.h>

#include "proxy/protocol/record_batch.h"
#include "tests/unit/upstream/test_batch.h"

namespace ks::app {
namespace {

buffer::EntryView view_of(const std::vector<std::byte>& batch) {
  return buffer::EntryView{1'700'000'000'123, "orders", 2, 3, batch};
}

TEST(BufferReport, EntryLineFromTheFrameAndTheBatchHeader) {
  const auto batch = upstream::test::python_batch();
  EXPECT_EQ(format_entry(buffer::Position{4096}, view_of(batch)),
            "  entry position=4096 topic=orders partition=2 records=3 "
            "append_time=2023-11-14T22:13:20.123Z batch_bytes=121 base_offset=0 base_sequence=17 "
            "producer_id=4242 producer_epoch=3 first_timestamp=2023-11-14T22:13:20.000Z "
            "max_timestamp=2023-11-14T22:13:20.002Z compression=none\n"
            "    record key_bytes=2 value_bytes=7 headers=1\n"
            "    record key_bytes=2 value_bytes=7 headers=1\n"
            "    record key_bytes=2 value_bytes=7 headers=1\n");
}

TEST(BufferReport, CompressedBatchNamesItsCodecWithoutRecordSizes) {
  auto batch = upstream::test::python_batch();
  batch[protocol::batch_offset::attributes + 1] |= std::byte{4};  // zstd
  const std::string line = format_entry(buffer::Position{0}, view_of(batch));
  EXPECT_NE(line.find(" compression=zstd\n"), std::string::npos) << line;
  EXPECT_EQ(line.find("record "), std::string::npos) << line;
}

TEST(BufferReport, UnreadableBatchIsSaidSo) {
  const std::vector<std::byte> toy{std::byte{0xde}, std::byte{0xad}};
  EXPECT_EQ(format_entry(buffer::Position{0}, view_of(toy)),
            "  entry position=0 topic=orders partition=2 records=3 "
            "append_time=2023-11-14T22:13:20.123Z batch_bytes=2 kafka_header=unreadable\n");
}

TEST(BufferReport, ClusterReport) {
  ClusterInspection inspection;
  inspection.cluster = "main";
  inspection.layout = cluster_buffer_layout("/b/main");
  LogInspection& log = inspection.log;
  log.dir = "/b/main/log";
  log.segments = {{0, "/b/main/log/00000000000000000000.seg", 300, 2}};
  log.span = {buffer::Position{0}, buffer::Position{300}};
  PartitionStats p;
  p.topic = "orders";
  p.partition = 1;
  p.entries = 2;
  p.records = 6;
  p.bytes = 300;
  p.first = buffer::Position{0};
  p.last = buffer::Position{150};
  p.oldest_append_ms = 1'700'000'000'000;
  p.newest_append_ms = 1'700'000'000'500;
  p.forwarded_until = 150;
  p.unforwarded_entries = 1;
  p.unforwarded_records = 3;
  log.partitions = {p};
  log.totals = {2, 6, 300, 1, 3};
  log.incomplete_tail = Damage{"00000000000000000000.seg",
                               300,
                               {buffer::Position{300}, buffer::Position{340}},
                               "incomplete tail (may be in progress)"};
  log.corruption = {Damage{"00000000000000000000.seg",
                           10,
                           {buffer::Position{10}, buffer::Position{20}},
                           "checksum mismatch"}};
  inspection.checkpoint.state = CheckpointInspection::State::ok;
  inspection.checkpoint.path = "/b/main/checkpoint";
  inspection.checkpoint.checkpoint = {150, 9, 1, {{"orders", 1, 150, 3, 0}}};

  EXPECT_EQ(format_cluster_heading("main", inspection.layout), "cluster main dir=/b/main\n");
  EXPECT_EQ(format_cluster_report(inspection),
            "  log dir=/b/main/log segments=1 entries=2 records=6 bytes=300 begin=0 end=300\n"
            "  segment name=00000000000000000000.seg base=0 bytes=300 entries=2\n"
            "  incomplete tail (may be in progress): segment=00000000000000000000.seg offset=300 "
            "begin=300 end=340 bytes=40\n"
            "  partition topic=orders partition=1 entries=2 records=6 bytes=300 first=0 last=150 "
            "oldest=2023-11-14T22:13:20.000Z newest=2023-11-14T22:13:20.500Z forwarded_until=150 "
            "unforwarded_entries=1 unforwarded_records=3\n"
            "  total entries=2 records=6 bytes=300 unforwarded_entries=1 unforwarded_records=3\n"
            "  corruption segment=00000000000000000000.seg offset=10 begin=10 end=20 bytes=10 "
            "reason=\"checksum mismatch\"\n"
            "  checkpoint path=/b/main/checkpoint low_watermark=150 producer_id=9 producer_epoch=1 "
            "cursors=1\n"
            "  dead-letter none dir=/b/main/dead-letter\n");
}

TEST(BufferReport, NoCheckpointAndAnEmptyDeadLetterLog) {
  ClusterInspection inspection;
  inspection.layout = cluster_buffer_layout("/b/main");
  inspection.log.dir = "/b/main/log";
  inspection.checkpoint.path = "/b/main/checkpoint";
  inspection.dead_letter = LogInspection{};
  inspection.dead_letter->dir = "/b/main/dead-letter";
  EXPECT_EQ(format_cluster_report(inspection),
            "  log dir=/b/main/log segments=0 entries=0 records=0 bytes=0 begin=0 end=0\n"
            "  total entries=0 records=0 bytes=0 unforwarded_entries=0 unforwarded_records=0\n"
            "  corruption none\n"
            "  checkpoint none path=/b/main/checkpoint (nothing forwarded yet)\n"
            "  dead-letter dir=/b/main/dead-letter segments=0 entries=0 records=0 bytes=0 "
            "begin=0 end=0\n"
            "  dead-letter corruption none\n");
}

}  // namespace
}  // namespace ks::app
