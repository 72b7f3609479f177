#pragma once
// The durable, segmented write-ahead log of one upstream cluster (FORMAT.md).
//
// Threads: append(), sync() and drop_oldest_segment() come from one writer
// (the Appender's thread); read(), scan(), release() and the getters are
// safe from any thread at any time. A segment's file stays open while a
// read or scan uses it, so releasing it underneath them is safe.
//
// Opened read_only, a log changes nothing on disk, so it can be inspected
// while another process (a running sidecar) appends to and releases it.
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "buffer/entry.h"
#include "buffer/env.h"
#include "buffer/errc.h"
#include "buffer/log_scanner.h"
#include "buffer/position.h"
#include "buffer/reporter.h"
#include "buffer/segment_writer.h"

namespace ks::buffer {

struct LogOptions {
  // A new segment starts when the next frame would pass this size.
  uint64_t segment_bytes = uint64_t{64} << 20;
  Env* env = &posix_env();
  // Receives the corruption found while opening; may be null (it is logged
  // either way).
  Reporter* reporter = nullptr;
  // Open without writing anything: no directory or segment is created, the
  // segments are opened read-only and a torn tail is left where it is
  // (only reported in RecoveryInfo::torn_tail), since a live writer may be
  // in the middle of that frame. append, sync, release and
  // drop_oldest_segment fail with errc::read_only.
  bool read_only = false;
};

// What open() found and repaired.
struct RecoveryInfo {
  uint64_t segments = 0;
  uint64_t records = 0;
  // Invalid bytes at the end of the last segment, cut off (left in place
  // when read_only); empty if none.
  Range torn_tail;
  uint64_t corrupt_ranges = 0;  // reported to LogOptions::reporter
  uint64_t corrupt_bytes = 0;
};

// A segment removed by drop_oldest_segment().
struct Dropped {
  Range range;
  uint64_t records = 0;
};

// One segment file, for inspection.
struct SegmentInfo {
  uint64_t base = 0;
  std::string path;
  uint64_t size = 0;     // bytes read: the file but a torn tail or bytes overlapping the next
  uint64_t entries = 0;  // valid frames (LogStats counts them as records)
};

struct LogStats {
  uint64_t bytes = 0;  // on disk, all segments
  uint64_t records = 0;
  uint64_t segments = 0;
  Position begin;
  Position end;
};

class Log {
 public:
  // Opens or creates the log in `dir` and recovers it: every segment is
  // scanned, a torn tail of the last one is truncated, corruption elsewhere
  // is reported and skipped. Only I/O errors fail the open, never
  // corruption; read_only, a directory without segments is errc::not_found.
  static std::error_code open(const std::string& dir, const LogOptions& options,
                              std::unique_ptr<Log>* log);

  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;
  ~Log();

  // Writes the entries, in order, starting new segments as needed, with one
  // gathered write per segment touched. (*positions)[i] is entries[i]'s.
  // Nothing is durable before sync(). An invalid entry fails the call
  // before anything is written.
  //
  // A full file system (ENOSPC, EDQUOT while writing or creating a segment)
  // undoes the whole call: segments it created are removed and the tail is
  // truncated back, so the log is exactly as before, half-written frame
  // included; errc::no_space, and the next append may try again. Any other
  // I/O error, or a failed undo, is sticky: every later append and sync
  // fails with it (a prefix of the entries may be on disk).
  std::error_code append(std::span<const Entry> entries, std::vector<Position>* positions);

  // Makes every append so far durable: fdatasync of each segment written
  // since the last sync, then fsync of the directory if a segment was
  // created. A failure is sticky, even ENOSPC (see fail()).
  std::error_code sync();

  // The entry at `position` (as returned by append or a scan).
  // position_released below begin(), position_beyond_end at or past end(),
  // corruption if no valid frame starts there.
  std::error_code read(Position position, Entry* entry) const;

  // Entries at positions >= `from` up to end() as of now; corruption met on
  // the way goes to `reporter` (may be null).
  LogScanner scan(Position from, Reporter* reporter = nullptr) const;

  // Deletes every segment that lies entirely below `position`, oldest
  // first; the segment being written is never deleted. Idempotent, and a
  // crash part way leaves a log that merely begins later.
  std::error_code release(Position position);

  // Deletes the oldest segment although it may not be forwarded
  // (WhenFull::drop_oldest). nothing_to_drop if only the segment being
  // written is left.
  std::error_code drop_oldest_segment(Dropped* dropped);

  // Called on the removing thread each time release() or
  // drop_oldest_segment() frees space, so a writer waiting for space under
  // a size limit can retry. Replaces the previous listener; clearing it
  // (nullptr) waits for a call in progress to return.
  void set_space_listener(std::function<void()> listener);

  Position begin() const;
  Position end() const;
  uint64_t size_bytes() const;
  LogStats stats() const;
  // In position order.
  std::vector<SegmentInfo> segments() const;
  // An append found the file system full, and since then no append
  // succeeded and no segment was removed.
  bool disk_full() const { return short_of_space_; }
  const RecoveryInfo& recovery() const { return recovery_; }
  const LogOptions& options() const { return options_; }

 private:
  struct Segment;
  using SegmentPtr = std::shared_ptr<Segment>;

  Log(std::string dir, const LogOptions& options);
  // In log_recovery.cc.
  std::error_code recover();
  // Null without an error for a segment a read_only log found removed.
  SegmentPtr recover_segment(uint64_t base, uint64_t next_base, bool last, Reporter* reporter,
                             std::error_code* ec);

  // The writer's state when an append() began, to undo it on no space.
  struct Mark {
    SegmentPtr tail;
    uint64_t size = 0;
    uint64_t records = 0;
    size_t unsynced = 0;
    bool dir_dirty = false;
  };

  std::error_code roll();
  std::error_code write_run(std::span<const Entry> run, std::vector<Position>* positions);
  // ENOSPC or EDQUOT from `op` during an append that began at `mark`: undo
  // it and return errc::no_space; anything else fails the log.
  std::error_code write_failed(std::error_code ec, std::string_view op, const Mark& mark);
  std::error_code undo(const Mark& mark);
  std::error_code fail(std::error_code ec, std::string_view op);
  std::error_code remove_oldest(std::vector<SegmentPtr> victims);

  const std::string dir_;
  const LogOptions options_;
  RecoveryInfo recovery_;

  // The single writer: append, sync, roll.
  std::mutex write_mu_;
  SegmentPtr tail_;
  std::unique_ptr<SegmentWriter> writer_;        // appends to tail_
  std::vector<std::shared_ptr<File>> unsynced_;  // written since the last sync
  bool dir_dirty_ = false;                       // a segment created since then
  std::error_code broken_;
  // An episode of no space, logged once when it starts and once when it
  // ends: at the first successful append after a removal freed space (a
  // small append fitting in the last bytes free does not end it).
  bool disk_full_ = false;
  std::atomic<bool> freed_{false};  // a removal since the episode began
  // For disk_full(): cleared by any successful append or removal.
  std::atomic<bool> short_of_space_{false};

  // Serialises removals so files are unlinked strictly oldest first.
  std::mutex remove_mu_;

  std::mutex listener_mu_;  // held while calling the listener
  std::function<void()> space_listener_;

  // The segment list and totals. Lock order: write_mu_, or remove_mu_ then
  // listener_mu_; mu_ last.
  mutable std::mutex mu_;
  std::deque<SegmentPtr> segments_;  // by base; never empty; back() is tail_
  uint64_t bytes_ = 0;
  uint64_t records_ = 0;
};

}  // namespace ks::buffer
