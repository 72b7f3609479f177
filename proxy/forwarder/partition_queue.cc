#include "proxy/forwarder/partition_queue.h"

#include <limits>

namespace ks::forwarder {

int32_t PartitionQueue::advance(int32_t sequence, int32_t by) {
  constexpr int64_t kWrap = int64_t{std::numeric_limits<int32_t>::max()} + 1;
  return static_cast<int32_t>((int64_t{sequence} + by) % kWrap);
}

void PartitionQueue::push(PendingBatch batch) {
  pending_records_ += static_cast<uint64_t>(batch.record_count);
  pending_bytes_ += batch.bytes;
  pending_.push_back(batch);
}

void PartitionQueue::pop_front() {
  pending_records_ -= static_cast<uint64_t>(pending_.front().record_count);
  pending_bytes_ -= pending_.front().bytes;
  pending_.pop_front();
}

void PartitionQueue::acknowledge_front(int64_t last_offset) {
  next_sequence_ = advance(next_sequence_, pending_.front().record_count);
  last_upstream_offset_ = last_offset;
  pop_front();
}

size_t PartitionQueue::acknowledge_through(int32_t last_sequence, int64_t last_offset) {
  // Match exactly on batch boundaries: resent batches keep theirs, so the
  // last batch of ours upstream ends where one of the pending batches ends.
  int32_t sequence = next_sequence_;
  size_t count = 0;
  for (const PendingBatch& batch : pending_) {
    sequence = advance(sequence, batch.record_count);
    ++count;
    if (sequence == advance(last_sequence, 1)) {
      for (size_t i = 0; i < count; ++i) {
        next_sequence_ = advance(next_sequence_, pending_.front().record_count);
        pop_front();
      }
      last_upstream_offset_ = last_offset;
      return count;
    }
  }
  return 0;
}

}  // namespace ks::forwarder
