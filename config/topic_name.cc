#include "config/topic_name.h"

#include <fmt/format.h>

namespace ks::config {
namespace {

// Kafka's limit (Topic.MAX_NAME_LENGTH); longer names fail on the broker.
constexpr size_t kMaxTopicNameLength = 249;

bool is_legal_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

}  // namespace

std::optional<std::string> topic_name_problem(std::string_view name, std::string_view extra_chars) {
  if (name.empty()) return "a topic name must not be empty";
  if (name.size() > kMaxTopicNameLength) {
    return fmt::format("a topic name is at most {} characters, this is {}", kMaxTopicNameLength,
                       name.size());
  }
  if (name == "." || name == "..") return fmt::format("\"{}\" is not a legal topic name", name);
  for (char c : name) {
    if (!is_legal_char(c) && extra_chars.find(c) == std::string_view::npos) {
      return fmt::format(
          "\"{}\" contains '{}'; topic names use only letters, digits, '.', '_' and '-'", name, c);
    }
  }
  return std::nullopt;
}

}  // namespace ks::config
