#include "proxy/server/list_offsets_handler.h"

#include <algorithm>

#include "common/log.h"
#include "proxy/protocol/messages.h"
#include "proxy/when_all.h"

namespace ks::server {

using protocol::ErrorCode;
using protocol::ListOffsetsRequest;
using protocol::ListOffsetsResponse;
using ListResult = Result<upstream::Response<ListOffsetsResponse>>;

awaitable<Deferred> ListOffsetsHandler::handle(std::shared_ptr<const Request> request) {
  co_return list(std::move(request));  // nothing ordered: all of it waits upstream
}

Deferred ListOffsetsHandler::list(std::shared_ptr<const Request> request) {
  const int16_t version = request->header.api_version;
  protocol::Reader body = request->body();
  ListOffsetsRequest req;
  req.decode(body, version);
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

  const LeaderGroups groups = group_by_leader(located);
  std::vector<awaitable<ListResult>> sends;
  for (const auto& [leader, members] : groups) {
    ListOffsetsRequest upstream;
    upstream.isolation_level = req.isolation_level;
    for (const size_t i : members) {
      if (upstream.topics.empty() || upstream.topics.back().name != located[i].topic)
        upstream.topics.emplace_back().name = located[i].topic;
      ListOffsetsRequest::ListOffsetsTopic::ListOffsetsPartition partition;
      partition.partition_index = asked[i].second;
      partition.timestamp = timestamps[i];
      upstream.topics.back().partitions.push_back(partition);
    }
    sends.push_back(leader.first->send_to(leader.second, std::move(upstream)));
  }
  const std::vector<ListResult> results = co_await when_all(std::move(sends));

  ListOffsetsResponse response;
  std::vector<ListOffsetsResponse::ListOffsetsTopicResponse::ListOffsetsPartitionResponse> answers(
      asked.size());
  for (size_t i = 0; i < asked.size(); ++i) {
    answers[i].partition_index = asked[i].second;
    answers[i].error_code = protocol::to_int(located[i].error);
  }
  StaleTopics stale;
  size_t g = 0;
  for (const auto& [leader, members] : groups) {
    const ListResult& result = results[g++];
    for (const size_t i : members) {
      auto& answer = answers[i];
      answer.error_code = protocol::to_int(ErrorCode::not_leader_or_follower);
      if (result) {
        response.throttle_time_ms =
            std::max(response.throttle_time_ms, result->body.throttle_time_ms);
        for (const auto& topic : result->body.topics) {
          if (topic.name != located[i].topic) continue;
          for (const auto& data : topic.partitions) {
            if (data.partition_index == asked[i].second) answer = data;
          }
        }
      }
      // The epoch is the upstream leader's, meaningless against our metadata.
      answer.leader_epoch = -1;
      if (!result || leader_changed(static_cast<ErrorCode>(answer.error_code)))
        stale[leader.first].insert(located[i].topic);
    }
  }
  co_await UpstreamLocator::refresh(std::move(stale));

  size_t i = 0;
  for (const auto& topic : req.topics) {
    auto& out = response.topics.emplace_back();
    out.name = topic.name;
    for (size_t n = 0; n < topic.partitions.size(); ++n)
      out.partitions.push_back(answers[i++]);
  }
  co_return encode_response(request->header, response);
}

}  // namespace ks::server
