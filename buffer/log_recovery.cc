// Log::open's recovery (FORMAT.md "Recovery rules"): nothing but the data
// is trusted, every segment is scanned, and corruption is reported and
// skipped, never a reason to refuse to start.
#include <algorithm>
#include <limits>

#include "buffer/errc.h"
#include "buffer/log.h"
#include "buffer/log_segment.h"
#include "buffer/segment_name.h"
#include "buffer/segment_reader.h"
#include "common/log.h"

namespace ks::buffer {
namespace {

// Counts and logs what recovery finds, then passes it on.
class RecoveryReporter final : public Reporter {
 public:
  RecoveryReporter(const std::string& dir, RecoveryInfo* info, Reporter* next)
      : dir_(dir), info_(info), next_(next) {}

  void corruption(Range dropped, std::string_view reason) override {
    ++info_->corrupt_ranges;
    info_->corrupt_bytes += dropped.size();
    ks::log::error("buffer.corruption", "dir={} begin={} end={} bytes={} reason={}",
                   ks::log::quote(dir_), dropped.begin.value, dropped.end.value, dropped.size(),
                   ks::log::quote(reason));
    if (next_ != nullptr) next_->corruption(dropped, reason);
  }

 private:
  const std::string& dir_;
  RecoveryInfo* info_;
  Reporter* next_;
};

}  // namespace

std::error_code Log::recover() {
  Env& env = *options_.env;
  if (!options_.read_only) {
    if (const auto ec = env.create_dir(dir_)) return ec;
  }
  std::vector<std::string> names;
  if (const auto ec = env.list(dir_, &names)) return ec;
  std::vector<uint64_t> bases;
  for (const auto& name : names) {
    if (const auto base = parse_segment_name(name)) bases.push_back(*base);
  }
  std::sort(bases.begin(), bases.end());

  RecoveryReporter reporter(dir_, &recovery_, options_.reporter);
  for (size_t i = 0; i < bases.size(); ++i) {
    const bool last = i + 1 == bases.size();
    const uint64_t next_base = last ? std::numeric_limits<uint64_t>::max() : bases[i + 1];
    std::error_code ec;
    auto segment = recover_segment(bases[i], next_base, last, &reporter, &ec);
    if (ec) return ec;
    if (segment != nullptr) segments_.push_back(std::move(segment));
  }
  if (segments_.empty() && options_.read_only) return errc::not_found;
  if (segments_.empty()) {
    // A new log: its first segment anchors position 0.
    auto segment = std::make_shared<Segment>();
    segment->path = dir_ + "/" + segment_name(0);
    std::unique_ptr<File> file;
    if (const auto ec = env.open(segment->path, OpenMode::create, &file)) return ec;
    if (const auto ec = env.sync_dir(dir_)) return ec;
    segment->file = std::move(file);
    segments_.push_back(std::move(segment));
  }

  tail_ = segments_.back();
  if (!options_.read_only) writer_ = std::make_unique<SegmentWriter>(tail_->file, tail_->size);
  for (const auto& segment : segments_) {
    bytes_ += segment->size;
    records_ += segment->records;
  }
  recovery_.segments = segments_.size();
  recovery_.records = records_;
  ks::log::info("buffer.opened",
                "dir={} segments={} records={} bytes={} begin={} end={} corrupt_ranges={} "
                "torn_tail_bytes={}",
                ks::log::quote(dir_), segments_.size(), records_, bytes_, segments_.front()->base,
                tail_->base + tail_->size, recovery_.corrupt_ranges, recovery_.torn_tail.size());
  return {};
}

Log::SegmentPtr Log::recover_segment(uint64_t base, uint64_t next_base, bool last,
                                     Reporter* reporter, std::error_code* ec) {
  auto segment = std::make_shared<Segment>();
  segment->base = base;
  segment->path = dir_ + "/" + segment_name(base);
  std::unique_ptr<File> opened;
  const bool writable = last && !options_.read_only;
  *ec =
      options_.env->open(segment->path, writable ? OpenMode::read_write : OpenMode::read, &opened);
  if (*ec == std::errc::no_such_file_or_directory && options_.read_only) {
    // Released by the log's writer since the listing: releases go oldest
    // first, so the log merely begins later.
    ec->clear();
    return nullptr;
  }
  if (*ec) return nullptr;
  std::shared_ptr<File> file = std::move(opened);
  uint64_t file_size = 0;
  if ((*ec = file->size(&file_size))) return nullptr;
  // Positions must not repeat: a segment reaching into the next one's is
  // cut at the next one's base.
  const uint64_t limit = std::min(file_size, next_base - base);

  SegmentReader reader(file, base, limit, reporter);
  Position position;
  EntryView entry;
  while (reader.next(&position, &entry))
    ++segment->records;
  if ((*ec = reader.status())) return nullptr;

  uint64_t size = limit;
  if (reader.valid_end() < limit) {
    const Range tail{Position{base + reader.valid_end()}, Position{base + limit}};
    if (last && options_.read_only) {
      // Maybe a frame a live writer is still writing: leave it alone.
      recovery_.torn_tail = tail;
      size = reader.valid_end();
      ks::log::info("buffer.incomplete_tail", "dir={} begin={} end={} bytes={}", dir_,
                    tail.begin.value, tail.end.value, tail.size());
    } else if (last) {
      // A write torn by a crash, or preallocated zeros: cut it off so that
      // appends continue right after the last good frame.
      if ((*ec = file->truncate(reader.valid_end())) || (*ec = file->sync())) return nullptr;
      recovery_.torn_tail = tail;
      size = reader.valid_end();
      ks::log::warn("buffer.torn_tail", "dir={} begin={} end={} bytes={}", ks::log::quote(dir_),
                    tail.begin.value, tail.end.value, tail.size());
    } else {
      reporter->corruption(tail, kInvalidSegmentEnd);
    }
  }
  if (limit < file_size) {
    reporter->corruption(Range{Position{next_base}, Position{base + file_size}},
                         kOverlappingSegment);
  }
  if (!last && base + limit < next_base) {
    reporter->corruption(Range{Position{base + limit}, Position{next_base}}, kMissingSegment);
  }
  segment->file = std::move(file);
  segment->size = size;
  return segment;
}

}  // namespace ks::buffer
