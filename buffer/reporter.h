#pragma once
// Where readers report data they had to skip (LevelDB's log::Reader::Reporter).
#include <string_view>

#include "buffer/position.h"

namespace ks::buffer {

class Reporter {
 public:
  virtual ~Reporter() = default;
  // `dropped` is exactly the range of positions skipped; `reason` names the
  // first check that failed ("checksum mismatch", "missing segment", ...).
  virtual void corruption(Range dropped, std::string_view reason) = 0;
};

// Reasons for whole-segment damage; frame-level ones come from describe().
inline constexpr std::string_view kMissingSegment = "missing segment";
inline constexpr std::string_view kInvalidSegmentEnd = "invalid bytes at segment end";
inline constexpr std::string_view kOverlappingSegment = "overlapping segment";

}  // namespace ks::buffer
