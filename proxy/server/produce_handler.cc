#include "proxy/server/produce_handler.h"

#include "common/log.h"
#include "proxy/protocol/messages.h"
#include "proxy/protocol/record_batch.h"
#include "proxy/server/append_errors.h"

namespace ks::server {

using protocol::ErrorCode;

awaitable<Deferred> ProduceHandler::handle(std::shared_ptr<const Request> request) {
  protocol::Reader body = request->body();
  protocol::ProduceRequest req;
  req.decode(body, request->header.api_version);
  if (!body.ok()) co_return ready(unparseable());

  std::vector<Outcome> outcomes;
  const bool valid_acks = req.acks == 0 || req.acks == 1 || req.acks == -1;
  for (const auto& topic : req.topics) {
    for (const auto& part : topic.partitions) {
      if (req.transactional_id) {
        outcomes.push_back(
            {topic.name, part.index, ErrorCode::transactional_id_authorization_failed, nullptr});
      } else if (!valid_acks) {
        outcomes.push_back({topic.name, part.index, ErrorCode::invalid_required_acks, nullptr});
      } else {
        outcomes.push_back(co_await accept(topic.name, part.index, part.records));
      }
    }
  }
  if (req.acks == 0) co_return ready(std::nullopt);
  co_return finish(std::move(request), std::move(outcomes));
}

awaitable<ProduceHandler::Outcome> ProduceHandler::accept(
    const std::string& topic, int32_t partition, const std::optional<protocol::Bytes>& records) {
  Outcome out{topic, partition, ErrorCode::none, nullptr};
  const TopicInfo info = co_await catalog_.find(topic);
  if (info.error != ErrorCode::none) {
    out.error = info.error;
    co_return out;
  }
  if (partition < 0 || partition >= info.partitions) {
    out.error = ErrorCode::unknown_topic_or_partition;
    co_return out;
  }
  protocol::BatchHeader batch;
  out.error =
      records ? protocol::validate_produce_batch(*records, batch) : ErrorCode::corrupt_message;
  if (out.error != ErrorCode::none) {
    log::warn("produce.bad_batch", "topic={} partition={} error={}", topic, partition,
              protocol::name(out.error));
    co_return out;
  }
  if (batch.is_transactional() || batch.is_control()) {
    out.error = ErrorCode::transactional_id_authorization_failed;
    co_return out;
  }
  const bool idempotent = batch.producer_id >= 0;
  if (idempotent) {
    auto check = producers_.check(batch.producer_id, batch.producer_epoch, topic, partition,
                                  batch.base_sequence, batch.last_sequence());
    if (check.error != ErrorCode::none || check.duplicate_of) {
      out.error = check.error;
      out.ticket = std::move(check.duplicate_of);
      co_return out;
    }
  }
  out.ticket = sink_.submit(Batch{topic, partition, batch.record_count,
                                  std::vector<std::byte>(records->begin(), records->end())});
  if (idempotent) {
    producers_.record(batch.producer_id, batch.producer_epoch, topic, partition,
                      batch.base_sequence, batch.last_sequence(), out.ticket);
  }
  co_return out;
}

awaitable<Response> ProduceHandler::finish(std::shared_ptr<const Request> request,
                                           std::vector<Outcome> outcomes) {
  protocol::ProduceResponse response;
  for (Outcome& out : outcomes) {
    ErrorCode error = out.error;
    if (error == ErrorCode::none && out.ticket) {
      error = to_kafka_error(co_await out.ticket->wait());
    }
    if (response.topics.empty() || response.topics.back().name != out.topic) {
      response.topics.push_back({out.topic, {}});
    }
    // The sidecar does not know the upstream offset yet: -1, as with acks=0.
    response.topics.back().partitions.push_back(
        {out.partition, protocol::to_int(error), -1, -1, -1, {}, {}});
  }
  co_return encode_response(request->header, response);
}

}  // namespace ks::server
