#include "app/upstream_client_options.h"

#include <string>

namespace ks::app {

upstream::ClientOptions client_options(const config::ClusterConfig& cluster,
                                       std::string_view role) {
  upstream::ClientOptions options;
  options.cluster = cluster.name + std::string(role);
  for (const auto& address : cluster.bootstrap)
    options.bootstrap.push_back(config::to_string(address));
  options.client_id = cluster.client_id;
  options.request_timeout = cluster.request_timeout;
  options.retry_backoff = cluster.retry_backoff;
  options.retry_backoff_max = cluster.retry_backoff_max;
  return options;
}

}  // namespace ks::app
