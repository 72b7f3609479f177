// The `routes` section: which cluster each topic goes to. Checked against
// the clusters, and for rules that can never match.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "config/rule_checks.h"
#include "config/sections.h"
#include "config/topic_name.h"

namespace ks::config {
namespace {

constexpr std::string_view kTopicPlaceholder = "{topic}";

// The rule's `topics` and where it was written, for the shadowing check.
struct ReadRoute {
  Route route;
  std::optional<Item> topics;
};

ReadRoute read_route(Reader& r, const Item& item, const std::vector<std::string>& clusters) {
  ReadRoute out;
  Mapping m(r, item);
  out.topics = m.require("topics");
  if (out.topics) {
    if (auto pattern = r.string(*out.topics)) {
      if (auto problem = topic_name_problem(*pattern, "*?")) {
        r.error(*out.topics, *problem);
        out.topics.reset();
      } else {
        out.route.topics = std::move(*pattern);
      }
    } else {
      out.topics.reset();
    }
  }
  if (auto v = m.require("cluster")) {
    if (auto name = read_cluster_name(r, *v, clusters)) out.route.cluster = std::move(*name);
  }
  if (auto v = m.get("rename")) {
    if (auto rename = r.string(*v)) {
      if (rename->find(kTopicPlaceholder) == std::string::npos) {
        r.error(*v, fmt::format("\"{}\" does not contain {} (write e.g. \"shop.{}\")", *rename,
                                kTopicPlaceholder, kTopicPlaceholder));
      } else {
        // Any legal topic in place of the placeholder shows whether the
        // surrounding text is legal.
        Route probe{.topics = {}, .cluster = {}, .rename = *rename};
        if (auto problem = topic_name_problem(probe.upstream_name("t"))) {
          r.error(*v, fmt::format("renamed topics would be illegal: {}", *problem));
        }
      }
      out.route.rename = std::move(*rename);
    }
  }
  m.reject_unknown();
  return out;
}

}  // namespace

std::vector<Route> read_routes(Reader& r, const std::optional<Item>& routes,
                               const Item& clusters_item,
                               const std::vector<ClusterConfig>& clusters) {
  std::vector<Route> out;
  if (!routes) {
    // One cluster needs no routing; with several, guessing would send data
    // to the wrong place.
    if (clusters.size() == 1) {
      out.push_back(Route{.topics = "*", .cluster = clusters.front().name, .rename = {}});
    } else if (clusters.size() > 1) {
      r.error(clusters_item,
              fmt::format("{} clusters ({}) but no routes: add a routes section saying which "
                          "topics go to which cluster",
                          clusters.size(), fmt::join(cluster_names(clusters), ", ")));
    }
    return out;
  }
  const std::optional<std::vector<Item>> elements = r.sequence(*routes);
  if (!elements) return out;
  if (elements->empty()) {
    r.error(*routes,
            "has no rules, so no topic could be produced; remove it to send every topic "
            "to the only cluster");
    return out;
  }
  const std::vector<std::string> names = cluster_names(clusters);
  std::vector<ReadRoute> rules;
  std::vector<RulePattern> patterns;
  for (const Item& element : *elements) {
    rules.push_back(read_route(r, element, names));
    patterns.push_back({rules.back().route.topics, rules.back().topics});
  }
  report_shadowed(r, patterns, *routes, "topic");
  for (ReadRoute& rule : rules)
    out.push_back(std::move(rule.route));
  return out;
}

}  // namespace ks::config
