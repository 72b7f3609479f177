#include "proxy/upstream/client.h"

#include <algorithm>

#include "common/log.h"

namespace ks::upstream {

Client::Client(asio::any_io_executor executor, ClientOptions options,
               std::shared_ptr<ClusterState> state)
    : executor_(std::move(executor)),
      options_(std::move(options)),
      state_(state ? std::move(state) : std::make_shared<ClusterState>(options_.cluster)) {
  for (const auto& text : options_.bootstrap) {
    if (auto address = parse_address(text)) {
      bootstrap_.push_back(std::move(*address));
    } else {
      log::error("upstream.bad_bootstrap", "cluster={} address={}", options_.cluster,
                 log::quote(text));
    }
  }
}

Client::~Client() {
  while (!connections_.empty())
    drop(connections_.begin());
}

awaitable<Result<void>> Client::refresh_metadata(std::vector<std::string> topics,
                                                 AutoCreate auto_create) {
  const bool all_topics = topics.empty();
  protocol::MetadataRequest request;
  if (!all_topics) {
    request.topics.emplace();
    for (auto& name : topics) {
      protocol::MetadataRequest::MetadataRequestTopic topic;
      topic.name = std::move(name);
      request.topics->push_back(std::move(topic));
    }
  }
  request.allow_auto_topic_creation = auto_create == AutoCreate::yes;
  const auto response = co_await send_any(std::move(request));
  if (!response) co_return response.error();
  topology_.apply(response->body, all_topics);
  for (const auto& topic : response->body.topics) {
    if (!topic.name) continue;
    for (const auto& partition : topic.partitions)
      state_->on_leader(*topic.name, partition.partition_index, partition.leader_id,
                        partition.leader_epoch);
  }
  prune_connections();
  log::debug("upstream.metadata", "cluster={} version={} brokers={} topics={}", options_.cluster,
             response->version, topology_.brokers().size(), response->body.topics.size());
  co_return Result<void>{};
}

Result<std::shared_ptr<BrokerConnection>> Client::connection_to_broker(int32_t broker_id,
                                                                       Lane lane) {
  const BrokerInfo* broker = topology_.broker(broker_id);
  if (!broker) {
    return Error{
        make_error_code(errc::unknown_broker),
        fmt::format("cluster {}: broker {} is not in the metadata", options_.cluster, broker_id)};
  }
  return connection_to(broker->address, lane);
}

std::shared_ptr<BrokerConnection> Client::connection_to(const Address& address, Lane lane) {
  auto& connection = connections_[{address.to_string(), lane}];
  if (!connection) {
    ConnectionOptions options;
    options.client_id = options_.client_id;
    options.request_timeout = options_.request_timeout;
    options.reconnect_backoff = options_.retry_backoff;
    options.reconnect_backoff_max = options_.retry_backoff_max;
    options.max_response_bytes = options_.max_response_bytes;
    options.sasl = options_.sasl;
    options.tls = options_.tls;
    connection = std::make_shared<BrokerConnection>(executor_, address, std::move(options));
    connection->set_observer([this](const BrokerConnection& c, const Result<void>& outcome) {
      on_connection_event(c, outcome);
    });
    state_->track(connection);
  }
  return connection;
}

std::vector<Address> Client::candidates() const {
  std::vector<Address> out;
  for (const auto& [id, broker] : topology_.brokers())
    out.push_back(broker.address);
  for (const auto& address : bootstrap_) {
    if (std::find(out.begin(), out.end(), address) == out.end()) out.push_back(address);
  }
  // Connections that work first, those waiting out a failed connect last.
  const auto rank = [this](const Address& address) {
    const auto it = connections_.find({address.to_string(), kSharedLane});
    if (it == connections_.end()) return 1;
    return it->second->ready() ? 0 : it->second->backing_off() ? 2 : 1;
  };
  std::stable_sort(out.begin(), out.end(),
                   [&](const Address& a, const Address& b) { return rank(a) < rank(b); });
  return out;
}

void Client::prune_connections() {
  for (auto it = connections_.begin(); it != connections_.end();) {
    const Address& address = it->second->address();
    const bool is_broker =
        std::any_of(topology_.brokers().begin(), topology_.brokers().end(),
                    [&](const auto& entry) { return entry.second.address == address; });
    const bool is_bootstrap =
        std::find(bootstrap_.begin(), bootstrap_.end(), address) != bootstrap_.end();
    if (is_broker || is_bootstrap) {
      ++it;
      continue;
    }
    drop(it++);
  }
}

void Client::close_lane(Lane lane) {
  if (lane == kSharedLane) return;
  for (auto it = connections_.begin(); it != connections_.end();) {
    if (it->first.second == lane) {
      drop(it++);
    } else {
      ++it;
    }
  }
}

void Client::drop(std::map<ConnectionKey, std::shared_ptr<BrokerConnection>>::iterator it) {
  // Not a failure of the cluster: no reachability change.
  it->second->set_observer(nullptr);
  it->second->close();
  connections_.erase(it);
}

void Client::on_connection_event(const BrokerConnection& connection, const Result<void>& outcome) {
  state_->on_connection_event(connection, node_id_at(connection.address()), outcome);
}

int32_t Client::node_id_at(const Address& address) const {
  for (const auto& [id, broker] : topology_.brokers())
    if (broker.address == address) return id;
  return -1;
}

}  // namespace ks::upstream
