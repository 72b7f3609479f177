#pragma once
// What the fuzz targets share: turning a broken invariant into a crash
// libFuzzer keeps (with the input that caused it), and quiet logging.
#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/log.h"

namespace ks::fuzz {

// stderr as it was when the target started: the buffer target is best run
// with -close_fd_mask=2 (its corruption reports are one log line each), and
// a broken invariant must still say which one.
inline int& report_fd() {
  static int fd = 2;
  return fd;
}

// Call from LLVMFuzzerInitialize, which runs before libFuzzer closes
// stderr: keeps a descriptor for failure messages and logs errors only.
inline void init() {
  report_fd() = dup(2);
  if (report_fd() < 0) report_fd() = 2;
  ks::log::set_level(ks::log::Level::error);
}

[[noreturn]] inline void fail(std::string_view what, const char* file, int line) {
  char message[512];
  const int n = std::snprintf(message, sizeof message, "%s:%d: invariant broken: %.*s\n", file,
                              line, static_cast<int>(what.size()), what.data());
  if (n > 0) {
    [[maybe_unused]] const auto written = write(report_fd(), message, static_cast<size_t>(n));
  }
  std::abort();  // libFuzzer saves the input as crash-<sha1>
}

inline std::span<const std::byte> as_bytes(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const std::byte*>(data), size};
}

}  // namespace ks::fuzz

// An invariant of the code under test: aborts (a crash to libFuzzer) when false.
#define KS_FUZZ_CHECK(condition) \
  ((condition) ? void(0) : ::ks::fuzz::fail(#condition, __FILE__, __LINE__))

// Whole-file I/O for targets that put their input on disk.
namespace ks::fuzz {

inline void write_file(const std::string& path, std::span<const std::byte> bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  KS_FUZZ_CHECK(fd >= 0);
  KS_FUZZ_CHECK(::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
  ::close(fd);
}

inline std::vector<std::byte> read_file(const std::string& path) {
  std::vector<std::byte> out(std::filesystem::file_size(path));
  const int fd = ::open(path.c_str(), O_RDONLY);
  KS_FUZZ_CHECK(fd >= 0);
  KS_FUZZ_CHECK(::read(fd, out.data(), out.size()) == static_cast<ssize_t>(out.size()));
  ::close(fd);
  return out;
}

}  // namespace ks::fuzz
