#pragma once
// Helpers shared by the config tests: load YAML text with a fixed
// environment and look at the diagnostics.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace ks::config::testing {

using Vars = std::map<std::string, std::string>;

inline EnvLookup env_of(Vars vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

inline LoadResult load(std::string_view yaml, Vars vars = {}) {
  return load_string(yaml, "test.yaml", env_of(std::move(vars)));
}

// Every diagnostic, one per line: the failure message of the assertions.
inline std::string dump(const LoadResult& r) {
  std::string out;
  for (const Diagnostic& d : r.diagnostics)
    out += to_string(d) + "\n";
  return out;
}

// The diagnostics about one key.
inline std::vector<Diagnostic> about(const LoadResult& r, std::string_view key_path) {
  std::vector<Diagnostic> out;
  for (const Diagnostic& d : r.diagnostics) {
    if (d.key_path == key_path) out.push_back(d);
  }
  return out;
}

// The one diagnostic about `key_path` (an empty one, failing the test, when
// there is not exactly one).
inline Diagnostic only(const LoadResult& r, std::string_view key_path) {
  const std::vector<Diagnostic> found = about(r, key_path);
  if (found.size() != 1) {
    ADD_FAILURE() << found.size() << " diagnostics about " << key_path << " in:\n" << dump(r);
    return {};
  }
  return found.front();
}

// The smallest valid file; tests add the section they are about.
inline constexpr std::string_view kMinimal = R"(
buffer: { dir: /data }
clusters: { main: { bootstrap: ["kafka-0:9092"] } }
)";

inline std::string minimal_with(std::string_view more) {
  return std::string(kMinimal) + std::string(more);
}

}  // namespace ks::config::testing
