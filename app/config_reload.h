#pragma once
// Config reload on SIGHUP: the running sidecar takes the file's routes, its
// clusters' SASL credentials (used from each connection's next login;
// connections logged in stay up) and its log level, without dropping client
// connections or buffered data. Everything else (listener, buffer, cluster
// addresses, TLS files...) is read at start only; a reload says which of
// those changed and waits for a restart to apply them.
//
// A new file is refused as a whole, and the running config kept, when it
// does not pass check-config, adds or removes a cluster, or would send
// records already buffered for a topic to another cluster or under another
// name (they would overtake or split from the records before them).
#include <memory>
#include <string>
#include <vector>

#include "app/cluster_pipeline.h"
#include "common/result.h"
#include "config/config.h"
#include "proxy/server/topic_catalog.h"

namespace ks::app {

// Applies `file` to `live` (the config every component reads) and the
// pipelines. Returns what changed, for the log, or why nothing was applied.
Result<std::string> reload_config(const std::string& file, config::Config& live,
                                  std::vector<std::unique_ptr<ClusterPipeline>>& clusters,
                                  server::TopicCatalog& catalog);

}  // namespace ks::app
