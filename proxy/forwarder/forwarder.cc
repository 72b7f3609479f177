#include "proxy/forwarder/forwarder.h"

#include <algorithm>
#include <limits>
#include <mutex>

#include "common/log.h"
#include "proxy/forwarder/send_outcome.h"
#include "proxy/protocol/messages.h"
#include "proxy/protocol/record_batch.h"
#include "proxy/upstream/backoff.h"

namespace ks::forwarder {

using protocol::ErrorCode;

namespace {
// At most this much of the batches loaded ahead (next) is held in memory
// across partitions; past it, a partition loads its next batch when it is
// the head, as it would without compression.
constexpr uint64_t kNextBytesBudget = 32 << 20;
}  // namespace

struct Forwarder::Partition {
  Partition(asio::any_io_executor executor, std::string topic_, int32_t index_,
            PartitionQueue queue_, const ForwarderOptions& options)
      : backoff(options.retry_backoff, options.retry_backoff_max),
        topic(std::move(topic_)),
        index(index_),
        queue(queue_),
        wake(executor, asio::steady_timer::time_point::max()),
        next_loaded(executor, asio::steady_timer::time_point::max()) {}

  upstream::Backoff backoff;  // between failed attempts; reset on progress
  std::string topic;
  int32_t index;
  PartitionQueue queue;
  asio::steady_timer wake;  // cancelled when a batch is queued
  // The producer the last batches sent upstream carried: reconciliation
  // looks for these.
  int64_t sent_producer_id = -1;
  int16_t sent_producer_epoch = -1;
  bool need_reconcile = false;
  // The batch after the head, read and compressed while the head was on its
  // way, so that compressing does not add to each round trip.
  std::optional<LoadedBatch> next;
  std::optional<uint64_t> loading;  // the position of the batch being loaded into `next`
  asio::steady_timer next_loaded;   // cancelled when a load of `next` ends
  uint64_t next_reserved = 0;       // of the forwarder's next_bytes_
};

// The checkpoint file, saved from whichever thread, one save at a time.
// Saves may finish out of order (the periodic one runs in the background):
// one older than what is on disk is skipped.
struct Forwarder::CheckpointFile {
  std::filesystem::path path;
  std::mutex mu;
  uint64_t saved = 0;  // the generation on disk

