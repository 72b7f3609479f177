// The entry points: file or text in, Config or diagnostics out. This is the
// module boundary where yaml-cpp's exceptions stop.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <system_error>
#include <tuple>

#include "config/config.h"
#include "config/sections.h"
#include "config/yaml_reader.h"

namespace ks::config {
namespace {

// Reads the whole file, or says why not in the words of the OS.
std::optional<std::string> read_file(const std::string& path, std::string& why) {
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"),
                                                          &std::fclose);
  if (!f) {
    why = std::generic_category().message(errno);
    return std::nullopt;
  }
  std::string text;
  char chunk[64 * 1024];
  size_t n = 0;
  while ((n = std::fread(chunk, 1, sizeof chunk, f.get())) > 0)
    text.append(chunk, n);
  // Reading a directory opens fine and fails here with EISDIR.
  if (std::ferror(f.get())) {
    why = std::generic_category().message(errno);
    return std::nullopt;
  }
  return text;
}

}  // namespace

LoadResult load_string(std::string_view yaml, std::string_view source_name, const EnvLookup& env) {
  Reader r(std::string(source_name), env);
  std::optional<Config> config;
  try {
    const std::vector<YAML::Node> docs = YAML::LoadAll(std::string(yaml));
    if (docs.size() > 1) {
      r.error(docs[1].Mark(), "", "a second YAML document (\"---\"); the file must hold one");
    }
    // Empty text has no document: read as an empty mapping, which reports
    // the required sections as missing.
    const YAML::Node root = docs.empty() ? YAML::Node() : docs.front();
    config = read_config(r, Item{root, "", YAML::Mark()});
  } catch (const YAML::Exception& e) {
    // Parse errors (and, defensively, anything else yaml-cpp throws) carry
    // the position the parser stopped at.
    r.error(e.mark, "", fmt::format("invalid YAML: {}", e.msg));
  }
  LoadResult result;
  result.diagnostics = r.take_diagnostics();
  std::stable_sort(result.diagnostics.begin(), result.diagnostics.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     return std::tie(a.line, a.column) < std::tie(b.line, b.column);
                   });
  if (result.diagnostics.empty()) result.config = std::move(config);
  return result;
}

LoadResult load_file(const std::string& path, const EnvLookup& env) {
  std::string why;
  const std::optional<std::string> text = read_file(path, why);
  if (!text) {
    LoadResult result;
    result.diagnostics.push_back(
        Diagnostic{path, 0, 0, "", fmt::format("cannot read the configuration file: {}", why)});
    return result;
  }
  return load_string(*text, path, env);
}

}  // namespace ks::config
