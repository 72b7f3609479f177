// Log: segments, recovery, reads, scans and releases; one named test per
// failure mode.
#include "buffer/log.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <map>
#include <thread>

#include "buffer/checkpoint.h"
#include "buffer/errc.h"
#include "buffer/format.h"
#include "buffer/frame.h"
#include "buffer/segment_name.h"
#include "fault_env.h"
#include "test_util.h"

namespace ks::buffer {
namespace {

using testing::make_entry;

struct Scanned {
  std::vector<Position> positions;
  std::vector<Entry> entries;
};

class buffer_Log : public ::testing::Test {
 protected:
  std::unique_ptr<Log> open(uint64_t segment_bytes = 1 << 20, Env* env = nullptr) {
    LogOptions options;
    options.segment_bytes = segment_bytes;
    options.reporter = &reporter_;
    if (env != nullptr) options.env = env;
    std::unique_ptr<Log> log;
    EXPECT_FALSE(Log::open(path_, options, &log));
    return log;
  }

  static std::vector<Position> append(Log& log, const std::vector<Entry>& entries) {
    std::vector<Position> positions;
    EXPECT_FALSE(log.append(entries, &positions));
    EXPECT_EQ(positions.size(), entries.size());
    return positions;
  }

  static Scanned scan(const Log& log, Position from = {}, Reporter* reporter = nullptr) {
    Scanned out;
    LogScanner scanner = log.scan(from, reporter);
    while (scanner.next()) {
      out.positions.push_back(scanner.position());
      out.entries.push_back(scanner.entry().to_entry());
    }
    EXPECT_FALSE(scanner.status());
    return out;
  }

  static std::vector<Entry> entries(int first, int count, size_t batch_size = 20) {
    std::vector<Entry> out;
    for (int i = first; i < first + count; ++i)
      out.push_back(make_entry(i, batch_size));
    return out;
  }

  std::vector<uint64_t> segment_bases() const {
    std::vector<uint64_t> bases;
    for (const auto& file : std::filesystem::directory_iterator(path_)) {
      if (const auto base = parse_segment_name(file.path().filename().string())) {
        bases.push_back(*base);
      }
    }
    std::sort(bases.begin(), bases.end());
    return bases;
  }

  std::string segment_path(uint64_t base) const { return path_ + "/" + segment_name(base); }

  void flip(uint64_t base, uint64_t offset) {
    auto bytes = testing::read_file(segment_path(base));
    bytes.at(offset) ^= std::byte{0x40};
    testing::write_file(segment_path(base), bytes);
  }

  std::error_code open_read_only(std::unique_ptr<Log>* log, Env* env = nullptr) {
    LogOptions options;
    options.read_only = true;
    options.reporter = &reporter_;
    if (env != nullptr) options.env = env;
    return Log::open(path_, options, log);
  }

