#include "proxy/forwarder/recompressor.h"

#include <optional>

#include "common/log.h"
#include "proxy/protocol/messages.h"
#include "proxy/protocol/record_batch.h"

namespace ks::forwarder {
namespace {

// KIP-110: brokers take zstd batches from Produce v7 on.
constexpr int16_t kZstdProduceVersion = 7;

using Recompressed = Result<std::optional<std::vector<std::byte>>>;

// Runs on the pool; the caller waits, so `batch` and `out` stay valid.
// (co_spawn needs a default-constructible result, which Result is not.)
awaitable<void> recompress_job(protocol::Bytes batch, protocol::Codec codec,
                               std::optional<Recompressed>* out) {
  out->emplace(protocol::recompress_batch(batch, codec));
  co_return;
}

}  // namespace

Recompressor::Recompressor(protocol::Codec codec, asio::any_io_executor pool, std::string cluster)
    : codec_(codec), pool_(std::move(pool)), cluster_(std::move(cluster)) {}

awaitable<void> Recompressor::compress(upstream::Client& client, int32_t broker_id,
                                       std::vector<std::byte>& batch, CompressionStats& stats) {
  protocol::BatchHeader header;
  // Cheap checks here, before any hop to the pool or the leader.
  if (!protocol::read_batch_header(batch, header) || header.compression() != 0 ||
      header.is_control()) {
    co_return;
  }
  const bool readable = co_await leader_reads_codec(client, broker_id);
  if (!readable) co_return;

  std::optional<Recompressed> result;
  const protocol::Bytes input(batch);
  auto job = recompress_job(input, codec_, &result);
  co_await asio::co_spawn(pool_, std::move(job), asio::use_awaitable);
  if (!*result) {
    if (!told_failure_) {
      told_failure_ = true;
      log::warn("forwarder.compression_failed", "cluster={} codec={} error={}", cluster_,
                protocol::codec_name(codec_), log::quote((*result).error().message));
    }
    co_return;
  }
  auto& compressed = **result;
  if (!compressed) co_return;  // would not get smaller
  ++stats.batches;
  stats.input_bytes += batch.size();
  stats.output_bytes += compressed->size();
  batch = std::move(*compressed);
}

awaitable<bool> Recompressor::leader_reads_codec(upstream::Client& client, int32_t broker_id) {
  if (codec_ != protocol::Codec::zstd) co_return true;
  const auto version = co_await client.version_at<protocol::ProduceRequest>(broker_id);
  // No connection: the send that follows fails and is retried anyway.
  if (!version) co_return false;
  if (*version >= kZstdProduceVersion) co_return true;
  if (!told_old_broker_) {
    told_old_broker_ = true;
    log::warn("forwarder.compression_unsupported",
              "cluster={} broker={} codec=zstd produce_version={} needs=7 "
              "action=\"sending its batches uncompressed\"",
              cluster_, broker_id, *version);
  }
  co_return false;
}

}  // namespace ks::forwarder
