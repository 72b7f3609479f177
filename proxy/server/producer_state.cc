#include "proxy/server/producer_state.h"

#include <algorithm>
#include <chrono>
#include <limits>

namespace ks::server {
namespace {

int32_t next_after(int32_t last_sequence) {
  return last_sequence == std::numeric_limits<int32_t>::max() ? 0 : last_sequence + 1;
}

}  // namespace

// Ids start from the clock in microseconds, so ids handed out after a restart
// never collide with those a client may still hold from before it.
ProducerState::ProducerState(std::function<Clock::time_point()> now)
    : now_(std::move(now)),
      next_id_(std::chrono::duration_cast<std::chrono::microseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count()),
      last_sweep_(now_()) {}

ProducerState::Check ProducerState::check(int64_t producer_id, int16_t epoch,
                                          const std::string& topic, int32_t partition,
                                          int32_t first_sequence, int32_t last_sequence) const {
  using protocol::ErrorCode;
  const auto it = partitions_.find({producer_id, topic, partition});
  // Unknown producer/partition (new, or state lost in a restart): accept from
  // any sequence, as Kafka does for a producer whose state expired.
  if (it == partitions_.end()) return {};
  const PartitionState& state = it->second;
  if (epoch < state.epoch) return {ErrorCode::invalid_producer_epoch, nullptr};
  if (epoch > state.epoch) {
    return first_sequence == 0 ? Check{} : Check{ErrorCode::out_of_order_sequence_number, nullptr};
  }
  for (const Sent& sent : state.recent) {
    if (sent.first_sequence == first_sequence && sent.last_sequence == last_sequence) {
      return {ErrorCode::none, sent.ticket};
    }
  }
  if (first_sequence != state.next_sequence)
    return {ErrorCode::out_of_order_sequence_number, nullptr};
  return {};
}

void ProducerState::record(int64_t producer_id, int16_t epoch, const std::string& topic,
                           int32_t partition, int32_t first_sequence, int32_t last_sequence,
                           std::shared_ptr<AppendTicket> ticket) {
  const Clock::time_point now = now_();
  expire_idle(now);
  PartitionState& state = partitions_[{producer_id, topic, partition}];
  if (epoch != state.epoch) {
    state = PartitionState{};
    state.epoch = epoch;
  }
  state.last_used = now;
  state.next_sequence = next_after(last_sequence);
  state.recent.push_back({first_sequence, last_sequence, ticket});
  if (state.recent.size() > kRemembered) state.recent.pop_front();
  ticket->on_failure([this, producer_id, topic, partition, first_sequence] {
    forget(producer_id, topic, partition, first_sequence);
  });
}

void ProducerState::forget(int64_t producer_id, const std::string& topic, int32_t partition,
                           int32_t first_sequence) {
  const auto it = partitions_.find({producer_id, topic, partition});
  if (it == partitions_.end()) return;
  PartitionState& state = it->second;
  // Already forgotten with an earlier failed batch: the rollback went there.
  const auto failed = std::find_if(state.recent.begin(), state.recent.end(), [&](const Sent& s) {
    return s.first_sequence == first_sequence;
  });
  if (failed == state.recent.end()) return;
  // Everything from the failed batch on is gone: the client resends it first.
  state.recent.erase(failed, state.recent.end());
  state.next_sequence = first_sequence;
}

void ProducerState::expire_idle(Clock::time_point now) {
  if (now - last_sweep_ < kSweepEvery) return;
  last_sweep_ = now;
  std::erase_if(partitions_,
                [&](const auto& entry) { return now - entry.second.last_used >= kIdleExpiry; });
}

}  // namespace ks::server
