#pragma once
// What the client knows about an upstream cluster from Metadata responses:
// its brokers, and each topic's partitions with their leaders.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "proxy/protocol/error_code.h"
#include "proxy/protocol/messages.h"
#include "proxy/upstream/address.h"

namespace ks::upstream {

struct BrokerInfo {
  int32_t node_id = -1;
  Address address;
  std::optional<std::string> rack;
};

struct PartitionInfo {
  protocol::ErrorCode error = protocol::ErrorCode::none;
  int32_t leader_id = -1;     // -1: no leader right now
  int32_t leader_epoch = -1;  // -1: the broker did not say (Metadata < v7)
};

struct TopicInfo {
  protocol::ErrorCode error = protocol::ErrorCode::none;  // e.g. unknown_topic_or_partition
  std::map<int32_t, PartitionInfo> partitions;
};

struct Leader {
  int32_t broker_id = -1;
  int32_t leader_epoch = -1;
};

class Topology {
 public:
  // Takes in a Metadata response. The broker list is replaced. Topics in the
  // response replace what was known of them; with `all_topics` (the request
  // asked for every topic) topics missing from the response are forgotten.
  void apply(const protocol::MetadataResponse& response, bool all_topics);

  const std::map<int32_t, BrokerInfo>& brokers() const { return brokers_; }
  const BrokerInfo* broker(int32_t id) const;
  const std::map<std::string, TopicInfo, std::less<>>& topics() const { return topics_; }
  const TopicInfo* topic(std::string_view name) const;
  // The partition's leader, if the topic and partition are known and have
  // one that is among the listed brokers.
  std::optional<Leader> leader_for(std::string_view topic, int32_t partition) const;
  const std::optional<std::string>& cluster_id() const { return cluster_id_; }
  int32_t controller_id() const { return controller_id_; }

 private:
  std::map<int32_t, BrokerInfo> brokers_;
  std::map<std::string, TopicInfo, std::less<>> topics_;
  std::optional<std::string> cluster_id_;
  int32_t controller_id_ = -1;
};

}  // namespace ks::upstream
