#pragma once
// A cluster's config as options for an upstream::Client.
#include <string_view>

#include "config/config.h"
#include "proxy/upstream/client.h"

namespace ks::app {

// `role` tells several clients of one cluster apart in the logs.
upstream::ClientOptions client_options(const config::ClusterConfig& cluster, std::string_view role);

}  // namespace ks::app
