#pragma once
// Record batch v2 (magic 2), the only format Produce v3+ carries
// (https://kafka.apache.org/documentation/#recordbatch). The sidecar keeps
// batches verbatim: it reads the fixed header, checks the CRC, and rewrites
// only the producer fields when forwarding, and may compress the records
// section of an uncompressed batch (forward.compression). Records are
// otherwise only looked into for their sizes (`buffer inspect --dump`).
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "proxy/protocol/compression.h"
#include "proxy/protocol/error_code.h"
#include "proxy/protocol/wire.h"

namespace ks::protocol {

// Byte offsets of the v2 header fields, big-endian on the wire.
namespace batch_offset {
inline constexpr size_t base_offset = 0;
inline constexpr size_t length = 8;  // bytes after this field
inline constexpr size_t partition_leader_epoch = 12;
inline constexpr size_t magic = 16;
inline constexpr size_t crc = 17;  // CRC-32C of everything from attributes on
inline constexpr size_t attributes = 21;
inline constexpr size_t last_offset_delta = 23;
inline constexpr size_t base_timestamp = 27;
inline constexpr size_t max_timestamp = 35;
inline constexpr size_t producer_id = 43;
inline constexpr size_t producer_epoch = 51;
inline constexpr size_t base_sequence = 53;
inline constexpr size_t record_count = 57;
inline constexpr size_t records = 61;
}  // namespace batch_offset

inline constexpr size_t kBatchHeaderSize = batch_offset::records;
inline constexpr size_t kBatchLogOverhead = 12;  // base offset + length

struct BatchHeader {
  int64_t base_offset = 0;
  int32_t length = 0;
  int32_t partition_leader_epoch = 0;
  int8_t magic = 0;
  uint32_t crc = 0;
  int16_t attributes = 0;
  int32_t last_offset_delta = 0;
  int64_t base_timestamp = 0;
  int64_t max_timestamp = 0;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
  int32_t record_count = 0;

  int compression() const { return attributes & 0x7; }
  bool is_transactional() const { return attributes & 0x10; }
  bool is_control() const { return attributes & 0x20; }
  size_t total_size() const { return kBatchLogOverhead + static_cast<size_t>(length); }
  // Sequence of the last record (wraps at INT32_MAX like Kafka's).
  int32_t last_sequence() const;
};

// Reads the fixed header; false if `data` is shorter than a header.
bool read_batch_header(Bytes data, BatchHeader& out);

// Validates one complete batch as a Produce request carries it: magic 2, a
// length that matches `data`, a sane record count, and the CRC-32C.
ErrorCode validate_produce_batch(Bytes data, BatchHeader& out);

// Splits a records blob (e.g. from a Fetch response) into whole batches; a
// partial batch at the end (Fetch may cut one) is ignored, and so is all
// from a batch whose length is shorter than a batch header. Each piece
// holds at least a header (read_batch_header succeeds on it).
std::vector<Bytes> split_batches(Bytes records);

// What one record of a batch holds, without its bytes (never log payloads).
struct RecordSizes {
  int32_t key = -1;    // bytes; -1 for a null key
  int32_t value = -1;  // bytes; -1 for a null value
  int32_t headers = 0;
};

// The sizes of the records of one uncompressed batch, in order. False if
// the batch is compressed (the records section is then one compressed
// blob) or its records do not parse and fill the batch exactly.
bool read_record_sizes(Bytes batch, std::vector<RecordSizes>& out);

// Kafka's name for a compression codec id ("none", "gzip", ...).
std::string_view compression_name(int codec);

// The batch with its records section compressed with `codec`: the codec
// bits of the attributes, the length and the CRC change, every other header
// field stays. Nullopt ("not recompressed") for a batch that is compressed
// already or a control batch, for Codec::none, and when compressing would
// not make it smaller. An error for bytes that are not one whole batch.
Result<std::optional<std::vector<std::byte>>> recompress_batch(Bytes batch, Codec codec);

// Rewrites the producer fields of a batch in place and recomputes its CRC.
void rewrite_producer(std::span<std::byte> batch, int64_t producer_id, int16_t producer_epoch,
                      int32_t base_sequence);

}  // namespace ks::protocol