  testing::TempDir dir_{testing::memory_dir_base()};
  std::string path_ = dir_.file("log");
  testing::RecordingReporter reporter_;
};

TEST_F(buffer_Log, NewLogStartsAtZeroWithOneSegment) {
  auto log = open();
  EXPECT_EQ(log->begin(), Position{0});
  EXPECT_EQ(log->end(), Position{0});
  EXPECT_EQ(segment_bases(), std::vector<uint64_t>{0});
  const LogStats stats = log->stats();
  EXPECT_EQ(stats.bytes, 0u);
  EXPECT_EQ(stats.records, 0u);
  EXPECT_EQ(stats.segments, 1u);
}

TEST_F(buffer_Log, RoundTrip) {
  auto log = open();
  std::vector<Entry> all;
  std::vector<Position> positions;
  for (int call = 0; call < 3; ++call) {
    const auto batch = entries(call * 4, 4);
    const auto written = append(*log, batch);
    all.insert(all.end(), batch.begin(), batch.end());
    positions.insert(positions.end(), written.begin(), written.end());
  }
  uint64_t expected = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(positions[i].value, expected);
    expected += frame_size(all[i]);
    Entry read;
    ASSERT_FALSE(log->read(positions[i], &read));
    EXPECT_EQ(read, all[i]);
  }
  EXPECT_EQ(log->end().value, expected);
  const Scanned scanned = scan(*log);
  EXPECT_EQ(scanned.entries, all);
  EXPECT_EQ(scanned.positions, positions);
  EXPECT_EQ(log->stats().records, all.size());
  EXPECT_EQ(log->size_bytes(), expected);
}

TEST_F(buffer_Log, AppendOfNothingWritesNothing) {
  auto log = open();
  EXPECT_TRUE(append(*log, {}).empty());
  EXPECT_EQ(log->end(), Position{0});
}

TEST_F(buffer_Log, ThousandsOfSegments) {
  // One descriptor stays open per segment; make room for them.
  rlimit limit{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
  if (limit.rlim_cur < 4096) {
    limit.rlim_cur = std::min<rlim_t>(4096, limit.rlim_max);
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  if (limit.rlim_cur < 4096) GTEST_SKIP() << "needs 4096 file descriptors";

  constexpr int kEntries = 3000;
  const uint64_t frame = frame_size(make_entry(0, 50));
  auto log = open(frame + frame / 2);  // one entry per segment
  std::vector<Position> positions;
  for (int first = 0; first < kEntries; first += 100) {
    const auto written = append(*log, entries(first, 100, 50));
    positions.insert(positions.end(), written.begin(), written.end());
  }
  std::vector<uint64_t> expected_bases;
  for (int i = 0; i < kEntries; ++i) {
    EXPECT_EQ(positions[i].value, i * frame);
    expected_bases.push_back(positions[i].value);
  }
  EXPECT_EQ(segment_bases(), expected_bases);
  EXPECT_EQ(log->stats().segments, static_cast<uint64_t>(kEntries));

  log.reset();
  log = open(frame + frame / 2);
  EXPECT_EQ(log->recovery().segments, static_cast<uint64_t>(kEntries));
  EXPECT_EQ(log->recovery().records, static_cast<uint64_t>(kEntries));
  for (int i : {0, 1, 1234, 2345, kEntries - 1}) {
    Entry read;
    ASSERT_FALSE(log->read(positions[i], &read));
    EXPECT_EQ(read, make_entry(i, 50));
  }
  EXPECT_EQ(scan(*log, positions[2900]).entries, entries(2900, kEntries - 2900, 50));
}

TEST_F(buffer_Log, FrameLargerThanSegmentGetsASegmentOfItsOwn) {
  auto log = open(1000);
  const auto positions = append(*log, {make_entry(0), make_entry(1, 5000), make_entry(2)});
  EXPECT_EQ(segment_bases(), (std::vector<uint64_t>{0, positions[1].value, positions[2].value}));
  EXPECT_EQ(std::filesystem::file_size(segment_path(positions[1].value)),
            frame_size(make_entry(1, 5000)));
  EXPECT_EQ(scan(*log).entries,
            (std::vector<Entry>{make_entry(0), make_entry(1, 5000), make_entry(2)}));
}

TEST_F(buffer_Log, SegmentsFillUpToSegmentBytes) {
  const uint64_t frame = frame_size(make_entry(0));
  auto log = open(3 * frame);
  const auto positions = append(*log, entries(0, 7));
  EXPECT_EQ(segment_bases(), (std::vector<uint64_t>{0, positions[3].value, positions[6].value}));
}

TEST_F(buffer_Log, ReopenContinuesAtTheEnd) {
  auto log = open(500);
  const auto first = append(*log, entries(0, 10));
  const Position end = log->end();
  log.reset();

  log = open(500);
  EXPECT_EQ(log->end(), end);
  EXPECT_EQ(log->recovery().records, 10u);
  EXPECT_TRUE(log->recovery().torn_tail.size() == 0);
  const auto second = append(*log, entries(10, 5));
  EXPECT_EQ(second[0], end);
  EXPECT_EQ(scan(*log).entries, entries(0, 15));
  EXPECT_TRUE(reporter_.reports().empty());
}

TEST_F(buffer_Log, TornTailAtEveryByteOffset) {
  // Writes three entries, cuts the last one at each of its byte offsets
  // (a write torn by a crash) and checks the log recovers to the first two.
  const uint64_t last_start = frame_size(make_entry(0)) + frame_size(make_entry(1));
  const uint64_t last_end = last_start + frame_size(make_entry(2));
  for (uint64_t cut = last_start; cut < last_end; ++cut) {
    SCOPED_TRACE(cut);
    std::filesystem::remove_all(path_);
    {
      auto log = open();
      append(*log, entries(0, 3));
    }
    std::filesystem::resize_file(segment_path(0), cut);

    auto log = open();
    EXPECT_EQ(log->end().value, last_start);
    EXPECT_EQ(log->recovery().torn_tail.size(), cut - last_start);
    if (cut > last_start) {
      EXPECT_EQ(log->recovery().torn_tail, (Range{Position{last_start}, Position{cut}}));
    }
    EXPECT_EQ(std::filesystem::file_size(segment_path(0)), last_start);
    EXPECT_EQ(scan(*log).entries, entries(0, 2));
    EXPECT_EQ(append(*log, {make_entry(9)})[0].value, last_start);
    log.reset();

    log = open();
    EXPECT_EQ(scan(*log).entries,
              (std::vector<Entry>{make_entry(0), make_entry(1), make_entry(9)}));
    EXPECT_TRUE(reporter_.reports().empty());
  }
}

TEST_F(buffer_Log, BadChecksumInMiddleIsReportedAndSkipped) {
  std::vector<Position> positions;
  Position end;
  {
    auto log = open();
    positions = append(*log, entries(0, 3));
    end = log->end();
  }
  flip(0, positions[1].value + format::kHeaderSize + 3);

  auto log = open();
  const auto reports = reporter_.reports();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].range, (Range{positions[1], positions[2]}));
  EXPECT_EQ(reports[0].reason, "checksum mismatch");
  EXPECT_EQ(log->recovery().corrupt_ranges, 1u);
  EXPECT_EQ(log->recovery().corrupt_bytes, positions[2].value - positions[1].value);
  EXPECT_EQ(log->recovery().records, 2u);
  EXPECT_EQ(log->end(), end);  // not truncated: a valid frame follows

  const Scanned scanned = scan(*log);
  EXPECT_EQ(scanned.entries, (std::vector<Entry>{make_entry(0), make_entry(2)}));
  EXPECT_EQ(scanned.positions, (std::vector<Position>{positions[0], positions[2]}));
  Entry read;
  EXPECT_EQ(log->read(positions[1], &read), errc::corruption);
  EXPECT_EQ(append(*log, {make_entry(3)})[0], end);
}

TEST_F(buffer_Log, GarbageLengthInMiddleIsReportedAndSkipped) {
  std::vector<Position> positions;
  {
    auto log = open();
    positions = append(*log, entries(0, 3));
  }
  auto bytes = testing::read_file(segment_path(0));
  const uint32_t length = 0xfffffff0;
  std::memcpy(bytes.data() + positions[1].value + 4, &length, sizeof length);
  testing::write_file(segment_path(0), bytes);

  auto log = open();
  const auto reports = reporter_.reports();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].range, (Range{positions[1], positions[2]}));
  EXPECT_EQ(reports[0].reason, "bad length");
  EXPECT_EQ(scan(*log).entries, (std::vector<Entry>{make_entry(0), make_entry(2)}));
}

