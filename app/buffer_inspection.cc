#include "app/buffer_inspection.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <string_view>
#include <utility>

#include "buffer/errc.h"
#include "buffer/frame.h"
#include "buffer/reporter.h"
#include "buffer/segment_name.h"

namespace ks::app {
namespace {

constexpr std::string_view kIncompleteTail = "incomplete tail (may be in progress)";

struct Reported {
  buffer::Range range;
  std::string reason;
};

// Collects the damage the log finds while opening; a read_only log repairs
// nothing, so this is all that happens to it.
class CollectingReporter final : public buffer::Reporter {
 public:
  void corruption(buffer::Range dropped, std::string_view reason) override {
    found_.push_back(Reported{dropped, std::string(reason)});
  }
  const std::vector<Reported>& found() const { return found_; }

 private:
  std::vector<Reported> found_;
};

std::string file_name(const std::string& path) {
  return std::filesystem::path(path).filename().string();
}

Damage damage_in(const buffer::SegmentInfo& segment, buffer::Range range, std::string reason) {
  return Damage{file_name(segment.path), range.begin.value - segment.base, range,
                std::move(reason)};
}

// Names the file that holds a reported range. Ranges are in positions, and
// two cases do not lie in the file whose positions they fall in: bytes
// overlapping the next segment were read from the file ending there, and a
// missing segment is in no file at all.
Damage locate(const std::vector<buffer::SegmentInfo>& segments, const Reported& reported) {
  const uint64_t begin = reported.range.begin.value;
  if (reported.reason != buffer::kMissingSegment) {
    const bool overlap = reported.reason == buffer::kOverlappingSegment;
    for (const auto& segment : segments) {
      const bool holds = overlap ? segment.base + segment.size == begin
                                 : segment.base <= begin && begin < segment.base + segment.size;
      if (holds) return damage_in(segment, reported.range, reported.reason);
    }
  }
  return Damage{"", 0, reported.range, reported.reason};
}

using PartitionKey = std::pair<std::string, int32_t>;

// What the forwarder has sent of each partition (Forwarder::recover's
// rule): every entry below the low watermark, and below the partition's
// own cursor where it has one.
class ForwardCursors {
 public:
  explicit ForwardCursors(const buffer::Checkpoint& checkpoint)
      : low_watermark_(checkpoint.low_watermark) {
    for (const auto& cursor : checkpoint.partitions)
      cursors_[{cursor.topic, cursor.partition}] = cursor.forwarded_until;
  }

  std::optional<uint64_t> cursor(const PartitionKey& key) const {
    const auto it = cursors_.find(key);
    return it == cursors_.end() ? std::nullopt : std::optional(it->second);
  }

  bool forwarded(const PartitionStats& partition, buffer::Position position) const {
    return position.value < low_watermark_ ||
           (partition.forwarded_until && position.value < *partition.forwarded_until);
  }

  const std::map<PartitionKey, uint64_t>& all() const { return cursors_; }

