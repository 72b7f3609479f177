#pragma once
// Gathers the batches partitions send to the same broker into one Produce
// request (DESIGN.md: coalesced per upstream broker), so a broker leading
// many partitions gets a few large requests instead of one per partition.
//
// A broker has at most `max_in_flight` requests out at once; batches that
// come while that many are out wait, and leave together in the next request,
// up to `max_request_bytes` (a larger batch goes alone). With `linger`, a
// broker with nothing queued waits that long after the first batch for
// others to join it. Each partition has at most one batch on its way (the
// forwarder's ordering rule), so a request carries at most one batch per
// partition, as Kafka requires.
//
// Runs on one executor, like the client it sends with.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "proxy/asio.h"
#include "proxy/protocol/messages.h"
#include "proxy/upstream/client.h"

namespace ks::forwarder {

struct CoalescerOptions {
  int32_t produce_timeout_ms = 30'000;
  int max_in_flight = 5;  // requests per broker
  std::chrono::milliseconds linger{0};
  size_t max_request_bytes = 1024 * 1024;  // of record batches per request
};

using PartitionAnswer = protocol::ProduceResponse::ProduceTopicResponse::ProducePartitionResponse;

class ProduceCoalescer {
 public:
  ProduceCoalescer(asio::any_io_executor executor, upstream::Client& client,
                   CoalescerOptions options);

  // Sends `batch` for the partition in the next request to `broker_id`
  // (acks=all). The broker's answer for that partition, or the error of the
  // request as a whole: then there was no answer, and the batch may or may
  // not be stored. `batch` must stay alive until this completes.
  awaitable<Result<PartitionAnswer>> send(int32_t broker_id, std::string topic, int32_t partition,
                                          protocol::Bytes batch);

  // Produce requests sent so far, and the batches they carried.
  uint64_t requests() const { return requests_; }
  uint64_t batches() const { return batches_; }

 private:
  struct Waiting;
  struct Broker {
    std::deque<std::shared_ptr<Waiting>> queue;
    size_t queued_bytes = 0;
    int in_flight = 0;
    bool lingering = false;
  };

  // Sends what is queued for the broker while it may have more requests out.
  void dispatch(int32_t broker_id);
  awaitable<void> linger(int32_t broker_id);
  awaitable<void> exchange(int32_t broker_id, std::vector<std::shared_ptr<Waiting>> batches);

  asio::any_io_executor executor_;
  upstream::Client& client_;
  CoalescerOptions options_;
  std::map<int32_t, Broker> brokers_;
  uint64_t requests_ = 0;
  uint64_t batches_ = 0;
};

}  // namespace ks::forwarder
