// The `groups` section: which cluster each consumer group lives on. Checked
// like routes: known clusters, no rule that can never match.
#include <fmt/format.h>

#include "config/rule_checks.h"
#include "config/sections.h"

namespace ks::config {

std::vector<GroupRule> read_groups(Reader& r, const std::optional<Item>& groups,
                                   const std::vector<ClusterConfig>& clusters) {
  std::vector<GroupRule> out;
  if (!groups) return out;  // every group on the first cluster
  const std::optional<std::vector<Item>> elements = r.sequence(*groups);
  if (!elements) return out;
  if (elements->empty()) {
    r.error(*groups, "has no rules; remove it to keep every consumer group on the first cluster");
    return out;
  }
  const std::vector<std::string> names = cluster_names(clusters);
  std::vector<RulePattern> patterns;
  for (const Item& element : *elements) {
    GroupRule& rule = out.emplace_back();
    Mapping m(r, element);
    std::optional<Item> pattern = m.require("groups");
    if (pattern) {
      if (auto text = r.string(*pattern)) {
        rule.groups = std::move(*text);
      } else {
        pattern.reset();
      }
    }
    patterns.push_back({rule.groups, pattern});
    if (auto v = m.require("cluster")) {
      if (auto name = read_cluster_name(r, *v, names)) rule.cluster = std::move(*name);
    }
    m.reject_unknown();
  }
  report_shadowed(r, patterns, *groups, "group");
  return out;
}

}  // namespace ks::config
