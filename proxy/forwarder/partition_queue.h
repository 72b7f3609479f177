#pragma once
// The buffered batches of one partition that are not yet upstream, in log
// order, and the upstream producer sequence each will carry.
//
// Sequences are deterministic: the head carries `next_sequence`, each later
// batch the sequence after its predecessor's last record. A batch is
// therefore resent with the same sequence every time (after a retry, a
// reconnect or a restart from the checkpoint), which is what lets both the
// broker's duplicate window and our reconciliation recognise it.
#include <cstddef>
#include <cstdint>
#include <deque>

namespace ks::forwarder {

struct PendingBatch {
  uint64_t position = 0;  // where the batch is in the buffer
  int32_t record_count = 0;
  uint64_t bytes = 0;          // of the Kafka record batch
  int64_t append_time_ms = 0;  // when the sidecar accepted it (wall clock)
};

class PartitionQueue {
 public:
  PartitionQueue(int32_t next_sequence, int64_t last_upstream_offset)
      : next_sequence_(next_sequence), last_upstream_offset_(last_upstream_offset) {}

  void push(PendingBatch batch);
  bool empty() const { return pending_.empty(); }
  size_t size() const { return pending_.size(); }
  const PendingBatch& front() const { return pending_.front(); }
  const PendingBatch& at(size_t i) const { return pending_.at(i); }

  // The upstream sequence of the head batch, and of its last record.
  int32_t front_sequence() const { return next_sequence_; }
  int32_t front_last_sequence() const { return advance(next_sequence_, front().record_count - 1); }
  int32_t next_sequence() const { return next_sequence_; }
  int64_t last_upstream_offset() const { return last_upstream_offset_; }

  // The head is stored upstream, its last record at `last_offset`.
  void acknowledge_front(int64_t last_offset);
  // The head can never be stored (dead-lettered): drop it without using its
  // sequences, so the next batch follows the last stored one without a gap.
  void drop_front() { pop_front(); }
  // Reconciliation found our batch ending at `last_sequence` stored at
  // `last_offset`: acknowledges every pending batch up to and including
  // the one ending there. Returns how many; 0 if no pending batch ends
  // there (nothing of ours beyond what we knew).
  size_t acknowledge_through(int32_t last_sequence, int64_t last_offset);
  // A new upstream producer id: sequences start again at 0.
  void restart_sequences() { next_sequence_ = 0; }

  // Every batch of this partition before this position is upstream.
  uint64_t forwarded_until(uint64_t log_end) const { return empty() ? log_end : front().position; }

  // What is pending, summed: kept as batches come and go, so reading it
  // costs nothing however long the backlog.
  uint64_t pending_records() const { return pending_records_; }
  uint64_t pending_bytes() const { return pending_bytes_; }

  // Kafka sequences wrap from INT32_MAX to 0.
  static int32_t advance(int32_t sequence, int32_t by);

 private:
  void pop_front();

  std::deque<PendingBatch> pending_;
  uint64_t pending_records_ = 0;
  uint64_t pending_bytes_ = 0;
  int32_t next_sequence_;
  int64_t last_upstream_offset_;
};

}  // namespace ks::forwarder
