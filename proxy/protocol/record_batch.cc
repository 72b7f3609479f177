#include "proxy/protocol/record_batch.h"

#include <cstring>
#include <limits>

#include "common/crc32c.h"
#include "proxy/protocol/compression.h"

namespace ks::protocol {
namespace {

template <typename T>
void store(std::span<std::byte> batch, size_t at, T value) {
  std::vector<std::byte> tmp;
  Writer w(tmp);
  if constexpr (sizeof(T) == 2) w.int16(value);
  if constexpr (sizeof(T) == 4) w.int32(value);
  if constexpr (sizeof(T) == 8) w.int64(value);
  std::memcpy(batch.data() + at, tmp.data(), tmp.size());
}

uint32_t compute_crc(Bytes batch) {
  return crc32c(batch.subspan(batch_offset::attributes));
}

}  // namespace

int32_t BatchHeader::last_sequence() const {
  if (base_sequence < 0) return -1;
  const int64_t last = static_cast<int64_t>(base_sequence) + last_offset_delta;
  return static_cast<int32_t>(last %
                              (static_cast<int64_t>(std::numeric_limits<int32_t>::max()) + 1));
}

bool read_batch_header(Bytes data, BatchHeader& h) {
  if (data.size() < kBatchHeaderSize) return false;
  Reader r(data.first(kBatchHeaderSize));
  h.base_offset = r.int64();
  h.length = r.int32();
  h.partition_leader_epoch = r.int32();
  h.magic = r.int8();
  h.crc = r.uint32();
  h.attributes = r.int16();
  h.last_offset_delta = r.int32();
  h.base_timestamp = r.int64();
  h.max_timestamp = r.int64();
  h.producer_id = r.int64();
  h.producer_epoch = r.int16();
  h.base_sequence = r.int32();
  h.record_count = r.int32();
  return r.ok();
}

ErrorCode validate_produce_batch(Bytes data, BatchHeader& h) {
  if (!read_batch_header(data, h)) return ErrorCode::corrupt_message;
  if (h.magic != 2) return ErrorCode::unsupported_for_message_format;
  if (h.length < 0 || h.total_size() != data.size()) return ErrorCode::corrupt_message;
  // Every record takes at least a few bytes, so a count beyond the size is a lie.
  if (h.record_count <= 0 || static_cast<size_t>(h.record_count) > data.size() ||
      h.last_offset_delta != h.record_count - 1) {
    return ErrorCode::invalid_record;
  }
  if (compute_crc(data) != h.crc) return ErrorCode::corrupt_message;
  return ErrorCode::none;
}

std::vector<Bytes> split_batches(Bytes records) {
  std::vector<Bytes> out;
  BatchHeader h;
  // A length too small to cover the header is no batch, and the bytes after
  // it cannot be found without it: the split ends there.
  while (read_batch_header(records, h) && h.length >= 0 && h.total_size() >= kBatchHeaderSize &&
         h.total_size() <= records.size()) {
    out.push_back(records.first(h.total_size()));
    records = records.subspan(h.total_size());
  }
  return out;
}

bool read_record_sizes(Bytes batch, std::vector<RecordSizes>& out) {
  out.clear();
  BatchHeader h;
  if (!read_batch_header(batch, h) || h.compression() != 0 || h.length < 0 ||
      h.total_size() > batch.size() || h.record_count < 0) {
    return false;
  }
  // Record: length varint, then attributes int8, timestamp delta varlong,
  // offset delta varint, key, value (varint length, -1 null), headers.
  Reader records(batch.subspan(kBatchHeaderSize, h.total_size() - kBatchHeaderSize));
  for (int32_t i = 0; i < h.record_count; ++i) {
    const int32_t length = records.varint();
    if (!records.ok() || length < 0 || static_cast<size_t>(length) > records.remaining()) {
      return false;
    }
    Reader record(records.take(static_cast<size_t>(length)));
    record.int8();
    record.varlong();
    record.varint();
    RecordSizes sizes;
    for (int32_t* size : {&sizes.key, &sizes.value}) {
      *size = record.varint();
      if (*size < -1) return false;
      if (*size > 0) record.take(static_cast<size_t>(*size));
    }
    sizes.headers = record.varint();
    if (!record.ok() || sizes.headers < 0) return false;
    out.push_back(sizes);
  }
  return records.ok() && records.remaining() == 0;
}

std::string_view compression_name(int codec) {
  const auto known = codec_from_id(codec);
  return known ? codec_name(*known) : "unknown";
}

Result<std::optional<std::vector<std::byte>>> recompress_batch(Bytes batch, Codec codec) {
  const std::optional<std::vector<std::byte>> as_is;
  BatchHeader h;
  if (!read_batch_header(batch, h) || h.length < 0 || h.total_size() != batch.size()) {
    return Error{make_error_code(compression_errc::corrupt_input),
                 "recompress: not one whole record batch"};
  }
  if (codec == Codec::none || h.compression() != 0 || h.is_control()) return as_is;
  const Bytes records = batch.subspan(kBatchHeaderSize);
  auto compressed = compress(codec, records);
  if (!compressed) return compressed.error();
  if (compressed->size() >= records.size()) return as_is;

  std::vector<std::byte> out(kBatchHeaderSize + compressed->size());
  std::memcpy(out.data(), batch.data(), kBatchHeaderSize);
  std::memcpy(out.data() + kBatchHeaderSize, compressed->data(), compressed->size());
  store(out, batch_offset::length, static_cast<int32_t>(out.size() - kBatchLogOverhead));
  store(out, batch_offset::attributes,
        static_cast<int16_t>((h.attributes & ~0x7) | static_cast<int16_t>(codec)));
  store(out, batch_offset::crc, static_cast<int32_t>(compute_crc(out)));
  return std::optional(std::move(out));
}

void rewrite_producer(std::span<std::byte> batch, int64_t producer_id, int16_t producer_epoch,
                      int32_t base_sequence) {
  store(batch, batch_offset::producer_id, producer_id);
  store(batch, batch_offset::producer_epoch, producer_epoch);
  store(batch, batch_offset::base_sequence, base_sequence);
  store(batch, batch_offset::crc, static_cast<int32_t>(compute_crc(batch)));
}

}  // namespace ks::protocol
