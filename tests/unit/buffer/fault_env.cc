#include "fault_env.h"

#include <algorithm>
#include <filesystem>
#include <utility>

namespace ks::buffer::testing {
namespace {

std::error_code eio() {
  return std::make_error_code(std::errc::io_error);
}

std::string parent(const std::string& path) {
  return std::filesystem::path(path).parent_path().string();
}

}  // namespace

class FaultEnv::FaultFile final : public File {
 public:
  FaultFile(FaultEnv& env, std::string path, std::unique_ptr<File> base)
      : env_(env), path_(std::move(path)), base_(std::move(base)) {}

  std::error_code append(std::span<const std::span<const std::byte>> pieces) override {
    if (const auto ec = env_.write_error()) return ec;
    uint64_t size = 0;
    for (const auto piece : pieces)
      size += piece.size();
    uint64_t allowed = 0;
    const std::error_code budget_ec = env_.write_budget(size, &allowed);
    if (!budget_ec) return base_->append(pieces);
    std::vector<std::span<const std::byte>> prefix;
    for (const auto piece : pieces) {
      if (allowed == 0) break;
      prefix.push_back(piece.first(std::min<uint64_t>(piece.size(), allowed)));
      allowed -= prefix.back().size();
    }
    if (const auto ec = base_->append(prefix)) return ec;
    return budget_ec;
  }
  std::error_code read_at(uint64_t offset, std::span<std::byte> out, size_t* read) const override {
    return base_->read_at(offset, out, read);
  }
  std::error_code sync() override {
    std::function<void()> hook;
    {
      std::lock_guard lock(env_.mu_);
      hook = env_.sync_hook_;
    }
    if (hook) hook();
    ++env_.file_syncs_;
    if (const auto ec = env_.sync_error()) return ec;
    if (const auto ec = base_->sync()) return ec;
    uint64_t size = 0;
    if (const auto ec = base_->size(&size)) return ec;
    env_.synced(path_, size);
    return {};
  }
  std::error_code truncate(uint64_t size) override {
    {
      std::lock_guard lock(env_.mu_);
      if (env_.crashed_) return eio();
      if (env_.truncate_error_) return env_.truncate_error_;
    }
    if (const auto ec = base_->truncate(size)) return ec;
    env_.truncated(path_, size);
    return {};
  }
  std::error_code size(uint64_t* size) const override { return base_->size(size); }

 private:
  FaultEnv& env_;
  const std::string path_;
  std::unique_ptr<File> base_;
};

void FaultEnv::fail_writes(std::error_code ec) {
  std::lock_guard lock(mu_);
  write_error_ = ec;
  write_budget_.reset();
}

void FaultEnv::fail_syncs(std::error_code ec) {
  std::lock_guard lock(mu_);
  sync_error_ = ec;
}

void FaultEnv::fail_removes(std::error_code ec) {
  std::lock_guard lock(mu_);
  remove_error_ = ec;
}

void FaultEnv::fail_truncates(std::error_code ec) {
  std::lock_guard lock(mu_);
  truncate_error_ = ec;
}

void FaultEnv::fail_creates(std::error_code ec) {
  std::lock_guard lock(mu_);
  create_error_ = ec;
}

void FaultEnv::fail_writes_after(uint64_t bytes, std::error_code ec) {
  std::lock_guard lock(mu_);
  write_budget_ = bytes;
  budget_error_ = ec;
}

std::error_code FaultEnv::write_budget(uint64_t size, uint64_t* allowed) {
  std::lock_guard lock(mu_);
  if (!write_budget_ || size <= *write_budget_) {
    if (write_budget_) *write_budget_ -= size;
    return {};
  }
  *allowed = *write_budget_;
  *write_budget_ = 0;
  return budget_error_;
}

void FaultEnv::set_remove_hook(std::function<void(const std::string&)> hook) {
  std::lock_guard lock(mu_);
  remove_hook_ = std::move(hook);
}

void FaultEnv::set_sync_hook(std::function<void()> hook) {
  std::lock_guard lock(mu_);
  sync_hook_ = std::move(hook);
}

void FaultEnv::crash() {
  std::lock_guard lock(mu_);
  for (const auto& [path, state] : files_) {
    if (!state.durable_name) {
      base_.remove(path);
      continue;
    }
    std::unique_ptr<File> file;
    if (!base_.open(path, OpenMode::read_write, &file)) file->truncate(state.synced_size);
  }
  crashed_ = true;
}

std::error_code FaultEnv::write_error() const {
  std::lock_guard lock(mu_);
  return crashed_ ? eio() : write_error_;
}

std::error_code FaultEnv::sync_error() const {
  std::lock_guard lock(mu_);
  return crashed_ ? eio() : sync_error_;
}

void FaultEnv::synced(const std::string& path, uint64_t size) {
  std::lock_guard lock(mu_);
  files_[path].synced_size = size;
}

void FaultEnv::truncated(const std::string& path, uint64_t size) {
  std::lock_guard lock(mu_);
  auto& state = files_[path];
  state.synced_size = std::min(state.synced_size, size);
}

std::error_code FaultEnv::open(const std::string& path, OpenMode mode,
                               std::unique_ptr<File>* file) {
  if (mode == OpenMode::create || mode == OpenMode::replace) {
    if (const auto ec = write_error()) return ec;
    std::lock_guard lock(mu_);
    if (create_error_) return create_error_;
  }
  std::unique_ptr<File> base;
  if (const auto ec = base_.open(path, mode, &base)) return ec;
  {
    std::lock_guard lock(mu_);
    if (mode == OpenMode::create || mode == OpenMode::replace) {
      files_[path] = FileState{0, false};
    } else if (!files_.contains(path)) {
      // Existed before this env saw it: all of it is durable.
      uint64_t size = 0;
      base->size(&size);
      files_[path] = FileState{size, true};
    }
  }
  *file = std::make_unique<FaultFile>(*this, path, std::move(base));
  return {};
}

std::error_code FaultEnv::list(const std::string& dir, std::vector<std::string>* names) {
  return base_.list(dir, names);
}

std::error_code FaultEnv::remove(const std::string& path) {
  std::function<void(const std::string&)> hook;
  {
    std::lock_guard lock(mu_);
    if (crashed_) return eio();
    if (remove_error_) return remove_error_;
    files_.erase(path);
    hook = remove_hook_;
  }
  if (const auto ec = base_.remove(path)) return ec;
  if (hook) hook(path);
  return {};
}

std::error_code FaultEnv::rename(const std::string& from, const std::string& to) {
  if (const auto ec = write_error()) return ec;
  if (const auto ec = base_.rename(from, to)) return ec;
  std::lock_guard lock(mu_);
  FileState state = files_[from];
  state.durable_name = false;
  files_.erase(from);
  files_[to] = state;
  return {};
}

std::error_code FaultEnv::create_dir(const std::string& dir) {
  return base_.create_dir(dir);
}

std::error_code FaultEnv::sync_dir(const std::string& dir) {
  if (const auto ec = sync_error()) return ec;
  if (const auto ec = base_.sync_dir(dir)) return ec;
  std::lock_guard lock(mu_);
  for (auto& [path, state] : files_) {
    if (parent(path) == dir) state.durable_name = true;
  }
  return {};
}

}  // namespace ks::buffer::testing
