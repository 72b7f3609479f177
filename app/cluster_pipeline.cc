#include "app/cluster_pipeline.h"

#include <fmt/format.h>

#include <chrono>

#include "app/upstream_client_options.h"
#include "common/log.h"
#include "proxy/server/append_errors.h"

namespace ks::app {
namespace {

buffer::FsyncPolicy fsync_policy(config::FsyncPolicy policy) {
  switch (policy) {
    case config::FsyncPolicy::always:
      return buffer::FsyncPolicy::always;
    case config::FsyncPolicy::interval:
      return buffer::FsyncPolicy::interval;
    case config::FsyncPolicy::never:
      return buffer::FsyncPolicy::never;
  }
  return buffer::FsyncPolicy::always;
}

buffer::WhenFull when_full(config::WhenFull policy) {
  switch (policy) {
    case config::WhenFull::block:
      return buffer::WhenFull::block;
    case config::WhenFull::reject:
      return buffer::WhenFull::reject;
    case config::WhenFull::drop_oldest:
      return buffer::WhenFull::drop_oldest;
  }
  return buffer::WhenFull::block;
}

protocol::Codec codec(config::Compression compression) {
  switch (compression) {
    case config::Compression::none:
      return protocol::Codec::none;
    case config::Compression::gzip:
      return protocol::Codec::gzip;
    case config::Compression::snappy:
      return protocol::Codec::snappy;
    case config::Compression::lz4:
      return protocol::Codec::lz4;
    case config::Compression::zstd:
      return protocol::Codec::zstd;
  }
  return protocol::Codec::none;
}

// The buffer's reasons, as the produce path reports them to clients.
std::error_code append_error(std::error_code ec) {
  using server::AppendError;
  if (!ec) return {};
  if (ec == buffer::errc::buffer_full) return AppendError::buffer_full;
  if (ec == buffer::errc::timeout) return AppendError::timed_out;
  if (ec == buffer::errc::closed) return AppendError::shutting_down;
  if (ec == buffer::errc::no_space) return AppendError::no_space;
  if (ec == buffer::errc::too_large) return AppendError::too_large;
  return AppendError::storage_failed;
}

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

ClusterPipeline::ClusterPipeline(asio::any_io_executor executor, asio::any_io_executor background,
                                 const config::Config& config, const config::ClusterConfig& cluster,
                                 std::shared_ptr<upstream::TlsContext> tls)
    : executor_(executor),
      background_(std::move(background)),
      config_(config),
      cluster_(cluster),
      layout_(cluster_buffer_layout(config.buffer.dir, cluster.name)),
      state_(std::make_shared<upstream::ClusterState>(cluster.name)),
      sasl_(std::make_shared<upstream::SaslAccount>(cluster.name, sasl_credentials(cluster))),
      client_(executor, client_options(cluster, "", tls, sasl_), state_),
      passthrough_(executor, client_options(cluster, "/passthrough", tls, sasl_), state_) {}

void ClusterPipeline::update_credentials(const config::ClusterConfig& cluster) {
  sasl_->set(sasl_credentials(cluster));
}

ClusterPipeline::~ClusterPipeline() {
  close_buffer();
}

Result<void> ClusterPipeline::open(std::function<void(std::chrono::microseconds)> on_sync) {
  const std::string log_dir = layout_.log.string();
  buffer::LogOptions log_options;
  log_options.segment_bytes = config_.buffer.segment_bytes;
  if (const auto ec = buffer::Log::open(log_dir, log_options, &log_))
    return Error{ec, fmt::format("cannot open the buffer in {}: {}", log_dir, ec.message())};

  const std::string dead_letter_dir = layout_.dead_letter.string();
  if (const auto ec = buffer::Log::open(dead_letter_dir, log_options, &dead_letter_)) {
    return Error{ec, fmt::format("cannot open the dead-letter log in {}: {}", dead_letter_dir,
                                 ec.message())};
  }

  forwarder::ForwarderOptions options;
  options.dead_letter = dead_letter_.get();
  options.background = background_;
  options.cluster = cluster_.name;
  options.upstream_topic = [this](const std::string& topic) {
    return config_.upstream_topic(topic);
  };
  options.retry_backoff = cluster_.retry_backoff;
  options.retry_backoff_max = cluster_.retry_backoff_max;
  options.produce.produce_timeout_ms = static_cast<int32_t>(cluster_.request_timeout.count());
  options.produce.max_in_flight = config_.forward.max_in_flight;
  options.produce.linger = config_.forward.linger;
  options.produce.max_request_bytes = config_.forward.max_request_bytes;
  options.compression = codec(config_.forward.compression);
  forwarder_ = std::make_unique<forwarder::Forwarder>(executor_, client_, *log_, layout_.checkpoint,
                                                      std::move(options));
  if (const auto ec = forwarder_->recover())
    return Error{ec, fmt::format("cannot read the buffer in {}: {}", log_dir, ec.message())};

  buffer::AppenderOptions appender_options;
  appender_options.fsync = fsync_policy(config_.buffer.fsync);
  appender_options.fsync_interval = config_.buffer.fsync_interval;
  appender_options.max_bytes = config_.buffer.max_bytes;
  appender_options.when_full = when_full(config_.buffer.when_full);
  appender_options.block_timeout = config_.buffer.block_timeout;
  appender_options.on_sync = std::move(on_sync);
  appender_options.on_drop = [name = cluster_.name](const buffer::Dropped& dropped) {
    log::error("buffer.dropped_oldest",
               "cluster={} batches={} bytes={} reason=\"buffer full, when_full: drop_oldest\"",
               name, dropped.records, dropped.range.size());
  };
  if (const auto ec = buffer::Appender::open(*log_, std::move(appender_options), &appender_))
    return Error{ec,
                 fmt::format("cannot start the buffer writer for {}: {}", log_dir, ec.message())};
  return {};
}

void ClusterPipeline::start() {
  forwarder_->start();
}

std::shared_ptr<server::AppendTicket> ClusterPipeline::append(server::Batch batch) {
  auto ticket = std::make_shared<server::AppendTicket>(executor_);
  const int64_t accepted_ms = now_ms();
  forwarder::PendingBatch pending{0, batch.record_count, batch.bytes.size(), accepted_ms};
  buffer::Entry entry{accepted_ms, batch.topic, batch.partition, batch.record_count,
                      std::move(batch.bytes)};
  // Runs on the writer thread, successes in log order; posting keeps that
  // order on our executor, so the forwarder learns of batches in log order.
  auto done = [this, ticket, topic = std::move(batch.topic), partition = batch.partition, pending](
                  std::error_code ec, buffer::Position position) mutable {
    pending.position = position.value;
    asio::post(executor_, [this, ticket, topic, partition, pending, ec] {
      completed(ticket, topic, partition, pending, ec);
    });
  };
  appender_->append(std::move(entry), std::move(done));
  return ticket;
}

void ClusterPipeline::completed(const std::shared_ptr<server::AppendTicket>& ticket,
                                const std::string& topic, int32_t partition,
                                forwarder::PendingBatch batch, std::error_code result) {
  if (!result) {
    ++accepted_.batches;
    accepted_.records += static_cast<uint64_t>(batch.record_count);
    accepted_.bytes += batch.bytes;
    forwarder_->on_durable(topic, partition, batch);
  }
  if (result == buffer::errc::too_large) {
    log::warn("produce.batch_too_large", "cluster={} topic={} partition={} bytes={} max_bytes={}",
              cluster_.name, topic, partition, batch.bytes, config_.buffer.max_bytes);
  }
  // Runs the producer-state rollback before anything else is submitted.
  ticket->complete(append_error(result));
  // A refusal for space: the appender refuses what came before this
  // resume(), so the client's later, pipelined batches are not stored ahead
  // of this one's retry.
  if (result == buffer::errc::buffer_full || result == buffer::errc::timeout ||
      result == buffer::errc::no_space) {
    appender_->resume();
  }
}

void ClusterPipeline::close_buffer() {
  if (appender_) appender_->close();
}

void ClusterPipeline::stop_forwarding() {
  if (forwarder_) forwarder_->stop();
}

}  // namespace ks::app
