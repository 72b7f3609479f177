// The entry points: file or text in, Config or diagnostics out. This is the
// module boundary where yaml-cpp's exceptions stop.
#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <optional>
#include <sstream>
#include <system_error>
#include <tuple>
#include <vector>

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

// Where each document of a YAML stream starts, and the position of its
// root node (what YAML::Node::Mark() gives for it).
class DocumentMarks final : public YAML::EventHandler {
 public:
  struct Document {
    YAML::Mark start;
    std::optional<YAML::Mark> root;
  };
  std::vector<Document> documents;

  void OnDocumentStart(const YAML::Mark& mark) override { documents.push_back({mark, {}}); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                const std::string&) override {
    node(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    node(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    node(mark);
  }
  void OnMapEnd() override {}

 private:
  void node(const YAML::Mark& mark) {
    if (!documents.empty() && !documents.back().root) documents.back().root = mark;
  }
};

// What lies beyond the first document of the stream. yaml-cpp 0.7 (Debian
// 12) cannot place a flow indicator outside a flow collection (a stray ','
// or '}'): it reports an empty document and leaves the token where it was,
// so the next document starts at the same token, forever, and YAML::LoadAll
// keeps every one of them until memory runs out (jbeder/yaml-cpp#1040).
// Documents are therefore counted here, and a document starting where the
// one before it started is that token. Every other document consumes
// tokens, so the count ends. Throws YAML::Exception.
struct StreamShape {
  std::optional<YAML::Mark> second_document;  // its root node
  std::optional<YAML::Mark> stuck_at;         // a token the parser cannot get past
};

StreamShape shape_of(const std::string& yaml) {
  std::istringstream in(yaml);
  YAML::Parser parser(in);
  DocumentMarks marks;
  const auto& docs = marks.documents;
  while (parser.HandleNextDocument(marks)) {
    if (docs.size() >= 2 && docs[docs.size() - 1].start.pos == docs[docs.size() - 2].start.pos) {
      return {std::nullopt, docs.back().start};
    }
  }
  if (docs.size() < 2) return {};
  return {docs[1].root.value_or(docs[1].start), std::nullopt};
}

}  // namespace

LoadResult load_string(std::string_view yaml, std::string_view source_name, const EnvLookup& env) {
  Reader r(std::string(source_name), env);
  std::optional<Config> config;
  try {
    const std::string text(yaml);
    const StreamShape shape = shape_of(text);
    if (shape.stuck_at) {
      const auto at = static_cast<size_t>(shape.stuck_at->pos);
      r.error(*shape.stuck_at, "",
              at < text.size() && std::isprint(static_cast<unsigned char>(text[at]))
                  ? fmt::format("invalid YAML: unexpected '{}'", text[at])
                  : std::string("invalid YAML"));
    } else {
      if (shape.second_document) {
        r.error(*shape.second_document, "",
                "a second YAML document (\"---\"); the file must hold one");
      }
      // Empty text has no document: YAML::Load gives a null node, read as
      // an empty mapping, which reports the required sections as missing.
      config = read_config(r, Item{YAML::Load(text), "", YAML::Mark()});
    }
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
