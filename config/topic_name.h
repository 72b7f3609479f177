#pragma once
// Internal to config/: Kafka's rules for topic names, checked where the file
// names topics (the topics section, route patterns, rename templates) so a
// typo is caught at startup rather than by the broker later.
#include <optional>
#include <string>
#include <string_view>

namespace ks::config {

// Why `name` is not a legal topic name (1..249 of [a-zA-Z0-9._-], not "."
// or ".."), or nullopt when it is. `extra_chars` are also allowed, for
// patterns ("*?").
std::optional<std::string> topic_name_problem(std::string_view name,
                                              std::string_view extra_chars = "");

}  // namespace ks::config
