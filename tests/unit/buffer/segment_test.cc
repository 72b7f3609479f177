// SegmentWriter and SegmentReader, one named test per way a segment can be
// damaged (after LevelDB's log_test.cc).
#include <gtest/gtest.h>

#include <cstring>

#include "buffer/format.h"
#include "buffer/frame.h"
#include "buffer/segment_name.h"
#include "buffer/segment_reader.h"
#include "buffer/segment_writer.h"
#include "common/crc32c.h"
#include "test_util.h"

namespace ks::buffer {
namespace {

using testing::make_entry;
using testing::Report;

constexpr uint64_t kBase = 1000;  // positions are base + offset

class buffer_Segment : public ::testing::Test {
 protected:
  struct ReadBack {
    std::vector<Position> positions;
    std::vector<Entry> entries;
    std::vector<Report> reports;
    uint64_t valid_end = 0;
  };

  // Appends the entries in one write; returns their offsets.
  std::vector<uint64_t> write(const std::vector<Entry>& entries) {
    std::unique_ptr<File> file;
    EXPECT_FALSE(posix_env().open(path_, exists_ ? OpenMode::read_write : OpenMode::create, &file));
    exists_ = true;
    uint64_t size = 0;
    EXPECT_FALSE(file->size(&size));
    SegmentWriter writer(std::move(file), size);
    std::vector<uint64_t> offsets;
    EXPECT_FALSE(writer.append(entries, &offsets));
    EXPECT_EQ(writer.size(), size + total_size(entries));
    return offsets;
  }

  static uint64_t total_size(const std::vector<Entry>& entries) {
    uint64_t total = 0;
    for (const auto& entry : entries)
      total += frame_size(entry);
    return total;
  }

  ReadBack read() {
    std::unique_ptr<File> file;
    EXPECT_FALSE(posix_env().open(path_, OpenMode::read, &file));
    uint64_t size = 0;
    EXPECT_FALSE(file->size(&size));
    testing::RecordingReporter reporter;
    SegmentReader reader(std::move(file), kBase, size, &reporter);
    ReadBack back;
    Position position;
    EntryView view;
    while (reader.next(&position, &view)) {
      back.positions.push_back(position);
      back.entries.push_back(view.to_entry());
    }
    EXPECT_FALSE(reader.status());
    back.reports = reporter.reports();
    back.valid_end = reader.valid_end();
    return back;
  }

  void overwrite(uint64_t offset, const void* data, size_t n) {
    auto bytes = testing::read_file(path_);
    ASSERT_LE(offset + n, bytes.size());
    std::memcpy(bytes.data() + offset, data, n);
    testing::write_file(path_, bytes);
  }

  void flip(uint64_t offset) {
    auto bytes = testing::read_file(path_);
    bytes.at(offset) ^= std::byte{0x40};
    testing::write_file(path_, bytes);
  }

  void append_raw(const std::vector<std::byte>& extra) {
    auto bytes = testing::read_file(path_);
    bytes.insert(bytes.end(), extra.begin(), extra.end());
    testing::write_file(path_, bytes);
  }

  void truncate(uint64_t size) { std::filesystem::resize_file(path_, size); }

  uint64_t file_size() const { return std::filesystem::file_size(path_); }

  static std::vector<Entry> three() { return {make_entry(0), make_entry(1), make_entry(2)}; }

  static void expect_report(const Report& report, uint64_t begin, uint64_t end,
                            std::string_view reason) {
    EXPECT_EQ(report.range.begin.value, kBase + begin);
    EXPECT_EQ(report.range.end.value, kBase + end);
    EXPECT_EQ(report.reason, reason);
  }

