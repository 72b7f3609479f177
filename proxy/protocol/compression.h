#pragma once
// Kafka's compression codecs, applied to the records section of a v2 batch
// in the exact form clients and brokers read:
// - gzip: one gzip (RFC 1952) stream;
// - snappy: raw snappy, as librdkafka writes it. Java producers write the
//   xerial framing instead; decompress reads both (Java's reader falls back
//   to raw when the xerial header is absent);
// - lz4: one LZ4 frame with independent blocks and a correct header
//   checksum (magic 2; the broken checksum of Kafka < 0.10 is not made);
// - zstd: one zstd frame (brokers take it from Produce v7 on, KIP-110).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>
#include <vector>

#include "common/result.h"
#include "proxy/protocol/wire.h"

namespace ks::protocol {

// The codec ids of a batch's attributes (bits 0-2).
enum class Codec : int8_t { none = 0, gzip = 1, snappy = 2, lz4 = 3, zstd = 4 };

// Kafka's name ("none", "gzip", "snappy", "lz4", "zstd") and back.
std::string_view codec_name(Codec codec);
std::optional<Codec> codec_from_id(int id);

enum class compression_errc {
  unknown_codec = 1,  // not one of Kafka's ids, or `none`
  corrupt_input,      // not a valid stream of the codec
  output_too_large,   // would decompress to more than the caller allows
  codec_failure,      // the library failed otherwise (allocation)
};

const std::error_category& compression_category();

inline std::error_code make_error_code(compression_errc e) {
  return {static_cast<int>(e), compression_category()};
}

// `input` compressed with `codec` at the level Kafka clients use by default.
Result<std::vector<std::byte>> compress(Codec codec, Bytes input);

// `input` decompressed; compression_errc::output_too_large rather than more
// than `max_output` bytes, so that hostile input cannot exhaust memory.
Result<std::vector<std::byte>> decompress(Codec codec, Bytes input, size_t max_output);

}  // namespace ks::protocol

template <>
struct std::is_error_code_enum<ks::protocol::compression_errc> : std::true_type {};
