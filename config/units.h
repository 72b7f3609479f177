#pragma once
// Internal to config/: sizes ("64MiB") and durations ("50ms") as written in
// the YAML file, in both directions.
//
// Sizes: a plain integer is bytes; otherwise a number and a unit, B, KB, MB,
// GB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024).
// Durations: a number and a unit, ms, s, m or h. A bare number is refused
// because "timeout: 30" is ambiguous between seconds and milliseconds.
// Either may have a decimal fraction ("1.5s") as long as the result is a
// whole number of bytes or milliseconds; the arithmetic is exact.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "config/parsed.h"

namespace ks::config {

Parsed<uint64_t> parse_size(std::string_view text);
Parsed<std::chrono::milliseconds> parse_duration(std::string_view text);

// The shortest exact spelling that the parsers above read back to the same
// value: binary units for sizes ("64MiB", "1000B"), the largest whole unit
// for durations ("2m", "1500ms").
std::string format_size(uint64_t bytes);
std::string format_duration(std::chrono::milliseconds d);

}  // namespace ks::config
