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

std::optional<RoutingSink::Target> RoutingSink::target_for(const std::string& topic) const {
  const config::Route* route = config_.route_for(topic);
  if (!route) return std::nullopt;
  const auto it = by_name_.find(route->cluster);
  if (it == by_name_.end()) return std::nullopt;
  return Target{it->second, route->upstream_name(topic)};
}

std::optional<server::UpstreamRoute> RoutingSink::route(const std::string& topic) const {
  auto target = target_for(topic);
  if (!target) return std::nullopt;
  return server::UpstreamRoute{&target->pipeline->client(), std::move(target->upstream)};
}

std::shared_ptr<server::AppendTicket> RoutingSink::submit(server::Batch batch) {
  if (const auto target = target_for(batch.topic))
    return target->pipeline->append(std::move(batch));
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
    const auto target = target_for(topic);
    if (!target) continue;  // routed nowhere: does not exist for clients
    upstream::Client& client = target->pipeline->client();
    std::vector<std::string> asked{target->upstream};
    const auto refreshed =
        co_await client.refresh_metadata(std::move(asked), upstream::AutoCreate::yes);
    if (!refreshed) co_return std::nullopt;
    const upstream::TopicInfo* info = client.topology().topic(target->upstream);
    if (!info || info->error == ErrorCode::unknown_topic_or_partition) continue;
    if (info->error != ErrorCode::none || info->partitions.empty()) co_return std::nullopt;
    counts[topic] = static_cast<int32_t>(info->partitions.size());
  }
  co_return counts;
}

}  // namespace ks::app
