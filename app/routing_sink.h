#pragma once
// Routes each produced batch to its cluster's pipeline (config `routes`,
// first match wins) and looks topics up on the cluster they route to, under
// their upstream name.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/cluster_pipeline.h"
#include "config/config.h"
#include "proxy/server/produce_sink.h"
#include "proxy/server/upstream_locator.h"

namespace ks::app {

class RoutingSink final : public server::ProduceSink {
 public:
  RoutingSink(asio::any_io_executor executor, const config::Config& config,
              std::vector<std::unique_ptr<ClusterPipeline>>& clusters);

  std::shared_ptr<server::AppendTicket> submit(server::Batch batch) override;

  // TopicCatalog::UpstreamLookup: partition counts of the topics that exist
  // on their cluster (asking may create them, as a broker with
  // auto.create.topics.enable does for producers); nullopt when a cluster
  // is unreachable or the topic is not ready yet (e.g. just created).
  awaitable<std::optional<std::map<std::string, int32_t>>> lookup(std::vector<std::string> topics);

  // server::RouteResolver: the topic's cluster client and upstream name.
  std::optional<server::UpstreamRoute> route(const std::string& topic) const;

 private:
  // Where a topic goes: its cluster's pipeline and its name there.
  struct Target {
    ClusterPipeline* pipeline;
    std::string upstream;
  };
  std::optional<Target> target_for(const std::string& topic) const;

  asio::any_io_executor executor_;
  const config::Config& config_;
  std::map<std::string, ClusterPipeline*, std::less<>> by_name_;
};

}  // namespace ks::app
