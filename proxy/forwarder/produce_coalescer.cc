#include "proxy/forwarder/produce_coalescer.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <utility>

#include "proxy/upstream/errc.h"

namespace ks::forwarder {

struct ProduceCoalescer::Waiting {
  Waiting(asio::any_io_executor executor, std::string topic_, int32_t partition_,
          protocol::Bytes batch_)
      : topic(std::move(topic_)),
        partition(partition_),
        batch(batch_),
        done(executor, asio::steady_timer::time_point::max()) {}

  std::string topic;
  int32_t partition;
  protocol::Bytes batch;
  asio::steady_timer done;  // cancelled once `result` is set
  std::optional<Result<PartitionAnswer>> result;
};

ProduceCoalescer::ProduceCoalescer(asio::any_io_executor executor, upstream::Client& client,
                                   CoalescerOptions options)
    : executor_(std::move(executor)), client_(client), options_(options) {}

awaitable<Result<PartitionAnswer>> ProduceCoalescer::send(int32_t broker_id, std::string topic,
                                                          int32_t partition,
                                                          protocol::Bytes batch) {
  auto waiting = std::make_shared<Waiting>(executor_, std::move(topic), partition, batch);
  Broker& broker = brokers_[broker_id];
  broker.queue.push_back(waiting);
  broker.queued_bytes += batch.size();
  const bool full = broker.queued_bytes >= options_.max_request_bytes;
  if (options_.linger.count() > 0 && broker.in_flight == 0 && !full) {
    if (!broker.lingering) {
      broker.lingering = true;
      asio::co_spawn(executor_, linger(broker_id), asio::detached);
    }
  } else {
    dispatch(broker_id);
  }
  while (!waiting->result) {
    boost::system::error_code cancelled;
    co_await waiting->done.async_wait(nothrow(cancelled));
  }
  co_return std::move(*waiting->result);
}

awaitable<void> ProduceCoalescer::linger(int32_t broker_id) {
  asio::steady_timer timer(executor_, options_.linger);
  boost::system::error_code ignored;
  co_await timer.async_wait(nothrow(ignored));
  brokers_[broker_id].lingering = false;
  dispatch(broker_id);
}

void ProduceCoalescer::dispatch(int32_t broker_id) {
  Broker& broker = brokers_[broker_id];
  while (!broker.queue.empty() && broker.in_flight < options_.max_in_flight) {
    std::vector<std::shared_ptr<Waiting>> taken;
    size_t bytes = 0;
    while (!broker.queue.empty() && (taken.empty() || bytes + broker.queue.front()->batch.size() <=
                                                          options_.max_request_bytes)) {
      bytes += broker.queue.front()->batch.size();
      taken.push_back(std::move(broker.queue.front()));
      broker.queue.pop_front();
    }
    broker.queued_bytes -= bytes;
    ++broker.in_flight;
    asio::co_spawn(executor_, exchange(broker_id, std::move(taken)), asio::detached);
  }
}

awaitable<void> ProduceCoalescer::exchange(int32_t broker_id,
                                           std::vector<std::shared_ptr<Waiting>> batches) {
  protocol::ProduceRequest request;
  request.acks = -1;
  request.timeout_ms = options_.produce_timeout_ms;
  for (const auto& waiting : batches) {
    auto topic = std::find_if(request.topics.begin(), request.topics.end(),
                              [&](const auto& t) { return t.name == waiting->topic; });
    if (topic == request.topics.end()) {
      topic = request.topics.emplace(request.topics.end());
      topic->name = waiting->topic;
    }
    auto& partition = topic->partitions.emplace_back();
    partition.index = waiting->partition;
    partition.records = waiting->batch;
  }
  ++requests_;
  batches_ += batches.size();
  auto response = co_await client_.send_to(broker_id, std::move(request));
  for (const auto& waiting : batches) {
    if (!response) {
      waiting->result.emplace(response.error());
    } else {
      const PartitionAnswer* answer = nullptr;
      for (const auto& topic : response->body.topics) {
        if (topic.name != waiting->topic) continue;
        for (const auto& partition : topic.partitions)
          if (partition.index == waiting->partition) answer = &partition;
      }
      if (answer) {
        waiting->result.emplace(*answer);
      } else {
        waiting->result.emplace(Error{make_error_code(upstream::errc::malformed_response),
                                      fmt::format("the Produce answer has nothing for {}-{}",
                                                  waiting->topic, waiting->partition)});
      }
    }
    waiting->done.cancel();
  }
  --brokers_[broker_id].in_flight;
  dispatch(broker_id);
}

}  // namespace ks::forwarder
