#pragma once
// Encoding and checking of one log frame (FORMAT.md "Frames").
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <system_error>
#include <vector>

#include "buffer/entry.h"
#include "buffer/format.h"

namespace ks::buffer {

// Bytes the entry takes in a segment, header included.
uint64_t frame_size(const Entry& entry);
uint64_t frame_size(const EntryView& entry);

// Whether the entry can be framed at all: too_large past kMaxPayload,
// invalid_argument for a topic longer than a u16 can say.
std::error_code validate(const Entry& entry);

// Appends the header and the payload fields before the batch bytes; the
// frame is that prefix followed by entry.batch, so a writer can send the
// batch straight from the caller's buffer. The entry must be valid.
void encode_frame_prefix(const Entry& entry, std::vector<std::byte>* out);

struct FrameHeader {
  uint32_t magic = 0;
  uint32_t length = 0;  // of the payload
  uint32_t masked_crc = 0;
  uint8_t type = 0;
};

FrameHeader decode_header(std::span<const std::byte, format::kHeaderSize> bytes);

// Outcome of the checks, in the order they run. bad_magic and bad_length
// are judged on the header alone; truncated means the frame runs past the
// end of the data. The length is trusted only once the CRC holds, so
// unknown_type and bad_payload frames can be skipped by their length.
enum class FrameCheck {
  ok,
  bad_magic,
  bad_length,
  truncated,
  bad_checksum,
  unknown_type,
  bad_payload,
};

std::string_view describe(FrameCheck check);

FrameCheck check_header(const FrameHeader& header);

// Checks the CRC and type, then parses: *view points into `payload`.
FrameCheck check_payload(const FrameHeader& header, std::span<const std::byte> payload,
                         EntryView* view);

}  // namespace ks::buffer
