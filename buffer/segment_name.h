#pragma once
// Segment file names: the 20-digit zero-padded base position + ".seg".
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ks::buffer {

std::string segment_name(uint64_t base);

// The base position of a segment file name; nullopt for any other name.
std::optional<uint64_t> parse_segment_name(std::string_view name);

}  // namespace ks::buffer
