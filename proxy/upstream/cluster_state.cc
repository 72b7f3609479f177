#include "proxy/upstream/cluster_state.h"

#include <algorithm>

#include "common/log.h"

namespace ks::upstream {
namespace {

int64_t millis_since(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               since)
      .count();
}

}  // namespace

ClusterState::ClusterState(std::string cluster) : cluster_(std::move(cluster)) {}

void ClusterState::track(const std::shared_ptr<BrokerConnection>& connection) {
  std::erase_if(connections_, [](const auto& weak) { return weak.expired(); });
  connections_.push_back(connection);
}

bool ClusterState::any_ready(std::string_view address) {
  std::erase_if(connections_, [](const auto& weak) { return weak.expired(); });
  return std::any_of(connections_.begin(), connections_.end(), [&](const auto& weak) {
    const auto connection = weak.lock();
    return connection && connection->ready() &&
           (address.empty() || connection->address().to_string() == address);
  });
}

void ClusterState::on_connection_event(const BrokerConnection& connection, int32_t node_id,
                                       const Result<void>& outcome) {
  const std::string address = connection.address().to_string();
  State& broker = brokers_[address];
  if (outcome) {
    if (broker.reachability == Reachability::down) {
      log::info("upstream.broker_up", "cluster={} broker={} node_id={} down_ms={}", cluster_,
                address, node_id, millis_since(broker.since));
    }
    broker = {Reachability::up, Clock::now()};
    if (cluster_state_.reachability == Reachability::down) {
      log::info("upstream.up", "cluster={} via={} down_ms={}", cluster_, address,
                millis_since(cluster_state_.since));
    } else if (cluster_state_.reachability == Reachability::unknown) {
      log::info("upstream.up", "cluster={} via={}", cluster_, address);
    }
    if (cluster_state_.reachability != Reachability::up)
      cluster_state_ = {Reachability::up, Clock::now()};
    return;
  }
  // One connection failing does not make its broker unreachable while
  // another one to it works (another lane, the other client), nor the
  // cluster while some broker answers.
  if (broker.reachability != Reachability::down && !any_ready(address)) {
    broker = {Reachability::down, Clock::now()};
    log::warn("upstream.broker_down", "cluster={} broker={} node_id={} error={}", cluster_, address,
              node_id, log::quote(outcome.error().message));
  }
  if (cluster_state_.reachability != Reachability::down && !any_ready({})) {
    cluster_state_ = {Reachability::down, Clock::now()};
    log::warn("upstream.down", "cluster={} error={}", cluster_,
              log::quote(outcome.error().message));
  }
}

void ClusterState::on_leader(std::string_view topic, int32_t partition, int32_t leader_id,
                             int32_t leader_epoch) {
  // No leader right now (an election): the next one is compared with the last.
  if (leader_id < 0) return;
  const auto [it, inserted] =
      leaders_.try_emplace({std::string(topic), partition}, Leader{leader_id, leader_epoch});
  if (inserted) return;
  Leader& known = it->second;
  // An answer from a broker that has not heard of the newer leader yet.
  if (leader_epoch >= 0 && known.epoch >= 0 && leader_epoch < known.epoch) return;
  if (known.id != leader_id) {
    log::info("upstream.leader_moved", "cluster={} topic={} partition={} from={} to={} epoch={}",
              cluster_, topic, partition, known.id, leader_id, leader_epoch);
  }
  known = {leader_id, leader_epoch};
}

std::map<std::string, bool> ClusterState::brokers() const {
  std::map<std::string, bool> out;
  for (const auto& [address, state] : brokers_)
    out[address] = state.reachability == Reachability::up;
  return out;
}

}  // namespace ks::upstream
