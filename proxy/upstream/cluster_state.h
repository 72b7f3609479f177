#pragma once
// What the sidecar has seen of one upstream cluster: whether each broker and
// the cluster as a whole can be reached, and which broker leads each
// partition. Every Client of the cluster (the forwarder's and the
// pass-through one) reports to the same ClusterState, so each change is
// logged once, however many connections and clients notice it, and never
// once per retry:
//
//   upstream.broker_down   warn  a connection to a broker failed (connect, or
//                                reset with requests in flight) and no other
//                                connection to it works
//   upstream.broker_up     info  a broker that was down connected again
//                                (down_ms: since its broker_down)
//   upstream.down          warn  ... and no connection to any broker works
//   upstream.up            info  the first connection to the cluster, and the
//                                first after upstream.down (down_ms)
//   upstream.leader_moved  info  a partition's leader is another broker than
//                                the last one seen (a stale answer, with an
//                                older leader epoch, is ignored)
//
// Brokers are told apart by address ("host:port"). The retries in between
// are the connections' business (upstream.connect_failed, debug).
//
// Threading: one executor, like the clients (see client.h).
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "proxy/upstream/broker_connection.h"

namespace ks::upstream {

class ClusterState {
 public:
  explicit ClusterState(std::string cluster);

  const std::string& cluster() const { return cluster_; }

  // Counts `connection`, while it lives, when deciding whether its broker and
  // the cluster can still be reached.
  void track(const std::shared_ptr<BrokerConnection>& connection);
  // What a connection's observer is told (see BrokerConnection::Observer);
  // node_id: the broker's id in the metadata, -1 if it has none (yet).
  void on_connection_event(const BrokerConnection& connection, int32_t node_id,
                           const Result<void>& outcome);
  // A partition's leader from a Metadata answer (-1: none right now).
  void on_leader(std::string_view topic, int32_t partition, int32_t leader_id,
                 int32_t leader_epoch);

  // True from the first successful connect until upstream.down.
  bool reachable() const { return cluster_state_.reachability == Reachability::up; }
  // Each broker address a connection was made or tried to: reachable now?
  std::map<std::string, bool> brokers() const;

 private:
  using Clock = std::chrono::steady_clock;
  enum class Reachability { unknown, up, down };
  struct State {
    Reachability reachability = Reachability::unknown;
    Clock::time_point since{};
  };
  struct Leader {
    int32_t id = -1;
    int32_t epoch = -1;
  };

  // Whether a tracked connection to `address` ("" for any) works; forgets
  // connections that are gone.
  bool any_ready(std::string_view address);

  std::string cluster_;
  State cluster_state_;
  std::map<std::string, State, std::less<>> brokers_;  // by address
  std::vector<std::weak_ptr<BrokerConnection>> connections_;
  std::map<std::pair<std::string, int32_t>, Leader> leaders_;
};

}  // namespace ks::upstream
