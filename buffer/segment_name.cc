#include "buffer/segment_name.h"

#include <fmt/format.h>

#include <charconv>

#include "buffer/format.h"

namespace ks::buffer {

std::string segment_name(uint64_t base) {
  return fmt::format("{:0{}}{}", base, format::kSegmentNameDigits, format::kSegmentSuffix);
}

std::optional<uint64_t> parse_segment_name(std::string_view name) {
  if (name.size() != format::kSegmentNameDigits + format::kSegmentSuffix.size() ||
      !name.ends_with(format::kSegmentSuffix)) {
    return std::nullopt;
  }
  const std::string_view digits = name.substr(0, format::kSegmentNameDigits);
  uint64_t base = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), base);
  if (ec != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
  return base;
}

}  // namespace ks::buffer
