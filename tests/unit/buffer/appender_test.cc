// Appender: group commit, fsync policies, full-buffer policies and what
// happens after a failed write or sync. Waits are bounded only to turn a hang
// into a failure; nothing here asserts on timing.
#include "buffer/appender.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <map>
#include <thread>

#include "buffer/errc.h"
#include "buffer/frame.h"
#include "fault_env.h"
#include "test_util.h"

namespace ks::buffer {
namespace {

using namespace std::chrono_literals;
using testing::make_entry;

constexpr auto kHang = 20s;  // longer than any test may take

struct Result {
  int id = 0;
  std::error_code ec;
  Position position;
};

// Collects callback results in completion order.
class Results {
 public:
  Appender::Done done(int id) {
    return [this, id](std::error_code ec, Position position) {
      std::lock_guard lock(mu_);
      results_.push_back(Result{id, ec, position});
      cv_.notify_all();
    };
  }

  std::vector<Result> wait(size_t n) {
    std::unique_lock lock(mu_);
    EXPECT_TRUE(cv_.wait_for(lock, kHang, [&] { return results_.size() >= n; }))
        << "only " << results_.size() << " of " << n << " appends completed";
    return results_;
  }

  size_t count() const {
    std::lock_guard lock(mu_);
    return results_.size();
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Result> results_;
};

template <typename Predicate>
bool eventually(Predicate predicate) {
  const auto give_up = std::chrono::steady_clock::now() + kHang;
  while (!predicate()) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// Holds every File::sync until opened.
class Gate {
 public:
  std::function<void()> hook() {
    return [opened = opened_] { opened.wait(); };
  }
  void open() { promise_.set_value(); }

 private:
  std::promise<void> promise_;
  std::shared_future<void> opened_ = promise_.get_future().share();
};

class buffer_Appender : public ::testing::Test {
 protected:
  void open_log(uint64_t segment_bytes = 1 << 20) {
    LogOptions options;
    options.segment_bytes = segment_bytes;
    options.env = &env_;
    ASSERT_FALSE(Log::open(path_, options, &log_));
  }

  void start(AppenderOptions options = {}) {
    if (log_ == nullptr) open_log();
    ASSERT_FALSE(Appender::open(*log_, std::move(options), &appender_));
  }

  // Appends and waits for the result.
  Result append_one(int i, size_t batch_size = 20) {
    Results results;
    appender_->append(make_entry(i, batch_size), results.done(i));
    return results.wait(1).at(0);
  }

  // Fills a log of 2-frame segments to its 4-frame limit.
  std::vector<Position> fill(WhenFull when_full) {
    open_log(2 * kFrame);
    AppenderOptions options;
    options.max_bytes = 4 * kFrame;
    options.when_full = when_full;
    options.on_drop = [this](const Dropped& dropped) {
      std::lock_guard lock(dropped_mu_);
      dropped_.push_back(dropped);
    };
    start(std::move(options));
    std::vector<Position> positions;
    for (int i = 0; i < 4; ++i) {
      const Result result = append_one(i);
      EXPECT_FALSE(result.ec);
      positions.push_back(result.position);
    }
    return positions;
  }

  const uint64_t kFrame = frame_size(make_entry(0));
  testing::TempDir dir_{testing::memory_dir_base()};
  std::string path_ = dir_.file("log");
  testing::FaultEnv env_;
  std::unique_ptr<Log> log_;
  std::unique_ptr<Appender> appender_;  // destroyed before log_
  std::mutex dropped_mu_;
  std::vector<Dropped> dropped_;
};

TEST_F(buffer_Appender, CompletesInAppendOrderWithTheirPositions) {
  start();
  Results results;
  for (int i = 0; i < 100; ++i)
    appender_->append(make_entry(i), results.done(i));
  const auto done = results.wait(100);
  for (int i = 0; i < 100; ++i) {
    ASSERT_FALSE(done[i].ec);
    EXPECT_EQ(done[i].id, i);
    EXPECT_EQ(done[i].position.value, i * kFrame);
    Entry read;
    ASSERT_FALSE(log_->read(done[i].position, &read));
    EXPECT_EQ(read, make_entry(i));
  }
  const AppenderStats stats = appender_->stats();
  EXPECT_EQ(stats.records, 100u);
  EXPECT_EQ(stats.bytes, 100 * kFrame);
  EXPECT_EQ(stats.segments, 1u);
  EXPECT_GE(stats.fsyncs, 1u);
  EXPECT_LE(stats.fsyncs, 100u);
}

TEST_F(buffer_Appender, GroupCommitSharesOneSyncAcrossThreads) {
  // The first sync is held until every thread has appended, so everything
  // appended meanwhile must ride on at most one more sync.
  Gate gate;
  env_.set_sync_hook(gate.hook());
  start();
  constexpr int kThreads = 8;
  constexpr int kPerThread = 50;
  Results results;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const int id = t * kPerThread + i;
        appender_->append(make_entry(id), results.done(id));
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  gate.open();
  const auto done = results.wait(kThreads * kPerThread);

  EXPECT_LE(appender_->stats().fsyncs, 2u);
  EXPECT_LE(env_.file_syncs(), 2u);
  std::map<int, std::vector<Result>> by_thread;  // in completion order
  for (const Result& result : done) {
    ASSERT_FALSE(result.ec);
    by_thread[result.id / kPerThread].push_back(result);
    Entry read;
    ASSERT_FALSE(log_->read(result.position, &read));
    EXPECT_EQ(read, make_entry(result.id));
  }
  for (const auto& [thread, results_of_thread] : by_thread) {
    ASSERT_EQ(results_of_thread.size(), static_cast<size_t>(kPerThread));
    for (int i = 1; i < kPerThread; ++i) {
      EXPECT_EQ(results_of_thread[i].id, results_of_thread[i - 1].id + 1);
      EXPECT_GT(results_of_thread[i].position, results_of_thread[i - 1].position);
    }
  }
}

TEST_F(buffer_Appender, ManyThreadsAcrossManySegments) {
  open_log(10 * kFrame);
  AppenderOptions options;
  options.fsync = FsyncPolicy::never;
  start(std::move(options));
  constexpr int kThreads = 4;
  constexpr int kPerThread = 300;
  Results results;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        appender_->append(make_entry(t * kPerThread + i), results.done(t * kPerThread + i));
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  const auto done = results.wait(kThreads * kPerThread);
  std::map<int, Position> last;
  for (const Result& result : done) {
    ASSERT_FALSE(result.ec);
    const int thread = result.id / kPerThread;
    if (last.contains(thread)) {
      EXPECT_GT(result.position, last[thread]);
    }
    last[thread] = result.position;
    Entry read;
    ASSERT_FALSE(log_->read(result.position, &read));
    EXPECT_EQ(read, make_entry(result.id));
  }
  EXPECT_EQ(appender_->stats().segments, static_cast<uint64_t>(kThreads * kPerThread / 10));
}

TEST_F(buffer_Appender, IntervalPolicySyncsInTheBackground) {
  AppenderOptions options;
  options.fsync = FsyncPolicy::interval;
  options.fsync_interval = 1ms;
  start(std::move(options));
  EXPECT_FALSE(append_one(0).ec);
  EXPECT_TRUE(eventually([&] { return appender_->stats().fsyncs >= 1; }));
}

TEST_F(buffer_Appender, NeverPolicyNeverSyncs) {
  AppenderOptions options;
  options.fsync = FsyncPolicy::never;
  start(std::move(options));
  for (int i = 0; i < 10; ++i)
    EXPECT_FALSE(append_one(i).ec);
  appender_->close();
  EXPECT_EQ(appender_->stats().fsyncs, 0u);
  EXPECT_EQ(env_.file_syncs(), 0u);
}

TEST_F(buffer_Appender, CloseCompletesInFlightAppendsAndSyncs) {
  AppenderOptions options;
  options.fsync = FsyncPolicy::interval;
  options.fsync_interval = 1h;
  start(std::move(options));
  Results results;
  for (int i = 0; i < 50; ++i)
    appender_->append(make_entry(i), results.done(i));
  appender_->close();
  EXPECT_EQ(results.count(), 50u);
  for (const Result& result : results.wait(50))
    EXPECT_FALSE(result.ec);
  EXPECT_EQ(appender_->stats().fsyncs, 1u);
  appender_->close();  // idempotent
}

TEST_F(buffer_Appender, AppendAfterCloseFailsAtOnce) {
  start();
  appender_->close();
  Results results;
  appender_->append(make_entry(0), results.done(0));
  ASSERT_EQ(results.count(), 1u);
  EXPECT_EQ(results.wait(1)[0].ec, errc::closed);
}

TEST_F(buffer_Appender, RejectWhenFull) {
  const auto positions = fill(WhenFull::reject);
  EXPECT_EQ(append_one(4).ec, errc::buffer_full);
  EXPECT_EQ(appender_->stats().rejected, 1u);
  ASSERT_FALSE(appender_->release(positions[2]));
  appender_->resume();
  const Result result = append_one(5);
  EXPECT_FALSE(result.ec);
  EXPECT_EQ(result.position.value, 4 * kFrame);
}

TEST_F(buffer_Appender, RefusalsCompleteInAppendOrder) {
  const auto positions = fill(WhenFull::reject);
  ASSERT_FALSE(appender_->release(positions[2]));  // room for two more
  Gate gate;
  env_.set_sync_hook(gate.hook());
  Results results;
  appender_->append(make_entry(4), results.done(4));
  ASSERT_TRUE(eventually([&] { return log_->end().value == 5 * kFrame; }));
  // Taken together once the writer is out of the held sync: 5 fits, 6 not.
  appender_->append(make_entry(5), results.done(5));
  appender_->append(make_entry(6), results.done(6));
  gate.open();
  const auto done = results.wait(3);
  EXPECT_EQ(done[0].id, 4);
  EXPECT_EQ(done[1].id, 5);
  EXPECT_FALSE(done[1].ec);
  EXPECT_EQ(done[2].id, 6);
  EXPECT_EQ(done[2].ec, errc::buffer_full);
}

// A pipelining caller must not see a later append stored after an earlier
// one was refused: the earlier one, resent, would land behind it.
TEST_F(buffer_Appender, AfterARefusalLaterAppendsAreRefusedUntilResume) {
  const auto positions = fill(WhenFull::reject);
  EXPECT_EQ(append_one(4).ec, errc::buffer_full);
  ASSERT_FALSE(appender_->release(positions[2]));  // room now, but 5 came before resume()
  EXPECT_EQ(append_one(5).ec, errc::buffer_full);
  appender_->resume();
  EXPECT_FALSE(append_one(6).ec);
  EXPECT_EQ(appender_->stats().rejected, 2u);
}

TEST_F(buffer_Appender, AppendsBehindATimedOutOneAreRefusedNotWritten) {
  const auto positions = fill(WhenFull::block);
  Results results;
  appender_->append(make_entry(4), results.done(4), Appender::Clock::now());
  appender_->append(make_entry(5), results.done(5), Appender::Clock::now() + kHang);
  ASSERT_TRUE(eventually([&] { return results.count() == 2 || appender_->stats().waiting == 1; }));
  ASSERT_FALSE(appender_->release(positions[2]));
  const auto done = results.wait(2);
  EXPECT_EQ(done[0].id, 4);
  EXPECT_EQ(done[0].ec, errc::timeout);
  EXPECT_EQ(done[1].id, 5);
  EXPECT_EQ(done[1].ec, errc::timeout);
  EXPECT_EQ(log_->end().value, 4 * kFrame);
  appender_->resume();
  EXPECT_FALSE(append_one(6).ec);
}

TEST_F(buffer_Appender, BlockTimesOutWhenNothingIsReleased) {
  fill(WhenFull::block);
  Results results;
  appender_->append(make_entry(4), results.done(4), Appender::Clock::now());
  EXPECT_EQ(results.wait(1)[0].ec, errc::timeout);
  EXPECT_EQ(appender_->stats().timed_out, 1u);
  EXPECT_EQ(appender_->stats().waiting, 0u);
  EXPECT_EQ(log_->end().value, 4 * kFrame);
}

TEST_F(buffer_Appender, BlockResumesWhenReleaseFreesSpace) {
  const auto positions = fill(WhenFull::block);
  Results results;
  appender_->append(make_entry(4), results.done(4), Appender::Clock::now() + kHang);
  appender_->append(make_entry(5), results.done(5), Appender::Clock::now() + kHang);
  ASSERT_TRUE(eventually([&] { return appender_->stats().waiting == 2; }));
  EXPECT_EQ(results.count(), 0u);
  ASSERT_FALSE(appender_->release(positions[2]));
  const auto done = results.wait(2);
  EXPECT_EQ(done[0].id, 4);
  EXPECT_FALSE(done[0].ec);
  EXPECT_EQ(done[0].position.value, 4 * kFrame);
  EXPECT_EQ(done[1].id, 5);
  EXPECT_FALSE(done[1].ec);
  EXPECT_EQ(done[1].position.value, 5 * kFrame);
}

TEST_F(buffer_Appender, CountsTheTimeAppendsWaitForSpace) {
  const auto positions = fill(WhenFull::block);
  EXPECT_EQ(appender_->stats().blocked.count(), 0);
  Results results;
  appender_->append(make_entry(4), results.done(4), Appender::Clock::now() + kHang);
  ASSERT_TRUE(eventually([&] { return appender_->stats().waiting == 1; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  // Counted while it lasts, not only once it ends.
  EXPECT_GE(appender_->stats().blocked, std::chrono::milliseconds(30));
  ASSERT_FALSE(appender_->release(positions[2]));
  EXPECT_FALSE(results.wait(1)[0].ec);
  // The writer closes the count just after completing the append: once
  // closed it stays put.
  ASSERT_TRUE(eventually([&] {
    const auto blocked = appender_->stats().blocked;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return appender_->stats().blocked == blocked;
  }));
}

TEST_F(buffer_Appender, TellsTheSyncObserverOfEverySync) {
  open_log(1 << 20);
  AppenderOptions options;
  std::atomic<uint64_t> observed{0};
  options.on_sync = [&observed](std::chrono::microseconds took) {
    EXPECT_GE(took.count(), 0);
    ++observed;
  };
  start(std::move(options));
  for (int i = 0; i < 5; ++i)
    EXPECT_FALSE(append_one(i).ec);
  EXPECT_EQ(observed.load(), appender_->stats().fsyncs);
  EXPECT_GE(observed.load(), 5u);
}

TEST_F(buffer_Appender, ReleaseOnTheLogAlsoWakesBlockedAppends) {
  const auto positions = fill(WhenFull::block);
  Results results;
  appender_->append(make_entry(4), results.done(4), Appender::Clock::now() + kHang);
  ASSERT_TRUE(eventually([&] { return appender_->stats().waiting == 1; }));
  ASSERT_FALSE(log_->release(positions[2]));
  EXPECT_FALSE(results.wait(1)[0].ec);
}

TEST_F(buffer_Appender, CloseFailsAppendsStillWaitingForSpace) {
  fill(WhenFull::block);
  Results results;
  appender_->append(make_entry(4), results.done(4), Appender::Clock::now() + kHang);
  ASSERT_TRUE(eventually([&] { return appender_->stats().waiting == 1; }));
  appender_->close();
  EXPECT_EQ(results.wait(1)[0].ec, errc::closed);
}

TEST_F(buffer_Appender, DropOldestDropsAndReports) {
  const auto positions = fill(WhenFull::drop_oldest);
  const Result result = append_one(4);
  ASSERT_FALSE(result.ec);
  EXPECT_EQ(result.position.value, 4 * kFrame);
  {
    std::lock_guard lock(dropped_mu_);
    ASSERT_EQ(dropped_.size(), 1u);
    EXPECT_EQ(dropped_[0].range, (Range{positions[0], positions[2]}));
    EXPECT_EQ(dropped_[0].records, 2u);
  }
  const AppenderStats stats = appender_->stats();
  EXPECT_EQ(stats.dropped_segments, 1u);
  EXPECT_EQ(stats.dropped_records, 2u);
  EXPECT_EQ(log_->begin(), positions[2]);
  Entry read;
  EXPECT_EQ(log_->read(positions[0], &read), errc::position_released);
}

TEST_F(buffer_Appender, EntryThatCanNeverFitIsTooLarge) {
  fill(WhenFull::block);
  const Result result = append_one(4, 3 * kFrame);
  EXPECT_EQ(result.ec, errc::too_large);
  EXPECT_EQ(appender_->stats().waiting, 0u);
}

TEST_F(buffer_Appender, InvalidEntryFailsAlone) {
  start();
  Entry bad = make_entry(0);
  bad.topic.assign(70000, 't');
  Results results;
  appender_->append(std::move(bad), results.done(0));
  appender_->append(make_entry(1), results.done(1));
  const auto done = results.wait(2);
  EXPECT_EQ(done[0].ec, std::errc::invalid_argument);
  EXPECT_FALSE(done[1].ec);
  EXPECT_FALSE(appender_->failure());
}

TEST_F(buffer_Appender, FailedFsyncStopsAcknowledgement) {
  start();
  for (int i = 0; i < 3; ++i)
    ASSERT_FALSE(append_one(i).ec);
  env_.fail_syncs(std::make_error_code(std::errc::io_error));
  EXPECT_EQ(append_one(3).ec, std::errc::io_error);
  env_.fail_syncs({});  // even if the disk comes back, nothing is acknowledged
  EXPECT_EQ(append_one(4).ec, std::errc::io_error);
  EXPECT_EQ(appender_->failure(), std::errc::io_error);
}

TEST_F(buffer_Appender, AppendsPendingDuringAFailedFsyncFailWithIt) {
  Gate gate;
  env_.set_sync_hook(gate.hook());
  start();
  Results results;
  appender_->append(make_entry(0), results.done(0));
  ASSERT_TRUE(eventually([&] { return env_.file_syncs() == 0 && log_->end().value > 0; }));
  for (int i = 1; i < 10; ++i)
    appender_->append(make_entry(i), results.done(i));
  env_.fail_syncs(std::make_error_code(std::errc::io_error));
  gate.open();
  for (const Result& result : results.wait(10))
    EXPECT_EQ(result.ec, std::errc::io_error);
}

TEST_F(buffer_Appender, FailedWriteStopsAcknowledgement) {
  start();
  ASSERT_FALSE(append_one(0).ec);
  env_.fail_writes(std::make_error_code(std::errc::io_error));
  EXPECT_EQ(append_one(1).ec, std::errc::io_error);
  env_.fail_writes({});
  EXPECT_EQ(append_one(2).ec, std::errc::io_error);
}

TEST_F(buffer_Appender, NoSpaceRefusesLaterAppendsUntilResumeThenWritesAgain) {
  start();
  ASSERT_FALSE(append_one(0).ec);
  env_.fail_writes(std::make_error_code(std::errc::no_space_on_device));
  EXPECT_EQ(append_one(1).ec, errc::no_space);
  env_.fail_writes({});  // space returns, but 2 came before resume()
  EXPECT_EQ(append_one(2).ec, errc::no_space);
  EXPECT_EQ(log_->end().value, kFrame);
  appender_->resume();
  const Result result = append_one(3);
  EXPECT_FALSE(result.ec);
  EXPECT_EQ(result.position.value, kFrame);
  EXPECT_FALSE(appender_->failure());
  EXPECT_EQ(appender_->stats().no_space, 2u);
  EXPECT_EQ(appender_->stats().rejected, 0u);
}

TEST_F(buffer_Appender, NoSpaceRefusesTheWholeRoundInAppendOrder) {
  Gate gate;
  env_.set_sync_hook(gate.hook());
  start();
  Results results;
  appender_->append(make_entry(0), results.done(0));
  ASSERT_TRUE(eventually([&] { return log_->end().value == kFrame; }));  // held in its sync
  for (int i = 1; i < 6; ++i)
    appender_->append(make_entry(i), results.done(i));
  // A disk full part way through the round's gathered write.
  env_.fail_writes_after(2 * kFrame + 3, std::make_error_code(std::errc::no_space_on_device));
  gate.open();
  const auto done = results.wait(6);
  EXPECT_FALSE(done[0].ec);
  for (int i = 1; i < 6; ++i) {
    EXPECT_EQ(done[i].id, i);
    EXPECT_EQ(done[i].ec, errc::no_space);
  }
  EXPECT_EQ(log_->end().value, kFrame);
  env_.fail_writes({});
  appender_->resume();
  const Result result = append_one(6);
  EXPECT_FALSE(result.ec);
  EXPECT_EQ(result.position.value, kFrame);
}

// when_full governs max_bytes; a full file system refuses at once.
TEST_F(buffer_Appender, NoSpaceRefusesAtOnceEvenWhenTheBufferBlocks) {
  AppenderOptions options;
  options.when_full = WhenFull::block;
  options.max_bytes = 4 << 20;
  start(std::move(options));
  env_.fail_writes(std::make_error_code(std::errc::no_space_on_device));
  EXPECT_EQ(append_one(0).ec, errc::no_space);
  EXPECT_EQ(appender_->stats().waiting, 0u);
}

TEST_F(buffer_Appender, NoSpaceInFsyncStopsAcknowledgement) {
  start();
  ASSERT_FALSE(append_one(0).ec);
  env_.fail_syncs(std::make_error_code(std::errc::no_space_on_device));
  EXPECT_EQ(append_one(1).ec, std::errc::no_space_on_device);
  env_.fail_syncs({});
  appender_->resume();
  EXPECT_EQ(append_one(2).ec, std::errc::no_space_on_device);
  EXPECT_EQ(appender_->failure(), std::errc::no_space_on_device);
}

TEST_F(buffer_Appender, FailedIntervalSyncStopsLaterAcknowledgements) {
  AppenderOptions options;
  options.fsync = FsyncPolicy::interval;
  options.fsync_interval = 1ms;
  start(std::move(options));
  env_.fail_syncs(std::make_error_code(std::errc::io_error));
  EXPECT_FALSE(append_one(0).ec);  // interval: acknowledged after the write
  ASSERT_TRUE(eventually([&] { return static_cast<bool>(appender_->failure()); }));
  EXPECT_EQ(append_one(1).ec, std::errc::io_error);
}

TEST_F(buffer_Appender, PowerLossKeepsEveryAcknowledgedEntry) {
  // One append at a time, so each has its own sync; power fails inside the
  // 30th. Small segments: acknowledged entries sit in segments whose
  // creation only a directory sync made durable.
  open_log(3 * kFrame);
  int syncs = 0;
  env_.set_sync_hook([&] {
    if (++syncs == 30) env_.crash();
  });
  start();
  std::vector<Result> acknowledged;
  for (int i = 0; i < 40; ++i) {
    const Result result = append_one(i);
    if (!result.ec) acknowledged.push_back(result);
  }
  ASSERT_EQ(acknowledged.size(), 29u);
  appender_.reset();
  log_.reset();

  std::unique_ptr<Log> log;
  ASSERT_FALSE(Log::open(path_, LogOptions{}, &log));
  for (const Result& result : acknowledged) {
    Entry read;
    ASSERT_FALSE(log->read(result.position, &read)) << result.id;
    EXPECT_EQ(read, make_entry(result.id));
  }
}

TEST_F(buffer_Appender, InconsistentOptionsAreRefused) {
  open_log(1000);
  std::unique_ptr<Appender> appender;
  AppenderOptions small_limit;
  small_limit.max_bytes = 1999;
  EXPECT_EQ(Appender::open(*log_, small_limit, &appender), std::errc::invalid_argument);
  AppenderOptions no_interval;
  no_interval.fsync = FsyncPolicy::interval;
  no_interval.fsync_interval = 0ms;
  EXPECT_EQ(Appender::open(*log_, no_interval, &appender), std::errc::invalid_argument);
  AppenderOptions fine;
  fine.max_bytes = 2000;
  EXPECT_FALSE(Appender::open(*log_, fine, &appender));
}

}  // namespace
}  // namespace ks::buffer
