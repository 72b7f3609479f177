#pragma once
// What `kafka-sidecar buffer inspect` finds in one cluster's buffer: the
// log's segments, what each partition holds, how far the forwarder got,
// the damage, the dead letters. Everything is read with a read_only log,
// so a running sidecar can keep appending and releasing meanwhile; the
// inspection is a snapshot of the segments as they were when it began.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "app/buffer_layout.h"
#include "buffer/checkpoint.h"
#include "buffer/entry.h"
#include "buffer/log.h"
#include "buffer/position.h"
#include "common/result.h"

namespace ks::app {

// Entries are the log's frames, one client batch each; records are the
// Kafka records in them.
struct PartitionStats {
  std::string topic;
  int32_t partition = 0;
  uint64_t entries = 0;
  uint64_t records = 0;
  uint64_t bytes = 0;  // of frames on disk
  buffer::Position first;
  buffer::Position last;
  int64_t oldest_append_ms = 0;
  int64_t newest_append_ms = 0;
  // The partition's cursor in the checkpoint; none without one.
  std::optional<uint64_t> forwarded_until;
  uint64_t unforwarded_entries = 0;
  uint64_t unforwarded_records = 0;
};

struct LogTotals {
  uint64_t entries = 0;
  uint64_t records = 0;
  uint64_t bytes = 0;
  uint64_t unforwarded_entries = 0;
  uint64_t unforwarded_records = 0;
};

// A range of positions the log could not read, or its incomplete tail.
struct Damage {
  std::string segment;  // the file name holding it; empty for a missing segment
  uint64_t offset = 0;  // of range.begin in that file
  buffer::Range range;
  std::string reason;
};

struct LogInspection {
  std::string dir;
  std::vector<buffer::SegmentInfo> segments;
  buffer::Range span;                      // [begin, end) of the valid data
  std::vector<PartitionStats> partitions;  // by topic, then partition
  LogTotals totals;
  std::vector<Damage> corruption;
  // Invalid bytes at the end of the last segment: a frame a running
  // sidecar is still writing, or a torn write its next start will cut off.
  std::optional<Damage> incomplete_tail;
};

struct CheckpointInspection {
  enum class State { missing, ok, unreadable };
  State state = State::missing;
  std::string path;
  buffer::Checkpoint checkpoint;
  std::error_code error;  // unreadable: why
};

struct ClusterInspection {
  std::string cluster;
  ClusterBufferLayout layout;
  CheckpointInspection checkpoint;
  LogInspection log;
  std::optional<LogInspection> dead_letter;  // none: the cluster has no dead-letter log
};

// Called for each valid entry of the log, in position order (--dump).
using EntryVisitor = std::function<void(buffer::Position, const buffer::EntryView&)>;

// Reads the cluster's checkpoint, log and dead-letter log. Corruption is
// part of the answer; only I/O errors fail it (a missing log directory or
// one without segments too), with a message naming the path.
Result<ClusterInspection> inspect_cluster_buffer(const std::string& cluster,
                                                 const ClusterBufferLayout& layout,
                                                 const EntryVisitor& visit = {});

// What --dir names: a cluster's directory (<buffer.dir>/<cluster>), or the
// log directory in it, the one holding the segments.
ClusterBufferLayout layout_for_dir(const std::filesystem::path& dir);

// No corruption anywhere and a checkpoint that could be read (or none).
bool intact(const ClusterInspection& inspection);

}  // namespace ks::app
