#include "app/group_clusters.h"

#include <algorithm>

#include "app/offsets_topic_names.h"

namespace ks::app {

GroupClusters::GroupClusters(const config::Config& config,
                             std::vector<std::unique_ptr<ClusterPipeline>>& clusters)
    : config_(config) {
  for (auto& cluster : clusters)
    coordinators_.push_back(std::make_unique<upstream::GroupCoordinators>(cluster->client()));
}

server::GroupRouting GroupClusters::routing() {
  server::GroupRouting out;
  for (auto& c : coordinators_)
    out.clusters.push_back(c.get());
  out.cluster_of = [this](const std::string& group) -> upstream::GroupCoordinators& {
    const config::ClusterConfig& cluster = config_.cluster_for_group(group);
    // cluster_for_group returns an element of config_.clusters.
    return *coordinators_[static_cast<size_t>(&cluster - config_.clusters.data())];
  };
  out.upstream_topic = [this](const std::string& topic) { return config_.upstream_topic(topic); };
  const bool renames = std::any_of(config_.routes.begin(), config_.routes.end(),
                                   [](const config::Route& r) { return !r.rename.empty(); });
  if (renames) {
    out.app_topic = [this](const std::string& group, const std::string& topic) {
      return app_topic_name(config_, config_.cluster_for_group(group).name, topic);
    };
  }
  return out;
}

}  // namespace ks::app
