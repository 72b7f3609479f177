// bench-buffer: the buffer's append path (Appender group commit, fsync
// always) against the disk's own limit, measured by the same tool in the
// same directory, for tests/bench/bench.py.
//
// The disk's limit is the ideal group commit: one writer appending, in one
// write, what all producers hand in per round (producers x batch bytes),
// then fdatasync, over and over. The appender is measured with `producers`
// threads, each appending a batch and waiting until it is durable before
// the next, as a client connection's acknowledged produces do.
//
//   bench-buffer --dir D [--producers N] [--batch-bytes B] [--seconds S]
//
// Prints one JSON object:
//   {"producers": N, "batch_bytes": B,
//    "disk": {"mb_per_s": .., "fsyncs_per_s": ..},
//    "appender": {"mb_per_s": .., "appends_per_s": .., "fsyncs_per_s": ..,
//                 "latency_ms": {"p50": .., "p99": ..}}}
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "buffer/appender.h"
#include "buffer/log.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string dir;
  int producers = 1;
  size_t batch_bytes = 16 * 1024;
  double seconds = 3;
};

double since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

struct DiskResult {
  double mb_per_s = 0;
  double fsyncs_per_s = 0;
};

DiskResult measure_disk(const Options& o) {
  const std::string path = o.dir + "/disk-limit";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    std::perror(path.c_str());
    std::exit(1);
  }
  const std::vector<char> chunk(o.batch_bytes * static_cast<size_t>(o.producers), 'x');
  uint64_t written = 0;
  uint64_t syncs = 0;
  const auto start = Clock::now();
  while (since(start) < o.seconds) {
    if (::write(fd, chunk.data(), chunk.size()) != static_cast<ssize_t>(chunk.size()) ||
        ::fdatasync(fd) != 0) {
      std::perror("write+fdatasync");
      std::exit(1);
    }
    written += chunk.size();
    ++syncs;
  }
  const double took = since(start);
  ::close(fd);
  std::filesystem::remove(path);
  return {written / took / 1e6, syncs / took};
}

struct AppenderResult {
  double mb_per_s = 0;
  double appends_per_s = 0;
  double fsyncs_per_s = 0;
  double p50_ms = 0;
  double p99_ms = 0;
};

// Appends one entry and waits until it is durable; returns false on error.
bool append_and_wait(ks::buffer::Appender& appender, ks::buffer::Entry entry) {
  std::mutex mutex;
  std::condition_variable done_cv;
  bool done = false;
  std::error_code result;
  appender.append(std::move(entry), [&](std::error_code ec, ks::buffer::Position) {
    std::lock_guard lock(mutex);
    result = ec;
    done = true;
    done_cv.notify_one();
  });
  std::unique_lock lock(mutex);
  done_cv.wait(lock, [&] { return done; });
  return !result;
}

AppenderResult measure_appender(const Options& o) {
  const std::string dir = o.dir + "/log";
  std::unique_ptr<ks::buffer::Log> log;
  if (const auto ec = ks::buffer::Log::open(dir, {}, &log)) {
    std::fprintf(stderr, "bench-buffer: open %s: %s\n", dir.c_str(), ec.message().c_str());
    std::exit(1);
  }
  std::unique_ptr<ks::buffer::Appender> appender;
  if (const auto ec = ks::buffer::Appender::open(*log, {}, &appender)) {
    std::fprintf(stderr, "bench-buffer: appender: %s\n", ec.message().c_str());
    std::exit(1);
  }
  std::vector<std::vector<double>> latencies(static_cast<size_t>(o.producers));
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  for (int p = 0; p < o.producers; ++p) {
    threads.emplace_back([&, p] {
      ks::buffer::Entry entry{.append_time_ms = 0,
                              .topic = "bench",
                              .partition = p,
                              .record_count = 1,
                              .batch = std::vector<std::byte>(o.batch_bytes, std::byte{'x'})};
      while (since(start) < o.seconds) {
        const auto sent = Clock::now();
        if (!append_and_wait(*appender, entry)) {
          std::fprintf(stderr, "bench-buffer: an append failed\n");
          std::exit(1);
        }
        latencies[static_cast<size_t>(p)].push_back(since(sent));
      }
    });
  }
  for (auto& t : threads)
    t.join();
  const double took = since(start);
  const uint64_t fsyncs = appender->stats().fsyncs;
  appender.reset();
  log.reset();
  std::filesystem::remove_all(dir);

  std::vector<double> all;
  for (const auto& one : latencies)
    all.insert(all.end(), one.begin(), one.end());
  std::sort(all.begin(), all.end());
  auto quantile = [&all](double q) {
    return all.empty() ? 0 : all[static_cast<size_t>(q * static_cast<double>(all.size() - 1))];
  };
  const double appends = static_cast<double>(all.size());
  return {appends * static_cast<double>(o.batch_bytes) / took / 1e6, appends / took,
          static_cast<double>(fsyncs) / took, quantile(0.5) * 1e3, quantile(0.99) * 1e3};
}

[[noreturn]] void usage(const char* message) {
  std::fprintf(stderr,
               "bench-buffer: %s\nusage: bench-buffer --dir D [--producers N] "
               "[--batch-bytes B] [--seconds S]\n",
               message);
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (i + 1 >= argc) usage("every option takes a value");
    const char* value = argv[++i];
    if (arg == "--dir") {
      o.dir = value;
    } else if (arg == "--producers") {
      o.producers = std::atoi(value);
    } else if (arg == "--batch-bytes") {
      o.batch_bytes = static_cast<size_t>(std::atol(value));
    } else if (arg == "--seconds") {
      o.seconds = std::atof(value);
    } else {
      usage("unknown option");
    }
  }
  if (o.dir.empty() || o.producers <= 0 || o.batch_bytes == 0 || o.seconds <= 0)
    usage("--dir is required; the numbers must be positive");
  std::filesystem::create_directories(o.dir);

  const DiskResult disk = measure_disk(o);
  const AppenderResult appender = measure_appender(o);
  std::printf(
      "{\"producers\": %d, \"batch_bytes\": %zu, "
      "\"disk\": {\"mb_per_s\": %.3f, \"fsyncs_per_s\": %.1f}, "
      "\"appender\": {\"mb_per_s\": %.3f, \"appends_per_s\": %.1f, \"fsyncs_per_s\": %.1f, "
      "\"latency_ms\": {\"p50\": %.3f, \"p99\": %.3f}}}\n",
      o.producers, o.batch_bytes, disk.mb_per_s, disk.fsyncs_per_s, appender.mb_per_s,
      appender.appends_per_s, appender.fsyncs_per_s, appender.p50_ms, appender.p99_ms);
  return 0;
}
