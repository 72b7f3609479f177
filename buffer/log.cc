#include "buffer/log.h"

#include <algorithm>
#include <utility>

#include "buffer/errc.h"
#include "buffer/format.h"
#include "buffer/frame.h"
#include "buffer/log_segment.h"
#include "buffer/segment_name.h"
#include "common/log.h"

namespace ks::buffer {

Log::Log(std::string dir, const LogOptions& options) : dir_(std::move(dir)), options_(options) {}

Log::~Log() = default;

std::error_code Log::open(const std::string& dir, const LogOptions& options,
                          std::unique_ptr<Log>* log) {
  if (options.segment_bytes == 0 || options.env == nullptr) {
    return std::make_error_code(std::errc::invalid_argument);
  }
  std::unique_ptr<Log> opened(new Log(dir, options));
  if (const auto ec = opened->recover()) return ec;
  *log = std::move(opened);
  return {};
}

std::error_code Log::append(std::span<const Entry> entries, std::vector<Position>* positions) {
  if (options_.read_only) return errc::read_only;
  std::lock_guard write_lock(write_mu_);
  if (broken_) return broken_;
  for (const Entry& entry : entries) {
    if (const auto ec = validate(entry)) return ec;
  }
  positions->clear();
  const Mark mark{tail_, writer_->size(), tail_->records, unsynced_.size(), dir_dirty_};
  size_t first = 0;
  while (first < entries.size()) {
    // The longest run that fits the tail; an empty segment takes any frame.
    const uint64_t size = writer_->size();
    uint64_t run_bytes = 0;
    size_t last = first;
    for (; last < entries.size(); ++last) {
      const uint64_t frame = frame_size(entries[last]);
      if (size + run_bytes > 0 && size + run_bytes + frame > options_.segment_bytes) break;
      run_bytes += frame;
    }
    if (last == first) {
      if (const auto ec = roll()) return write_failed(ec, "create segment", mark);
      continue;
    }
    if (const auto ec = write_run(entries.subspan(first, last - first), positions)) {
      return write_failed(ec, "write", mark);
    }
    first = last;
  }
  short_of_space_ = false;
  if (disk_full_ && freed_ && !entries.empty()) {
    disk_full_ = false;
    ks::log::info("buffer.disk_space_returned", "dir={}", ks::log::quote(dir_));
  }
  return {};
}

std::error_code Log::write_run(std::span<const Entry> run, std::vector<Position>* positions) {
  std::vector<uint64_t> offsets;
  if (const auto ec = writer_->append(run, &offsets)) return ec;
  if (unsynced_.empty() || unsynced_.back() != tail_->file) unsynced_.push_back(tail_->file);
  for (const uint64_t offset : offsets)
    positions->push_back(Position{tail_->base + offset});
  std::lock_guard lock(mu_);
  bytes_ += writer_->size() - tail_->size;
  records_ += run.size();
  tail_->size = writer_->size();
  tail_->records += run.size();
  return {};
}

std::error_code Log::roll() {
  auto segment = std::make_shared<Segment>();
  segment->base = tail_->base + tail_->size;
  segment->path = dir_ + "/" + segment_name(segment->base);
  std::unique_ptr<File> file;
  if (const auto ec = options_.env->open(segment->path, OpenMode::create, &file)) return ec;
  segment->file = std::move(file);
  writer_ = std::make_unique<SegmentWriter>(segment->file, 0);
  tail_ = segment;
  dir_dirty_ = true;
  std::lock_guard lock(mu_);
  segments_.push_back(std::move(segment));
  return {};
}

// A full disk is an ordinary, passing condition: the forwarder frees space
// as it releases segments. Unlike after a failed fsync, the file's state is
// known (what write() returned, plus a prefix we cannot see but can cut
// off), so the append can be undone and the log keeps vouching for its
// contents.
std::error_code Log::write_failed(std::error_code ec, std::string_view op, const Mark& mark) {
  if (!is_no_space(ec)) return fail(ec, op);
  if (const auto undo_ec = undo(mark)) return fail(undo_ec, "undo after no space");
  short_of_space_ = true;
  if (!disk_full_) {
    disk_full_ = true;
    freed_ = false;
    ks::log::warn("buffer.disk_full",
                  "dir={} op={} error={} action=\"refusing appends until space returns\"",
                  ks::log::quote(dir_), ks::log::quote(op), ks::log::quote(ec.message()));
  }
  return errc::no_space;
}

// Back to `mark`: the segments created since are removed, newest first (a
// crash part way leaves a log that merely ends earlier), and the tail is
// truncated to its size then, which also cuts off a frame half-written
// before the error. Until the append returns, the sizes published to
// readers may include frames being undone; no one has their positions.
std::error_code Log::undo(const Mark& mark) {
  std::vector<SegmentPtr> created;
  {
    std::lock_guard lock(mu_);
    while (segments_.back() != mark.tail) {
      created.push_back(segments_.back());
      segments_.pop_back();
      bytes_ -= created.back()->size;
      records_ -= created.back()->records;
    }
    bytes_ -= mark.tail->size - mark.size;
    records_ -= mark.tail->records - mark.records;
    mark.tail->size = mark.size;
    mark.tail->records = mark.records;
  }
  tail_ = mark.tail;
  writer_ = std::make_unique<SegmentWriter>(tail_->file, mark.size);
  unsynced_.resize(mark.unsynced);
  dir_dirty_ = mark.dir_dirty;
  for (const auto& segment : created) {
    if (const auto ec = options_.env->remove(segment->path);
        ec && ec != std::errc::no_such_file_or_directory) {
      return ec;
    }
  }
  return tail_->file->truncate(mark.size);
}

std::error_code Log::sync() {
  if (options_.read_only) return errc::read_only;
  std::lock_guard write_lock(write_mu_);
  if (broken_) return broken_;
  for (const auto& file : unsynced_) {
    if (const auto ec = file->sync()) return fail(ec, "fdatasync");
  }
  unsynced_.clear();
  if (dir_dirty_) {
    if (const auto ec = options_.env->sync_dir(dir_)) return fail(ec, "fsync dir");
    dir_dirty_ = false;
  }
  return {};
}

// After a failed write (other than for space) or sync the state of the file
// is unknown: refuse everything after it, as the lessons of "fsyncgate"
// teach. A failed fsync is sticky even with ENOSPC (a file system may only
// find out at writeback that it has no room for delayed allocations): the
// kernel may have dropped the dirty pages it could not write and marked
// them clean, so a later fsync succeeds without them and nothing written
// since the last good sync may be acknowledged any more. Recovery at the
// next start sorts it out.
std::error_code Log::fail(std::error_code ec, std::string_view op) {
  broken_ = ec;
  ks::log::error("buffer.log_failed",
                 "dir={} op={} error={} action=\"refusing appends until restart\"",
                 ks::log::quote(dir_), ks::log::quote(op), ks::log::quote(ec.message()));
  return ec;
}

std::error_code Log::read(Position position, Entry* entry) const {
  std::shared_ptr<const File> file;
  uint64_t offset = 0;
  uint64_t limit = 0;
  {
    std::lock_guard lock(mu_);
    if (position.value < segments_.front()->base) return errc::position_released;
    const Segment& tail = *segments_.back();
    if (position.value >= tail.base + tail.size) return errc::position_beyond_end;
    const auto it = std::upper_bound(
        segments_.begin(), segments_.end(), position.value,
        [](uint64_t value, const SegmentPtr& segment) { return value < segment->base; });
    const Segment& segment = **std::prev(it);
    offset = position.value - segment.base;
    if (offset >= segment.size) return errc::corruption;  // in a missing segment
    file = segment.file;
    limit = segment.size;
  }

  std::byte header_bytes[format::kHeaderSize];
  size_t n = 0;
  if (limit - offset < format::kHeaderSize) return errc::corruption;
  if (const auto ec = file->read_at(offset, header_bytes, &n)) return ec;
  if (n != sizeof header_bytes) return errc::corruption;
  const FrameHeader header = decode_header(header_bytes);
  if (check_header(header) != FrameCheck::ok ||
      header.length > limit - offset - format::kHeaderSize) {
    return errc::corruption;
  }
  std::vector<std::byte> payload(header.length);
  if (const auto ec = file->read_at(offset + format::kHeaderSize, payload, &n)) return ec;
  if (n != payload.size()) return errc::corruption;
  EntryView view;
  if (check_payload(header, payload, &view) != FrameCheck::ok) return errc::corruption;
  *entry = view.to_entry();
  return {};
}

LogScanner Log::scan(Position from, Reporter* reporter) const {
  std::vector<SegmentSnapshot> snapshot;
  {
    std::lock_guard lock(mu_);
    for (const auto& segment : segments_) {
      if (segment->base + segment->size > from.value) {
        snapshot.push_back(SegmentSnapshot{segment->base, segment->file, segment->size});
      }
    }
  }
  return LogScanner(std::move(snapshot), from, reporter);
}

std::error_code Log::release(Position position) {
  if (options_.read_only) return errc::read_only;
  std::lock_guard remove_lock(remove_mu_);
  std::vector<SegmentPtr> victims;
  {
    std::lock_guard lock(mu_);
    while (segments_.size() > 1 &&
           segments_.front()->base + segments_.front()->size <= position.value) {
      victims.push_back(segments_.front());
      segments_.pop_front();
    }
  }
  return remove_oldest(std::move(victims));
}

std::error_code Log::drop_oldest_segment(Dropped* dropped) {
  if (options_.read_only) return errc::read_only;
  std::lock_guard remove_lock(remove_mu_);
  SegmentPtr victim;
  {
    std::lock_guard lock(mu_);
    if (segments_.size() <= 1) return errc::nothing_to_drop;
    victim = segments_.front();
    segments_.pop_front();
  }
  const Dropped what{Range{Position{victim->base}, Position{victim->base + victim->size}},
                     victim->records};
  if (const auto ec = remove_oldest({victim})) return ec;
  ks::log::warn("buffer.segment_dropped", "dir={} begin={} end={} records={}", ks::log::quote(dir_),
                what.range.begin.value, what.range.end.value, what.records);
  *dropped = what;
  return {};
}

// Unlinks the victims (already out of segments_) oldest first, so a crash
// part way leaves a log that merely begins later, never one with a hole. A
// file already gone counts as removed: a crash may have come after an
// unlink but before the caller recorded it. On another error the victims
// not yet removed go back to the front of the log.
std::error_code Log::remove_oldest(std::vector<SegmentPtr> victims) {
  size_t removed = 0;
  std::error_code ec;
  for (; removed < victims.size(); ++removed) {
    ec = options_.env->remove(victims[removed]->path);
    if (ec && ec != std::errc::no_such_file_or_directory) break;
    ec.clear();
  }
  {
    std::lock_guard lock(mu_);
    for (size_t i = victims.size(); i-- > removed;)
      segments_.push_front(victims[i]);
    for (size_t i = 0; i < removed; ++i) {
      bytes_ -= victims[i]->size;
      records_ -= victims[i]->records;
    }
  }
  if (ec) {
    ks::log::error("buffer.remove_failed", "path={} error={}",
                   ks::log::quote(victims[removed]->path), ks::log::quote(ec.message()));
  }
  if (removed > 0) {
    short_of_space_ = false;
    freed_ = true;
    std::lock_guard lock(listener_mu_);
    if (space_listener_) space_listener_();
  }
  return ec;
}

void Log::set_space_listener(std::function<void()> listener) {
  std::lock_guard lock(listener_mu_);
  space_listener_ = std::move(listener);
}

Position Log::begin() const {
  std::lock_guard lock(mu_);
  return Position{segments_.front()->base};
}

Position Log::end() const {
  std::lock_guard lock(mu_);
  return Position{segments_.back()->base + segments_.back()->size};
}

uint64_t Log::size_bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

LogStats Log::stats() const {
  std::lock_guard lock(mu_);
  return LogStats{bytes_, records_, segments_.size(), Position{segments_.front()->base},
                  Position{segments_.back()->base + segments_.back()->size}};
}

std::vector<SegmentInfo> Log::segments() const {
  std::lock_guard lock(mu_);
  std::vector<SegmentInfo> out;
  out.reserve(segments_.size());
  for (const auto& segment : segments_)
    out.push_back(SegmentInfo{segment->base, segment->path, segment->size, segment->records});
  return out;
}

}  // namespace ks::buffer
