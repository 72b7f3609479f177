#pragma once
// A cluster's config as options for an upstream::Client.
#include <memory>
#include <optional>
#include <string_view>

#include "common/result.h"
#include "config/config.h"
#include "proxy/upstream/client.h"
#include "proxy/upstream/tls_context.h"

namespace ks::app {

// `role` tells several clients of one cluster apart in the logs. `tls`:
// the cluster's, from upstream_tls (shared by all its clients). `sasl`: the
// login to share with the cluster's other clients; null: one of the
// client's own, from the cluster's sasl.
upstream::ClientOptions client_options(const config::ClusterConfig& cluster, std::string_view role,
                                       std::shared_ptr<upstream::TlsContext> tls,
                                       std::shared_ptr<upstream::SaslAccount> sasl = nullptr);

// The cluster's TLS context, its files read now; null when it has no
// `tls`. The error names the file and OpenSSL's reason.
Result<std::shared_ptr<upstream::TlsContext>> upstream_tls(const config::ClusterConfig& cluster);

// The cluster's sasl, for an upstream::SaslAccount.
std::optional<upstream::SaslCredentials> sasl_credentials(const config::ClusterConfig& cluster);

}  // namespace ks::app