TEST_F(buffer_Log, ZeroFilledTailIsTruncated) {
  Position end;
  {
    auto log = open();
    append(*log, entries(0, 3));
    end = log->end();
  }
  auto bytes = testing::read_file(segment_path(0));
  bytes.resize(bytes.size() + 8192);  // what preallocation leaves
  testing::write_file(segment_path(0), bytes);

  auto log = open();
  EXPECT_TRUE(reporter_.reports().empty());
  EXPECT_EQ(log->recovery().torn_tail, (Range{end, Position{end.value + 8192}}));
  EXPECT_EQ(log->end(), end);
  EXPECT_EQ(std::filesystem::file_size(segment_path(0)), end.value);
  EXPECT_EQ(append(*log, {make_entry(3)})[0], end);
}

TEST_F(buffer_Log, CorruptEndOfSealedSegmentIsReportedNotTruncated) {
  const uint64_t frame = frame_size(make_entry(0));
  std::vector<Position> positions;
  {
    auto log = open(2 * frame);
    positions = append(*log, entries(0, 4));  // segments [0, 1] [2, 3]
  }
  flip(0, positions[1].value + format::kHeaderSize);
  const uint64_t sealed_size = std::filesystem::file_size(segment_path(0));

  auto log = open(2 * frame);
  const auto reports = reporter_.reports();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].range, (Range{positions[1], positions[2]}));
  EXPECT_EQ(reports[0].reason, kInvalidSegmentEnd);
  EXPECT_EQ(std::filesystem::file_size(segment_path(0)), sealed_size);
  EXPECT_EQ(log->recovery().torn_tail.size(), 0u);

  testing::RecordingReporter scan_reporter;
  EXPECT_EQ(scan(*log, {}, &scan_reporter).entries,
            (std::vector<Entry>{make_entry(0), make_entry(2), make_entry(3)}));
  ASSERT_EQ(scan_reporter.reports().size(), 1u);
  EXPECT_EQ(scan_reporter.reports()[0].range, (Range{positions[1], positions[2]}));
}

TEST_F(buffer_Log, MissingMiddleSegmentIsReported) {
  const uint64_t frame = frame_size(make_entry(0));
  std::vector<Position> positions;
  {
    auto log = open(2 * frame);
    positions = append(*log, entries(0, 6));  // segments at entries 0, 2, 4
  }
  std::filesystem::remove(segment_path(positions[2].value));

  auto log = open(2 * frame);
  const auto reports = reporter_.reports();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].range, (Range{positions[2], positions[4]}));
  EXPECT_EQ(reports[0].reason, kMissingSegment);

  testing::RecordingReporter scan_reporter;
  EXPECT_EQ(scan(*log, {}, &scan_reporter).entries,
            (std::vector<Entry>{make_entry(0), make_entry(1), make_entry(4), make_entry(5)}));
  ASSERT_EQ(scan_reporter.reports().size(), 1u);
  EXPECT_EQ(scan_reporter.reports()[0].range, (Range{positions[2], positions[4]}));
  Entry read;
  EXPECT_EQ(log->read(positions[3], &read), errc::corruption);
}

TEST_F(buffer_Log, MissingOldestSegmentsAreNotCorruption) {
  // What a crash in the middle of release() leaves.
  const uint64_t frame = frame_size(make_entry(0));
  std::vector<Position> positions;
  {
    auto log = open(2 * frame);
    positions = append(*log, entries(0, 6));
  }
  std::filesystem::remove(segment_path(0));

  auto log = open(2 * frame);
  EXPECT_TRUE(reporter_.reports().empty());
  EXPECT_EQ(log->begin(), positions[2]);
  EXPECT_EQ(scan(*log).entries, entries(2, 4));
}

TEST_F(buffer_Log, OverlappingSegmentIsCut) {
  std::vector<Position> positions;
  {
    auto log = open();
    positions = append(*log, entries(0, 3));
  }
  // A second file claims positions from entry 2 on, which the first holds too.
  auto bytes = testing::read_file(segment_path(0));
  const uint64_t end = bytes.size();
  bytes.erase(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(positions[2].value));
  testing::write_file(segment_path(positions[2].value), bytes);

  auto log = open();
  const auto reports = reporter_.reports();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].range, (Range{positions[2], Position{end}}));
  EXPECT_EQ(reports[0].reason, kOverlappingSegment);
  const Scanned scanned = scan(*log);
  EXPECT_EQ(scanned.entries, entries(0, 3));
  EXPECT_EQ(scanned.positions, positions);
}

