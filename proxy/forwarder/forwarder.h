#pragma once
// Drains one cluster's buffer to that cluster: per partition strictly in log
// order, partitions independently, as an idempotent upstream producer. After
// any ambiguous outcome (restart, timeout, lost connection) it reconciles
// with the upstream log before resending, so every buffered batch is stored
// upstream exactly once even where the broker does not deduplicate.
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "buffer/checkpoint.h"
#include "buffer/log.h"
#include "proxy/asio.h"
#include "proxy/forwarder/partition_queue.h"
#include "proxy/forwarder/produce_coalescer.h"
#include "proxy/forwarder/recompressor.h"
#include "proxy/upstream/client.h"

namespace ks::forwarder {

struct ForwarderOptions {
  std::string cluster;
  // The topic's name upstream (routing may rename it).
  std::function<std::string(const std::string&)> upstream_topic = [](const std::string& t) {
    return t;
  };
  std::chrono::milliseconds retry_backoff{100};
  std::chrono::milliseconds retry_backoff_max{10'000};
  std::chrono::milliseconds checkpoint_interval{200};
  // How batches travel: requests per broker, their size, the timeout.
  CoalescerOptions produce;
  // Where batches the upstream can never store are kept (as the client sent
  // them), for inspection and replay; null: they are only logged and counted.
  buffer::Log* dead_letter = nullptr;
  // forward.compression: the codec for uncompressed client batches (none:
  // sent as they are; see recompressor.h).
  protocol::Codec compression = protocol::Codec::none;
  // Where work runs that must not stall the thread serving clients: the
  // periodic checkpoint's save (its fsync waits behind the buffer's own
  // syncs) and compression. Empty: the forwarder's executor.
  asio::any_io_executor background;
};

struct ForwarderStats {
  uint64_t forwarded_batches = 0;
  uint64_t forwarded_records = 0;
  uint64_t forwarded_bytes = 0;  // as sent upstream (compressed or not)
  uint64_t retries = 0;
  // Produce requests sent: fewer than batches where a broker's partitions
  // shared them (produce_coalescer.h).
  uint64_t produce_requests = 0;
  uint64_t reconciliations = 0;
  uint64_t dead_lettered_batches = 0;
  uint64_t dead_lettered_records = 0;
  // Gone from the buffer before they were forwarded (when_full: drop_oldest,
  // or unreadable): lost.
  uint64_t dropped_batches = 0;
  uint64_t dropped_records = 0;
  CompressionStats compression;
  // Failed sends by Kafka error name ("not_leader_or_follower"), or
  // "network_exception" / "request_timed_out" when no answer came.
  std::map<std::string, uint64_t> errors;
};

// What is buffered and not yet upstream.
struct Backlog {
  uint64_t batches = 0;
  uint64_t records = 0;
  uint64_t bytes = 0;                  // of the Kafka record batches
  int64_t oldest_append_time_ms = -1;  // -1: nothing pending
};

struct PartitionStatus {
  std::string topic;  // the client's name
  int32_t partition = 0;
  Backlog backlog;
  uint64_t forwarded_until = 0;  // buffer position: everything before it is upstream
  int32_t next_sequence = 0;
  int64_t last_upstream_offset = -1;
};

class Forwarder {
 public:
  Forwarder(asio::any_io_executor executor, upstream::Client& client, buffer::Log& log,
            std::filesystem::path checkpoint_file, ForwarderOptions options);

  // Loads the checkpoint and queues every buffered batch not yet forwarded.
  std::error_code recover();
  void start();
  // A batch became durable in the buffer (called in log order, on our executor).
  void on_durable(const std::string& topic, int32_t partition, PendingBatch batch);
  // Pause: requests already sent complete, nothing more is sent until
  // resume(). In memory only: a restart forwards again.
  void pause();
  void resume();
  bool paused() const { return paused_; }
  // Stops sending and writes the checkpoint.
  void stop();

  ForwarderStats stats() const {
    ForwarderStats stats = stats_;
    stats.produce_requests = coalescer_.requests();
    return stats;
  }
  Backlog backlog() const;
  std::vector<PartitionStatus> partitions() const;

 private:
  struct Partition;
  using Key = std::pair<std::string, int32_t>;
  // A buffered batch as it goes to `broker_id` (compressed for it).
  struct LoadedBatch {
    uint64_t position = 0;
    int32_t broker_id = -1;
    buffer::Entry entry;
  };

  Partition& partition(const std::string& topic, int32_t partition);
  awaitable<void> drain(std::shared_ptr<Partition> p);
  awaitable<std::error_code> load(uint64_t position, int32_t broker_id, LoadedBatch* out);
  // Loads the batch at `position` into p->next, while the head is on its way.
  awaitable<void> load_next(std::shared_ptr<Partition> p, uint64_t position, int32_t broker_id);
  void release_next(Partition& p);
  awaitable<bool> send_front(std::shared_ptr<Partition> p);
  awaitable<bool> reconcile(Partition& p);
  void set_aside(const Partition& p, protocol::ErrorCode error);
  awaitable<bool> ensure_producer();
  awaitable<void> checkpoint_loop();
  awaitable<void> sleep(std::chrono::milliseconds d);
  awaitable<void> refresh(const std::string& topic);
  // The partition's leader, from the cached metadata or, if it has none, a
  // refresh.
  awaitable<std::optional<upstream::Leader>> leader_of(const std::string& topic, int32_t index);
  // The checkpoint as of now, numbered so that an older one is never saved
  // over a newer one.
  std::pair<uint64_t, buffer::Checkpoint> snapshot();
  // Saves now, on this thread: for the few saves that must be durable before
  // going on (a new producer id, stopping).
  std::error_code write_checkpoint();
  // Logs when saving starts or stops failing.
  void note_checkpoint(std::error_code ec);
  uint64_t low_watermark() const;

  asio::any_io_executor executor_;
  upstream::Client& client_;
  buffer::Log& log_;
  ForwarderOptions options_;
  std::optional<Recompressor> recompressor_;  // set unless compression is none
  ProduceCoalescer coalescer_;
  uint64_t next_bytes_ = 0;  // reserved by partitions' next batches
  std::map<Key, std::shared_ptr<Partition>> partitions_;
  struct CheckpointFile;
  std::shared_ptr<CheckpointFile> checkpoint_;  // shared with saves in the background
  uint64_t checkpoint_generation_ = 0;
  int64_t producer_id_ = -1;
  int16_t producer_epoch_ = -1;
  bool started_ = false;
  bool stopped_ = false;
  bool paused_ = false;
  bool initializing_ = false;           // an InitProducerId is on its way
  bool dirty_ = false;                  // acknowledged more than the checkpoint says
  bool init_producer_failing_ = false;  // the last InitProducerId got an error
  // Since when writing the checkpoint fails; unset while it works.
  std::optional<std::chrono::steady_clock::time_point> checkpoint_failing_since_;
  // Just past the last entry the forwarder was told of. The log's own end
  // may already include appends whose on_durable is still on its way: a
  // checkpoint must not claim those forwarded.
  uint64_t known_end_ = 0;
  ForwarderStats stats_;
};

}  // namespace ks::forwarder
