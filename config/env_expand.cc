#include "config/env_expand.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <vector>

namespace ks::config {
namespace {

bool is_name_start(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
bool is_name_char(char c) {
  return is_name_start(c) || (c >= '0' && c <= '9');
}

bool is_valid_name(std::string_view name) {
  if (name.empty() || !is_name_start(name.front())) return false;
  for (char c : name) {
    if (!is_name_char(c)) return false;
  }
  return true;
}

}  // namespace

Parsed<std::string> expand_env(std::string_view text, const EnvLookup& env) {
  using Result = Parsed<std::string>;
  std::string out;
  out.reserve(text.size());
  // All unset variables are reported together so one run shows them all.
  std::vector<std::string> unset;
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c != '$' || i + 1 == text.size() || (text[i + 1] != '$' && text[i + 1] != '{')) {
      out += c;
      ++i;
      continue;
    }
    if (text[i + 1] == '$') {
      out += '$';
      i += 2;
      continue;
    }
    const size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      return Result::fail("unterminated \"${\" (write \"$$\" for a literal dollar sign)");
    }
    const std::string_view body = text.substr(i + 2, close - (i + 2));
    const size_t dash = body.find(":-");
    const std::string name(body.substr(0, dash));
    if (!is_valid_name(name)) {
      return Result::fail(
          "invalid variable name after \"${\" (use letters, digits and '_', not starting with a "
          "digit; write \"$$\" for a literal dollar sign)");
    }
    std::optional<std::string> value = env(name);
    if (dash != std::string_view::npos && (!value || value->empty())) {
      value = std::string(body.substr(dash + 2));
    }
    if (value) {
      out += *value;
    } else {
      unset.push_back(name);
    }
    i = close + 1;
  }
  if (unset.size() == 1) {
    return Result::fail(
        fmt::format("environment variable {} is not set (write ${{{}:-default}} to give a default)",
                    unset[0], unset[0]));
  }
  if (!unset.empty()) {
    return Result::fail(
        fmt::format("environment variables {} are not set", fmt::join(unset, ", ")));
  }
  return Result::ok(std::move(out));
}

}  // namespace ks::config
