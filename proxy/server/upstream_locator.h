#pragma once
// Where the partitions a client names live upstream, for the requests the
// sidecar passes through (Fetch, ListOffsets): the cluster the topic routes
// to, its name there, and the broker leading the partition.
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "proxy/asio.h"
#include "proxy/protocol/error_code.h"
#include "proxy/upstream/client.h"

namespace ks::server {

// A topic's cluster and its name there.
struct UpstreamRoute {
  upstream::Client* client = nullptr;
  std::string topic;
};

// nullopt: the topic routes nowhere (clients see it as unknown).
using RouteResolver = std::function<std::optional<UpstreamRoute>(const std::string& topic)>;

struct UpstreamPartition {
  protocol::ErrorCode error = protocol::ErrorCode::none;  // set: do not send
  upstream::Client* client = nullptr;
  std::string topic;  // upstream name
  int32_t partition = 0;
  int32_t broker_id = -1;
};

// Indices of located partitions by their (cluster, leader): one upstream
// request each. Partitions with an error are left out.
using LeaderGroups = std::map<std::pair<upstream::Client*, int32_t>, std::vector<size_t>>;
LeaderGroups group_by_leader(const std::vector<UpstreamPartition>& located);

// Topics whose cached leaders proved wrong, by cluster.
using StaleTopics = std::map<upstream::Client*, std::set<std::string>>;

// Errors in an upstream answer after which the cached leader is wrong.
bool leader_changed(protocol::ErrorCode error);

class UpstreamLocator {
 public:
  explicit UpstreamLocator(RouteResolver resolve) : resolve_(std::move(resolve)) {}

  // One answer per asked (topic, partition), in order. Leaders missing from
  // the cached metadata are looked up once; partitions still without a
  // reachable leader get a retriable error, so the client retries.
  awaitable<std::vector<UpstreamPartition>> locate(
      const std::vector<std::pair<std::string, int32_t>>& partitions);

  // Refreshes the metadata of these topics (failures leave the cache as it
  // was: the next locate() tries again).
  static awaitable<void> refresh(StaleTopics stale);

 private:
  RouteResolver resolve_;
};

}  // namespace ks::server