TEST_F(buffer_Log, ReadOutsideTheLogOrBetweenFrames) {
  const uint64_t frame = frame_size(make_entry(0));
  auto log = open(2 * frame);
  const auto positions = append(*log, entries(0, 4));
  Entry read;
  EXPECT_EQ(log->read(log->end(), &read), errc::position_beyond_end);
  EXPECT_EQ(log->read(Position{positions[1].value + 1}, &read), errc::corruption);
  ASSERT_FALSE(log->release(positions[2]));
  EXPECT_EQ(log->read(positions[0], &read), errc::position_released);
  EXPECT_FALSE(log->read(positions[2], &read));
}

TEST_F(buffer_Log, ReleaseDeletesOnlyFullyForwardedSegments) {
  const uint64_t frame = frame_size(make_entry(0));
  auto log = open(2 * frame);
  const auto positions = append(*log, entries(0, 10));  // 5 segments of 2
  ASSERT_EQ(segment_bases().size(), 5u);

  ASSERT_FALSE(log->release(positions[3]));  // inside the second segment
  EXPECT_EQ(segment_bases().front(), positions[2].value);
  EXPECT_EQ(log->begin(), positions[2]);
  EXPECT_EQ(log->stats().records, 8u);
  EXPECT_EQ(log->size_bytes(), 8 * frame);

  ASSERT_FALSE(log->release(positions[4]));  // exactly its end
  EXPECT_EQ(segment_bases().front(), positions[4].value);
  EXPECT_EQ(scan(*log).entries, entries(4, 6));
}

TEST_F(buffer_Log, ReleaseIsIdempotent) {
  const uint64_t frame = frame_size(make_entry(0));
  auto log = open(2 * frame);
  const auto positions = append(*log, entries(0, 6));
  ASSERT_FALSE(log->release(positions[4]));
  const auto after = segment_bases();
  EXPECT_FALSE(log->release(positions[4]));
  EXPECT_FALSE(log->release(positions[1]));
  EXPECT_FALSE(log->release(Position{0}));
  EXPECT_EQ(segment_bases(), after);
  EXPECT_EQ(log->stats().records, 2u);
}

TEST_F(buffer_Log, ReleaseKeepsTheLastSegmentSoPositionsNeverRepeat) {
  const uint64_t frame = frame_size(make_entry(0));
  Position end;
  {
    auto log = open(2 * frame);
    append(*log, entries(0, 5));
    end = log->end();
    ASSERT_FALSE(log->release(Position{UINT64_MAX}));
    EXPECT_EQ(segment_bases().size(), 1u);
    EXPECT_EQ(log->stats().records, 1u);
  }
  auto log = open(2 * frame);
  EXPECT_EQ(log->end(), end);
  EXPECT_EQ(append(*log, {make_entry(5)})[0], end);
}

TEST_F(buffer_Log, ReleaseSurvivesCrashBetweenUnlinkAndCheckpoint) {
  // The forwarder releases, then "crashes" before saving the checkpoint that
  // says so: the log begins later than the checkpoint, which is harmless.
  const uint64_t frame = frame_size(make_entry(0));
  const std::string checkpoint_path = dir_.file("checkpoint");
  std::vector<Position> positions;
  {
    auto log = open(2 * frame);
    positions = append(*log, entries(0, 6));
    ASSERT_FALSE(save_checkpoint(checkpoint_path, Checkpoint{positions[1].value, 7, 0, {}}));
    ASSERT_FALSE(log->release(positions[4]));
  }
  auto log = open(2 * frame);
  Checkpoint checkpoint;
  ASSERT_FALSE(load_checkpoint(checkpoint_path, &checkpoint));
  EXPECT_LT(checkpoint.low_watermark, log->begin().value);
  EXPECT_FALSE(log->release(Position{checkpoint.low_watermark}));
  const Position from = std::max(Position{checkpoint.low_watermark}, log->begin());
  EXPECT_EQ(scan(*log, from).entries, entries(4, 2));
  EXPECT_FALSE(log->release(positions[4]));
  EXPECT_TRUE(reporter_.reports().empty());
}

TEST_F(buffer_Log, ReleaseToleratesAlreadyDeletedFiles) {
  const uint64_t frame = frame_size(make_entry(0));
  auto log = open(2 * frame);
  const auto positions = append(*log, entries(0, 6));
  std::filesystem::remove(segment_path(0));
  EXPECT_FALSE(log->release(positions[4]));
  EXPECT_EQ(segment_bases(), std::vector<uint64_t>{positions[4].value});
  EXPECT_EQ(log->begin(), positions[4]);
}

TEST_F(buffer_Log, FailedRemovalKeepsTheSegments) {
  const uint64_t frame = frame_size(make_entry(0));
  testing::FaultEnv env;
  auto log = open(2 * frame, &env);
  const auto positions = append(*log, entries(0, 6));
  env.fail_removes(std::make_error_code(std::errc::permission_denied));
  EXPECT_EQ(log->release(positions[4]), std::errc::permission_denied);
  EXPECT_EQ(log->begin(), Position{0});
  EXPECT_EQ(segment_bases().size(), 3u);
  EXPECT_EQ(log->stats().records, 6u);
  env.fail_removes({});
  EXPECT_FALSE(log->release(positions[4]));
  EXPECT_EQ(log->begin(), positions[4]);
}

