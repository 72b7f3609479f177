#include "proxy/server/fetch_handler.h"

#include <algorithm>

#include "common/log.h"
#include "proxy/protocol/messages.h"
#include "proxy/when_all.h"

namespace ks::server {

using protocol::ErrorCode;
using protocol::FetchRequest;
using protocol::FetchResponse;
using FetchResult = Result<upstream::Response<FetchResponse>>;

awaitable<Deferred> FetchHandler::handle(std::shared_ptr<const Request> request) {
  co_return fetch(std::move(request));  // nothing ordered: all of it waits upstream
}

Deferred FetchHandler::fetch(std::shared_ptr<const Request> request) {
  const int16_t version = request->header.api_version;
  protocol::Reader body = request->body();
  FetchRequest req;
  req.decode(body, version);
  if (!body.ok()) co_return unparseable();

  // Every asked partition, in request order.
  std::vector<std::pair<std::string, int32_t>> asked;
  std::vector<const FetchRequest::FetchTopic::FetchPartition*> asked_fields;
  for (const auto& topic : req.topics) {
    for (const auto& partition : topic.partitions) {
      asked.emplace_back(topic.topic, partition.partition);
      asked_fields.push_back(&partition);
    }
  }
  const auto located = co_await locator_.locate(asked);

  // One request per upstream leader.
  const LeaderGroups groups = group_by_leader(located);
  std::vector<awaitable<FetchResult>> sends;
  for (const auto& [leader, members] : groups) {
    FetchRequest upstream;
    upstream.max_wait_ms = req.max_wait_ms;
    upstream.min_bytes = req.min_bytes;
    upstream.max_bytes = req.max_bytes;
    upstream.isolation_level = req.isolation_level;
    for (const size_t i : members) {
      if (upstream.topics.empty() || upstream.topics.back().topic != located[i].topic)
        upstream.topics.emplace_back().topic = located[i].topic;
      FetchRequest::FetchTopic::FetchPartition partition;
      partition.partition = asked[i].second;
      partition.fetch_offset = asked_fields[i]->fetch_offset;
      partition.partition_max_bytes = asked_fields[i]->partition_max_bytes;
      upstream.topics.back().partitions.push_back(partition);
    }
    sends.push_back(leader.first->send_to(leader.second, std::move(upstream)));
  }
  std::vector<FetchResult> results = co_await when_all(std::move(sends));

  // Answers by index into `asked`; the records stay views into `results`.
  FetchResponse response;
  std::vector<FetchResponse::FetchableTopicResponse::FetchPartitionData> answers(asked.size());
  StaleTopics stale;
  size_t g = 0;
  for (const auto& [leader, members] : groups) {
    const FetchResult& result = results[g++];
    for (const size_t i : members) {
      auto& answer = answers[i];
      answer.partition_index = asked[i].second;
      answer.error_code = protocol::to_int(ErrorCode::not_leader_or_follower);
      if (!result) continue;
      response.throttle_time_ms =
          std::max(response.throttle_time_ms, result->body.throttle_time_ms);
      for (const auto& topic : result->body.topics) {
        if (topic.topic != located[i].topic) continue;
        for (const auto& data : topic.partitions) {
          if (data.partition_index != asked[i].second) continue;
          answer = data;
          answer.preferred_read_replica = -1;  // the client only knows us
        }
      }
    }
    for (const size_t i : members) {
      const auto error = static_cast<ErrorCode>(answers[i].error_code);
      if (!result || leader_changed(error)) stale[leader.first].insert(located[i].topic);
    }
  }
  for (size_t i = 0; i < asked.size(); ++i) {
    if (located[i].error != ErrorCode::none) {
      answers[i].partition_index = asked[i].second;
      answers[i].error_code = protocol::to_int(located[i].error);
    }
  }
  co_await UpstreamLocator::refresh(std::move(stale));

  size_t i = 0;
  for (const auto& topic : req.topics) {
    auto& out = response.topics.emplace_back();
    out.topic = topic.topic;
    for (size_t n = 0; n < topic.partitions.size(); ++n)
      out.partitions.push_back(std::move(answers[i++]));
  }
  co_return encode_response(request->header, response);
}

}  // namespace ks::server
