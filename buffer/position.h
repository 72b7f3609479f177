#pragma once
// Positions in the log's endless byte stream (see FORMAT.md). A strong type
// so a position is never mixed up with a Kafka offset or a sequence number.
#include <compare>
#include <cstdint>

namespace ks::buffer {

struct Position {
  uint64_t value = 0;

  friend constexpr auto operator<=>(Position, Position) = default;
};

// The half-open range [begin, end) of positions.
struct Range {
  Position begin;
  Position end;

  constexpr uint64_t size() const { return end.value - begin.value; }
  friend constexpr bool operator==(Range, Range) = default;
};

}  // namespace ks::buffer