TEST_F(buffer_Log, ScanFromInsideTheLog) {
  const uint64_t frame = frame_size(make_entry(0));
  auto log = open(2 * frame);
  const auto positions = append(*log, entries(0, 6));
  EXPECT_EQ(scan(*log, positions[3]).entries, entries(3, 3));
  EXPECT_EQ(scan(*log, Position{positions[3].value + 1}).entries, entries(4, 2));
  EXPECT_TRUE(scan(*log, log->end()).entries.empty());
  ASSERT_FALSE(log->release(positions[2]));
  EXPECT_EQ(scan(*log, Position{0}).entries, entries(2, 4));
}

TEST_F(buffer_Log, ScanKeepsReadingSegmentsReleasedUnderIt) {
  const uint64_t frame = frame_size(make_entry(0));
  auto log = open(2 * frame);
  append(*log, entries(0, 6));
  LogScanner scanner = log->scan(Position{0});
  ASSERT_TRUE(scanner.next());
  ASSERT_FALSE(log->release(log->end()));
  int count = 1;
  while (scanner.next()) {
    EXPECT_EQ(scanner.entry().to_entry(), make_entry(count));
    ++count;
  }
  EXPECT_FALSE(scanner.status());
  EXPECT_EQ(count, 6);
}

TEST_F(buffer_Log, ReadsRaceWithAppendsAndReleases) {
  const uint64_t frame = frame_size(make_entry(0));
  auto log = open(4 * frame);
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::thread reader([&] {
    while (!done) {
      const Position begin = log->begin();
      const Position end = log->end();
      for (uint64_t p = begin.value; p < end.value; p += frame) {
        Entry entry;
        const auto ec = log->read(Position{p}, &entry);
        if (ec && ec != errc::position_released) ++failures;
        if (!ec && entry != make_entry(static_cast<int>(p / frame))) ++failures;
      }
    }
  });
  for (int i = 0; i < 200; i += 4) {
    append(*log, entries(i, 4));
    ASSERT_FALSE(log->release(Position{log->end().value - 8 * frame}));
  }
  done = true;
  reader.join();
  EXPECT_EQ(failures, 0);
}

TEST_F(buffer_Log, DropOldestSegmentReportsWhatWasLost) {
  const uint64_t frame = frame_size(make_entry(0));
  auto log = open(2 * frame);
  const auto positions = append(*log, entries(0, 5));  // [0 1] [2 3] [4]
  Dropped dropped;
  ASSERT_FALSE(log->drop_oldest_segment(&dropped));
  EXPECT_EQ(dropped.range, (Range{positions[0], positions[2]}));
  EXPECT_EQ(dropped.records, 2u);
  EXPECT_EQ(log->begin(), positions[2]);
  EXPECT_FALSE(std::filesystem::exists(segment_path(0)));
  ASSERT_FALSE(log->drop_oldest_segment(&dropped));
  EXPECT_EQ(dropped.range, (Range{positions[2], positions[4]}));
  EXPECT_EQ(log->drop_oldest_segment(&dropped), errc::nothing_to_drop);
  EXPECT_EQ(scan(*log).entries, entries(4, 1));
}

TEST_F(buffer_Log, FailedSyncIsSticky) {
  testing::FaultEnv env;
  auto log = open(1 << 20, &env);
  append(*log, entries(0, 2));
  env.fail_syncs(std::make_error_code(std::errc::io_error));
  EXPECT_EQ(log->sync(), std::errc::io_error);
  env.fail_syncs({});
  EXPECT_EQ(log->sync(), std::errc::io_error);
  std::vector<Position> positions;
  EXPECT_EQ(log->append(entries(2, 1), &positions), std::errc::io_error);
  Entry read;
  EXPECT_FALSE(log->read(Position{0}, &read));  // what is there stays readable
}

TEST_F(buffer_Log, FailedWriteIsSticky) {
  testing::FaultEnv env;
  auto log = open(1 << 20, &env);
  append(*log, entries(0, 2));
  env.fail_writes(std::make_error_code(std::errc::io_error));
  std::vector<Position> positions;
  EXPECT_EQ(log->append(entries(2, 1), &positions), std::errc::io_error);
  env.fail_writes({});
  EXPECT_EQ(log->append(entries(2, 1), &positions), std::errc::io_error);
  EXPECT_EQ(log->sync(), std::errc::io_error);
  EXPECT_EQ(scan(*log).entries, entries(0, 2));
}

// The log is exactly as before a no-space append: the same files with the
// same bytes, and the same totals.
struct Snapshot {
  std::map<std::string, std::vector<std::byte>> files;
  uint64_t bytes = 0;
  uint64_t records = 0;
  uint64_t segments = 0;
  uint64_t end = 0;
  bool operator==(const Snapshot&) const = default;
};

