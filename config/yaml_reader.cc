#include "config/yaml_reader.h"

#include <algorithm>
#include <charconv>

#include "config/env_expand.h"
#include "config/units.h"

namespace ks::config {
namespace {

// yaml-cpp counts from 0 and uses -1 for "no position".
int one_based(int n) {
  return n < 0 ? 0 : n + 1;
}

std::string_view kind(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Scalar:
      return "a single value";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing";
}

bool is_empty(const YAML::Node& node) {
  return !node.IsDefined() || node.IsNull();
}

}  // namespace

std::string child_path(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return fmt::format("{}.{}", parent, key);
}

void Reader::error(const YAML::Mark& mark, std::string key_path, std::string message) {
  diagnostics_.push_back(Diagnostic{file_, one_based(mark.line), one_based(mark.column),
                                    std::move(key_path), std::move(message)});
}

std::optional<std::string> Reader::scalar(const Item& item) {
  if (is_empty(item.node)) {
    error(item, "has no value");
    return std::nullopt;
  }
  if (!item.node.IsScalar()) {
    error(item, fmt::format("expected a single value, found {}", kind(item.node)));
    return std::nullopt;
  }
  Parsed<std::string> expanded = expand_env(item.node.Scalar(), env_);
  if (!expanded.value) error(item, std::move(expanded.error));
  return std::move(expanded.value);
}

std::optional<std::string> Reader::string(const Item& item) {
  std::optional<std::string> s = scalar(item);
  if (s && s->empty()) {
    error(item, "must not be empty");
    return std::nullopt;
  }
  return s;
}

std::optional<uint64_t> Reader::size(const Item& item, uint64_t min, uint64_t max) {
  const std::optional<std::string> s = scalar(item);
  if (!s) return std::nullopt;
  Parsed<uint64_t> parsed = parse_size(*s);
  if (!parsed.value) {
    error(item, std::move(parsed.error));
  } else if (*parsed.value < min || *parsed.value > max) {
    error(item, fmt::format("{} is out of range {}..{}", format_size(*parsed.value),
                            format_size(min), format_size(max)));
    return std::nullopt;
  }
  return parsed.value;
}

std::optional<Duration> Reader::duration(const Item& item, bool allow_zero) {
  const std::optional<std::string> s = scalar(item);
  if (!s) return std::nullopt;
  Parsed<Duration> parsed = parse_duration(*s);
  if (!parsed.value) {
    error(item, std::move(parsed.error));
  } else if (!allow_zero && parsed.value->count() == 0) {
    error(item, "must be greater than 0");
    return std::nullopt;
  }
  return parsed.value;
}

std::optional<uint16_t> Reader::port(const Item& item, bool allow_zero) {
  const std::optional<std::string> s = scalar(item);
  if (!s) return std::nullopt;
  Parsed<uint16_t> parsed = parse_port(*s, allow_zero);
  if (!parsed.value) error(item, std::move(parsed.error));
  return parsed.value;
}

std::optional<int64_t> Reader::integer(const Item& item, int64_t min, int64_t max) {
  const std::optional<std::string> s = scalar(item);
  if (!s) return std::nullopt;
  int64_t value = 0;
  const char* end = s->data() + s->size();
  const auto [ptr, ec] = std::from_chars(s->data(), end, value);
  if (ec != std::errc() || ptr != end) {
    error(item, fmt::format("\"{}\" is not a whole number in {}..{}", *s, min, max));
    return std::nullopt;
  }
  if (value < min || value > max) {
    error(item, fmt::format("{} is out of range {}..{}", value, min, max));
    return std::nullopt;
  }
  return value;
}

std::optional<bool> Reader::boolean(const Item& item) {
  const std::optional<std::string> s = scalar(item);
  if (!s) return std::nullopt;
  if (*s == "true") return true;
  if (*s == "false") return false;
  error(item, fmt::format("\"{}\" is not true or false", *s));
  return std::nullopt;
}

std::optional<HostPort> Reader::host_port(const Item& item) {
  const std::optional<std::string> s = string(item);
  if (!s) return std::nullopt;
  Parsed<HostPort> parsed = parse_host_port(*s);
  if (!parsed.value) error(item, std::move(parsed.error));
  return std::move(parsed.value);
}

std::optional<std::vector<Item>> Reader::sequence(const Item& item) {
  if (!item.node.IsSequence()) {
    error(item, fmt::format("expected a list, found {}", kind(item.node)));
    return std::nullopt;
  }
  std::vector<Item> items;
  for (size_t i = 0; i < item.node.size(); ++i) {
    const YAML::Node element = item.node[i];
    items.push_back(Item{element, fmt::format("{}[{}]", item.path, i),
                         is_empty(element) ? item.mark : element.Mark()});
  }
  return items;
}

Mapping::Mapping(Reader& reader, const Item& item) : reader_(reader), item_(item) {
  if (is_empty(item.node)) return;
  if (!item.node.IsMap()) {
    reader_.error(item, fmt::format("expected a mapping (key: value), found {}", kind(item.node)));
    return;
  }
  // By value: yaml-cpp's iterator hands out a temporary pair of handles.
  for (const auto& pair : item.node) {
    const YAML::Node key = pair.first;
    const YAML::Node value = pair.second;
    if (!key.IsScalar()) {
      reader_.error(key.Mark(), item.path, "keys must be plain words");
      continue;
    }
    const std::string path = child_path(item.path, key.Scalar());
    // yaml-cpp keeps both entries of a repeated key; a silent pick would hide
    // which one is in effect.
    const auto first = std::find_if(entries_.begin(), entries_.end(),
                                    [&](const Entry& e) { return e.key == key.Scalar(); });
    if (first != entries_.end()) {
      reader_.error(
          key.Mark(), path,
          fmt::format("duplicate key (first given at line {})", one_based(first->key_mark.line)));
      continue;
    }
    // A scalar's problems are in its text; a missing or misshapen section
    // is best shown at its key (a block mapping's own mark is its first
    // entry, on the next line).
    const YAML::Mark mark = value.IsScalar() ? value.Mark() : key.Mark();
    entries_.push_back(Entry{key.Scalar(), Item{value, path, mark}, key.Mark()});
  }
}

std::optional<Item> Mapping::get(std::string_view key) {
  known_.emplace_back(key);
  for (Entry& e : entries_) {
    if (e.key == key) {
      e.used = true;
      return e.value;
    }
  }
  return std::nullopt;
}

std::optional<Item> Mapping::require(std::string_view key) {
  std::optional<Item> value = get(key);
  if (!value) reader_.error(item_.mark, child_path(item_.path, key), "is required but missing");
  return value;
}

std::vector<std::pair<std::string, Item>> Mapping::entries() {
  std::vector<std::pair<std::string, Item>> out;
  for (Entry& e : entries_) {
    e.used = true;
    out.emplace_back(e.key, e.value);
  }
  return out;
}

void Mapping::reject_unknown() {
  for (const Entry& e : entries_) {
    if (e.used) continue;
    std::string hint = did_you_mean(e.key, known_);
    if (hint.empty()) hint = fmt::format(" (expected one of: {})", fmt::join(known_, ", "));
    reader_.error(e.key_mark, e.value.path, "unknown key" + hint);
  }
}

}  // namespace ks::config
