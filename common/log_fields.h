#pragma once
// The logger's field grammar (described in log.h) read back, and the JSON
// line made of it. Internal to the logger; a header of its own for the tests.
#include <string>
#include <string_view>
#include <vector>

#include "common/log.h"

namespace ks::log {

struct Field {
  std::string key;
  std::string value;  // unescaped bytes
};

struct ParsedFields {
  std::vector<Field> fields;
  // From the first field that does not follow the grammar on, as written;
  // empty when all of it parsed.
  std::string unparsed;
};

ParsedFields parse_fields(std::string_view text);

// Appends `bytes` as a JSON string, quotes included. Control characters,
// `"` and `\` are escaped; bytes that are not well-formed UTF-8 become
// U+FFFD, one per byte, so any input makes valid JSON.
void append_json_string(std::string& out, std::string_view bytes);

// One JSON object, without the newline: ts, level, event, then the fields.
std::string json_line(std::string_view ts, Level level, std::string_view event,
                      std::string_view fields);

}  // namespace ks::log
