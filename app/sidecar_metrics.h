#pragma once
// The sidecar's Prometheus metrics (names in docs/OPERATIONS.md).
//
// Two kinds: events the components report as they happen (request and
// buffer sync latency) go into prometheus-cpp histograms; state and totals
// the components already keep as plain integers (buffer depth, forwarder
// progress, upstream reachability, connections) are read when scraped. The
// hot paths thus only count, and a scrape sees every cluster consistently.
//
// Threading: scrape() and observe_request() run on the io_context thread
// that owns the clusters and the listener; sync observers on buffer writer
// threads (prometheus-cpp histograms are thread-safe).
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/cluster_pipeline.h"
#include "proxy/protocol/api_key.h"
#include "proxy/server/listener.h"

namespace ks::app {

class SidecarMetrics {
 public:
  SidecarMetrics();

  // What scrape() reads; set once everything is built.
  void watch(const std::vector<std::unique_ptr<ClusterPipeline>>* clusters,
             server::Listener* listener);

  // A Dispatcher request observer.
  void observe_request(protocol::ApiKey api,
                       std::optional<std::chrono::steady_clock::duration> took);
  // An appender sync observer for `cluster`.
  std::function<void(std::chrono::microseconds)> sync_observer(const std::string& cluster);

  // Everything, in the Prometheus text exposition format.
  std::string scrape() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Histogram>& request_duration_;
  prometheus::Family<prometheus::Counter>& unsupported_requests_;
  prometheus::Family<prometheus::Histogram>& fsync_duration_;
  std::map<protocol::ApiKey, prometheus::Histogram*> request_histograms_;
  const std::vector<std::unique_ptr<ClusterPipeline>>* clusters_ = nullptr;
  server::Listener* listener_ = nullptr;
};

}  // namespace ks::app
