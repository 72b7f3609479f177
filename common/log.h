#pragma once
// One line per event on stderr: "<time> <LEVEL> <event> key=value ...".
// Events are short dotted names ("upstream.down") so logs can be grepped and
// parsed; never log record payloads or secrets.
#include <fmt/format.h>

#include <string_view>

namespace ks::log {

enum class Level { debug, info, warn, error };

void set_level(Level level);
bool enabled(Level level);
void write(Level level, std::string_view event, std::string_view fields);

template <typename... Args>
void emit(Level level, std::string_view event, fmt::format_string<Args...> fields, Args&&... args) {
  if (enabled(level)) write(level, event, fmt::format(fields, std::forward<Args>(args)...));
}

template <typename... Args>
void debug(std::string_view event, fmt::format_string<Args...> f, Args&&... a) {
  emit(Level::debug, event, f, std::forward<Args>(a)...);
}
template <typename... Args>
void info(std::string_view event, fmt::format_string<Args...> f, Args&&... a) {
  emit(Level::info, event, f, std::forward<Args>(a)...);
}
template <typename... Args>
void warn(std::string_view event, fmt::format_string<Args...> f, Args&&... a) {
  emit(Level::warn, event, f, std::forward<Args>(a)...);
}
template <typename... Args>
void error(std::string_view event, fmt::format_string<Args...> f, Args&&... a) {
  emit(Level::error, event, f, std::forward<Args>(a)...);
}

}  // namespace ks::log
