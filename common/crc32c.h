#pragma once
// CRC-32C (Castagnoli), the checksum of Kafka record batches and of our log
// frames. Uses the SSE4.2 instruction when the CPU has it.
#include <cstddef>
#include <cstdint>
#include <span>

namespace ks {

// Extends `crc` (the value returned for the preceding bytes, 0 to start).
uint32_t crc32c_extend(uint32_t crc, std::span<const std::byte> data);

inline uint32_t crc32c(std::span<const std::byte> data) {
  return crc32c_extend(0, data);
}

}  // namespace ks
