#include "common/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>

#include "common/log_fields.h"
#include "common/utc_time.h"

namespace ks::log {
namespace {

std::atomic<Level> g_level{Level::info};
std::atomic<Format> g_format{Format::text};

constexpr std::string_view name(Level level) {
  switch (level) {
    case Level::debug:
      return "DEBUG";
    case Level::info:
      return "INFO";
    case Level::warn:
      return "WARN";
    case Level::error:
      return "ERROR";
  }
  return "?";
}

}  // namespace

void set_level(Level level) {
  g_level = level;
}

void set_format(Format format) {
  g_format = format;
}

Format format() {
  return g_format.load(std::memory_order_relaxed);
}

bool enabled(Level level) {
  return level >= g_level.load(std::memory_order_relaxed);
}

void write(Level level, std::string_view event, std::string_view fields) {
  using namespace std::chrono;
  const int64_t now = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  const std::string ts = format_utc_ms(now);
  // One fwrite per line keeps lines whole when several threads log.
  std::string line;
  if (format() == Format::json) {
    line = json_line(ts, level, event, fields);
    line += '\n';
  } else {
    line = fmt::format("{} {} {} {}\n", ts, name(level), event, fields);
  }
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace ks::log
