#pragma once
// A test Env over the real one that can fail writes, syncs and removals,
// hold a thread inside sync, and simulate a power loss: every file loses
// what was written after its last sync and files whose creation was not
// made durable by a directory sync vanish (LevelDB's FaultInjectionTestEnv).
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "buffer/env.h"

namespace ks::buffer::testing {

class FaultEnv final : public Env {
 public:
  explicit FaultEnv(Env& base = posix_env()) : base_(base) {}

  // From now on each such call fails with `ec` (a default ec stops it).
  // Writes include creating a file; truncating is not a write (shrinking a
  // file needs no space).
  void fail_writes(std::error_code ec);
  void fail_syncs(std::error_code ec);
  void fail_removes(std::error_code ec);
  void fail_truncates(std::error_code ec);
  void fail_creates(std::error_code ec);  // open(create or replace) only
  // Files are created, and `bytes` more bytes written, then every write
  // fails with `ec`: the write that crosses the limit writes its first
  // bytes up to it, as a disk filling up in the middle of a writev does.
  void fail_writes_after(uint64_t bytes, std::error_code ec);
  // Runs at the start of every File::sync, on the syncing thread.
  void set_sync_hook(std::function<void()> hook);
  // Runs after each successful remove with its path (space freed).
  void set_remove_hook(std::function<void(const std::string&)> hook);
  // Power loss now; afterwards every write, sync and removal fails with EIO.
  void crash();
  uint64_t file_syncs() const { return file_syncs_; }

  std::error_code open(const std::string& path, OpenMode mode,
                       std::unique_ptr<File>* file) override;
  std::error_code list(const std::string& dir, std::vector<std::string>* names) override;
  std::error_code remove(const std::string& path) override;
  std::error_code rename(const std::string& from, const std::string& to) override;
  std::error_code create_dir(const std::string& dir) override;
  std::error_code sync_dir(const std::string& dir) override;

 private:
  class FaultFile;
  struct FileState {
    uint64_t synced_size = 0;
    bool durable_name = false;  // its directory entry survives a power loss
  };

  std::error_code write_error() const;
  // Of a write of `size` bytes: how much of it may go out, and the error
  // after that, if any.
  std::error_code write_budget(uint64_t size, uint64_t* allowed);
  std::error_code sync_error() const;
  void synced(const std::string& path, uint64_t size);
  void truncated(const std::string& path, uint64_t size);

  Env& base_;
  mutable std::mutex mu_;
  std::map<std::string, FileState> files_;
  std::error_code write_error_;
  std::error_code sync_error_;
  std::error_code remove_error_;
  std::error_code truncate_error_;
  std::error_code create_error_;
  std::optional<uint64_t> write_budget_;  // bytes until budget_error_
  std::error_code budget_error_;
  bool crashed_ = false;
  std::function<void()> sync_hook_;
  std::function<void(const std::string&)> remove_hook_;
  std::atomic<uint64_t> file_syncs_{0};
};

}  // namespace ks::buffer::testing
