#include "buffer/checkpoint.h"

#include <algorithm>
#include <filesystem>
#include <limits>

#include "buffer/coding.h"
#include "buffer/errc.h"
#include "buffer/format.h"
#include "common/crc32c.h"
#include "common/log.h"

namespace ks::buffer {
namespace {

std::vector<std::byte> encode(const Checkpoint& checkpoint) {
  std::vector<std::byte> body;
  put_fixed(&body, checkpoint.low_watermark);
  put_fixed(&body, checkpoint.producer_id);
  put_fixed(&body, checkpoint.producer_epoch);
  put_fixed(&body, static_cast<uint32_t>(checkpoint.partitions.size()));
  for (const auto& cursor : checkpoint.partitions) {
    put_fixed(&body, static_cast<uint16_t>(cursor.topic.size()));
    const auto topic = std::as_bytes(std::span(cursor.topic));
    body.insert(body.end(), topic.begin(), topic.end());
    put_fixed(&body, cursor.partition);
    put_fixed(&body, cursor.forwarded_until);
    put_fixed(&body, cursor.next_sequence);
    put_fixed(&body, cursor.last_upstream_offset);
  }
  std::vector<std::byte> file;
  file.reserve(format::kCheckpointHeaderSize + body.size());
  put_fixed(&file, format::kCheckpointMagic);
  put_fixed(&file, uint32_t{0});  // crc, filled in below
  put_fixed(&file, format::kCheckpointVersion);
  put_fixed(&file, static_cast<uint32_t>(body.size()));
  file.insert(file.end(), body.begin(), body.end());
  const uint32_t masked = format::mask_crc(crc32c(std::span(file).subspan(8)));
  std::memcpy(file.data() + 4, &masked, sizeof masked);
  return file;
}

bool decode_body(std::span<const std::byte> body, Checkpoint* checkpoint) {
  Decoder in(body);
  uint32_t count = 0;
  if (!in.read(&checkpoint->low_watermark) || !in.read(&checkpoint->producer_id) ||
      !in.read(&checkpoint->producer_epoch) || !in.read(&count)) {
    return false;
  }
  checkpoint->partitions.clear();
  for (uint32_t i = 0; i < count; ++i) {
    PartitionCursor cursor;
    uint16_t topic_length = 0;
    std::span<const std::byte> topic;
    if (!in.read(&topic_length) || !in.read_bytes(topic_length, &topic) ||
        !in.read(&cursor.partition) || !in.read(&cursor.forwarded_until) ||
        !in.read(&cursor.next_sequence) || !in.read(&cursor.last_upstream_offset)) {
      return false;
    }
    cursor.topic.assign(reinterpret_cast<const char*>(topic.data()), topic.size());
    checkpoint->partitions.push_back(std::move(cursor));
  }
  return in.rest().empty();
}

std::error_code corrupt(const std::string& path, std::string_view reason) {
  ks::log::error("buffer.checkpoint_corrupt", "path={} reason={}", ks::log::quote(path),
                 ks::log::quote(reason));
  return errc::corruption;
}

std::error_code replace_file(const std::string& path, std::span<const std::byte> bytes, Env& env) {
  const std::string temp = path + std::string(format::kTempSuffix);
  std::unique_ptr<File> file;
  if (const auto ec = env.open(temp, OpenMode::replace, &file)) return ec;
  const std::span<const std::byte> pieces[] = {bytes};
  if (const auto ec = file->append(pieces)) {
    file.reset();
    env.remove(temp);  // what it holds of the disk, a full one may need
    return ec;
  }
  if (const auto ec = file->sync()) return ec;
  file.reset();
  if (const auto ec = env.rename(temp, path)) return ec;
  std::string dir = std::filesystem::path(path).parent_path().string();
  return env.sync_dir(dir.empty() ? "." : dir);
}

// Best effort, and not synced: after a crash it is simply made again.
void keep_reserve(const std::string& reserve, uint64_t needed, Env& env) {
  std::unique_ptr<File> file;
  uint64_t size = 0;
  if (!env.open(reserve, OpenMode::read, &file) && !file->size(&size) && size >= needed) return;
  file.reset();
  if (env.open(reserve, OpenMode::replace, &file)) return;
  const std::vector<std::byte> zeros(needed);
  const std::span<const std::byte> pieces[] = {zeros};
  if (file->append(pieces)) {
    file.reset();
    env.remove(reserve);  // a part of it would only take space
  }
}

}  // namespace

std::error_code save_checkpoint(const std::string& path, const Checkpoint& checkpoint, Env& env) {
  for (const auto& cursor : checkpoint.partitions) {
    if (cursor.topic.size() > std::numeric_limits<uint16_t>::max()) {
      return std::make_error_code(std::errc::invalid_argument);
    }
  }
  const std::vector<std::byte> bytes = encode(checkpoint);
  const std::string reserve = path + std::string(format::kReserveSuffix);
  std::error_code ec = replace_file(path, bytes, env);
  if (is_no_space(ec) && !env.remove(reserve)) {
    ks::log::warn("buffer.checkpoint_reserve_used", "path={}", ks::log::quote(path));
    ec = replace_file(path, bytes, env);
  }
  if (!ec) {
    keep_reserve(reserve, std::max<uint64_t>(format::kCheckpointReserveBytes, 2 * bytes.size()),
                 env);
  }
  return ec;
}

std::error_code load_checkpoint(const std::string& path, Checkpoint* checkpoint, Env& env) {
  std::unique_ptr<File> file;
  if (const auto ec = env.open(path, OpenMode::read, &file)) {
    return ec == std::errc::no_such_file_or_directory ? errc::not_found : ec;
  }
  uint64_t size = 0;
  if (const auto ec = file->size(&size)) return ec;
  if (size < format::kCheckpointHeaderSize) return corrupt(path, "short file");
  if (size > std::numeric_limits<uint32_t>::max()) return corrupt(path, "file too large");
  std::vector<std::byte> bytes(size);
  size_t n = 0;
  if (const auto ec = file->read_at(0, bytes, &n)) return ec;
  if (n != size) return corrupt(path, "short read");

  if (get_fixed<uint32_t>(bytes.data()) != format::kCheckpointMagic) {
    return corrupt(path, "bad magic");
  }
  const uint32_t crc = crc32c(std::span(bytes).subspan(8));
  if (format::unmask_crc(get_fixed<uint32_t>(bytes.data() + 4)) != crc) {
    return corrupt(path, "checksum mismatch");
  }
  const auto version = get_fixed<uint16_t>(bytes.data() + 8);
  if (version != format::kCheckpointVersion) {
    ks::log::error("buffer.checkpoint_version", "path={} version={} supported={}",
                   ks::log::quote(path), version, format::kCheckpointVersion);
    return errc::unsupported_version;
  }
  const auto body = std::span(bytes).subspan(format::kCheckpointHeaderSize);
  if (get_fixed<uint32_t>(bytes.data() + 10) != body.size()) return corrupt(path, "bad length");
  Checkpoint loaded;
  if (!decode_body(body, &loaded)) return corrupt(path, "unparsable body");
  *checkpoint = std::move(loaded);
  return {};
}

}  // namespace ks::buffer