Snapshot snapshot(const Log& log, const std::string& dir) {
  Snapshot out;
  for (const auto& file : std::filesystem::directory_iterator(dir))
    out.files[file.path().filename().string()] = testing::read_file(file.path().string());
  const LogStats stats = log.stats();
  out.bytes = stats.bytes;
  out.records = stats.records;
  out.segments = stats.segments;
  out.end = stats.end.value;
  return out;
}

std::error_code no_space() {
  return std::make_error_code(std::errc::no_space_on_device);
}

TEST_F(buffer_Log, NoSpaceUndoesTheAppendAndIsNotSticky) {
  testing::FaultEnv env;
  auto log = open(1 << 20, &env);
  const auto before_positions = append(*log, entries(0, 2));
  const Snapshot before = snapshot(*log, path_);
  env.fail_writes(no_space());
  std::vector<Position> positions;
  EXPECT_EQ(log->append(entries(2, 3), &positions), errc::no_space);
  EXPECT_EQ(snapshot(*log, path_), before);
  EXPECT_EQ(log->append(entries(2, 3), &positions), errc::no_space);  // still full
  EXPECT_TRUE(log->disk_full());
  EXPECT_FALSE(log->sync());  // not broken
  env.fail_writes({});
  const auto after = append(*log, entries(2, 3));
  EXPECT_FALSE(log->disk_full());
  EXPECT_EQ(after[0].value, before.end);
  EXPECT_EQ(scan(*log).entries, entries(0, 5));
}

TEST_F(buffer_Log, NoSpaceCutsOffAHalfWrittenFrame) {
  testing::FaultEnv env;
  const uint64_t frame = frame_size(make_entry(0));
  {
    auto log = open(1 << 20, &env);
    append(*log, entries(0, 2));
    ASSERT_FALSE(log->sync());
    const Snapshot before = snapshot(*log, path_);
    // The second frame of the run is cut after its header's magic.
    env.fail_writes_after(frame + 4, no_space());
    std::vector<Position> positions;
    EXPECT_EQ(log->append(entries(2, 3), &positions), errc::no_space);
    EXPECT_EQ(snapshot(*log, path_), before);
    env.fail_writes({});
    // Written where the undone run began: no torn frame in the middle.
    EXPECT_EQ(append(*log, entries(5, 1))[0].value, before.end);
    ASSERT_FALSE(log->sync());
  }
  auto log = open(1 << 20);
  EXPECT_EQ(log->recovery().torn_tail.size(), 0u);
  EXPECT_EQ(log->recovery().corrupt_ranges, 0u);
  EXPECT_TRUE(reporter_.reports().empty());
  std::vector<Entry> expected = entries(0, 2);
  expected.push_back(make_entry(5));
  EXPECT_EQ(scan(*log).entries, expected);
}

TEST_F(buffer_Log, NoSpaceRemovesTheSegmentsTheAppendCreated) {
  const uint64_t frame = frame_size(make_entry(0));
  testing::FaultEnv env;
  {
    auto log = open(3 * frame, &env);
    append(*log, entries(0, 2));
    ASSERT_FALSE(log->sync());
    const Snapshot before = snapshot(*log, path_);
    // 1 frame fills the tail, 3 the next segment, the third segment's first
    // frame is cut short.
    env.fail_writes_after(4 * frame + 7, no_space());
    std::vector<Position> positions;
    EXPECT_EQ(log->append(entries(2, 5), &positions), errc::no_space);
    EXPECT_EQ(snapshot(*log, path_), before);
    EXPECT_EQ(segment_bases(), std::vector<uint64_t>{0});
    env.fail_writes({});
    const auto after = append(*log, entries(2, 5));
    EXPECT_EQ(after[0].value, 2 * frame);
    EXPECT_EQ(after[4].value, 6 * frame);
    EXPECT_EQ(segment_bases(), (std::vector<uint64_t>{0, 3 * frame, 6 * frame}));
    ASSERT_FALSE(log->sync());
  }
  auto log = open(3 * frame);
  EXPECT_TRUE(reporter_.reports().empty());
  EXPECT_EQ(log->recovery().torn_tail.size(), 0u);
  EXPECT_EQ(scan(*log).entries, entries(0, 7));
}

TEST_F(buffer_Log, NoSpaceCreatingASegmentUndoesTheRunBeforeIt) {
  const uint64_t frame = frame_size(make_entry(0));
  testing::FaultEnv env;
  auto log = open(3 * frame, &env);
  append(*log, entries(0, 2));
  const Snapshot before = snapshot(*log, path_);
  env.fail_creates(no_space());
  std::vector<Position> positions;
  EXPECT_EQ(log->append(entries(2, 2), &positions), errc::no_space);  // 1 written, then a roll
  EXPECT_EQ(snapshot(*log, path_), before);
  env.fail_creates({});
  EXPECT_EQ(append(*log, entries(2, 2))[1].value, 3 * frame);
  EXPECT_EQ(scan(*log).entries, entries(0, 4));
}

TEST_F(buffer_Log, ARemovalEndsDiskFull) {
  const uint64_t frame = frame_size(make_entry(0));
  testing::FaultEnv env;
  auto log = open(frame, &env);
  const auto positions = append(*log, entries(0, 2));
  env.fail_writes(no_space());
  std::vector<Position> refused;
  EXPECT_EQ(log->append(entries(2, 1), &refused), errc::no_space);
  EXPECT_TRUE(log->disk_full());
  ASSERT_FALSE(log->release(positions[1]));
  EXPECT_FALSE(log->disk_full());
}

