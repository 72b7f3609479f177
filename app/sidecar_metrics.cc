#include "app/sidecar_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

#include <chrono>
#include <deque>

namespace ks::app {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;
using Labels = std::vector<ClientMetric::Label>;

const prometheus::Histogram::BucketBoundaries kRequestBuckets = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
const prometheus::Histogram::BucketBoundaries kSyncBuckets = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1};

double seconds(std::chrono::microseconds us) {
  return static_cast<double>(us.count()) / 1e6;
}

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// A family read at scrape time: one sample per add().
class Sampled {
 public:
  Sampled(std::string name, std::string help, MetricType type) {
    family_.name = std::move(name);
    family_.help = std::move(help);
    family_.type = type;
  }
  void add(Labels labels, double value) {
    ClientMetric metric;
    metric.label = std::move(labels);
    if (family_.type == MetricType::Counter) {
      metric.counter.value = value;
    } else {
      metric.gauge.value = value;
    }
    family_.metric.push_back(std::move(metric));
  }
  MetricFamily take() { return std::move(family_); }

 private:
  MetricFamily family_;
};

// The families of one scrape, in the order they are declared.
class Exposition {
 public:
  Sampled& gauge(std::string name, std::string help) {
    return families_.emplace_back("kafka_sidecar_" + std::move(name), std::move(help),
                                  MetricType::Gauge);
  }
  Sampled& counter(std::string name, std::string help) {
    return families_.emplace_back("kafka_sidecar_" + std::move(name), std::move(help),
                                  MetricType::Counter);
  }
  void append_to(std::vector<MetricFamily>* out) {
    for (Sampled& family : families_)
      out->push_back(family.take());
  }

 private:
  std::deque<Sampled> families_;  // stable references
};

}  // namespace

SidecarMetrics::SidecarMetrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      request_duration_(prometheus::BuildHistogram()
                            .Name("kafka_sidecar_request_duration_seconds")
                            .Help("Kafka requests from clients by API, from read to answer ready")
                            .Register(*registry_)),
      unsupported_requests_(prometheus::BuildCounter()
                                .Name("kafka_sidecar_unsupported_requests_total")
                                .Help("Requests refused (connection closed) for an API or "
                                      "version the sidecar does not serve")
                                .Register(*registry_)),
      fsync_duration_(prometheus::BuildHistogram()
                          .Name("kafka_sidecar_buffer_fsync_duration_seconds")
                          .Help("Syncs of the durable buffer to disk, by cluster")
                          .Register(*registry_)) {}

void SidecarMetrics::watch(const std::vector<std::unique_ptr<ClusterPipeline>>* clusters,
                           server::Listener* listener) {
  clusters_ = clusters;
  listener_ = listener;
}

void SidecarMetrics::observe_request(protocol::ApiKey api,
                                     std::optional<std::chrono::steady_clock::duration> took) {
  const std::string name(protocol::name(api));
  if (!took) {
    unsupported_requests_.Add({{"api", name}}).Increment();
    return;
  }
  auto& histogram = request_histograms_[api];
  if (!histogram) histogram = &request_duration_.Add({{"api", name}}, kRequestBuckets);
  histogram->Observe(std::chrono::duration<double>(*took).count());
}

std::function<void(std::chrono::microseconds)> SidecarMetrics::sync_observer(
    const std::string& cluster) {
  prometheus::Histogram& histogram = fsync_duration_.Add({{"cluster", cluster}}, kSyncBuckets);
  return [&histogram](std::chrono::microseconds took) { histogram.Observe(seconds(took)); };
}

