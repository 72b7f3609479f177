// Record batches as clients send them in Produce and brokers return them in
// Fetch: the input is one partition's `records` bytes. Exercised as the
// code uses them:
//   * the produce path (ProduceHandler::accept): validate_produce_batch on
//     the whole, then the idempotent producer checks and records it
//     (ProducerState), a failed append rolling it back;
//   * the forwarder's split_batches on a Fetch answer, and the header of
//     each piece;
//   * `buffer inspect --dump`'s read_record_sizes;
//   * the forwarder's rewrite_producer, which must leave a valid batch;
//   * forward.compression's recompress_batch (the codec from the batch's
//     timestamp), which must too, with the same records inside.
// Invariants: no crash or UB, and the checks below.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "common/crc32c.h"
#include "proxy/asio.h"
#include "proxy/protocol/compression.h"
#include "proxy/protocol/record_batch.h"
#include "proxy/server/producer_state.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

namespace ks::protocol {
namespace {

// The answers of read_record_sizes fit the batch they came from.
void check_record_sizes(Bytes batch, const BatchHeader& h) {
  std::vector<RecordSizes> records;
  if (!read_record_sizes(batch, records)) return;
  KS_FUZZ_CHECK(h.compression() == 0);
  KS_FUZZ_CHECK(records.size() == static_cast<size_t>(h.record_count));
  uint64_t payload = 0;
  for (const RecordSizes& r : records) {
    KS_FUZZ_CHECK(r.key >= -1 && r.value >= -1 && r.headers >= 0);
    payload += static_cast<uint64_t>(r.key + 1) + static_cast<uint64_t>(r.value + 1);
  }
  KS_FUZZ_CHECK(payload <= batch.size());
}

// What the forwarder does to a stored batch before sending it: the result
// is a valid batch carrying the new producer fields and nothing else changed.
void check_rewrite(Bytes batch, const BatchHeader& before) {
  std::vector<std::byte> copy(batch.begin(), batch.end());
  const int64_t id = before.producer_id ^ 0x5a5a;
  const int16_t epoch = static_cast<int16_t>(before.producer_epoch + 1);
  const int32_t sequence = before.base_sequence < 0 ? 0 : before.base_sequence / 2;
  rewrite_producer(copy, id, epoch, sequence);
  BatchHeader after;
  KS_FUZZ_CHECK(validate_produce_batch(copy, after) == ErrorCode::none);
  KS_FUZZ_CHECK(after.producer_id == id && after.producer_epoch == epoch &&
                after.base_sequence == sequence);
  KS_FUZZ_CHECK(after.record_count == before.record_count && after.length == before.length &&
                after.attributes == before.attributes);
  const size_t records = batch_offset::records;
  KS_FUZZ_CHECK(
      std::memcmp(copy.data() + records, batch.data() + records, batch.size() - records) == 0);
}

// What forward.compression does to a stored batch: a valid batch with the
// codec bits set, smaller, the other header fields and the records kept.
void check_recompress(Bytes batch, const BatchHeader& before) {
  const auto codec = *codec_from_id(1 + static_cast<int>(before.max_timestamp & 3));
  const auto result = recompress_batch(batch, codec);
  KS_FUZZ_CHECK(result.ok());
  if (!*result) {
    return;
  }
  KS_FUZZ_CHECK(before.compression() == 0 && !before.is_control());
  const std::vector<std::byte>& packed = **result;
  KS_FUZZ_CHECK(packed.size() < batch.size());
  BatchHeader after;
  KS_FUZZ_CHECK(validate_produce_batch(packed, after) == ErrorCode::none);
  KS_FUZZ_CHECK(after.compression() == static_cast<int>(codec) &&
                (after.attributes & ~0x7) == (before.attributes & ~0x7));
  KS_FUZZ_CHECK(
      after.base_offset == before.base_offset && after.producer_id == before.producer_id &&
      after.base_sequence == before.base_sequence && after.record_count == before.record_count &&
      after.max_timestamp == before.max_timestamp);
  const auto records = decompress(codec, Bytes(packed).subspan(kBatchHeaderSize), batch.size());
  KS_FUZZ_CHECK(records.ok() && records->size() == batch.size() - kBatchHeaderSize &&
                std::memcmp(records->data(), batch.data() + kBatchHeaderSize, records->size()) ==
                    0);
}

// ProduceHandler::accept after validation: transactional and control
// batches are refused; an idempotent batch is checked against the
// producer's sequences, then recorded with its append's ticket.
void produce(server::ProducerState& producers, asio::io_context& io, const BatchHeader& h) {
  if (h.is_transactional() || h.is_control() || h.producer_id < 0) return;
  const int32_t last = h.last_sequence();
  KS_FUZZ_CHECK(last >= -1);
  const auto check =
      producers.check(h.producer_id, h.producer_epoch, "t", 0, h.base_sequence, last);
  if (check.error != ErrorCode::none || check.duplicate_of) return;
  auto ticket = std::make_shared<server::AppendTicket>(io.get_executor());
  producers.record(h.producer_id, h.producer_epoch, "t", 0, h.base_sequence, last, ticket);
  // Some appends fail (buffer full): the producer's state rolls back, and
  // the same batch must then be accepted again.
  if (h.base_timestamp & 1) {
    ticket->complete(std::make_error_code(std::errc::no_space_on_device));
    const auto again =
        producers.check(h.producer_id, h.producer_epoch, "t", 0, h.base_sequence, last);
    KS_FUZZ_CHECK(again.error == ErrorCode::none && !again.duplicate_of);
  } else {
    ticket->complete({});
    // A resend of a stored batch is a duplicate of it.
    const auto resend =
        producers.check(h.producer_id, h.producer_epoch, "t", 0, h.base_sequence, last);
    KS_FUZZ_CHECK(resend.error == ErrorCode::none && resend.duplicate_of == ticket);
  }
}

// Gives each batch that fits (by its length, left to right) the CRC-32C of
// its bytes from the attributes on.
void fix_batch_crcs(uint8_t* data, size_t size) {
  std::span<std::byte> rest(reinterpret_cast<std::byte*>(data), size);
  BatchHeader h;
  while (read_batch_header(rest, h) && h.length >= 0 && h.total_size() >= kBatchHeaderSize &&
         h.total_size() <= rest.size()) {
    const auto batch = rest.first(h.total_size());
    const uint32_t crc = crc32c(batch.subspan(batch_offset::attributes));
    std::vector<std::byte> be;
    Writer w(be);
    w.uint32(crc);
    std::memcpy(batch.data() + batch_offset::crc, be.data(), be.size());
    rest = rest.subspan(h.total_size());
  }
}

}  // namespace
}  // namespace ks::protocol

