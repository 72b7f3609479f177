#pragma once
// Constants of the buffer's on-disk formats. The spec, with a worked
// example, is buffer/FORMAT.md: change both together.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ks::buffer::format {

// Frame header: magic u32 | length u32 | masked crc32c u32 | type u8.
inline constexpr uint32_t kMagic = 0x9D2C5AE7;  // non-zero, no 0x00/0xff byte
inline constexpr size_t kHeaderSize = 13;
inline constexpr uint32_t kMaxPayload = 256u << 20;

// Type 0 is never written, so zero-filled space is never a frame.
enum class FrameType : uint8_t { batch = 1 };

// Batch payload before the topic and the records: append_time_ms i64,
// topic_length u16, then after the topic partition i32 and record_count i32.
inline constexpr size_t kBatchFixedSize = 8 + 2 + 4 + 4;

// Segment files: 20-digit zero-padded base position + suffix.
inline constexpr size_t kSegmentNameDigits = 20;
inline constexpr std::string_view kSegmentSuffix = ".seg";

// Checkpoint file: magic u32 | masked crc u32 | version u16 | length u32 | body.
// It is replaced by renaming <file> + kTempSuffix over it.
inline constexpr std::string_view kTempSuffix = ".tmp";
// <file> + kReserveSuffix: space held for the checkpoint on a full disk.
inline constexpr std::string_view kReserveSuffix = ".reserve";
inline constexpr uint64_t kCheckpointReserveBytes = 64 << 10;
inline constexpr uint32_t kCheckpointMagic = 0x4B53C4E1;
inline constexpr uint16_t kCheckpointVersion = 1;
inline constexpr size_t kCheckpointHeaderSize = 4 + 4 + 2 + 4;

// LevelDB's CRC mask: a frame embeds Kafka batches that carry CRC-32Cs of
// their own, and the CRC of data containing its own CRC is degenerate.
inline constexpr uint32_t kMaskDelta = 0xa282ead8;

constexpr uint32_t mask_crc(uint32_t crc) {
  return ((crc >> 15) | (crc << 17)) + kMaskDelta;
}

constexpr uint32_t unmask_crc(uint32_t masked) {
  const uint32_t rot = masked - kMaskDelta;
  return (rot >> 17) | (rot << 15);
}

}  // namespace ks::buffer::format
