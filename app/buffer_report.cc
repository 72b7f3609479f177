#include "app/buffer_report.h"

#include <fmt/format.h>

#include <filesystem>
#include <optional>
#include <vector>

#include "common/utc_time.h"
#include "proxy/protocol/record_batch.h"

namespace ks::app {
namespace {

constexpr std::string_view kIndent = "  ";

// Kafka's "no timestamp" is -1.
std::string timestamp(int64_t ms) {
  return ms == -1 ? "none" : format_utc_ms(ms);
}

std::string optional_number(const std::optional<uint64_t>& value) {
  return value ? std::to_string(*value) : "none";
}

std::string size_or_null(int32_t size) {
  return size < 0 ? "null" : std::to_string(size);
}

std::string damage_fields(const Damage& damage) {
  std::string out = fmt::format("segment={}", damage.segment.empty() ? "none" : damage.segment);
  if (!damage.segment.empty()) out += fmt::format(" offset={}", damage.offset);
  return out + fmt::format(" begin={} end={} bytes={}", damage.range.begin.value,
                           damage.range.end.value, damage.range.size());
}

// The log's lines, or with `dead_letter` the dead-letter log's, each
// beginning with "dead-letter " and without forwarding fields.
void append_log(std::string& out, const LogInspection& log, bool dead_letter) {
  const std::string_view prefix = dead_letter ? "dead-letter " : "";
  const bool forwarding = !dead_letter;
  const LogTotals& totals = log.totals;
  // On disk, damage included; the total line counts the valid entries' bytes.
  uint64_t segment_bytes = 0;
  for (const auto& segment : log.segments)
    segment_bytes += segment.size;
  out += fmt::format("{}{}dir={} segments={} entries={} records={} bytes={} begin={} end={}\n",
                     kIndent, dead_letter ? "dead-letter " : "log ", log.dir, log.segments.size(),
                     totals.entries, totals.records, segment_bytes, log.span.begin.value,
                     log.span.end.value);
  for (const auto& segment : log.segments) {
    out += fmt::format("{}{}segment name={} base={} bytes={} entries={}\n", kIndent, prefix,
                       std::filesystem::path(segment.path).filename().string(), segment.base,
                       segment.size, segment.entries);
  }
  if (log.incomplete_tail) {
    out += fmt::format("{}{}{}: {}\n", kIndent, prefix, log.incomplete_tail->reason,
                       damage_fields(*log.incomplete_tail));
  }
  for (const auto& p : log.partitions) {
    out += fmt::format("{}{}partition topic={} partition={} entries={} records={} bytes={}",
                       kIndent, prefix, p.topic, p.partition, p.entries, p.records, p.bytes);
    if (p.entries > 0) {
      out += fmt::format(" first={} last={} oldest={} newest={}", p.first.value, p.last.value,
                         format_utc_ms(p.oldest_append_ms), format_utc_ms(p.newest_append_ms));
    } else {
      out += " first=none last=none oldest=none newest=none";
    }
    if (forwarding) {
      out += fmt::format(" forwarded_until={} unforwarded_entries={} unforwarded_records={}",
                         optional_number(p.forwarded_until), p.unforwarded_entries,
                         p.unforwarded_records);
    }
    out += '\n';
  }
  if (forwarding) {
    out += fmt::format(
        "{}{}total entries={} records={} bytes={} unforwarded_entries={} unforwarded_records={}\n",
        kIndent, prefix, totals.entries, totals.records, totals.bytes, totals.unforwarded_entries,
        totals.unforwarded_records);
  }
  if (log.corruption.empty()) out += fmt::format("{}{}corruption none\n", kIndent, prefix);
  for (const auto& damage : log.corruption) {
    out += fmt::format("{}{}corruption {} reason=\"{}\"\n", kIndent, prefix, damage_fields(damage),
                       damage.reason);
  }
}

void append_checkpoint(std::string& out, const CheckpointInspection& inspection) {
  switch (inspection.state) {
    case CheckpointInspection::State::missing:
      out += fmt::format("{}checkpoint none path={} (nothing forwarded yet)\n", kIndent,
                         inspection.path);
      return;
    case CheckpointInspection::State::unreadable:
      out += fmt::format(
          "{}checkpoint unreadable path={} error=\"{}\" (the forwarder sends the whole buffer "
          "again)\n",
          kIndent, inspection.path, inspection.error.message());
      return;
    case CheckpointInspection::State::ok: {
      const buffer::Checkpoint& checkpoint = inspection.checkpoint;
      out += fmt::format(
          "{}checkpoint path={} low_watermark={} producer_id={} producer_epoch={} cursors={}\n",
          kIndent, inspection.path, checkpoint.low_watermark, checkpoint.producer_id,
          checkpoint.producer_epoch, checkpoint.partitions.size());
      return;
    }
  }
}

}  // namespace

std::string format_cluster_heading(const std::string& cluster, const ClusterBufferLayout& layout) {
  return fmt::format("cluster {} dir={}\n", cluster, layout.dir.string());
}

std::string format_cluster_report(const ClusterInspection& inspection) {
  std::string out;
  append_log(out, inspection.log, false);
  append_checkpoint(out, inspection.checkpoint);
  if (inspection.dead_letter) {
    append_log(out, *inspection.dead_letter, true);
  } else {
    out +=
        fmt::format("{}dead-letter none dir={}\n", kIndent, inspection.layout.dead_letter.string());
  }
  return out;
}

std::string format_entry(buffer::Position position, const buffer::EntryView& entry) {
  std::string out = fmt::format(
      "{}entry position={} topic={} partition={} records={} append_time={} batch_bytes={}", kIndent,
      position.value, entry.topic, entry.partition, entry.record_count,
      format_utc_ms(entry.append_time_ms), entry.batch.size());
  protocol::BatchHeader header;
  if (!protocol::read_batch_header(entry.batch, header)) return out + " kafka_header=unreadable\n";
  out += fmt::format(
      " base_offset={} base_sequence={} producer_id={} producer_epoch={} first_timestamp={} "
      "max_timestamp={} compression={}",
      header.base_offset, header.base_sequence, header.producer_id, header.producer_epoch,
      timestamp(header.base_timestamp), timestamp(header.max_timestamp),
      protocol::compression_name(header.compression()));
  if (header.compression() != 0) return out + '\n';
  std::vector<protocol::RecordSizes> records;
  if (!protocol::read_record_sizes(entry.batch, records)) return out + " record_sizes=unreadable\n";
  out += '\n';
  for (const auto& record : records) {
    out += fmt::format("{}{}record key_bytes={} value_bytes={} headers={}\n", kIndent, kIndent,
                       size_or_null(record.key), size_or_null(record.value), record.headers);
  }
  return out;
}

}  // namespace ks::app
