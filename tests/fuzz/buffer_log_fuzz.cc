// The buffer's recovery (FORMAT.md "Recovery rules") on arbitrary segment
// files: the input is written as the segments of a log directory, then the
// log is opened as `buffer inspect` opens it (read_only), as the sidecar
// opens it (recovering: truncating the torn tail), and once more after an
// append. Whatever the bytes:
//   * open succeeds (corruption is reported, never a reason to fail);
//   * every entry a scan yields is a frame of the input, byte for byte as
//     encode_frame_prefix writes it (so its CRC holds), and read() at its
//     position gives the same entry;
//   * read_only changes no byte, and finds what recovery finds;
//   * after recovery the log is consistent: a reopen finds no torn tail,
//     the same corrupt ranges and the same entries, and an append lands at
//     the end and reads back.
//
// Input: segment ("~segment~" gap:i16le segment)*, at most kMaxSegments.
// The first segment's base is 0; each next one's is the previous base plus
// its size plus the gap (a negative gap overlaps, a positive one leaves a
// missing range), at least the previous base + 1. An input without the
// marker is one segment file, so a real segment file is a seed as it is.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "buffer/coding.h"
#include "buffer/format.h"
#include "buffer/frame.h"
#include "buffer/log.h"
#include "buffer/segment_name.h"
#include "common/crc32c.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

namespace ks::buffer {
namespace {

constexpr std::string_view kMarker = "~segment~";
constexpr size_t kMaxSegments = 4;

struct SegmentFile {
  uint64_t base = 0;
  std::span<const std::byte> bytes;
};

std::vector<SegmentFile> split(std::span<const std::byte> input) {
  std::vector<SegmentFile> out;
  const auto marker = std::as_bytes(std::span(kMarker));
  uint64_t base = 0;
  while (true) {
    const auto hit = out.size() + 1 < kMaxSegments
                         ? std::search(input.begin(), input.end(), marker.begin(), marker.end())
                         : input.end();
    const auto bytes = input.first(static_cast<size_t>(hit - input.begin()));
    out.push_back({base, bytes});
    if (hit == input.end()) break;
    input = input.subspan(bytes.size() + marker.size());
    int16_t gap = 0;
    if (input.size() >= sizeof gap) {
      std::memcpy(&gap, input.data(), sizeof gap);
      input = input.subspan(sizeof gap);
    } else {
      input = {};
    }
    const int64_t next = static_cast<int64_t>(base + bytes.size()) + gap;
    base = std::max<int64_t>(next, static_cast<int64_t>(base) + 1);
  }
  return out;
}

struct Corruption {
  Range range;
  std::string reason;
  friend bool operator==(const Corruption&, const Corruption&) = default;
};

class Collector final : public Reporter {
 public:
  void corruption(Range dropped, std::string_view reason) override {
    KS_FUZZ_CHECK(dropped.begin < dropped.end);
    found.push_back({dropped, std::string(reason)});
  }
  std::vector<Corruption> found;
};

struct Found {
  std::vector<Position> positions;
  std::vector<Entry> entries;
  std::vector<Corruption> corruption;
  RecoveryInfo recovery;
};

std::vector<Range> ranges(const std::vector<Corruption>& found) {
  std::vector<Range> out;
  for (const Corruption& c : found)
    out.push_back(c.range);
  return out;
}

std::string g_dir;

std::string path_of(uint64_t base) {
  return g_dir + "/" + segment_name(base);
}

// The entry at `position` is the input's frame there, byte for byte.
void check_is_input_frame(const std::vector<SegmentFile>& segments, Position position,
                          const Entry& entry) {
  const auto segment = std::find_if(segments.rbegin(), segments.rend(),
                                    [&](const SegmentFile& s) { return s.base <= position.value; });
  KS_FUZZ_CHECK(segment != segments.rend());
  const uint64_t offset = position.value - segment->base;
  std::vector<std::byte> frame;
  encode_frame_prefix(entry, &frame);
  frame.insert(frame.end(), entry.batch.begin(), entry.batch.end());
  KS_FUZZ_CHECK(offset <= segment->bytes.size() && frame.size() <= segment->bytes.size() - offset);
  KS_FUZZ_CHECK(std::memcmp(segment->bytes.data() + offset, frame.data(), frame.size()) == 0);
}

Found open_and_scan(bool read_only) {
  Collector reporter;
  LogOptions options;
  options.read_only = read_only;
  options.reporter = &reporter;
  std::unique_ptr<Log> log;
  KS_FUZZ_CHECK(!Log::open(g_dir, options, &log));
  Found found;
  found.recovery = log->recovery();
  found.corruption = reporter.found;
  LogScanner scan = log->scan(log->begin());
  while (scan.next()) {
    KS_FUZZ_CHECK(found.positions.empty() || found.positions.back() < scan.position());
    KS_FUZZ_CHECK(scan.position() >= log->begin() && scan.position() < log->end());
    found.positions.push_back(scan.position());
    found.entries.push_back(scan.entry().to_entry());
    Entry read;
    KS_FUZZ_CHECK(!log->read(scan.position(), &read));
    KS_FUZZ_CHECK(read == found.entries.back());
  }
  KS_FUZZ_CHECK(!scan.status());
  KS_FUZZ_CHECK(log->stats().records == found.entries.size());
  return found;
}

// Gives every frame whose length fits the CRC its bytes need (frames are
// found by their magic, left to right).
void fix_frame_crcs(uint8_t* data, size_t size) {
  size_t at = 0;
  while (size >= format::kHeaderSize && at <= size - format::kHeaderSize) {
    const auto* p = reinterpret_cast<std::byte*>(data + at);
    const uint32_t length = get_fixed<uint32_t>(p + 4);
    if (get_fixed<uint32_t>(p) != format::kMagic || length > size - at - format::kHeaderSize) {
      ++at;
      continue;
    }
    const uint32_t crc = crc32c(std::span(p + 12, 1 + length));  // type and payload
    const uint32_t masked = format::mask_crc(crc);
    std::memcpy(data + at + 8, &masked, sizeof masked);
    at += format::kHeaderSize + length;
  }
}

}  // namespace
}  // namespace ks::buffer

