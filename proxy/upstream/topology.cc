#include "proxy/upstream/topology.h"

#include "common/log.h"

namespace ks::upstream {

void Topology::apply(const protocol::MetadataResponse& response, bool all_topics) {
  brokers_.clear();
  for (const auto& b : response.brokers) {
    if (b.port <= 0 || b.port > 65535) {
      log::warn("upstream.bad_broker", "node_id={} host={} port={}", b.node_id, log::quote(b.host),
                b.port);
      continue;
    }
    brokers_[b.node_id] =
        BrokerInfo{b.node_id, Address{b.host, static_cast<uint16_t>(b.port)}, b.rack};
  }
  cluster_id_ = response.cluster_id;
  controller_id_ = response.controller_id;

  if (all_topics) topics_.clear();
  for (const auto& t : response.topics) {
    if (!t.name) continue;  // named by id only (v12+): we ask by name, so not ours
    TopicInfo info;
    info.error = static_cast<protocol::ErrorCode>(t.error_code);
    for (const auto& p : t.partitions) {
      info.partitions[p.partition_index] = PartitionInfo{
          static_cast<protocol::ErrorCode>(p.error_code), p.leader_id, p.leader_epoch};
    }
    topics_[*t.name] = std::move(info);
  }
}

const BrokerInfo* Topology::broker(int32_t id) const {
  const auto it = brokers_.find(id);
  return it == brokers_.end() ? nullptr : &it->second;
}

const TopicInfo* Topology::topic(std::string_view name) const {
  const auto it = topics_.find(name);
  return it == topics_.end() ? nullptr : &it->second;
}

std::optional<Leader> Topology::leader_for(std::string_view topic_name, int32_t partition) const {
  const TopicInfo* info = topic(topic_name);
  if (!info) return std::nullopt;
  const auto it = info->partitions.find(partition);
  if (it == info->partitions.end() || it->second.leader_id < 0) return std::nullopt;
  // Named but not listed among the brokers (the librdkafka 2.15 mock does
  // this for a broker that is down): there is no address to send to.
  if (!broker(it->second.leader_id)) return std::nullopt;
  return Leader{it->second.leader_id, it->second.leader_epoch};
}

}  // namespace ks::upstream