TEST_F(buffer_Log, QuotaExceededIsNoSpace) {
  testing::FaultEnv env;
  auto log = open(1 << 20, &env);
  append(*log, entries(0, 1));
  env.fail_writes(std::error_code(EDQUOT, std::system_category()));
  std::vector<Position> positions;
  EXPECT_EQ(log->append(entries(1, 1), &positions), errc::no_space);
  env.fail_writes({});
  EXPECT_EQ(scan(*log).entries, entries(0, 1));
  append(*log, entries(1, 1));
}

TEST_F(buffer_Log, FailedUndoIsSticky) {
  const uint64_t frame = frame_size(make_entry(0));
  testing::FaultEnv env;
  auto log = open(1 << 20, &env);
  append(*log, entries(0, 1));
  env.fail_writes_after(frame / 2, no_space());
  env.fail_truncates(std::make_error_code(std::errc::io_error));
  std::vector<Position> positions;
  EXPECT_EQ(log->append(entries(1, 1), &positions), std::errc::io_error);
  env.fail_writes({});
  env.fail_truncates({});
  EXPECT_EQ(log->append(entries(1, 1), &positions), std::errc::io_error);
  EXPECT_EQ(log->sync(), std::errc::io_error);
}

TEST_F(buffer_Log, FailedRemovalOfACreatedSegmentIsSticky) {
  const uint64_t frame = frame_size(make_entry(0));
  testing::FaultEnv env;
  auto log = open(frame, &env);
  append(*log, entries(0, 1));
  env.fail_writes_after(frame, no_space());  // the second segment's frame fails
  env.fail_removes(std::make_error_code(std::errc::permission_denied));
  std::vector<Position> positions;
  EXPECT_EQ(log->append(entries(1, 3), &positions), std::errc::permission_denied);
  env.fail_writes({});
  env.fail_removes({});
  EXPECT_EQ(log->append(entries(1, 1), &positions), std::errc::permission_denied);
}

// A failed fdatasync may have dropped dirty pages, whatever its errno.
TEST_F(buffer_Log, NoSpaceInSyncIsSticky) {
  testing::FaultEnv env;
  auto log = open(1 << 20, &env);
  append(*log, entries(0, 1));
  env.fail_syncs(no_space());
  EXPECT_EQ(log->sync(), std::errc::no_space_on_device);
  env.fail_syncs({});
  std::vector<Position> positions;
  EXPECT_EQ(log->append(entries(1, 1), &positions), std::errc::no_space_on_device);
  EXPECT_EQ(log->sync(), std::errc::no_space_on_device);
}

TEST_F(buffer_Log, NoSpaceKeepsEverySyncedEntryThroughPowerLoss) {
  const uint64_t frame = frame_size(make_entry(0));
  testing::FaultEnv env;
  {
    auto log = open(3 * frame, &env);
    append(*log, entries(0, 4));
    ASSERT_FALSE(log->sync());
    env.fail_writes_after(3 * frame + 1, no_space());
    std::vector<Position> positions;
    EXPECT_EQ(log->append(entries(4, 4), &positions), errc::no_space);
    env.fail_writes({});
    append(*log, entries(4, 2));
    ASSERT_FALSE(log->sync());
    env.crash();
  }
  auto log = open(3 * frame);
  EXPECT_TRUE(reporter_.reports().empty());
  EXPECT_EQ(scan(*log).entries, entries(0, 6));
  EXPECT_EQ(log->end().value, 6 * frame);
}

TEST_F(buffer_Log, InvalidEntryFailsAloneAndWritesNothing) {
  auto log = open();
  std::vector<Entry> batch = entries(0, 2);
  batch[1].topic.assign(70000, 't');
  std::vector<Position> positions;
  EXPECT_EQ(log->append(batch, &positions), std::errc::invalid_argument);
  EXPECT_EQ(log->end(), Position{0});
  EXPECT_EQ(append(*log, entries(0, 1))[0], Position{0});
}

TEST_F(buffer_Log, SyncedDataSurvivesPowerLoss) {
  // Small segments, so the synced part spans segments created since the
  // previous sync: their directory entries must be durable too.
  const uint64_t frame = frame_size(make_entry(0));
  testing::FaultEnv env;
  {
    auto log = open(3 * frame, &env);
    append(*log, entries(0, 10));
    ASSERT_FALSE(log->sync());
    append(*log, entries(10, 10));  // never synced
    env.crash();
  }
  auto log = open(3 * frame);
  EXPECT_EQ(scan(*log).entries, entries(0, 10));
  EXPECT_TRUE(reporter_.reports().empty());
}

// A release by the log's writer landing between a reader's listing of the
// directory and its opening of the oldest segment.
class RemoveBeforeOpenEnv final : public Env {
 public:
  explicit RemoveBeforeOpenEnv(std::string victim) : victim_(std::move(victim)) {}