  std::error_code save(uint64_t generation, const buffer::Checkpoint& checkpoint) {
    std::lock_guard lock(mu);
    if (generation <= saved) return {};
    const auto ec = buffer::save_checkpoint(path, checkpoint);
    if (!ec) saved = generation;
    return ec;
  }
};

Forwarder::Forwarder(asio::any_io_executor executor, upstream::Client& client, buffer::Log& log,
                     std::filesystem::path checkpoint_file, ForwarderOptions options)
    : executor_(std::move(executor)),
      client_(client),
      log_(log),
      options_(std::move(options)),
      coalescer_(executor_, client_, options_.produce),
      checkpoint_(std::make_shared<CheckpointFile>()) {
  checkpoint_->path = std::move(checkpoint_file);
  if (!options_.background) options_.background = executor_;
  if (options_.compression != protocol::Codec::none)
    recompressor_.emplace(options_.compression, options_.background, options_.cluster);
}

Forwarder::Partition& Forwarder::partition(const std::string& topic, int32_t index) {
  auto& slot = partitions_[{topic, index}];
  if (!slot) {
    slot = std::make_shared<Partition>(executor_, topic, index, PartitionQueue(0, -1), options_);
    if (!stopped_ && started_) asio::co_spawn(executor_, drain(slot), asio::detached);
  }
  return *slot;
}

std::error_code Forwarder::recover() {
  buffer::Checkpoint checkpoint;
  if (const auto ec = buffer::load_checkpoint(checkpoint_->path, &checkpoint);
      ec && ec != buffer::errc::not_found) {
    // Never wedge on a bad checkpoint: forward everything still buffered.
    // Without the producer id the upstream cannot tell what of it is already
    // stored, so this may duplicate; say so loudly.
    log::error("forwarder.checkpoint_unreadable",
               "cluster={} file={} error={} action=\"forwarding the whole buffer; duplicates "
               "possible\"",
               options_.cluster, log::quote(checkpoint_->path.string()), log::quote(ec.message()));
    checkpoint = {};
  }
  producer_id_ = checkpoint.producer_id;
  producer_epoch_ = checkpoint.producer_epoch;
  std::map<Key, uint64_t> forwarded_until;
  for (const auto& cursor : checkpoint.partitions) {
    auto p = std::make_shared<Partition>(
        executor_, cursor.topic, cursor.partition,
        PartitionQueue(cursor.next_sequence, cursor.last_upstream_offset), options_);
    partitions_[{cursor.topic, cursor.partition}] = p;
    forwarded_until[{cursor.topic, cursor.partition}] = cursor.forwarded_until;
  }
  const buffer::Position from = std::max(buffer::Position{checkpoint.low_watermark}, log_.begin());
  uint64_t queued = 0;
  auto scanner = log_.scan(from);
  while (scanner.next()) {
    const buffer::EntryView& entry = scanner.entry();
    const Key key{std::string(entry.topic), entry.partition};
    const auto it = forwarded_until.find(key);
    if (it != forwarded_until.end() && scanner.position().value < it->second) continue;
    partition(key.first, key.second)
        .queue.push({scanner.position().value, entry.record_count, entry.batch.size(),
                     entry.append_time_ms});
    ++queued;
  }
  const std::error_code ec = scanner.status();
  known_end_ = log_.end().value;
  // The last batches sent before the stop may be upstream without the
  // checkpoint knowing, also for a partition it does not list yet (killed
  // before the first checkpoint after its first send): look before sending.
  for (auto& [key, p] : partitions_) {
    p->sent_producer_id = producer_id_;
    p->sent_producer_epoch = producer_epoch_;
    p->need_reconcile = producer_id_ >= 0;
  }
  log::info("forwarder.recovered", "cluster={} batches={} partitions={} producer_id={}",
            options_.cluster, queued, partitions_.size(), producer_id_);
  return ec;
}

void Forwarder::start() {
  started_ = true;
  for (auto& [key, p] : partitions_)
    asio::co_spawn(executor_, drain(p), asio::detached);
  asio::co_spawn(executor_, checkpoint_loop(), asio::detached);
}

void Forwarder::on_durable(const std::string& topic, int32_t index, PendingBatch batch) {
  Partition& p = partition(topic, index);
  known_end_ = std::max(known_end_, batch.position + 1);
  p.queue.push(batch);
  p.wake.cancel();
}

void Forwarder::pause() {
  if (!paused_) log::info("forwarder.paused", "cluster={}", options_.cluster);
  paused_ = true;
}

void Forwarder::resume() {
  if (paused_) log::info("forwarder.resumed", "cluster={}", options_.cluster);
  paused_ = false;
  for (auto& [key, p] : partitions_)
    p->wake.cancel();
}

void Forwarder::stop() {
  stopped_ = true;
  for (auto& [key, p] : partitions_)
    p->wake.cancel();
  (void)write_checkpoint();  // logs a failure
}

namespace {

Backlog backlog_of(const PartitionQueue& queue) {
  Backlog backlog;
  backlog.batches = queue.size();
  backlog.records = queue.pending_records();
  backlog.bytes = queue.pending_bytes();
  if (!queue.empty()) backlog.oldest_append_time_ms = queue.front().append_time_ms;
  return backlog;
}

// Why a send got no answer, in the words Kafka uses for it.
std::string_view no_answer_name(std::error_code ec) {
  return ec == upstream::errc::timeout ? "request_timed_out" : "network_exception";
}

}  // namespace

Backlog Forwarder::backlog() const {
  Backlog total;
  for (const auto& [key, p] : partitions_) {
    const Backlog one = backlog_of(p->queue);
    total.batches += one.batches;
    total.records += one.records;
    total.bytes += one.bytes;
    if (one.oldest_append_time_ms >= 0 && (total.oldest_append_time_ms < 0 ||
                                           one.oldest_append_time_ms < total.oldest_append_time_ms))
      total.oldest_append_time_ms = one.oldest_append_time_ms;
  }
  return total;
}

std::vector<PartitionStatus> Forwarder::partitions() const {
  std::vector<PartitionStatus> statuses;
  for (const auto& [key, p] : partitions_) {
    statuses.push_back({p->topic, p->index, backlog_of(p->queue),
                        p->queue.forwarded_until(known_end_), p->queue.next_sequence(),
                        p->queue.last_upstream_offset()});
  }
  return statuses;
}

awaitable<void> Forwarder::refresh(const std::string& topic) {
  std::vector<std::string> topics;  // named: GCC 12 rejects a braced list in co_await
  topics.push_back(topic);
  co_await client_.refresh_metadata(std::move(topics));
}

awaitable<std::optional<upstream::Leader>> Forwarder::leader_of(const std::string& topic,
                                                                int32_t index) {
  if (auto leader = client_.leader_for(topic, index)) co_return leader;
  co_await refresh(topic);
  co_return client_.leader_for(topic, index);
}

awaitable<void> Forwarder::sleep(std::chrono::milliseconds d) {
  asio::steady_timer timer(executor_, d);
  boost::system::error_code ignored;
  co_await timer.async_wait(nothrow(ignored));
}

awaitable<void> Forwarder::drain(std::shared_ptr<Partition> p) {
  while (!stopped_) {
    if (p->queue.empty() || paused_) {
      boost::system::error_code ignored;
      co_await p->wake.async_wait(nothrow(ignored));
      continue;
    }
    bool progressed = co_await ensure_producer();
    if (progressed && p->need_reconcile) progressed = co_await reconcile(*p);
    if (progressed && !p->queue.empty()) progressed = co_await send_front(p);
    if (progressed) {
      p->backoff.reset();
    } else {
      // What failed is logged where it changes state (upstream.down, ...),
      // once; the retries only at debug.
      ++stats_.retries;
      const auto delay = p->backoff.next();
      log::debug("forwarder.retry", "cluster={} topic={} partition={} in_ms={}", options_.cluster,
                 p->topic, p->index, delay.count());
      co_await sleep(delay);
    }
  }
}

awaitable<bool> Forwarder::ensure_producer() {
  if (producer_id_ >= 0) co_return true;
  if (initializing_) {
    co_await sleep(std::chrono::milliseconds(10));
    co_return false;
  }
  initializing_ = true;
  protocol::InitProducerIdRequest request;
  request.transaction_timeout_ms = std::numeric_limits<int32_t>::max();
  auto result = co_await client_.send_any(request);
  initializing_ = false;
  if (!result) co_return false;
  const auto error = static_cast<ErrorCode>(result->body.error_code);
  if (error != ErrorCode::none) {
    // Every partition waiting retries this: say it when it starts failing.
    log::emit(init_producer_failing_ ? log::Level::debug : log::Level::warn,
              "forwarder.init_producer_failed", "cluster={} error={}", options_.cluster,
              protocol::name(error));
    init_producer_failing_ = true;
    co_return false;
  }
  init_producer_failing_ = false;
  producer_id_ = result->body.producer_id;
  producer_epoch_ = result->body.producer_epoch;
  // Sequences belong to a producer: a new one starts every partition at 0.
  // Batches sent under the old one are found by reconciliation.
  for (auto& [key, p] : partitions_)
    p->queue.restart_sequences();
  log::info("forwarder.producer", "cluster={} producer_id={} epoch={}", options_.cluster,
            producer_id_, producer_epoch_);
  if (write_checkpoint()) {
    producer_id_ = -1;  // not durable: a restart would reuse stale sequences
    co_return false;
  }
  co_return true;
}

awaitable<std::error_code> Forwarder::load(uint64_t position, int32_t broker_id, LoadedBatch* out) {
  out->position = position;
  out->broker_id = broker_id;
  if (const auto ec = log_.read(buffer::Position{position}, &out->entry)) co_return ec;
  if (recompressor_) {
    co_await recompressor_->compress(client_, broker_id, out->entry.batch, stats_.compression);
  }
  co_return std::error_code{};
}

awaitable<void> Forwarder::load_next(std::shared_ptr<Partition> p, uint64_t position,
                                     int32_t broker_id) {
  LoadedBatch loaded;
  const std::error_code ec = co_await load(position, broker_id, &loaded);
  p->loading.reset();
  p->next_loaded.cancel();
  if (ec) {
    release_next(*p);
  } else {
    p->next = std::move(loaded);
  }
}

void Forwarder::release_next(Partition& p) {
  p.next.reset();
  next_bytes_ -= p.next_reserved;
  p.next_reserved = 0;
}

awaitable<bool> Forwarder::send_front(std::shared_ptr<Partition> shared) {
  Partition& p = *shared;
  const std::string topic = options_.upstream_topic(p.topic);
  const auto leader = co_await leader_of(topic, p.index);
  if (!leader) co_return false;
  // Compressing the head twice would cost what loading ahead saves.
  while (p.loading == p.queue.front().position) {
    boost::system::error_code ignored;
    co_await p.next_loaded.async_wait(nothrow(ignored));
  }
  LoadedBatch loaded;
  std::error_code read_error;
  if (p.next && p.next->position == p.queue.front().position &&
      p.next->broker_id == leader->broker_id) {
    loaded = std::move(*p.next);
  } else {
    read_error = co_await load(p.queue.front().position, leader->broker_id, &loaded);
  }
  if (!p.loading) release_next(p);
  buffer::Entry& entry = loaded.entry;
  if (const auto ec = read_error) {
    // Gone from the buffer (dropped when full, or corrupt): nothing to send.
    log::error("forwarder.batch_unreadable",
               "cluster={} topic={} partition={} position={} error={}", options_.cluster, p.topic,
               p.index, p.queue.front().position, log::quote(ec.message()));
    ++stats_.dropped_batches;
    stats_.dropped_records += static_cast<uint64_t>(p.queue.front().record_count);
    p.queue.drop_front();
    dirty_ = true;
    co_return true;
  }
  protocol::rewrite_producer(entry.batch, producer_id_, producer_epoch_, p.queue.front_sequence());
  p.sent_producer_id = producer_id_;
  p.sent_producer_epoch = producer_epoch_;

  if (recompressor_ && p.queue.size() > 1 && !p.loading &&
      next_bytes_ + p.queue.at(1).bytes <= kNextBytesBudget) {
    p.loading = p.queue.at(1).position;
    p.next_reserved = p.queue.at(1).bytes;
    next_bytes_ += p.next_reserved;
    asio::co_spawn(executor_, load_next(shared, p.queue.at(1).position, leader->broker_id),
                   asio::detached);
  }
  const protocol::Bytes batch(entry.batch);
  auto result = co_await coalescer_.send(leader->broker_id, topic, p.index, batch);
  if (!result) {
    // Sent, maybe stored, answer lost: look before resending.
    ++stats_.errors[std::string(no_answer_name(result.error().code))];
    p.need_reconcile = true;
    co_return false;
  }
  const PartitionAnswer& answer = *result;
  const auto error = static_cast<ErrorCode>(answer.error_code);
  if (error != ErrorCode::none) ++stats_.errors[std::string(protocol::name(error))];
  switch (next_after(error)) {
    case Next::acknowledged: {
      const int64_t last = answer.base_offset >= 0 ? answer.base_offset + entry.record_count - 1
                                                   : p.queue.last_upstream_offset();
      p.queue.acknowledge_front(last);
      ++stats_.forwarded_batches;
      stats_.forwarded_records += static_cast<uint64_t>(entry.record_count);
      stats_.forwarded_bytes += entry.batch.size();
      dirty_ = true;
      co_return true;
    }
    case Next::retry:
      co_return false;
    case Next::refresh_and_retry:
      co_await refresh(topic);
      co_return false;
    case Next::reconcile:
      p.need_reconcile = true;
      co_return false;
    case Next::new_producer:
      p.need_reconcile = true;
      // Each partition with a batch in flight hears of it: the first asks for
      // a new producer; an answer about one already replaced is old news.
      if (p.sent_producer_id == producer_id_ && p.sent_producer_epoch == producer_epoch_) {
        log::warn("forwarder.producer_lost", "cluster={} producer_id={} epoch={} error={}",
                  options_.cluster, producer_id_, producer_epoch_, protocol::name(error));
        producer_id_ = -1;
      }
      co_return false;
    case Next::dead_letter:
      set_aside(p, error);
      p.queue.drop_front();
      dirty_ = true;
      co_return true;
  }
  co_return false;
}

void Forwarder::set_aside(const Partition& p, ErrorCode error) {
  ++stats_.dead_lettered_batches;
  stats_.dead_lettered_records += static_cast<uint64_t>(p.queue.front().record_count);
  buffer::Entry original;  // as the client sent it, not as rewritten for upstream
  std::error_code ec = log_.read(buffer::Position{p.queue.front().position}, &original);
  if (!ec && options_.dead_letter) {
    std::vector<buffer::Position> where;
    ec = options_.dead_letter->append(std::span(&original, 1), &where);
    if (!ec) ec = options_.dead_letter->sync();
  }
  log::error("forwarder.dead_letter",
             "cluster={} topic={} partition={} records={} error={} kept={} keep_error={}",
             options_.cluster, p.topic, p.index, p.queue.front().record_count,
             protocol::name(error), options_.dead_letter && !ec,
             log::quote(ec ? ec.message() : ""));
}

awaitable<bool> Forwarder::reconcile(Partition& p) {
  const std::string topic = options_.upstream_topic(p.topic);
  const auto leader = co_await leader_of(topic, p.index);
  if (!leader) co_return false;
  int64_t offset = std::max<int64_t>(0, p.queue.last_upstream_offset() + 1);
  std::optional<std::pair<int32_t, int64_t>> last_ours;  // (last sequence, last offset)
  for (;;) {
    protocol::FetchRequest request;
    request.max_wait_ms = 0;
    request.min_bytes = 1;
    request.max_bytes = 8 << 20;
    protocol::FetchRequest::FetchTopic fetch_topic;
    fetch_topic.topic = topic;
    auto& fetch_partition = fetch_topic.partitions.emplace_back();
    fetch_partition.partition = p.index;
    fetch_partition.fetch_offset = offset;
    fetch_partition.partition_max_bytes = 8 << 20;
    request.topics.push_back(std::move(fetch_topic));
    auto result = co_await client_.send_to(leader->broker_id, request);
    if (!result || result->body.topics.size() != 1 || result->body.topics[0].partitions.size() != 1)
      co_return false;
    const auto& data = result->body.topics[0].partitions[0];
    const auto error = static_cast<ErrorCode>(data.error_code);
    if (error == ErrorCode::offset_out_of_range && data.log_start_offset > offset) {
      offset = data.log_start_offset;  // retention removed what we knew of
      continue;
    }
    if (error != ErrorCode::none) {
      co_await refresh(topic);
      co_return false;
    }
    const auto batches =
        data.records ? protocol::split_batches(*data.records) : std::vector<protocol::Bytes>{};
    for (const auto bytes : batches) {
      protocol::BatchHeader h;
      protocol::read_batch_header(bytes, h);
      const int64_t last_offset = h.base_offset + h.last_offset_delta;
      if (h.magic == 2 && h.producer_id == p.sent_producer_id &&
          h.producer_epoch == p.sent_producer_epoch) {
        last_ours = {h.last_sequence(), last_offset};
      }
      offset = std::max(offset, last_offset + 1);
    }
    if (batches.empty() || offset >= data.high_watermark) break;
  }
  ++stats_.reconciliations;
  size_t found = 0;
  const uint64_t records_before = p.queue.pending_records();
  const uint64_t bytes_before = p.queue.pending_bytes();
  if (last_ours) found = p.queue.acknowledge_through(last_ours->first, last_ours->second);
  if (found) {
    stats_.forwarded_batches += found;
    stats_.forwarded_records += records_before - p.queue.pending_records();
    stats_.forwarded_bytes += bytes_before - p.queue.pending_bytes();
    dirty_ = true;
  }
  // Looking and finding nothing is part of a retry; finding batches is news.
  log::emit(found > 0 ? log::Level::info : log::Level::debug, "forwarder.reconciled",
            "cluster={} topic={} partition={} already_upstream={}", options_.cluster, p.topic,
            p.index, found);
  p.need_reconcile = false;
  co_return true;
}

awaitable<void> Forwarder::checkpoint_loop() {
  while (!stopped_) {
    co_await sleep(options_.checkpoint_interval);
    if (!dirty_) continue;
    dirty_ = false;  // what is acknowledged from here on makes it dirty again
    auto [generation, checkpoint] = snapshot();
    const buffer::Position low{checkpoint.low_watermark};
    auto save = [file = checkpoint_, generation = generation,
                 checkpoint = std::move(checkpoint)]() -> awaitable<std::error_code> {
      co_return file->save(generation, checkpoint);
    };
    const std::error_code ec =
        co_await asio::co_spawn(options_.background, std::move(save), asio::use_awaitable);
    note_checkpoint(ec);
    if (ec) {
      dirty_ = true;  // tried again next interval
      continue;
    }
    // Only after the checkpoint says so may the segments go.
    log_.release(low);
  }
}

uint64_t Forwarder::low_watermark() const {
  uint64_t low = known_end_;
  for (const auto& [key, p] : partitions_)
    low = std::min(low, p->queue.forwarded_until(known_end_));
  return low;
}

std::pair<uint64_t, buffer::Checkpoint> Forwarder::snapshot() {
  buffer::Checkpoint checkpoint;
  checkpoint.low_watermark = low_watermark();
  checkpoint.producer_id = producer_id_;
  checkpoint.producer_epoch = producer_epoch_;
  for (const auto& [key, p] : partitions_) {
    checkpoint.partitions.push_back({p->topic, p->index, p->queue.forwarded_until(known_end_),
                                     p->queue.next_sequence(), p->queue.last_upstream_offset()});
  }
  return {++checkpoint_generation_, std::move(checkpoint)};
}

std::error_code Forwarder::write_checkpoint() {
  dirty_ = false;
  const auto [generation, checkpoint] = snapshot();
  const auto ec = checkpoint_->save(generation, checkpoint);
  if (ec) dirty_ = true;
  note_checkpoint(ec);
  return ec;
}

void Forwarder::note_checkpoint(std::error_code ec) {
  const auto now = std::chrono::steady_clock::now();
  if (ec) {
    // Said when writing starts to fail, not at each retry (every
    // checkpoint_interval), and again when it works.
    log::emit(checkpoint_failing_since_ ? log::Level::debug : log::Level::error,
              "forwarder.checkpoint_failed", "cluster={} file={} error={}", options_.cluster,
              log::quote(checkpoint_->path.string()), log::quote(ec.message()));
    if (!checkpoint_failing_since_) checkpoint_failing_since_ = now;
    return;
  }
  if (checkpoint_failing_since_) {
    log::info(
        "forwarder.checkpoint_written", "cluster={} failed_ms={}", options_.cluster,
        std::chrono::duration_cast<std::chrono::milliseconds>(now - *checkpoint_failing_since_)
            .count());
    checkpoint_failing_since_.reset();
  }
}

}  // namespace ks::forwarder
