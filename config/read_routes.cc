// The `routes` section: which cluster each topic goes to. Checked against
// the clusters, and for rules that can never match.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <set>
#include <utility>

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

// A topic `pattern` matches: its wildcards filled in.
std::string sample_topic(std::string_view pattern) {
  std::string topic(pattern);
  std::replace_if(
      topic.begin(), topic.end(), [](char c) { return c == '*' || c == '?'; }, 'x');
  return topic;
}

// Two app topics that one cluster would know by the same name: their
// records and offsets would mix. Checked on a sample topic of each rule
// against every rule of the same cluster, which finds the collisions people
// write (a rename prefix that an unrenamed rule also matches, two renames
// onto one name) without claiming to decide it for every pair of globs.
void report_collisions(Reader& r, const std::vector<ReadRoute>& rules, const Item& routes_item) {
  auto taken_by = [&rules](std::string_view topic) -> const ReadRoute* {
    for (const ReadRoute& rule : rules) {
      if (rule.topics && rule.route.matches(topic)) return &rule;
    }
    return nullptr;
  };
  std::set<std::pair<size_t, size_t>> reported;
  for (size_t j = 0; j < rules.size(); ++j) {
    if (!rules[j].topics) continue;
    const std::string topic = sample_topic(rules[j].route.topics);
    if (taken_by(topic) != &rules[j]) continue;  // shadowed: reported already
    const std::string upstream = rules[j].route.upstream_name(topic);
    for (size_t i = 0; i < rules.size(); ++i) {
      const Route& other = rules[i].route;
      if (!rules[i].topics || other.cluster != rules[j].route.cluster) continue;
      const auto twin = other.topic_named(upstream);
      if (!twin || *twin == topic || topic_name_problem(*twin) || taken_by(*twin) != &rules[i]) {
        continue;
      }
      if (!reported.emplace(std::min(i, j), std::max(i, j)).second) continue;
      r.error(*rules[j].topics,
              fmt::format("topics \"{}\" and \"{}\" ({}[{}]) would both be \"{}\" on cluster "
                          "\"{}\": their records would mix; change a rename",
                          topic, *twin, routes_item.path, i, upstream, other.cluster));
    }
  }
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
  report_collisions(r, rules, *routes);
  for (ReadRoute& rule : rules)
    out.push_back(std::move(rule.route));
  return out;
}

}  // namespace ks::config
