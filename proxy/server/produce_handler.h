#pragma once
// Produce: validate each partition's batch, submit it to the buffer in
// request order, answer once every batch is durable (acks=1/all) or at once
// with no answer (acks=0).
#include "proxy/server/produce_sink.h"
#include "proxy/server/producer_state.h"
#include "proxy/server/request.h"
#include "proxy/server/topic_catalog.h"

namespace ks::server {

class ProduceHandler {
 public:
  ProduceHandler(TopicCatalog& catalog, ProducerState& producers, ProduceSink& sink)
      : catalog_(catalog), producers_(producers), sink_(sink) {}

  awaitable<Deferred> handle(std::shared_ptr<const Request> request);

 private:
  // One partition's part of the answer.
  struct Outcome {
    std::string topic;
    int32_t partition = 0;
    protocol::ErrorCode error = protocol::ErrorCode::none;
    std::shared_ptr<AppendTicket> ticket;  // set when submitted or a duplicate
  };

  awaitable<Outcome> accept(const std::string& topic, int32_t partition,
                            const std::optional<protocol::Bytes>& records);
  awaitable<Response> finish(std::shared_ptr<const Request> request, std::vector<Outcome> outcomes);

  TopicCatalog& catalog_;
  ProducerState& producers_;
  ProduceSink& sink_;
};

}  // namespace ks::server
