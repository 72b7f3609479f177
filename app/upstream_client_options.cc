#include "app/upstream_client_options.h"

#include <string>

namespace ks::app {

upstream::ClientOptions client_options(const config::ClusterConfig& cluster, std::string_view role,
                                       std::shared_ptr<upstream::TlsContext> tls) {
  upstream::ClientOptions options;
  options.cluster = cluster.name + std::string(role);
  for (const auto& address : cluster.bootstrap)
    options.bootstrap.push_back(config::to_string(address));
  options.client_id = cluster.client_id;
  options.request_timeout = cluster.request_timeout;
  options.retry_backoff = cluster.retry_backoff;
  options.retry_backoff_max = cluster.retry_backoff_max;
  options.tls = std::move(tls);
  return options;
}

Result<std::shared_ptr<upstream::TlsContext>> upstream_tls(const config::ClusterConfig& cluster) {
  if (!cluster.tls) return std::shared_ptr<upstream::TlsContext>();
  const config::TlsConfig& tls = *cluster.tls;
  return upstream::TlsContext::create({tls.ca, tls.cert, tls.key, tls.verify_hostname},
                                      "clusters." + cluster.name + ".tls");
}

}  // namespace ks::app