  std::error_code open(const std::string& path, OpenMode mode,
                       std::unique_ptr<File>* file) override {
    if (path == victim_) base_.remove(path);
    return base_.open(path, mode, file);
  }
  std::error_code list(const std::string& dir, std::vector<std::string>* names) override {
    return base_.list(dir, names);
  }
  std::error_code remove(const std::string& path) override { return base_.remove(path); }
  std::error_code rename(const std::string& from, const std::string& to) override {
    return base_.rename(from, to);
  }
  std::error_code create_dir(const std::string& dir) override { return base_.create_dir(dir); }
  std::error_code sync_dir(const std::string& dir) override { return base_.sync_dir(dir); }

 private:
  Env& base_ = posix_env();
  std::string victim_;
};

TEST_F(buffer_Log, ReadOnlyOpenLeavesATornTailInPlace) {
  const uint64_t last_start = frame_size(make_entry(0)) + frame_size(make_entry(1));
  const uint64_t cut = last_start + 7;
  {
    auto log = open();
    append(*log, entries(0, 3));
  }
  std::filesystem::resize_file(segment_path(0), cut);

  std::unique_ptr<Log> log;
  ASSERT_FALSE(open_read_only(&log));
  EXPECT_EQ(log->recovery().torn_tail, (Range{Position{last_start}, Position{cut}}));
  EXPECT_EQ(log->end().value, last_start);
  EXPECT_EQ(scan(*log).entries, entries(0, 2));
  EXPECT_TRUE(reporter_.reports().empty());
  EXPECT_EQ(std::filesystem::file_size(segment_path(0)), cut);
}

TEST_F(buffer_Log, ReadOnlyOpenReportsCorruptionAndChangesNothing) {
  std::vector<Position> positions;
  {
    auto log = open();
    positions = append(*log, entries(0, 3));
  }
  flip(0, positions[1].value + format::kHeaderSize + 3);
  const auto before = testing::read_file(segment_path(0));

  std::unique_ptr<Log> log;
  ASSERT_FALSE(open_read_only(&log));
  const auto reports = reporter_.reports();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].range, (Range{positions[1], positions[2]}));
  EXPECT_EQ(scan(*log).entries, (std::vector<Entry>{make_entry(0), make_entry(2)}));
  EXPECT_EQ(testing::read_file(segment_path(0)), before);
}

TEST_F(buffer_Log, ReadOnlyOpenCreatesNothing) {
  std::unique_ptr<Log> log;
  EXPECT_EQ(open_read_only(&log), std::errc::no_such_file_or_directory);
  EXPECT_FALSE(std::filesystem::exists(path_));

  std::filesystem::create_directory(path_);
  EXPECT_EQ(open_read_only(&log), errc::not_found);
  EXPECT_TRUE(std::filesystem::is_empty(path_));
}

TEST_F(buffer_Log, ReadOnlyLogRefusesChanges) {
  const uint64_t frame = frame_size(make_entry(0));
  {
    auto log = open(2 * frame);
    append(*log, entries(0, 6));
  }
  const auto bases = segment_bases();
  std::unique_ptr<Log> log;
  ASSERT_FALSE(open_read_only(&log));
  std::vector<Position> positions;
  EXPECT_EQ(log->append(entries(6, 1), &positions), errc::read_only);
  EXPECT_EQ(log->sync(), errc::read_only);
  EXPECT_EQ(log->release(log->end()), errc::read_only);
  Dropped dropped;
  EXPECT_EQ(log->drop_oldest_segment(&dropped), errc::read_only);
  EXPECT_EQ(segment_bases(), bases);
  EXPECT_EQ(scan(*log).entries, entries(0, 6));
}

TEST_F(buffer_Log, ReadOnlyOpenSkipsASegmentReleasedMeanwhile) {
  const uint64_t frame = frame_size(make_entry(0));
  std::vector<Position> positions;
  {
    auto log = open(2 * frame);
    positions = append(*log, entries(0, 6));
  }
  RemoveBeforeOpenEnv env(segment_path(0));
  std::unique_ptr<Log> log;
  ASSERT_FALSE(open_read_only(&log, &env));
  EXPECT_TRUE(reporter_.reports().empty());
  EXPECT_EQ(log->begin(), positions[2]);
  EXPECT_EQ(scan(*log).entries, entries(2, 4));
}

TEST_F(buffer_Log, ReadOnlyLogReadsBesideItsWriter) {
  auto writer = open();
  append(*writer, entries(0, 3));
  std::unique_ptr<Log> reader;
  ASSERT_FALSE(open_read_only(&reader));
  append(*writer, entries(3, 3));
  // A snapshot: what was there when it opened.
  EXPECT_EQ(scan(*reader).entries, entries(0, 3));
  EXPECT_EQ(scan(*writer).entries, entries(0, 6));
}

TEST_F(buffer_Log, SegmentsListsEachFileWithItsEntries) {
  const uint64_t frame = frame_size(make_entry(0));
  auto log = open(2 * frame);
  const auto positions = append(*log, entries(0, 5));
  const auto segments = log->segments();
  ASSERT_EQ(segments.size(), 3u);
  for (size_t i = 0; i < segments.size(); ++i) {
    EXPECT_EQ(segments[i].base, positions[2 * i].value);
    EXPECT_EQ(segments[i].path, segment_path(positions[2 * i].value));
    EXPECT_EQ(segments[i].entries, i < 2 ? 2u : 1u);
    EXPECT_EQ(segments[i].size, segments[i].entries * frame);
  }
}

}  // namespace
}  // namespace ks::buffer
