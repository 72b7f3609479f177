#pragma once
// Internal to config/: the checks that `routes` and `groups` share. Both are
// lists of first-match-wins rules, each a name pattern and a cluster.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "config/yaml_reader.h"

namespace ks::config {

std::vector<std::string> cluster_names(const std::vector<ClusterConfig>& clusters);

// The cluster named at `item`, reported when it is not one of `clusters`
// (with a did-you-mean hint or the list). An empty `clusters` is reported
// once elsewhere, so any name passes then.
std::optional<std::string> read_cluster_name(Reader& r, const Item& item,
                                             const std::vector<std::string>& clusters);

// One rule's pattern and where it was written; `item` is empty when the
// pattern could not be read.
struct RulePattern {
  std::string pattern;
  std::optional<Item> item;
};

// Reports every rule that an earlier one shadows: one that can never match,
// as the earlier rule matches every `noun` ("topic", "group") it would.
// `list` is the section, for the earlier rule's path.
void report_shadowed(Reader& r, const std::vector<RulePattern>& rules, const Item& list,
                     std::string_view noun);

}  // namespace ks::config
