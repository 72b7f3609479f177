#pragma once
// The group-commit front of a Log. Any thread may append; a dedicated
// writer thread takes everything pending, writes it with one gathered write
// per segment, syncs once for all of it per the fsync policy, and only then
// completes the callbacks: concurrent appends share one fdatasync.
//
// A failed write or sync is fatal for acknowledgement: that batch and every
// later append fail with the error (logged once). Nothing is acknowledged
// after a failed sync; restart into recovery. A full file system is not a
// failure: the Log undoes the write, the round's appends complete with
// errc::no_space, later ones are refused until resume() (as for
// buffer_full), and the next round tries the disk again. A full disk
// refuses at once whatever when_full says: when_full governs max_bytes,
// which the sidecar controls; free space on a file system it may share it
// does not.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <system_error>
#include <thread>
#include <vector>

#include "buffer/entry.h"
#include "buffer/errc.h"
#include "buffer/log.h"
#include "buffer/position.h"

namespace ks::buffer {

enum class FsyncPolicy {
  always,    // complete after an fdatasync covering the entry: survives power loss
  interval,  // complete after the write, sync every fsync_interval: survives a crash
  never,     // complete after the write, never sync: tests
};

enum class WhenFull {
  block,        // wait for release() to free space, until the append's deadline
  reject,       // fail at once with errc::buffer_full
  drop_oldest,  // delete the oldest segments, forwarded or not; see on_drop
};

struct AppenderOptions {
  FsyncPolicy fsync = FsyncPolicy::always;
  std::chrono::milliseconds fsync_interval{100};
  // Bytes on disk the log may hold; 0 for no limit. Otherwise at least
  // 2 * segment_bytes, and entries whose frame exceeds max_bytes / 2 are
  // refused as too_large: that much always frees up once everything but
  // the segment being written is released, so a block cannot wait forever.
  uint64_t max_bytes = 0;
  WhenFull when_full = WhenFull::block;
  // The deadline of an append() that does not give one.
  std::chrono::milliseconds block_timeout{30000};
  // drop_oldest: called on the writer thread with each segment dropped,
  // before the append that needed the space completes, so the forwarder
  // can skip what was lost.
  std::function<void(const Dropped&)> on_drop;
  // Called on the writer thread after each sync with how long it took (for
  // a latency histogram); must be quick and thread-safe.
  std::function<void(std::chrono::microseconds)> on_sync;
};

struct AppenderStats {
  // The log now.
  uint64_t bytes = 0;
  uint64_t records = 0;
  uint64_t segments = 0;
  // Since open.
  uint64_t fsyncs = 0;
  std::chrono::microseconds last_fsync_latency{0};
  uint64_t rejected = 0;   // errc::buffer_full
  uint64_t timed_out = 0;  // errc::timeout
  uint64_t no_space = 0;   // errc::no_space: the file system was full
  uint64_t dropped_segments = 0;
  uint64_t dropped_records = 0;
  // Appends blocked for space right now, and the time during which some
  // append was, since open.
  uint64_t waiting = 0;
  std::chrono::microseconds blocked{0};
};

class Appender {
 public:
  using Clock = std::chrono::steady_clock;
  // Runs on the writer thread, must not throw or call close(), and should
  // be quick: post the result to where it is needed. The position is
  // meaningful only on success.
  using Done = std::function<void(std::error_code, Position)>;

  // Starts the writer thread. `log` must outlive the appender, and have no
  // other writer. invalid_argument for inconsistent options.
  static std::error_code open(Log& log, AppenderOptions options,
                              std::unique_ptr<Appender>* appender);

  Appender(const Appender&) = delete;
  Appender& operator=(const Appender&) = delete;
  ~Appender();  // close()

  // Thread-safe; appends from one thread reach the log, and complete, in
  // call order (a timeout may overtake an append still waiting for space). `deadline` matters only
  // while waiting for space (WhenFull::block). After close() `done` runs at once with errc::closed.
  void append(Entry entry, Done done, Clock::time_point deadline);
  void append(Entry entry, Done done);

  // Log::release(); blocked appends retry either way, since the log tells
  // the appender whenever space frees up.
  std::error_code release(Position position);

  // Once an append is refused for space (errc::buffer_full, errc::timeout,
  // errc::no_space),
  // every append made before the next resume() is refused the same way,
  // even if space frees up meanwhile. A caller that pipelines appends (an
  // idempotent producer's batches) thus never has a later one stored after
  // an earlier one was refused: the resent earlier one would land behind
  // it. Call resume() once the refusal has been handled.
  void resume();

  // Completes what was appended before it (appends still waiting for space
  // fail with errc::closed), syncs unless the policy is never, and joins
  // the writer thread. Idempotent.
  void close();

  AppenderStats stats() const;
  // The write or sync error that stopped acknowledgement, if any.
  std::error_code failure() const;

 private:
  struct Pending {
    Entry entry;
    Done done;
    Clock::time_point deadline;
    uint64_t era;  // resume() calls before this append
  };
  // What becomes of one entry taken in a round: written, or refused.
  struct Outcome {
    Done done;
    std::error_code refused;
  };

  Appender(Log& log, AppenderOptions options);

  // The writer thread.
  void run();
  Clock::time_point wakeup_time(const std::deque<Pending>& waiting, bool stalled) const;
  // Writes what fits from the front of `waiting`, completes or fails it and
  // whatever cannot succeed. True if the front must wait for space.
  bool process(std::deque<Pending>* waiting);
  std::error_code make_room(uint64_t needed, uint64_t* used);
  bool expire(std::deque<Pending>* waiting);  // true if any timed out
  // Refuses, with `why`, every append of `era` and earlier still to come.
  void refuse_through(uint64_t era, std::error_code why);
  // `era`: the latest of the entries'. False if the disk had no space.
  bool write(std::span<const Entry> entries, std::vector<Outcome>* outcomes, uint64_t era);
  void count_refusal(std::error_code why);
  std::error_code sync_now();
  void set_failure(std::error_code ec);
  static int64_t steady_us();
  int64_t stalled_for_us() const;  // the current stall so far, 0 if none

  Log& log_;
  const AppenderOptions options_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;  // appended, not yet taken by the writer
  bool space_freed_ = false;
  bool closing_ = false;
  bool closed_ = false;      // the writer has exited
  std::error_code failure_;  // written by the writer thread only
  uint64_t era_ = 0;

  // Writer thread only.
  bool dirty_ = false;                       // written since the last sync
  std::optional<uint64_t> refused_through_;  // see resume()
  std::error_code refusal_;
  Clock::time_point last_sync_;

  std::atomic<uint64_t> fsyncs_{0};
  std::atomic<int64_t> last_fsync_us_{0};
  std::atomic<uint64_t> rejected_{0};
  std::atomic<uint64_t> timed_out_{0};
  std::atomic<uint64_t> no_space_{0};
  std::atomic<uint64_t> dropped_segments_{0};
  std::atomic<uint64_t> dropped_records_{0};
  std::atomic<uint64_t> waiting_{0};
  std::atomic<int64_t> blocked_us_{0};        // stalls that ended
  std::atomic<int64_t> stalled_since_us_{0};  // steady clock; 0 when not stalled

  std::mutex join_mu_;
  std::thread thread_;
};

}  // namespace ks::buffer
