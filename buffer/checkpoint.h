#pragma once
// The forwarder's durable state: how far the log is forwarded and what the
// upstream idempotent producer looks like. A small checksummed file,
// replaced atomically (FORMAT.md "Checkpoint").
#include <cstdint>
#include <string>
#include <system_error>
#include <vector>

#include "buffer/env.h"
#include "buffer/errc.h"

namespace ks::buffer {

struct PartitionCursor {
  std::string topic;
  int32_t partition = 0;
  uint64_t forwarded_until = 0;  // this partition's entries at positions below it are forwarded
  int32_t next_sequence = 0;
  int64_t last_upstream_offset = -1;  // -1: unknown

  friend bool operator==(const PartitionCursor&, const PartitionCursor&) = default;
};

struct Checkpoint {
  uint64_t low_watermark = 0;  // every entry at a position below it is forwarded
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  std::vector<PartitionCursor> partitions;

  friend bool operator==(const Checkpoint&, const Checkpoint&) = default;
};

// Replaces the file at `path` with `checkpoint`: writes `path`.tmp,
// fdatasyncs it, renames it over `path` and fsyncs the directory. A crash
// leaves the old checkpoint or the new one, never a mix.
//
// A full file system must not stop it: segments are released (which is how
// space returns) only once a checkpoint says they may go. So it keeps
// `path`.reserve, kCheckpointReserveBytes of space held in advance, gives
// it up when the write finds no space, and makes it again once it can.
std::error_code save_checkpoint(const std::string& path, const Checkpoint& checkpoint,
                                Env& env = posix_env());

// errc::not_found when there is no file: a fresh start. errc::corruption
// (logged) or errc::unsupported_version when it cannot be trusted: the
// caller decides what to do. Other errors are I/O errors.
std::error_code load_checkpoint(const std::string& path, Checkpoint* checkpoint,
                                Env& env = posix_env());

}  // namespace ks::buffer
