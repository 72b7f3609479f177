#include "common/utc_time.h"

#include <fmt/format.h>

#include <ctime>

namespace ks {

std::string format_utc_ms(int64_t ms) {
  // Floor division, so times before the epoch keep a millisecond part in [0, 999].
  int64_t secs = ms / 1000;
  int64_t millis = ms % 1000;
  if (millis < 0) {
    millis += 1000;
    secs -= 1;
  }
  const auto time = static_cast<std::time_t>(secs);
  std::tm utc{};
  if (gmtime_r(&time, &utc) == nullptr) return fmt::format("{}ms", ms);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
  return fmt::format("{}.{:03}Z", stamp, millis);
}

}  // namespace ks
