#pragma once
// Wall-clock times as people and tools read them: UTC ISO-8601 with
// milliseconds, "2023-11-14T22:13:20.000Z", the form every log line and
// report of ours uses.
#include <cstdint>
#include <string>

namespace ks {

// `ms` since the Unix epoch; before it too (a client's timestamps are its own).
std::string format_utc_ms(int64_t ms);

}  // namespace ks
