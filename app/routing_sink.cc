#include "app/routing_sink.h"

#include "common/log.h"
#include "proxy/server/append_errors.h"

namespace ks::app {

using protocol::ErrorCode;

RoutingSink::RoutingSink(asio::any_io_executor executor, const config::Config& config,
                         std::vector<std::unique_ptr<ClusterPipeline>>& clusters)
    : executor_(std::move(executor)), config_(config) {
  for (auto& cluster : clusters)
    by_name_[cluster->name()] = cluster.get();
}

ClusterPipeline* RoutingSink::pipeline_for(const std::string& topic) const {
  const config::Route* route = config_.route_for(topic);
  if (!route) return nullptr;
  const auto it = by_name_.find(route->cluster);
  return it == by_name_.end() ? nullptr : it->second;
}

std::optional<server::UpstreamRoute> RoutingSink::route(const std::string& topic) const {
  ClusterPipeline* pipeline = pipeline_for(topic);
  if (!pipeline) return std::nullopt;
  return server::UpstreamRoute{&pipeline->client(), config_.route_for(topic)->upstream_name(topic)};
}

std::shared_ptr<server::AppendTicket> RoutingSink::submit(server::Batch batch) {
  if (ClusterPipeline* pipeline = pipeline_for(batch.topic))
    return pipeline->append(std::move(batch));
  // The catalog only knows routed topics, so this is a declared topic that
  // no route matches: refuse rather than buffer it for nowhere.
  log::warn("produce.unrouted_topic", "topic={}", batch.topic);
  auto ticket = std::make_shared<server::AppendTicket>(executor_);
  ticket->complete(server::AppendError::storage_failed);
  return ticket;
}

awaitable<std::optional<std::map<std::string, int32_t>>> RoutingSink::lookup(
    std::vector<std::string> topics) {
  std::map<std::string, int32_t> counts;
  for (const auto& topic : topics) {
    ClusterPipeline* pipeline = pipeline_for(topic);
    if (!pipeline) continue;  // routed nowhere: does not exist for clients
    const std::string upstream_name = config_.route_for(topic)->upstream_name(topic);
    std::vector<std::string> asked{upstream_name};
    const auto refreshed =
        co_await pipeline->client().refresh_metadata(std::move(asked), upstream::AutoCreate::yes);
    if (!refreshed) co_return std::nullopt;
    const upstream::TopicInfo* info = pipeline->client().topology().topic(upstream_name);
    if (!info || info->error == ErrorCode::unknown_topic_or_partition) continue;
    if (info->error != ErrorCode::none || info->partitions.empty()) co_return std::nullopt;
    counts[topic] = static_cast<int32_t>(info->partitions.size());
  }
  co_return counts;
}

}  // namespace ks::app
