#include "proxy/server/list_offsets_handler.h"

#include "proxy/protocol/messages.h"
#include "proxy/server/pass_through.h"

namespace ks::server {

using protocol::ListOffsetsRequest;
using protocol::ListOffsetsResponse;
namespace {
// One partition's part of the answer.
using Answer = ListOffsetsResponse::ListOffsetsTopicResponse::ListOffsetsPartitionResponse;
}  // namespace

awaitable<Deferred> ListOffsetsHandler::handle(std::shared_ptr<const Request> request) {
  co_return list(std::move(request));  // nothing ordered: all of it waits upstream
}

Deferred ListOffsetsHandler::list(std::shared_ptr<const Request> request) {
  protocol::Reader body = request->body();
  ListOffsetsRequest req;
  req.decode(body, request->header.api_version);
  if (!body.ok()) co_return unparseable();

  std::vector<std::pair<std::string, int32_t>> asked;
  std::vector<int64_t> timestamps;
  for (const auto& topic : req.topics) {
    for (const auto& partition : topic.partitions) {
      asked.emplace_back(topic.name, partition.partition_index);
      timestamps.push_back(partition.timestamp);
    }
  }
  const auto located = co_await locator_.locate(asked);

  ListOffsetsRequest prototype;
  prototype.isolation_level = req.isolation_level;
  auto add = [&](ListOffsetsRequest& upstream, size_t i) {
    if (upstream.topics.empty() || upstream.topics.back().name != located[i].topic)
      upstream.topics.emplace_back().name = located[i].topic;
    ListOffsetsRequest::ListOffsetsTopic::ListOffsetsPartition partition;
    partition.partition_index = located[i].partition;
    partition.timestamp = timestamps[i];
    upstream.topics.back().partitions.push_back(partition);
  };
  auto pick = [&](const ListOffsetsResponse& response, size_t i) -> std::optional<Answer> {
    for (const auto& topic : response.topics) {
      if (topic.name != located[i].topic) continue;
      for (const auto& data : topic.partitions) {
        if (data.partition_index != located[i].partition) continue;
        Answer answer = data;
        answer.leader_epoch = -1;  // the upstream leader's, meaningless against our metadata
        return answer;
      }
    }
    return std::nullopt;
  };
  auto gathered =
      co_await pass_through<Answer>(request->session, located, std::move(prototype), add, pick);

  ListOffsetsResponse response;
  response.throttle_time_ms = gathered.throttle_time_ms;
  size_t i = 0;
  for (const auto& topic : req.topics) {
    auto& out = response.topics.emplace_back();
    out.name = topic.name;
    for (size_t n = 0; n < topic.partitions.size(); ++n)
      out.partitions.push_back(std::move(gathered.answers[i++]));
  }
  co_return encode_response(request->header, response);
}

}  // namespace ks::server
