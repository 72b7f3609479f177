#pragma once
// forward.compression: uncompressed client batches go upstream compressed,
// when that makes them smaller and the leader can read the codec. Clients
// on localhost often send uncompressed (the hop is free), while the hop to
// the cluster is not; the buffer keeps the client's batch as it was.
//
// The compressing runs on a worker pool, never on the io thread that serves
// the clients' produces: a 1 MiB batch takes milliseconds of CPU.
#include <cstdint>
#include <string>
#include <vector>

#include "proxy/asio.h"
#include "proxy/protocol/compression.h"
#include "proxy/upstream/client.h"

namespace ks::forwarder {

// What forward.compression did: batches sent compressed, and their sizes
// as the client sent them and as sent upstream.
struct CompressionStats {
  uint64_t batches = 0;
  uint64_t input_bytes = 0;
  uint64_t output_bytes = 0;
};

class Recompressor {
 public:
  // `codec`: not Codec::none. `pool`: where compressing runs. `cluster`:
  // for the logs.
  Recompressor(protocol::Codec codec, asio::any_io_executor pool, std::string cluster);

  // Replaces `batch` (one whole batch as read from the buffer, on its way
  // to the leader `broker_id`) by its compressed form, or leaves it: when
  // it is compressed already, a control batch, would not get smaller, or
  // the leader cannot read the codec (zstd needs Produce v7).
  awaitable<void> compress(upstream::Client& client, int32_t broker_id,
                           std::vector<std::byte>& batch, CompressionStats& stats);

 private:
  // Whether the leader reads codec_ at the Produce version it will be sent.
  awaitable<bool> leader_reads_codec(upstream::Client& client, int32_t broker_id);

  protocol::Codec codec_;
  asio::any_io_executor pool_;
  std::string cluster_;
  // Each told once per forwarder: a broker too old for zstd, a codec error.
  bool told_old_broker_ = false;
  bool told_failure_ = false;
};

}  // namespace ks::forwarder
