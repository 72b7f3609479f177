#include "config/config.h"
#include "config/glob.h"

namespace ks::config {

const ClusterConfig* Config::cluster(std::string_view name) const {
  for (const ClusterConfig& c : clusters) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

bool GroupRule::matches(std::string_view group) const {
  return glob_match(groups, group);
}

const ClusterConfig& Config::cluster_for_group(std::string_view group) const {
  for (const GroupRule& rule : groups) {
    if (!rule.matches(group)) continue;
    if (const ClusterConfig* c = cluster(rule.cluster)) return *c;
  }
  return clusters.front();
}

}  // namespace ks::config
