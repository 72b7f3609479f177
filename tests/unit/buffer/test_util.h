#pragma once
// Helpers shared by the buffer tests.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "buffer/entry.h"
#include "buffer/reporter.h"

namespace ks::buffer::testing {

// Creating and syncing files costs milliseconds on a journaling file
// system; tests that do it by the thousand run in memory where they can.
inline std::string memory_dir_base() {
  return std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : "";
}

// A fresh directory, removed with everything in it at the end of the test.
class TempDir {
 public:
  // Under $TMPDIR, /tmp without it, or `base` when given.
  explicit TempDir(std::string base = {}) {
    if (base.empty()) {
      const char* tmpdir = std::getenv("TMPDIR");
      base = tmpdir != nullptr ? tmpdir : "/tmp";
    }
    std::string pattern = base + "/buffer_test.XXXXXX";
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A distinct entry per `i`, with a batch of `batch_size` bytes.
inline Entry make_entry(int i, size_t batch_size = 20) {
  Entry entry;
  entry.append_time_ms = 1'700'000'000'000 + i;
  entry.topic = "topic-" + std::to_string(i % 3);
  entry.partition = i % 4;
  entry.record_count = i % 7 + 1;
  entry.batch.resize(batch_size);
  for (size_t b = 0; b < batch_size; ++b)
    entry.batch[b] = std::byte(static_cast<uint8_t>(i + b * 31));
  return entry;
}

struct Report {
  Range range;
  std::string reason;
};

class RecordingReporter final : public Reporter {
 public:
  void corruption(Range dropped, std::string_view reason) override {
    std::lock_guard lock(mu_);
    reports_.push_back(Report{dropped, std::string(reason)});
  }
  std::vector<Report> reports() const {
    std::lock_guard lock(mu_);
    return reports_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<Report> reports_;
};

inline std::vector<std::byte> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> bytes(chars.size());
  for (size_t i = 0; i < chars.size(); ++i)
    bytes[i] = std::byte(static_cast<uint8_t>(chars[i]));
  return bytes;
}

inline void write_file(const std::string& path, const std::vector<std::byte>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

}  // namespace ks::buffer::testing