  testing::TempDir dir_;
  std::string path_ = dir_.file("segment");
  bool exists_ = false;
};

TEST_F(buffer_Segment, EmptySegmentHasNoEntries) {
  write({});
  const ReadBack back = read();
  EXPECT_TRUE(back.entries.empty());
  EXPECT_TRUE(back.reports.empty());
  EXPECT_EQ(back.valid_end, 0u);
}

TEST_F(buffer_Segment, ReadsBackWhatWasWritten) {
  std::vector<Entry> all;
  std::vector<uint64_t> offsets;
  for (int call = 0; call < 3; ++call) {
    std::vector<Entry> entries;
    for (int i = 0; i < 4; ++i)
      entries.push_back(make_entry(call * 10 + i, 10 + 50 * i));
    const auto written = write(entries);
    offsets.insert(offsets.end(), written.begin(), written.end());
    all.insert(all.end(), entries.begin(), entries.end());
  }
  const ReadBack back = read();
  ASSERT_EQ(back.entries, all);
  for (size_t i = 0; i < all.size(); ++i)
    EXPECT_EQ(back.positions[i].value, kBase + offsets[i]);
  EXPECT_TRUE(back.reports.empty());
  EXPECT_EQ(back.valid_end, file_size());
}

TEST_F(buffer_Segment, MoreFramesThanIovMaxInOneWrite) {
  std::vector<Entry> entries;
  for (int i = 0; i < 1500; ++i)
    entries.push_back(make_entry(i, i % 5));  // 3000 pieces
  write(entries);
  EXPECT_EQ(read().entries, entries);
}

TEST_F(buffer_Segment, TruncatedHeaderIsEndOfData) {
  const auto offsets = write(three());
  truncate(offsets[2] + 5);
  const ReadBack back = read();
  EXPECT_EQ(back.entries.size(), 2u);
  EXPECT_TRUE(back.reports.empty());
  EXPECT_EQ(back.valid_end, offsets[2]);
}

TEST_F(buffer_Segment, TruncatedPayloadIsEndOfData) {
  const auto offsets = write(three());
  truncate(file_size() - 1);
  const ReadBack back = read();
  EXPECT_EQ(back.entries.size(), 2u);
  EXPECT_TRUE(back.reports.empty());
  EXPECT_EQ(back.valid_end, offsets[2]);
}

TEST_F(buffer_Segment, BadChecksumInMiddleIsReportedExactly) {
  const auto offsets = write(three());
  flip(offsets[2] - 1);  // last byte of entry 1's batch
  const ReadBack back = read();
  ASSERT_EQ(back.reports.size(), 1u);
  expect_report(back.reports[0], offsets[1], offsets[2], "checksum mismatch");
  EXPECT_EQ(back.entries, (std::vector<Entry>{make_entry(0), make_entry(2)}));
  EXPECT_EQ(back.positions[1].value, kBase + offsets[2]);
  EXPECT_EQ(back.valid_end, file_size());
}

TEST_F(buffer_Segment, BadMagicInMiddle) {
  const auto offsets = write(three());
  flip(offsets[1]);
  const ReadBack back = read();
  ASSERT_EQ(back.reports.size(), 1u);
  expect_report(back.reports[0], offsets[1], offsets[2], "bad magic");
  EXPECT_EQ(back.entries.size(), 2u);
}

TEST_F(buffer_Segment, GarbageLengthInMiddle) {
  const auto offsets = write(three());
  const uint32_t length = 0x7fffffff;
  overwrite(offsets[1] + 4, &length, sizeof length);
  const ReadBack back = read();
  ASSERT_EQ(back.reports.size(), 1u);
  expect_report(back.reports[0], offsets[1], offsets[2], "bad length");
  EXPECT_EQ(back.entries, (std::vector<Entry>{make_entry(0), make_entry(2)}));
}

TEST_F(buffer_Segment, LengthPastEndOfSegmentInMiddle) {
  const auto offsets = write(three());
  const uint32_t length = 100000;  // plausible, but beyond the file
  overwrite(offsets[1] + 4, &length, sizeof length);
  const ReadBack back = read();
  ASSERT_EQ(back.reports.size(), 1u);
  expect_report(back.reports[0], offsets[1], offsets[2], "truncated frame");
  EXPECT_EQ(back.entries.size(), 2u);
}

TEST_F(buffer_Segment, ShortenedLengthInMiddle) {
  const auto offsets = write(three());
  uint32_t length = 0;
  std::memcpy(&length, testing::read_file(path_).data() + offsets[1] + 4, sizeof length);
  length -= 3;
  overwrite(offsets[1] + 4, &length, sizeof length);
  const ReadBack back = read();
  ASSERT_EQ(back.reports.size(), 1u);
  expect_report(back.reports[0], offsets[1], offsets[2], "checksum mismatch");
  EXPECT_EQ(back.entries.size(), 2u);
}

TEST_F(buffer_Segment, UnknownTypeWithValidChecksumIsSkippedByLength) {
  write({make_entry(0)});
  const uint64_t odd_frame = file_size();
  // A well-formed frame of a type this version does not know.
  const std::byte typed[] = {std::byte{7}, std::byte{1}, std::byte{2}, std::byte{3}};
  const uint32_t header[] = {format::kMagic, 3, format::mask_crc(crc32c(typed))};
  std::vector<std::byte> frame(sizeof header);
  std::memcpy(frame.data(), header, sizeof header);
  frame.insert(frame.end(), std::begin(typed), std::end(typed));
  append_raw(frame);
  write({make_entry(1)});
  const ReadBack back = read();
  ASSERT_EQ(back.reports.size(), 1u);
  expect_report(back.reports[0], odd_frame, odd_frame + frame.size(), "unknown frame type");
  EXPECT_EQ(back.entries, (std::vector<Entry>{make_entry(0), make_entry(1)}));
}

TEST_F(buffer_Segment, ZeroFilledTailIsEndOfData) {
  write(three());
  const uint64_t size = file_size();
  append_raw(std::vector<std::byte>(4096));
  const ReadBack back = read();
  EXPECT_EQ(back.entries.size(), 3u);
  EXPECT_TRUE(back.reports.empty());
  EXPECT_EQ(back.valid_end, size);
}

TEST_F(buffer_Segment, CorruptLastFrameIsLeftToTheCaller) {
  const auto offsets = write(three());
  flip(offsets[2] + format::kHeaderSize);
  const ReadBack back = read();
  EXPECT_EQ(back.entries.size(), 2u);
  EXPECT_TRUE(back.reports.empty());
  EXPECT_EQ(back.valid_end, offsets[2]);
}

TEST_F(buffer_Segment, ResyncSearchesAcrossReadBlocks) {
  const auto offsets = write({make_entry(0), make_entry(1, 300 * 1024), make_entry(2)});
  flip(offsets[1]);
  const ReadBack back = read();
  ASSERT_EQ(back.reports.size(), 1u);
  expect_report(back.reports[0], offsets[1], offsets[2], "bad magic");
  EXPECT_EQ(back.entries, (std::vector<Entry>{make_entry(0), make_entry(2)}));
}

TEST_F(buffer_Segment, MagicInsidePayloadIsNotAFrame) {
  // Entry 1's batch holds our magic and a plausible header: after entry 1's
  // own header is damaged the search meets it first, and must reject it.
  Entry tricky = make_entry(1, 64);
  const uint32_t fake[] = {format::kMagic, 8, 0x12345678};
  std::memcpy(tricky.batch.data() + 10, fake, sizeof fake);
  const auto offsets = write({make_entry(0), tricky, make_entry(2)});
  flip(offsets[1] + 1);
  const ReadBack back = read();
  ASSERT_EQ(back.reports.size(), 1u);
  expect_report(back.reports[0], offsets[1], offsets[2], "bad magic");
  EXPECT_EQ(back.entries, (std::vector<Entry>{make_entry(0), make_entry(2)}));
}

TEST_F(buffer_Segment, TwoCorruptRegionsAreReportedSeparately) {
  std::vector<Entry> entries;
  for (int i = 0; i < 5; ++i)
    entries.push_back(make_entry(i));
  const auto offsets = write(entries);
  flip(offsets[1] + format::kHeaderSize);
  flip(offsets[3]);
  const ReadBack back = read();
  ASSERT_EQ(back.reports.size(), 2u);
  expect_report(back.reports[0], offsets[1], offsets[2], "checksum mismatch");
  expect_report(back.reports[1], offsets[3], offsets[4], "bad magic");
  EXPECT_EQ(back.entries, (std::vector<Entry>{entries[0], entries[2], entries[4]}));
}

TEST_F(buffer_Segment, AdjacentCorruptFramesAreOneRange) {
  const auto offsets = write({make_entry(0), make_entry(1), make_entry(2), make_entry(3)});
  flip(offsets[1] + format::kHeaderSize);
  flip(offsets[2] + format::kHeaderSize);
  const ReadBack back = read();
  ASSERT_EQ(back.reports.size(), 1u);
  expect_report(back.reports[0], offsets[1], offsets[3], "checksum mismatch");
}

TEST(buffer_SegmentName, RoundTripsAndSortsAsNumbers) {
  EXPECT_EQ(segment_name(0), "00000000000000000000.seg");
  EXPECT_EQ(segment_name(67108851), "00000000000067108851.seg");
  EXPECT_EQ(segment_name(UINT64_MAX), "18446744073709551615.seg");
  for (uint64_t base : {uint64_t{0}, uint64_t{41}, uint64_t{1} << 40, UINT64_MAX}) {
    EXPECT_EQ(parse_segment_name(segment_name(base)), base);
  }
  EXPECT_LT(segment_name(999), segment_name(1000));
}

TEST(buffer_SegmentName, RejectsOtherFiles) {
  for (const char* name : {"checkpoint", "checkpoint.tmp", "0.seg", "00000000000000000000.tmp",
                           "0000000000000000000x.seg", "-0000000000000000001.seg",
                           "99999999999999999999.seg", "000000000000000000000.seg"}) {
    EXPECT_EQ(parse_segment_name(name), std::nullopt) << name;
  }
}

}  // namespace
}  // namespace ks::buffer
