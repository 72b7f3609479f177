#include "proxy/server/offset_for_leader_epoch_handler.h"

#include "proxy/protocol/messages.h"
#include "proxy/server/pass_through.h"

namespace ks::server {

using protocol::OffsetForLeaderEpochRequest;
using protocol::OffsetForLeaderEpochResponse;
namespace {
// One partition's part of the answer.
using Answer = OffsetForLeaderEpochResponse::OffsetForLeaderTopicResult::EpochEndOffset;
using AskedPartition = OffsetForLeaderEpochRequest::OffsetForLeaderTopic::OffsetForLeaderPartition;
}  // namespace

awaitable<Deferred> OffsetForLeaderEpochHandler::handle(std::shared_ptr<const Request> request) {
  co_return answer(std::move(request));  // nothing ordered: all of it waits upstream
}

Deferred OffsetForLeaderEpochHandler::answer(std::shared_ptr<const Request> request) {
  protocol::Reader body = request->body();
  OffsetForLeaderEpochRequest req;
  req.decode(body, request->header.api_version);
  if (!body.ok()) co_return unparseable();

  std::vector<std::pair<std::string, int32_t>> asked;
  std::vector<const AskedPartition*> fields;
  for (const auto& topic : req.topics) {
    for (const auto& partition : topic.partitions) {
      asked.emplace_back(topic.topic, partition.partition);
      fields.push_back(&partition);
    }
  }
  const auto located = co_await locator_.locate(asked);

  OffsetForLeaderEpochRequest prototype;
  // Below v3 the field is absent and decodes as Kafka's default for those
  // versions, so the upstream sees what it would from the client itself.
  prototype.replica_id = req.replica_id;
  auto add = [&](OffsetForLeaderEpochRequest& upstream, size_t i) {
    if (upstream.topics.empty() || upstream.topics.back().topic != located[i].topic)
      upstream.topics.emplace_back().topic = located[i].topic;
    upstream.topics.back().partitions.push_back(*fields[i]);
  };
  auto pick = [&](const OffsetForLeaderEpochResponse& response, size_t i) -> std::optional<Answer> {
    for (const auto& topic : response.topics) {
      if (topic.topic != located[i].topic) continue;
      for (const auto& data : topic.partitions) {
        if (data.partition == located[i].partition) return data;
      }
    }
    return std::nullopt;
  };
  auto gathered =
      co_await pass_through<Answer>(request->session, located, std::move(prototype), add, pick);

  OffsetForLeaderEpochResponse response;
  response.throttle_time_ms = gathered.throttle_time_ms;
  size_t i = 0;
  for (const auto& topic : req.topics) {
    auto& out = response.topics.emplace_back();
    out.topic = topic.topic;
    for (size_t n = 0; n < topic.partitions.size(); ++n)
      out.partitions.push_back(std::move(gathered.answers[i++]));
  }
  co_return encode_response(request->header, response);
}

}  // namespace ks::server
