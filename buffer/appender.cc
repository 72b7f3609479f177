#include "buffer/appender.h"

#include <algorithm>
#include <utility>

#include "buffer/errc.h"
#include "buffer/frame.h"

namespace ks::buffer {

std::error_code Appender::open(Log& log, AppenderOptions options,
                               std::unique_ptr<Appender>* appender) {
  const bool bad_interval = options.fsync == FsyncPolicy::interval &&
                            options.fsync_interval <= std::chrono::milliseconds::zero();
  const bool bad_limit =
      options.max_bytes != 0 && options.max_bytes / 2 < log.options().segment_bytes;
  if (bad_interval || bad_limit) return std::make_error_code(std::errc::invalid_argument);
  std::unique_ptr<Appender> started(new Appender(log, std::move(options)));
  Appender* self = started.get();
  log.set_space_listener([self] {
    std::lock_guard lock(self->mu_);
    self->space_freed_ = true;
    self->cv_.notify_one();
  });
  started->thread_ = std::thread(&Appender::run, self);
  *appender = std::move(started);
  return {};
}

Appender::Appender(Log& log, AppenderOptions options)
    : log_(log), options_(std::move(options)), last_sync_(Clock::now()) {}

Appender::~Appender() {
  close();
}

void Appender::append(Entry entry, Done done) {
  append(std::move(entry), std::move(done), Clock::now() + options_.block_timeout);
}

void Appender::append(Entry entry, Done done, Clock::time_point deadline) {
  {
    std::lock_guard lock(mu_);
    if (!closed_) {
      // The writer takes the whole queue at once, so it needs waking only
      // when the queue stops being empty.
      if (queue_.empty()) cv_.notify_one();
      queue_.push_back(Pending{std::move(entry), std::move(done), deadline, era_});
      return;
    }
  }
  done(errc::closed, Position{});
}

std::error_code Appender::release(Position position) {
  return log_.release(position);
}

void Appender::resume() {
  std::lock_guard lock(mu_);
  ++era_;
}

void Appender::refuse_through(uint64_t era, std::error_code why) {
  if (!refused_through_ || *refused_through_ < era) {
    refused_through_ = era;
    refusal_ = why;
  }
}

void Appender::close() {
  log_.set_space_listener(nullptr);
  {
    std::lock_guard lock(mu_);
    closing_ = true;
  }
  cv_.notify_one();
  std::lock_guard join_lock(join_mu_);
  if (thread_.joinable()) thread_.join();
}

AppenderStats Appender::stats() const {
  const LogStats log = log_.stats();
  return AppenderStats{log.bytes,
                       log.records,
                       log.segments,
                       fsyncs_.load(),
                       std::chrono::microseconds(last_fsync_us_.load()),
                       rejected_.load(),
                       timed_out_.load(),
                       no_space_.load(),
                       dropped_segments_.load(),
                       dropped_records_.load(),
                       waiting_.load(),
                       std::chrono::microseconds(blocked_us_.load() + stalled_for_us())};
}

int64_t Appender::steady_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now().time_since_epoch())
      .count();
}

int64_t Appender::stalled_for_us() const {
  const int64_t since = stalled_since_us_.load();
  return since == 0 ? 0 : steady_us() - since;
}

std::error_code Appender::failure() const {
  std::lock_guard lock(mu_);
  return failure_;
}

void Appender::run() {
  // Taken from queue_ but not yet written, in append order. `stalled`: its
  // front waits for space, so nothing behind it may go first.
  std::deque<Pending> waiting;
  bool stalled = false;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      const auto ready = [&] {
        return closing_ || space_freed_ || !queue_.empty() || (!waiting.empty() && !stalled);
      };
      const Clock::time_point wake = wakeup_time(waiting, stalled);
      if (wake == Clock::time_point::max()) {
        cv_.wait(lock, ready);
      } else {
        cv_.wait_until(lock, wake, ready);
      }
      if (closing_ && queue_.empty() && (waiting.empty() || (stalled && !space_freed_))) {
        closed_ = true;
        break;
      }
      space_freed_ = false;
      for (auto& pending : queue_)
        waiting.push_back(std::move(pending));
      queue_.clear();
    }
    const bool was_stalled = stalled;
    stalled = process(&waiting);
    if (stalled && !was_stalled) stalled_since_us_ = steady_us();
    if (!stalled && was_stalled) {
      blocked_us_ += stalled_for_us();
      stalled_since_us_ = 0;
    }
    if (options_.fsync == FsyncPolicy::interval && dirty_ && !failure_ &&
        Clock::now() >= last_sync_ + options_.fsync_interval) {
      sync_now();
    }
  }
  waiting_ = 0;
  if (stalled) {
    blocked_us_ += stalled_for_us();
    stalled_since_us_ = 0;
  }
  const std::error_code why = failure_ ? failure_ : make_error_code(errc::closed);
  for (auto& pending : waiting)
    pending.done(why, Position{});
  if (dirty_ && !failure_ && options_.fsync != FsyncPolicy::never) sync_now();
}

Appender::Clock::time_point Appender::wakeup_time(const std::deque<Pending>& waiting,
                                                  bool stalled) const {
  Clock::time_point wake = Clock::time_point::max();
  if (stalled) {
    for (const auto& pending : waiting)
      wake = std::min(wake, pending.deadline);
  }
  if (options_.fsync == FsyncPolicy::interval && dirty_ && !failure_) {
    wake = std::min(wake, last_sync_ + options_.fsync_interval);
  }
  return wake;
}

