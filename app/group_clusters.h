#pragma once
// The consumer groups' side of the config for the group handler: one set of
// coordinators per cluster, the `groups` rules choosing among them, and the
// routes' topic renames both ways.
#include <memory>
#include <vector>

#include "app/cluster_pipeline.h"
#include "config/config.h"
#include "proxy/server/group_handler.h"
#include "proxy/upstream/group_coordinators.h"

namespace ks::app {

class GroupClusters {
 public:
  // `config` and `clusters` (one per config cluster, in its order) must
  // outlive this object.
  GroupClusters(const config::Config& config,
                std::vector<std::unique_ptr<ClusterPipeline>>& clusters);

  // Valid while this object lives.
  server::GroupRouting routing();

 private:
  const config::Config& config_;
  std::vector<std::unique_ptr<upstream::GroupCoordinators>> coordinators_;  // config order
};

}  // namespace ks::app
