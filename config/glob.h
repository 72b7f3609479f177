#pragma once
// Topic patterns in routes: '*' matches any run of characters (also none),
// '?' exactly one, everything else itself. No character classes or escapes:
// Kafka topic names cannot contain '*' or '?' anyway.
#include <string_view>

namespace ks::config {

bool glob_match(std::string_view pattern, std::string_view text);

bool is_glob(std::string_view pattern);

// True when the pattern matches every topic name ("*", "**", ...).
bool is_catch_all(std::string_view pattern);

}  // namespace ks::config