 private:
  uint64_t low_watermark_;
  std::map<PartitionKey, uint64_t> cursors_;
};

void count(PartitionStats& stats, buffer::Position position, const buffer::EntryView& entry,
           bool forwarded) {
  const uint64_t bytes = buffer::frame_size(entry);
  if (stats.entries == 0) {
    stats.first = position;
    stats.oldest_append_ms = stats.newest_append_ms = entry.append_time_ms;
  }
  ++stats.entries;
  stats.records += static_cast<uint64_t>(entry.record_count);
  stats.bytes += bytes;
  stats.last = position;
  // The wall clock may step back between appends.
  stats.oldest_append_ms = std::min(stats.oldest_append_ms, entry.append_time_ms);
  stats.newest_append_ms = std::max(stats.newest_append_ms, entry.append_time_ms);
  if (!forwarded) {
    ++stats.unforwarded_entries;
    stats.unforwarded_records += static_cast<uint64_t>(entry.record_count);
  }
}

// Opens the log at `dir` read_only and reads it once. Partitions with a
// cursor in `checkpoint` are listed even when the log holds nothing of
// them any more, so every cursor is shown.
Result<LogInspection> inspect_log(const std::string& dir, const buffer::Checkpoint& checkpoint,
                                  const EntryVisitor& visit) {
  CollectingReporter reporter;
  buffer::LogOptions options;
  options.read_only = true;
  options.reporter = &reporter;
  std::unique_ptr<buffer::Log> log;
  if (const auto ec = buffer::Log::open(dir, options, &log)) {
    if (ec == buffer::errc::not_found) return Error{ec, fmt::format("no log segments in {}", dir)};
    return Error{ec, fmt::format("cannot read the log in {}: {}", dir, ec.message())};
  }

  LogInspection out;
  out.dir = dir;
  out.segments = log->segments();
  out.span = buffer::Range{log->begin(), log->end()};
  for (const Reported& reported : reporter.found())
    out.corruption.push_back(locate(out.segments, reported));
  if (const buffer::Range tail = log->recovery().torn_tail; tail.size() > 0) {
    out.incomplete_tail = damage_in(out.segments.back(), tail, std::string(kIncompleteTail));
  }

  const ForwardCursors cursors(checkpoint);
  std::map<PartitionKey, PartitionStats> partitions;
  const auto stats_of = [&](PartitionKey key) -> PartitionStats& {
    auto [it, added] = partitions.try_emplace(key);
    if (added) {
      it->second.topic = key.first;
      it->second.partition = key.second;
      it->second.forwarded_until = cursors.cursor(key);
    }
    return it->second;
  };
  for (const auto& [key, until] : cursors.all())
    stats_of(key);
  // Opening reported all the damage in these bytes already: no reporter.
  buffer::LogScanner scanner = log->scan(log->begin());
  while (scanner.next()) {
    const buffer::EntryView& entry = scanner.entry();
    PartitionStats& stats = stats_of({std::string(entry.topic), entry.partition});
    count(stats, scanner.position(), entry, cursors.forwarded(stats, scanner.position()));
    if (visit) visit(scanner.position(), entry);
  }
  if (const auto ec = scanner.status())
    return Error{ec, fmt::format("cannot read the log in {}: {}", dir, ec.message())};

  for (auto& [key, stats] : partitions) {
    out.totals.entries += stats.entries;
    out.totals.records += stats.records;
    out.totals.bytes += stats.bytes;
    out.totals.unforwarded_entries += stats.unforwarded_entries;
    out.totals.unforwarded_records += stats.unforwarded_records;
    out.partitions.push_back(std::move(stats));
  }
  return out;
}

Result<CheckpointInspection> inspect_checkpoint(const std::string& path) {
  CheckpointInspection out;
  out.path = path;
  const auto ec = buffer::load_checkpoint(path, &out.checkpoint);
  if (!ec) {
    out.state = CheckpointInspection::State::ok;
  } else if (ec == buffer::errc::not_found) {
    out.state = CheckpointInspection::State::missing;
  } else if (ec == buffer::errc::corruption || ec == buffer::errc::unsupported_version) {
    // The forwarder then forwards the whole buffer: so does our count.
    out.state = CheckpointInspection::State::unreadable;
    out.error = ec;
    out.checkpoint = {};
  } else {
    return Error{ec, fmt::format("cannot read the checkpoint {}: {}", path, ec.message())};
  }
  return out;
}

}  // namespace

Result<ClusterInspection> inspect_cluster_buffer(const std::string& cluster,
                                                 const ClusterBufferLayout& layout,
                                                 const EntryVisitor& visit) {
  ClusterInspection out;
  out.cluster = cluster;
  out.layout = layout;
  // The checkpoint first: a cursor never points past entries the log
  // already held, so the log read after it has them all.
  auto checkpoint = inspect_checkpoint(layout.checkpoint.string());
  if (!checkpoint) return checkpoint.error();
  out.checkpoint = std::move(*checkpoint);

  auto log = inspect_log(layout.log.string(), out.checkpoint.checkpoint, visit);
  if (!log) return log.error();
  out.log = std::move(*log);

  // Dead letters are never forwarded: no cursors apply.
  auto dead_letter = inspect_log(layout.dead_letter.string(), buffer::Checkpoint{}, {});
  if (dead_letter) {
    out.dead_letter = std::move(*dead_letter);
  } else if (dead_letter.error().code != buffer::errc::not_found &&
             dead_letter.error().code != std::errc::no_such_file_or_directory) {
    return dead_letter.error();
  }
  return out;
}

ClusterBufferLayout layout_for_dir(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path named = fs::absolute(dir, ec);
  if (ec) named = dir;
  named = named.lexically_normal();
  if (!named.has_filename()) named = named.parent_path();  // a trailing '/'
  if (fs::is_directory(named / cluster_buffer_layout(named).log.filename(), ec)) {
    return cluster_buffer_layout(named);
  }
  // Errors only end the search: the inspection then names what it cannot read.
  for (fs::directory_iterator it(named, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    if (buffer::parse_segment_name(it->path().filename().string())) {
      return cluster_buffer_layout(named.parent_path());
    }
  }
  return cluster_buffer_layout(named);
}

bool intact(const ClusterInspection& inspection) {
  return inspection.log.corruption.empty() &&
         (!inspection.dead_letter || inspection.dead_letter->corruption.empty()) &&
         inspection.checkpoint.state != CheckpointInspection::State::unreadable;
}

}  // namespace ks::app
