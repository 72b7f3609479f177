#pragma once
// The file-system calls the buffer makes, behind an interface so tests can
// inject failures and simulate power loss (LevelDB's Env). posix_env() is
// the real one.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <system_error>
#include <vector>

namespace ks::buffer {

class File {
 public:
  virtual ~File() = default;

  // Appends the pieces, in order, at the end of the file, in as few write
  // calls as the OS allows. On error a prefix may have been written.
  virtual std::error_code append(std::span<const std::span<const std::byte>> pieces) = 0;

  // Reads up to out.size() bytes at `offset`; *read falls short only at the
  // end of the file. Safe from several threads and during an append.
  virtual std::error_code read_at(uint64_t offset, std::span<std::byte> out,
                                  size_t* read) const = 0;

  virtual std::error_code sync() = 0;  // fdatasync: data and size, not times
  virtual std::error_code truncate(uint64_t size) = 0;
  virtual std::error_code size(uint64_t* size) const = 0;
};

enum class OpenMode {
  read,        // an existing file, read-only
  read_write,  // an existing file; appends go to its end
  create,      // a new file; fails if it exists
  replace,     // created, or truncated to empty if it exists
};

class Env {
 public:
  virtual ~Env() = default;

  virtual std::error_code open(const std::string& path, OpenMode mode,
                               std::unique_ptr<File>* file) = 0;
  // Names (not paths) of the entries in `dir`, without "." and "..".
  virtual std::error_code list(const std::string& dir, std::vector<std::string>* names) = 0;
  virtual std::error_code remove(const std::string& path) = 0;
  virtual std::error_code rename(const std::string& from, const std::string& to) = 0;
  // Creates the directory and its parents; fine if it exists.
  virtual std::error_code create_dir(const std::string& dir) = 0;
  // fsync of the directory: makes creations, renames and removals durable.
  virtual std::error_code sync_dir(const std::string& dir) = 0;
};

Env& posix_env();

}  // namespace ks::buffer
