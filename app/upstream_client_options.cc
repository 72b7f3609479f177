#include "app/upstream_client_options.h"

#include <string>

namespace ks::app {

namespace {

upstream::SaslMechanism mechanism(config::SaslMechanism mechanism) {
  switch (mechanism) {
    case config::SaslMechanism::plain:
      return upstream::SaslMechanism::plain;
    case config::SaslMechanism::scram_sha_256:
      return upstream::SaslMechanism::scram_sha_256;
    case config::SaslMechanism::scram_sha_512:
      return upstream::SaslMechanism::scram_sha_512;
  }
  return upstream::SaslMechanism::plain;
}

}  // namespace

std::optional<upstream::SaslCredentials> sasl_credentials(const config::ClusterConfig& cluster) {
  if (!cluster.sasl) return std::nullopt;
  const config::SaslConfig& sasl = *cluster.sasl;
  return upstream::SaslCredentials{mechanism(sasl.mechanism), sasl.username, sasl.password.reveal(),
                                   sasl.password_file};
}

upstream::ClientOptions client_options(const config::ClusterConfig& cluster, std::string_view role,
                                       std::shared_ptr<upstream::TlsContext> tls,
                                       std::shared_ptr<upstream::SaslAccount> sasl) {
  upstream::ClientOptions options;
  options.cluster = cluster.name + std::string(role);
  for (const auto& address : cluster.bootstrap)
    options.bootstrap.push_back(config::to_string(address));
  options.client_id = cluster.client_id;
  options.request_timeout = cluster.request_timeout;
  options.retry_backoff = cluster.retry_backoff;
  options.retry_backoff_max = cluster.retry_backoff_max;
  options.tls = std::move(tls);
  options.sasl =
      sasl ? std::move(sasl)
           : std::make_shared<upstream::SaslAccount>(options.cluster, sasl_credentials(cluster));
  return options;
}

Result<std::shared_ptr<upstream::TlsContext>> upstream_tls(const config::ClusterConfig& cluster) {
  if (!cluster.tls) return std::shared_ptr<upstream::TlsContext>();
  const config::TlsConfig& tls = *cluster.tls;
  return upstream::TlsContext::create({tls.ca, tls.cert, tls.key, tls.verify_hostname},
                                      "clusters." + cluster.name + ".tls");
}

}  // namespace ks::app
