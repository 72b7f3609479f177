#include "proxy/server/upstream_locator.h"

namespace ks::server {

using protocol::ErrorCode;

LeaderGroups group_by_leader(const std::vector<UpstreamPartition>& located) {
  LeaderGroups groups;
  for (size_t i = 0; i < located.size(); ++i) {
    if (located[i].error == ErrorCode::none)
      groups[{located[i].client, located[i].broker_id}].push_back(i);
  }
  return groups;
}

bool leader_changed(ErrorCode error) {
  return error == ErrorCode::not_leader_or_follower || error == ErrorCode::leader_not_available ||
         error == ErrorCode::fenced_leader_epoch || error == ErrorCode::unknown_leader_epoch ||
         error == ErrorCode::unknown_topic_or_partition;
}

awaitable<void> UpstreamLocator::refresh(StaleTopics stale) {
  for (auto& [client, topics] : stale) {
    std::vector<std::string> names(topics.begin(), topics.end());
    (void)co_await client->refresh_metadata(std::move(names));
  }
}

awaitable<std::vector<UpstreamPartition>> UpstreamLocator::locate(
    const std::vector<std::pair<std::string, int32_t>>& partitions) {
  std::vector<UpstreamPartition> out(partitions.size());
  StaleTopics to_refresh;
  for (size_t i = 0; i < partitions.size(); ++i) {
    out[i].partition = partitions[i].second;
    const auto route = resolve_(partitions[i].first);
    if (!route) {
      out[i].error = ErrorCode::unknown_topic_or_partition;
      continue;
    }
    out[i].client = route->client;
    out[i].topic = route->topic;
    if (!route->client->leader_for(route->topic, partitions[i].second))
      to_refresh[route->client].insert(route->topic);
  }
  co_await refresh(std::move(to_refresh));
  for (size_t i = 0; i < partitions.size(); ++i) {
    if (out[i].error != ErrorCode::none) continue;
    const auto* topic = out[i].client->topology().topic(out[i].topic);
    if (topic && topic->error == ErrorCode::unknown_topic_or_partition) {
      out[i].error = ErrorCode::unknown_topic_or_partition;
    } else if (const auto leader = out[i].client->leader_for(out[i].topic, partitions[i].second)) {
      out[i].broker_id = leader->broker_id;
    } else {
      out[i].error = ErrorCode::not_leader_or_follower;
    }
  }
  co_return out;
}

}  // namespace ks::server