// Nearly every mutation breaks a frame's CRC, after which recovery only
// ever meets corruption; half the mutants get their frames' CRCs made
// right, so the checks behind the CRC (type, payload) are reached too.
extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size,
                                          unsigned int seed) {
  size = LLVMFuzzerMutate(data, size, max_size);
  if (seed & 1) ks::buffer::fix_frame_crcs(data, size);
  return size;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ks::fuzz::init();
  // Many opens a second: keep them off the disk where there is a tmpfs.
  std::string root = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  std::string dir = root + "/ks-fuzz-buffer-XXXXXX";
  KS_FUZZ_CHECK(mkdtemp(dir.data()) != nullptr);
  ks::buffer::g_dir = dir;
  std::atexit([] { std::filesystem::remove_all(ks::buffer::g_dir); });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ks::buffer;
  for (const auto& file : std::filesystem::directory_iterator(g_dir))
    std::filesystem::remove(file.path());
  const std::vector<SegmentFile> segments = split(ks::fuzz::as_bytes(data, size));
  for (const SegmentFile& segment : segments)
    ks::fuzz::write_file(path_of(segment.base), segment.bytes);

  // As `buffer inspect` reads it: nothing changes on disk.
  const Found inspected = open_and_scan(true);
  for (size_t i = 0; i < inspected.entries.size(); ++i)
    check_is_input_frame(segments, inspected.positions[i], inspected.entries[i]);
  for (const SegmentFile& segment : segments) {
    const std::vector<std::byte> now = ks::fuzz::read_file(path_of(segment.base));
    KS_FUZZ_CHECK(std::equal(now.begin(), now.end(), segment.bytes.begin(), segment.bytes.end()));
  }

  // As the sidecar starts: the same findings, the torn tail cut off.
  const Found recovered = open_and_scan(false);
  KS_FUZZ_CHECK(recovered.positions == inspected.positions);
  KS_FUZZ_CHECK(recovered.entries == inspected.entries);
  KS_FUZZ_CHECK(recovered.corruption == inspected.corruption);
  KS_FUZZ_CHECK(recovered.recovery.torn_tail == inspected.recovery.torn_tail);
  const SegmentFile& last = segments.back();
  const uint64_t last_size = std::filesystem::file_size(path_of(last.base));
  KS_FUZZ_CHECK(recovered.recovery.torn_tail.size() == 0 ||
                last.base + last_size == recovered.recovery.torn_tail.begin.value);

  // A recovered log stays recovered, and appends continue at its end.
  const Entry appended{1700000000000, "fuzz", 3, 1, std::vector<std::byte>(7, std::byte{0x2a})};
  Position end;
  {
    std::unique_ptr<Log> log;
    KS_FUZZ_CHECK(!Log::open(g_dir, LogOptions{}, &log));
    KS_FUZZ_CHECK(log->recovery().torn_tail.size() == 0);
    end = log->end();
    std::vector<Position> at;
    KS_FUZZ_CHECK(!log->append(std::span(&appended, 1), &at));
    KS_FUZZ_CHECK(!log->sync());
    KS_FUZZ_CHECK(at.size() == 1 && at[0] == end);
  }
  const Found reopened = open_and_scan(false);
  KS_FUZZ_CHECK(reopened.recovery.torn_tail.size() == 0);
  // The same ranges; not always for the same reason: a bad frame whose
  // length ran past the end of the file was "truncated" until the append
  // put bytes there, and is a checksum mismatch now.
  KS_FUZZ_CHECK(ranges(reopened.corruption) == ranges(recovered.corruption));
  KS_FUZZ_CHECK(reopened.entries.size() == recovered.entries.size() + 1);
  KS_FUZZ_CHECK(
      std::equal(recovered.entries.begin(), recovered.entries.end(), reopened.entries.begin()));
  KS_FUZZ_CHECK(reopened.positions.back() == end && reopened.entries.back() == appended);
  return 0;
}