bool Appender::process(std::deque<Pending>* waiting) {
  if (failure_) {
    for (auto& pending : *waiting)
      pending.done(failure_, Position{});
    waiting->clear();
    waiting_ = 0;
    return false;
  }
  std::vector<Entry> entries;
  std::vector<Outcome> outcomes;      // every entry leaving `waiting`, in order
  uint64_t used = log_.size_bytes();  // plus what this batch will add
  bool rejecting = false;             // once one is refused, so is the rest: keeps order
  bool stalled = false;
  bool cut = false;  // the batch must reach the disk before more can be dropped
  uint64_t era = 0;  // the latest of the batch's
  while (!waiting->empty()) {
    Pending& pending = waiting->front();
    const uint64_t needed = frame_size(pending.entry);
    std::error_code ec = validate(pending.entry);
    if (!ec && options_.max_bytes != 0 && needed > options_.max_bytes / 2) ec = errc::too_large;
    if (!ec && refused_through_ && pending.era <= *refused_through_) {
      ec = refusal_;
      count_refusal(ec);
    } else if (!ec && options_.max_bytes != 0 &&
               (rejecting || used + needed > options_.max_bytes)) {
      switch (options_.when_full) {
        case WhenFull::reject:
          rejecting = true;
          ++rejected_;
          ec = errc::buffer_full;
          break;
        case WhenFull::block:
          stalled = true;
          break;
        case WhenFull::drop_oldest:
          ec = make_room(needed, &used);
          if (ec == errc::nothing_to_drop) {
            // Only the segment being written is left: what fills it is this
            // batch, so write it first; or, with nothing batched, a tail
            // left by a larger limit before a restart.
            cut = !entries.empty();
            ec = errc::buffer_full;
          }
          break;
      }
      if (ec == errc::buffer_full && !cut) refuse_through(pending.era, ec);
    }
    if (stalled || cut) break;
    if (!ec) {
      used += needed;
      era = std::max(era, pending.era);
      entries.push_back(std::move(pending.entry));
    }
    outcomes.push_back(Outcome{std::move(pending.done), ec});
    waiting->pop_front();
  }
  const bool wrote = write(entries, &outcomes, era);
  // A timed-out front lets the next one try at once; after no space, the
  // appends of the batch's era behind a front waiting for max_bytes are
  // refused at once.
  if (stalled && (!wrote || expire(waiting) || failure_)) stalled = false;
  waiting_ = stalled ? waiting->size() : 0;
  return stalled;
}

std::error_code Appender::make_room(uint64_t needed, uint64_t* used) {
  while (*used + needed > options_.max_bytes) {
    Dropped dropped;
    if (const auto ec = log_.drop_oldest_segment(&dropped)) return ec;
    ++dropped_segments_;
    dropped_records_ += dropped.records;
    *used -= dropped.range.size();
    if (options_.on_drop) options_.on_drop(dropped);
  }
  return {};
}

bool Appender::expire(std::deque<Pending>* waiting) {
  const Clock::time_point now = Clock::now();
  std::deque<Pending> kept;
  bool expired = false;
  for (auto& pending : *waiting) {
    if (pending.deadline <= now) {
      ++timed_out_;
      expired = true;
      refuse_through(pending.era, errc::timeout);
      pending.done(errc::timeout, Position{});
    } else {
      kept.push_back(std::move(pending));
    }
  }
  waiting->swap(kept);
  return expired;
}

void Appender::count_refusal(std::error_code why) {
  if (why == errc::timeout) {
    ++timed_out_;
  } else if (why == errc::no_space) {
    ++no_space_;
  } else {
    ++rejected_;
  }
}

bool Appender::write(std::span<const Entry> entries, std::vector<Outcome>* outcomes, uint64_t era) {
  std::vector<Position> positions;
  std::error_code ec;
  if (!entries.empty()) {
    ec = log_.append(entries, &positions);
    if (ec == errc::no_space) {
      // The Log left nothing of them behind: a refusal, not a failure.
      no_space_ += entries.size();
      refuse_through(era, ec);
    } else if (ec) {
      set_failure(ec);
    } else {
      dirty_ = true;
      if (options_.fsync == FsyncPolicy::always) ec = sync_now();
    }
  }
  // In append order, refusals included, so each caller sees its appends
  // complete in the order it made them.
  size_t written = 0;
  for (Outcome& outcome : *outcomes) {
    if (outcome.refused) {
      outcome.done(outcome.refused, Position{});
    } else {
      outcome.done(ec, ec ? Position{} : positions[written]);
      ++written;
    }
  }
  return ec != errc::no_space;
}

std::error_code Appender::sync_now() {
  const Clock::time_point start = Clock::now();
  const std::error_code ec = log_.sync();
  last_sync_ = Clock::now();
  ++fsyncs_;
  const auto took = std::chrono::duration_cast<std::chrono::microseconds>(last_sync_ - start);
  last_fsync_us_ = took.count();
  if (options_.on_sync) options_.on_sync(took);
  if (ec) {
    set_failure(ec);
  } else {
    dirty_ = false;
  }
  return ec;
}

// The Log has logged it (once) and refuses every later write and sync.
void Appender::set_failure(std::error_code ec) {
  if (failure_) return;
  std::lock_guard lock(mu_);
  failure_ = ec;
}

}  // namespace ks::buffer
