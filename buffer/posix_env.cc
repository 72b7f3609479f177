// The real Env: plain POSIX calls, retried on EINTR.
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "buffer/env.h"

namespace ks::buffer {
namespace {

std::error_code last_error() {
  return {errno, std::system_category()};
}

class PosixFile final : public File {
 public:
  explicit PosixFile(int fd) : fd_(fd) {}
  ~PosixFile() override { ::close(fd_); }
  PosixFile(const PosixFile&) = delete;
  PosixFile& operator=(const PosixFile&) = delete;

  std::error_code append(std::span<const std::span<const std::byte>> pieces) override {
    std::vector<iovec> iov;
    iov.reserve(pieces.size());
    for (const auto piece : pieces) {
      if (piece.empty()) continue;
      // writev never writes through the pointer; iovec just is not const.
      iov.push_back({const_cast<std::byte*>(piece.data()), piece.size()});
    }
    // writev takes at most IOV_MAX pieces and may write less than asked.
    size_t next = 0;
    while (next < iov.size()) {
      const int count = static_cast<int>(std::min<size_t>(iov.size() - next, IOV_MAX));
      const ssize_t n = ::writev(fd_, &iov[next], count);
      if (n < 0) {
        if (errno == EINTR) continue;
        return last_error();
      }
      if (n == 0) return std::make_error_code(std::errc::io_error);  // no progress: never spin
      auto left = static_cast<size_t>(n);
      while (next < iov.size() && left >= iov[next].iov_len)
        left -= iov[next++].iov_len;
      if (left > 0) {
        iov[next].iov_base = static_cast<std::byte*>(iov[next].iov_base) + left;
        iov[next].iov_len -= left;
      }
    }
    return {};
  }

  std::error_code read_at(uint64_t offset, std::span<std::byte> out, size_t* read) const override {
    size_t done = 0;
    while (done < out.size()) {
      const ssize_t n =
          ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
      if (n < 0) {
        if (errno == EINTR) continue;
        return last_error();
      }
      if (n == 0) break;
      done += static_cast<size_t>(n);
    }
    *read = done;
    return {};
  }

  std::error_code sync() override {
    while (::fdatasync(fd_) != 0) {
      if (errno != EINTR) return last_error();
    }
    return {};
  }

  std::error_code truncate(uint64_t size) override {
    while (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
      if (errno != EINTR) return last_error();
    }
    return {};
  }

  std::error_code size(uint64_t* size) const override {
    struct stat st {};
    if (::fstat(fd_, &st) != 0) return last_error();
    *size = static_cast<uint64_t>(st.st_size);
    return {};
  }

 private:
  const int fd_;
};

class PosixEnv final : public Env {
 public:
  std::error_code open(const std::string& path, OpenMode mode,
                       std::unique_ptr<File>* file) override {
    int flags = O_CLOEXEC;
    switch (mode) {
      case OpenMode::read:
        flags |= O_RDONLY;
        break;
      case OpenMode::read_write:
        flags |= O_RDWR | O_APPEND;
        break;
      case OpenMode::create:
        flags |= O_RDWR | O_APPEND | O_CREAT | O_EXCL;
        break;
      case OpenMode::replace:
        flags |= O_RDWR | O_APPEND | O_CREAT | O_TRUNC;
        break;
    }
    int fd;
    do {
      fd = ::open(path.c_str(), flags, 0644);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return last_error();
    *file = std::make_unique<PosixFile>(fd);
    return {};
  }

  std::error_code list(const std::string& dir, std::vector<std::string>* names) override {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return last_error();
    names->clear();
    errno = 0;
    while (const dirent* e = ::readdir(d)) {
      const std::string_view name = e->d_name;
      if (name != "." && name != "..") names->emplace_back(name);
    }
    const std::error_code ec = errno != 0 ? last_error() : std::error_code{};
    ::closedir(d);
    return ec;
  }

  std::error_code remove(const std::string& path) override {
    return ::unlink(path.c_str()) == 0 ? std::error_code{} : last_error();
  }

  std::error_code rename(const std::string& from, const std::string& to) override {
    return ::rename(from.c_str(), to.c_str()) == 0 ? std::error_code{} : last_error();
  }

  std::error_code create_dir(const std::string& dir) override {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    return ec;
  }

  std::error_code sync_dir(const std::string& dir) override {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return last_error();
    std::error_code ec;
    while (::fsync(fd) != 0) {
      if (errno != EINTR) {
        ec = last_error();
        break;
      }
    }
    ::close(fd);
    return ec;
  }
};

}  // namespace

Env& posix_env() {
  static PosixEnv env;
  return env;
}

}  // namespace ks::buffer