// Nearly every mutation breaks the batch CRC, and validation stops there;
// half the mutants get their CRCs made right, so the checks after it
// (counts, sequences, the producer state) are reached too.
extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size,
                                          unsigned int seed) {
  size = LLVMFuzzerMutate(data, size, max_size);
  if (seed & 1) ks::protocol::fix_batch_crcs(data, size);
  return size;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ks::fuzz::init();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ks::protocol;
  const Bytes input = ks::fuzz::as_bytes(data, size);
  ks::asio::io_context io;
  ks::server::ProducerState producers;

  // A Produce partition's records: exactly one batch.
  BatchHeader h;
  if (validate_produce_batch(input, h) == ErrorCode::none) {
    KS_FUZZ_CHECK(h.magic == 2 && h.total_size() == input.size());
    KS_FUZZ_CHECK(h.record_count > 0 && h.last_offset_delta == h.record_count - 1);
    check_rewrite(input, h);
    check_recompress(input, h);
    produce(producers, io, h);
  }

  // A Fetch answer's records: whole batches, the last maybe cut off.
  const std::vector<Bytes> batches = split_batches(input);
  size_t at = 0;
  for (const Bytes batch : batches) {
    // The pieces are consecutive and within the input.
    KS_FUZZ_CHECK(batch.data() == input.data() + at);
    at += batch.size();
    KS_FUZZ_CHECK(at <= input.size());
    BatchHeader piece;
    KS_FUZZ_CHECK(read_batch_header(batch, piece));
    KS_FUZZ_CHECK(piece.total_size() == batch.size());
    (void)compression_name(piece.compression());
    check_record_sizes(batch, piece);
    if (validate_produce_batch(batch, piece) == ErrorCode::none) {
      produce(producers, io, piece);
    }
  }
  return 0;
}
