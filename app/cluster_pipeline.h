#pragma once
// Everything the sidecar keeps for one upstream cluster: its durable buffer
// (log + group-commit appender), its Kafka client and the forwarder that
// drains the buffer into it. Produced batches routed to the cluster enter
// here; on_durable notifications reach the forwarder in log order.
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <system_error>

#include "app/buffer_layout.h"
#include "buffer/appender.h"
#include "buffer/log.h"
#include "config/config.h"
#include "proxy/asio.h"
#include "proxy/forwarder/forwarder.h"
#include "proxy/server/produce_sink.h"
#include "proxy/upstream/client.h"

namespace ks::app {

class ClusterPipeline {
 public:
  // Lives on `executor` (one thread): the client, the forwarder and every
  // ticket completion run there. `tls`: the cluster's (upstream_tls).
  // `compression_pool`: where forward.compression compresses (none: unused).
  ClusterPipeline(asio::any_io_executor executor, const config::Config& config,
                  const config::ClusterConfig& cluster, std::shared_ptr<upstream::TlsContext> tls,
                  asio::any_io_executor compression_pool = {});
  ~ClusterPipeline();

  // Opens and recovers the buffer, queues what it holds for forwarding and
  // starts the appender. The error says what failed, for the startup log.
  // `on_sync` is told how long each buffer sync took (on the writer thread).
  Result<void> open(std::function<void(std::chrono::microseconds)> on_sync = nullptr);
  // Starts forwarding.
  void start();

  // Appends the batch; the ticket completes (on our executor) once it is
  // durable per the fsync policy, or with an AppendError.
  std::shared_ptr<server::AppendTicket> append(server::Batch batch);

  // Shutdown, in this order: complete every append already made (and
  // sync), then stop forwarding and write the checkpoint.
  void close_buffer();
  void stop_forwarding();

  const std::string& name() const { return cluster_.name; }
  // New SASL credentials (a config reload) for the clients' next connects;
  // connections logged in stay up. Credentials refused before may be tried
  // again.
  void update_credentials(const config::ClusterConfig& cluster);
  // The brokers' refusals of the SASL login so far.
  uint64_t authentication_failures() const { return sasl_->failures(); }
  // For what clients pass through (Fetch, ListOffsets, groups, metadata
  // lookups). The forwarder has a client of its own: a broker answers one
  // connection's requests in order, so a consumer's long-polling Fetch or
  // JoinGroup on a shared connection would hold up forwarding.
  upstream::Client& client() { return passthrough_; }
  const buffer::Log& log() const { return *log_; }

  // For metrics and the admin API.
  struct Accepted {
    uint64_t batches = 0;
    uint64_t records = 0;
    uint64_t bytes = 0;
  };
  const Accepted& accepted() const { return accepted_; }
  forwarder::Forwarder& forwarder() { return *forwarder_; }
  const forwarder::Forwarder& forwarder() const { return *forwarder_; }
  buffer::AppenderStats buffer_stats() const { return appender_->stats(); }
  // The write or sync error that stopped the buffer from acknowledging.
  std::error_code buffer_failure() const { return appender_->failure(); }
  // The buffer's file system was full at the last append (refused, retriable).
  bool buffer_disk_full() const { return log_->disk_full(); }
  const buffer::Log& dead_letter_log() const { return *dead_letter_; }
  const upstream::Client& forwarding_client() const { return client_; }
  const std::filesystem::path& dir() const { return layout_.dir; }
  uint64_t max_bytes() const { return config_.buffer.max_bytes; }

 private:
  void completed(const std::shared_ptr<server::AppendTicket>& ticket, const std::string& topic,
                 int32_t partition, forwarder::PendingBatch batch, std::error_code result);

  asio::any_io_executor executor_;
  asio::any_io_executor compression_pool_;
  const config::Config& config_;
  const config::ClusterConfig& cluster_;
  const ClusterBufferLayout layout_;
  // Both clients report to it: an outage or a leader move is logged once.
  std::shared_ptr<upstream::ClusterState> state_;
  // Both clients log in with it: a refusal is remembered and logged once.
  std::shared_ptr<upstream::SaslAccount> sasl_;
  upstream::Client client_;  // the forwarder's
  upstream::Client passthrough_;
  std::unique_ptr<buffer::Log> log_;
  std::unique_ptr<buffer::Log> dead_letter_;
  std::unique_ptr<forwarder::Forwarder> forwarder_;
  std::unique_ptr<buffer::Appender> appender_;
  Accepted accepted_;
};

}  // namespace ks::app
