#pragma once
// The admin API of a running sidecar (docs/OPERATIONS.md): metrics, health,
// readiness, buffer status, pausing forwarding and resetting a consumer
// group's offsets, served by admin::HttpServer on the sidecar's io_context.
#include <memory>
#include <string>
#include <vector>

#include "app/cluster_pipeline.h"
#include "app/sidecar_metrics.h"
#include "config/config.h"
#include "proxy/admin/http_server.h"
#include "proxy/server/listener.h"

namespace ks::app {

struct AdminContext {
  const config::Config& config;
  std::string config_file;
  std::vector<std::unique_ptr<ClusterPipeline>>& clusters;
  server::Listener& listener;
  const SidecarMetrics& metrics;
};

void add_admin_endpoints(admin::HttpServer& server, AdminContext context);

}  // namespace ks::app
