#pragma once
// The Kafka client for one upstream cluster: bootstrap, a metadata cache,
// pipelined connections to each broker (made on first use, then reused),
// version negotiation per broker, and a reachable/unreachable state.
//
// Lanes: a broker answers the requests of one connection in order, holding
// later ones while it waits on an earlier one (a JoinGroup held for the
// rebalance, a Fetch long poll). Requests passed through for a client
// connection therefore travel on that connection's own lane, its own
// upstream connection to each broker: one client's held request never
// delays another's, and each client's requests keep their order. The
// sidecar's own requests (metadata, forwarding) use the shared lane.
//
// Threading: a Client and its connections live on one executor (the
// caller's io_context thread) and are not thread-safe; no locks, by design.
// Call everything from that executor. Operations in flight refer to the
// Client: destroy it only after they completed (e.g. once the io_context
// has stopped running them).
//
// Retries are the caller's: a failed send returns its error (see errc.h and
// is_retriable), and Backoff (backoff.h) paces the next attempt. The client
// itself only paces reconnects to a broker whose connect failed.
#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "proxy/asio.h"
#include "proxy/upstream/address.h"
#include "proxy/upstream/broker_connection.h"
#include "proxy/upstream/cluster_state.h"
#include "proxy/upstream/errc.h"
#include "proxy/upstream/request_traits.h"
#include "proxy/upstream/response.h"
#include "proxy/upstream/tls_context.h"
#include "proxy/upstream/topology.h"

namespace ks::upstream {

struct ClientOptions {
  std::string cluster = "upstream";    // the cluster's name in logs
  std::vector<std::string> bootstrap;  // "host:port"
  std::string client_id = "kafka-sidecar";
  std::chrono::milliseconds request_timeout{30'000};
  // Reconnect pacing for a broker whose connect failed (see BrokerConnection).
  std::chrono::milliseconds retry_backoff{100};
  std::chrono::milliseconds retry_backoff_max{10'000};
  size_t max_response_bytes = 100 * 1024 * 1024;
  // The SASL login of every connection (null: none). Clients of one
  // cluster share it, so that a refusal is remembered and logged once.
  std::shared_ptr<SaslAccount> sasl;
  std::shared_ptr<TlsContext> tls;  // null: plain TCP
};

// Whether a Metadata request may create the topics it names. Brokers only
// look at this from Metadata v4 on; below that (the librdkafka 2.0.2 mock
// tops out at v2) the broker's auto.create.topics.enable alone decides, and
// the mock always creates.
enum class AutoCreate : bool { no, yes };

// Names a set of upstream connections, one per broker (see above).
using Lane = uint64_t;
inline constexpr Lane kSharedLane = 0;

class Client {
 public:
  // `state`: shared with the cluster's other clients, so that each change of
  // the cluster is logged once (cluster_state.h); null: one of its own,
  // named options.cluster.
  Client(asio::any_io_executor executor, ClientOptions options,
         std::shared_ptr<ClusterState> state = nullptr);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Asks any reachable broker (known brokers first, then the bootstrap list)
  // for the metadata of `topics` (empty: every topic) and updates the cache.
  awaitable<Result<void>> refresh_metadata(std::vector<std::string> topics,
                                           AutoCreate auto_create = AutoCreate::no);

  // Sends to one broker of the cached metadata, on `lane`;
  // errc::unknown_broker if it is not there.
  template <typename Request>
  awaitable<Result<Response<response_for_t<Request>>>> send_to(int32_t broker_id, Request request,
                                                               Lane lane = kSharedLane);

  // The version send_to would send Request at to the broker, connecting
  // first if needed (a codec the broker reads only from some version on).
  template <typename Request>
  awaitable<Result<int16_t>> version_at(int32_t broker_id, Lane lane = kSharedLane);

  // Closes the lane's connections (its client connection has gone),
  // failing what is still in flight on them.
  void close_lane(Lane lane);

  // Sends to the first broker that answers, in refresh_metadata's order, for
  // requests any broker can serve (Metadata, InitProducerId without a
  // transactional id). errc::no_broker_available when none answers.
  template <typename Request>
  awaitable<Result<Response<response_for_t<Request>>>> send_any(Request request);

  std::optional<Leader> leader_for(std::string_view topic, int32_t partition) const {
    return topology_.leader_for(topic, partition);
  }
  const Topology& topology() const { return topology_; }

  // True while some connection to the cluster works, counting those of the
  // clients sharing the ClusterState. It goes down when a connect fails or a
  // connection with requests in flight breaks and no other connection is
  // up, and up on the next successful connect; each change is logged once
  // (upstream.up / upstream.down, see cluster_state.h).
  bool is_reachable() const { return state_->reachable(); }
  size_t connection_count() const { return connections_.size(); }
  // What every client of the cluster has seen of it (reachability per broker).
  const ClusterState& state() const { return *state_; }
  const ClientOptions& options() const { return options_; }

 private:
  using ConnectionKey = std::pair<std::string, Lane>;  // "host:port", lane

  Result<std::shared_ptr<BrokerConnection>> connection_to_broker(int32_t broker_id, Lane lane);
  std::shared_ptr<BrokerConnection> connection_to(const Address& address, Lane lane = kSharedLane);
  void drop(std::map<ConnectionKey, std::shared_ptr<BrokerConnection>>::iterator it);
  // Where send_any tries, in order: brokers with a connection up, the other
  // known brokers, then the bootstrap addresses; those waiting out a failed
  // connect last. Connections are made only when tried.
  std::vector<Address> candidates() const;
  // Closes connections to addresses that are neither brokers nor bootstrap.
  void prune_connections();
  void on_connection_event(const BrokerConnection& connection, const Result<void>& outcome);
  // The broker's id in the cached metadata, -1 for an address it does not list.
  int32_t node_id_at(const Address& address) const;

  asio::any_io_executor executor_;
  ClientOptions options_;
  std::vector<Address> bootstrap_;
  Topology topology_;
  std::map<ConnectionKey, std::shared_ptr<BrokerConnection>> connections_;
  std::shared_ptr<ClusterState> state_;
};

template <typename Request>
awaitable<Result<Response<response_for_t<Request>>>> Client::send_to(int32_t broker_id,
                                                                     Request request, Lane lane) {
  const auto connection = connection_to_broker(broker_id, lane);
  if (!connection) co_return connection.error();
  co_return co_await (*connection)->send(std::move(request));
}

template <typename Request>
awaitable<Result<int16_t>> Client::version_at(int32_t broker_id, Lane lane) {
  const auto connection = connection_to_broker(broker_id, lane);
  if (!connection) co_return connection.error();
  co_return co_await (*connection)->template version_for<Request>();
}

template <typename Request>
awaitable<Result<Response<response_for_t<Request>>>> Client::send_any(Request request) {
  std::string failures;
  for (const auto& address : candidates()) {
    auto response = co_await connection_to(address)->send(request);
    // A request that is wrong in itself would fail everywhere.
    if (response || response.error().code == errc::invalid_request) co_return std::move(response);
    failures += (failures.empty() ? "" : "; ") + response.error().message;
  }
  co_return Error{make_error_code(errc::no_broker_available),
                  fmt::format("cluster {}: no broker answered: {}", options_.cluster,
                              failures.empty() ? "no valid broker address" : failures)};
}

}  // namespace ks::upstream
