#pragma once
// One line per event on stderr, in one of two formats (set_format):
//
//   text: 2026-12-03T07:00:00.123Z WARN upstream.down cluster=main error="connect refused"
//   json: {"ts":"2026-12-03T07:00:00.123Z","level":"warn","event":"upstream.down",
//          "cluster":"main","error":"connect refused"}   (on one line)
//
// Events are short dotted names ("upstream.down") so logs can be grepped and
// parsed; never log record payloads or secrets.
//
// Fields are written once, as text: `key=value key=value`, one space apart.
// The JSON format parses that text back (log_fields.h), so every call site
// follows one grammar:
// * a key is letters, digits and `_ . -`;
// * a value is bare (no spaces; it must not start with a double quote) or
//   double-quoted with backslash escapes. Bare `{}` is for numbers, enum and
//   protocol names, and names the config or Kafka already restrict (cluster,
//   topic, host:port). Any other text (error messages, paths, reasons,
//   client-supplied ids) goes through log::quote(), which adds the quotes and
//   escapes `"`, `\` and control characters, so a value can neither end early
//   nor break the line.
// In JSON every value is a string, also one that looks like a number: the
// text carries no types (a topic may be named "123"), and a key's JSON type
// must not depend on its value. Text that does not follow the grammar is not
// lost: from the first field that does not parse, the rest of the text is
// the value of "unparsed". Fields named ts, level, event or unparsed come out
// with a leading underscore ("_level").
//
// The level check comes before any formatting, and each line is one write,
// so lines of concurrent threads never interleave.
#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <string_view>

namespace ks::log {

enum class Level { debug, info, warn, error };
enum class Format { text, json };

void set_level(Level level);
void set_format(Format format);
Format format();
bool enabled(Level level);
void write(Level level, std::string_view event, std::string_view fields);

// A field value written double-quoted and escaped (see above). Holds a view:
// use it only inside the log call's arguments.
struct Quoted {
  std::string_view text;
};
inline Quoted quote(std::string_view text) {
  return Quoted{text};
}
// `text` double-quoted and escaped, as log::quote() writes it.
std::string quote_text(std::string_view text);

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

template <>
struct fmt::formatter<ks::log::Quoted> {
  constexpr auto parse(format_parse_context& ctx) { return ctx.begin(); }
  template <typename FormatContext>
  auto format(ks::log::Quoted value, FormatContext& ctx) const {
    const std::string text = ks::log::quote_text(value.text);
    return std::copy(text.begin(), text.end(), ctx.out());
  }
};
