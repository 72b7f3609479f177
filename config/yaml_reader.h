#pragma once
// Internal to config/: reading a yaml-cpp tree while collecting diagnostics.
//
// Every reader reports its own problem and returns nullopt, so the schema
// code just skips a bad value and goes on: all problems in a file are found
// in one pass. Nothing here throws; only yaml-cpp's parser does, and load.cc
// catches that.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.h"
#include "config/diagnostic.h"
#include "config/did_you_mean.h"
#include "config/enum_names.h"
#include "config/environment.h"
#include "config/host_port.h"

namespace ks::config {

// A node and where it is, for diagnostics.
struct Item {
  YAML::Node node;
  std::string path;  // "clusters.main.bootstrap[1]"
  YAML::Mark mark;   // a scalar's position; for anything else its key's
};

class Reader {
 public:
  Reader(std::string file, const EnvLookup& env) : file_(std::move(file)), env_(env) {}

  void error(const YAML::Mark& mark, std::string key_path, std::string message);
  void error(const Item& item, std::string message) {
    error(item.mark, item.path, std::move(message));
  }
  std::vector<Diagnostic> take_diagnostics() { return std::move(diagnostics_); }

  // A non-empty string after ${VAR} expansion. The message on failure never
  // quotes the value, so this is also how secrets are read.
  std::optional<std::string> string(const Item& item);
  // A size in [min, max].
  std::optional<uint64_t> size(const Item& item, uint64_t min, uint64_t max);
  // A duration; zero only when `allow_zero`.
  std::optional<Duration> duration(const Item& item, bool allow_zero);
  std::optional<uint16_t> port(const Item& item, bool allow_zero);
  std::optional<int64_t> integer(const Item& item, int64_t min, int64_t max);
  std::optional<bool> boolean(const Item& item);
  std::optional<HostPort> host_port(const Item& item);

  // One of a fixed set of words, e.g. fsync: always|interval|never.
  template <typename E, size_t N>
  std::optional<E> one_of(const Item& item, const std::array<Choice<E>, N>& choices) {
    const std::optional<std::string> word = string(item);
    if (!word) return std::nullopt;
    std::vector<std::string> names;
    for (const Choice<E>& c : choices) {
      if (c.name == *word) return c.value;
      names.emplace_back(c.name);
    }
    error(item, fmt::format("\"{}\" is not one of {}{}", *word, fmt::join(names, ", "),
                            did_you_mean(*word, names)));
    return std::nullopt;
  }

  // The elements of a list, each with its path ("bootstrap[1]").
  std::optional<std::vector<Item>> sequence(const Item& item);

 private:
  // The expanded text of a scalar.
  std::optional<std::string> scalar(const Item& item);

  std::string file_;
  const EnvLookup& env_;
  std::vector<Diagnostic> diagnostics_;
};

// The keys of one YAML mapping. The schema is the sequence of get()/require()
// calls; reject_unknown() then reports every other key, with a hint when it
// looks like a misspelling of one that was asked for.
class Mapping {
 public:
  // Reports (and behaves as empty) when `item` is not a mapping. An empty
  // value (`admin:`) counts as an empty mapping. Duplicate keys are reported
  // and only the first is used.
  Mapping(Reader& reader, const Item& item);

  std::optional<Item> get(std::string_view key);
  // As get(), but reports a missing key.
  std::optional<Item> require(std::string_view key);
  // For mappings whose keys are names chosen by the user (clusters, topics):
  // every entry, in file order, as (key, value).
  std::vector<std::pair<std::string, Item>> entries();
  void reject_unknown();

 private:
  struct Entry {
    std::string key;
    Item value;
    YAML::Mark key_mark;
    bool used = false;
  };

  Reader& reader_;
  Item item_;
  std::vector<Entry> entries_;
  std::vector<std::string> known_;
};

// Overwrites a default with a value that was read successfully.
template <typename T>
void set_if(T& field, std::optional<T> value) {
  if (value) field = std::move(*value);
}

// "a.b" from "a" and "b"; just "b" at the top.
std::string child_path(std::string_view parent, std::string_view key);

}  // namespace ks::config