std::string SidecarMetrics::scrape() const {
  Exposition out;
  auto& unforwarded_records =
      out.gauge("buffer_unforwarded_records", "Records buffered and not yet forwarded upstream");
  auto& unforwarded_bytes =
      out.gauge("buffer_unforwarded_bytes",
                "Bytes of record batches buffered and not yet forwarded upstream");
  auto& oldest_age =
      out.gauge("buffer_oldest_unforwarded_age_seconds",
                "Age of the oldest record not yet forwarded; 0 when none is pending");
  auto& disk_bytes = out.gauge("buffer_disk_bytes",
                               "Bytes the buffer holds on disk, forwarded records not yet released "
                               "included");
  auto& max_bytes =
      out.gauge("buffer_max_bytes", "The buffer's configured capacity (buffer.max_bytes)");
  auto& segments = out.gauge("buffer_segments", "Segment files of the buffer");
  auto& writable = out.gauge("buffer_writable",
                             "1 while the buffer accepts writes; 0 after a failed write or sync");
  auto& corrupt_bytes =
      out.gauge("buffer_recovered_corrupt_bytes",
                "Bytes of the buffer found damaged (CRC) at start and skipped; the "
                "records in them are lost");
  auto& torn_tail_bytes =
      out.gauge("buffer_recovered_torn_tail_bytes",
                "Bytes of an unfinished write cut off the buffer's end at start "
                "(never acknowledged)");
  auto& accepted_records =
      out.counter("accepted_records_total", "Records made durable in the buffer and acknowledged");
  auto& accepted_bytes =
      out.counter("accepted_bytes_total", "Record batch bytes made durable in the buffer");
  auto& forwarded_records =
      out.counter("forwarded_records_total", "Records stored by the upstream cluster");
  auto& forwarded_bytes =
      out.counter("forwarded_bytes_total",
                  "Record batch bytes stored by the upstream cluster, as sent (compressed by "
                  "forward.compression)");
  auto& compressed_batches = out.counter("forward_compression_batches_total",
                                         "Batches forward.compression sent compressed");
  auto& compression_input =
      out.counter("forward_compression_input_bytes_total",
                  "Bytes of the batches forward.compression compressed, as the clients sent them");
  auto& compression_output =
      out.counter("forward_compression_output_bytes_total",
                  "Bytes of the batches forward.compression compressed, as sent upstream");
  auto& forward_errors =
      out.counter("forward_errors_total",
                  "Failed forwarding attempts by Kafka error (network_exception, "
                  "request_timed_out: no answer)");
  auto& retries = out.counter("forward_retries_total", "Forwarding attempts that are retried");
  auto& produce_requests = out.counter(
      "forward_requests_total", "Produce requests sent upstream; a broker's partitions share them");
  auto& reconciliations =
      out.counter("forward_reconciliations_total",
                  "Reads of the upstream log to learn what an ambiguous send stored");
  auto& dead_lettered =
      out.counter("dead_lettered_records_total",
                  "Records the upstream refused for good, set aside in the dead-letter "
                  "log");
  auto& dropped =
      out.counter("dropped_records_total",
                  "Records lost before forwarding (when_full: drop_oldest, unreadable)");
  auto& rejected =
      out.counter("produce_rejected_total", "Produced batches refused for buffer space, by reason");
  auto& blocked =
      out.counter("produce_blocked_seconds_total",
                  "Time during which produces waited for buffer space (when_full: block)");
  auto& blocked_now =
      out.gauge("produce_blocked_requests", "Produced batches waiting for space now");
  auto& paused = out.gauge("forwarder_paused", "1 while forwarding is paused from the admin API");
  auto& up = out.gauge("upstream_up", "1 while some broker of the cluster can be reached");
  auto& broker_up =
      out.gauge("upstream_broker_up",
                "1 while a broker can be reached (a connection to it works or the last "
                "connect succeeded)");
  auto& upstream_auth_failures =
      out.counter("upstream_authentication_failures_total",
                  "Logins to the upstream cluster (clusters.<name>.sasl) that a broker refused");
  auto& connections = out.gauge("client_connections", "Open Kafka client connections");
  auto& auth_failures =
      out.counter("client_authentication_failures_total",
                  "Client connections closed for failing to log in (listener.sasl), by reason");
  auto& build_info = out.gauge("build_info", "Always 1; the labels say which build runs");

  const int64_t now = now_ms();
  if (clusters_) {
    for (const auto& cluster : *clusters_) {
      const Labels labels{{"cluster", cluster->name()}};
      const auto backlog = cluster->forwarder().backlog();
      const auto& forwarded = cluster->forwarder().stats();
      const auto buffer = cluster->buffer_stats();
      unforwarded_records.add(labels, static_cast<double>(backlog.records));
      unforwarded_bytes.add(labels, static_cast<double>(backlog.bytes));
      oldest_age.add(labels, backlog.oldest_append_time_ms < 0
                                 ? 0.0
                                 : static_cast<double>(
                                       std::max<int64_t>(0, now - backlog.oldest_append_time_ms)) /
                                       1e3);
      disk_bytes.add(labels, static_cast<double>(buffer.bytes));
      max_bytes.add(labels, static_cast<double>(cluster->max_bytes()));
      segments.add(labels, static_cast<double>(buffer.segments));
      writable.add(labels, cluster->buffer_failure() ? 0.0 : 1.0);
      const auto& recovery = cluster->log().recovery();
      corrupt_bytes.add(labels, static_cast<double>(recovery.corrupt_bytes));
      torn_tail_bytes.add(labels, static_cast<double>(recovery.torn_tail.size()));
      accepted_records.add(labels, static_cast<double>(cluster->accepted().records));
      accepted_bytes.add(labels, static_cast<double>(cluster->accepted().bytes));
      forwarded_records.add(labels, static_cast<double>(forwarded.forwarded_records));
      forwarded_bytes.add(labels, static_cast<double>(forwarded.forwarded_bytes));
      compressed_batches.add(labels, static_cast<double>(forwarded.compression.batches));
      compression_input.add(labels, static_cast<double>(forwarded.compression.input_bytes));
      compression_output.add(labels, static_cast<double>(forwarded.compression.output_bytes));
      for (const auto& [error, count] : forwarded.errors) {
        forward_errors.add({{"cluster", cluster->name()}, {"error", error}},
                           static_cast<double>(count));
      }
      retries.add(labels, static_cast<double>(forwarded.retries));
      produce_requests.add(labels, static_cast<double>(forwarded.produce_requests));
      reconciliations.add(labels, static_cast<double>(forwarded.reconciliations));
      dead_lettered.add(labels, static_cast<double>(forwarded.dead_lettered_records));
      dropped.add(labels, static_cast<double>(forwarded.dropped_records));
      rejected.add({{"cluster", cluster->name()}, {"reason", "buffer_full"}},
                   static_cast<double>(buffer.rejected));
      rejected.add({{"cluster", cluster->name()}, {"reason", "timed_out"}},
                   static_cast<double>(buffer.timed_out));
      rejected.add({{"cluster", cluster->name()}, {"reason", "no_space"}},
                   static_cast<double>(buffer.no_space));
      blocked.add(labels, seconds(buffer.blocked));
      blocked_now.add(labels, static_cast<double>(buffer.waiting));
      paused.add(labels, cluster->forwarder().paused() ? 1.0 : 0.0);
      up.add(labels, cluster->forwarding_client().is_reachable() ? 1.0 : 0.0);
      for (const auto& [broker, reachable] : cluster->forwarding_client().state().brokers()) {
        broker_up.add({{"broker", broker}, {"cluster", cluster->name()}}, reachable ? 1.0 : 0.0);
      }
      upstream_auth_failures.add(labels, static_cast<double>(cluster->authentication_failures()));
    }
  }
  if (listener_) connections.add({}, static_cast<double>(listener_->open_connections()));
  if (listener_ && listener_->auth()) {
    // Every reason from the start, so that rate() sees the first failure.
    std::map<std::string, uint64_t> failures{
        {"credentials", 0}, {"mechanism", 0}, {"unauthenticated", 0}};
    for (const auto& [reason, count] : listener_->auth()->failures())
      failures[reason] = count;
    for (const auto& [reason, count] : failures)
      auth_failures.add({{"reason", reason}}, static_cast<double>(count));
  }
  build_info.add({{"version", KS_VERSION}}, 1.0);

  std::vector<MetricFamily> families = registry_->Collect();
  out.append_to(&families);
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace ks::app
