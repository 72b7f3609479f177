#include "config/rule_checks.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "config/did_you_mean.h"
#include "config/glob.h"

namespace ks::config {
namespace {

// True when every name `later` matches is matched by `earlier` first. Exact
// for the cases users write (a catch-all, a repeated pattern, an exact name
// under an earlier glob); overlap between two different globs is allowed.
bool shadows(std::string_view earlier, std::string_view later) {
  if (is_catch_all(earlier) || earlier == later) return true;
  return !is_glob(later) && glob_match(earlier, later);
}

}  // namespace

std::vector<std::string> cluster_names(const std::vector<ClusterConfig>& clusters) {
  std::vector<std::string> names;
  for (const ClusterConfig& c : clusters)
    names.push_back(c.name);
  return names;
}

std::optional<std::string> read_cluster_name(Reader& r, const Item& item,
                                             const std::vector<std::string>& clusters) {
  std::optional<std::string> name = r.string(item);
  if (!name) return name;
  const bool known =
      clusters.empty() || std::find(clusters.begin(), clusters.end(), *name) != clusters.end();
  if (!known) {
    std::string hint = did_you_mean(*name, clusters);
    if (hint.empty()) hint = fmt::format(" (clusters: {})", fmt::join(clusters, ", "));
    r.error(item, fmt::format("unknown cluster \"{}\"{}", *name, hint));
  }
  return name;
}

void report_shadowed(Reader& r, const std::vector<RulePattern>& rules, const Item& list,
                     std::string_view noun) {
  for (size_t j = 0; j < rules.size(); ++j) {
    if (!rules[j].item) continue;
    for (size_t i = 0; i < j; ++i) {
      if (!rules[i].item || !shadows(rules[i].pattern, rules[j].pattern)) continue;
      r.error(*rules[j].item,
              fmt::format("this rule can never match: {}[{}] (\"{}\") comes first and matches "
                          "every {} it would",
                          list.path, i, rules[i].pattern, noun));
      break;
    }
  }
}

}  // namespace ks::config
