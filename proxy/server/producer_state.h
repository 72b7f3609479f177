#pragma once
// Idempotent producers (KIP-98) as a broker sees them: the sidecar hands out
// producer ids and checks each batch's sequence per producer and partition,
// so a retried batch is acknowledged without being stored twice, and a gap
// is refused with OUT_OF_ORDER_SEQUENCE_NUMBER for the client to resend in
// order.
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <tuple>

#include "proxy/protocol/error_code.h"
#include "proxy/server/produce_sink.h"

namespace ks::server {

class ProducerState {
 public:
  using Clock = std::chrono::steady_clock;

  // `now` is injectable for tests.
  explicit ProducerState(std::function<Clock::time_point()> now = Clock::now);

  // A fresh producer id (epoch 0), unique across restarts of the sidecar.
  int64_t allocate_id() { return next_id_++; }

  struct Check {
    protocol::ErrorCode error = protocol::ErrorCode::none;
    // Set for a duplicate: the earlier append of the same batch, whose
    // outcome is the answer.
    std::shared_ptr<AppendTicket> duplicate_of;
  };
  // Checks a batch before it is submitted.
  Check check(int64_t producer_id, int16_t epoch, const std::string& topic, int32_t partition,
              int32_t first_sequence, int32_t last_sequence) const;
  // Records a batch that passed check() and was submitted; if its append
  // fails, forget() runs from the ticket.
  void record(int64_t producer_id, int16_t epoch, const std::string& topic, int32_t partition,
              int32_t first_sequence, int32_t last_sequence, std::shared_ptr<AppendTicket> ticket);
  // Forgets a batch whose append failed and every batch recorded after it
  // (the buffer refuses those too, see Appender::resume), so the client's
  // resend of the failed one is accepted. A no-op for a batch an earlier
  // failure already forgot.
  void forget(int64_t producer_id, const std::string& topic, int32_t partition,
              int32_t first_sequence);

 private:
  // Kafka's broker keeps the last five batches per producer and partition,
  // and forgets a producer idle for producer.id.expiration.ms (a day).
  static constexpr size_t kRemembered = 5;
  static constexpr std::chrono::hours kIdleExpiry{24};
  static constexpr std::chrono::minutes kSweepEvery{1};

  // Drops the state of producers idle for kIdleExpiry, at most once per
  // kSweepEvery, so a long-lived sidecar does not keep every client ever seen.
  void expire_idle(Clock::time_point now);

  struct Sent {
    int32_t first_sequence;
    int32_t last_sequence;
    std::shared_ptr<AppendTicket> ticket;
  };
  struct PartitionState {
    int16_t epoch = 0;
    int32_t next_sequence = 0;
    std::deque<Sent> recent;
    Clock::time_point last_used;
  };
  using Key = std::tuple<int64_t, std::string, int32_t>;

  std::function<Clock::time_point()> now_;
  int64_t next_id_;
  std::map<Key, PartitionState> partitions_;
  Clock::time_point last_sweep_;
};

}  // namespace ks::server
