#include "proxy/server/fetch_handler.h"

#include <algorithm>

#include "proxy/server/pass_through.h"

namespace ks::server {

using protocol::FetchRequest;
using protocol::FetchResponse;
using Answer = FetchAnswer;

void keep_within_max_bytes(std::vector<FetchAnswer>& answers, int32_t max_bytes) {
  const auto limit = static_cast<size_t>(std::max(max_bytes, 0));
  size_t total = 0;
  bool full = false;
  for (auto& answer : answers) {
    if (!answer.records || answer.records->empty()) continue;
    const size_t size = answer.records->size();
    full = full || (total > 0 && total + size > limit);
    if (full) {
      answer.records = protocol::Bytes{};
    } else {
      total += size;
    }
  }
}

awaitable<Deferred> FetchHandler::handle(std::shared_ptr<const Request> request) {
  co_return fetch(std::move(request));  // nothing ordered: all of it waits upstream
}

Deferred FetchHandler::fetch(std::shared_ptr<const Request> request) {
  protocol::Reader body = request->body();
  FetchRequest req;
  req.decode(body, request->header.api_version);
  if (!body.ok()) co_return unparseable();

  // Every asked partition, in request order.
  std::vector<std::pair<std::string, int32_t>> asked;
  std::vector<const FetchRequest::FetchTopic::FetchPartition*> fields;
  for (const auto& topic : req.topics) {
    for (const auto& partition : topic.partitions) {
      asked.emplace_back(topic.topic, partition.partition);
      fields.push_back(&partition);
    }
  }
  const auto located = co_await locator_.locate(asked);

  FetchRequest prototype;
  prototype.max_wait_ms = req.max_wait_ms;
  prototype.min_bytes = req.min_bytes;
  prototype.max_bytes = req.max_bytes;
  prototype.isolation_level = req.isolation_level;
  auto add = [&](FetchRequest& upstream, size_t i) {
    if (upstream.topics.empty() || upstream.topics.back().topic != located[i].topic)
      upstream.topics.emplace_back().topic = located[i].topic;
    FetchRequest::FetchTopic::FetchPartition partition;
    partition.partition = located[i].partition;
    partition.fetch_offset = fields[i]->fetch_offset;
    partition.partition_max_bytes = fields[i]->partition_max_bytes;
    upstream.topics.back().partitions.push_back(partition);
  };
  auto pick = [&](const FetchResponse& response, size_t i) -> std::optional<Answer> {
    for (const auto& topic : response.topics) {
      if (topic.topic != located[i].topic) continue;
      for (const auto& data : topic.partitions) {
        if (data.partition_index != located[i].partition) continue;
        Answer answer = data;
        answer.preferred_read_replica = -1;  // the client only knows us
        return answer;
      }
    }
    return std::nullopt;
  };
  // The answers' records point into `gathered`'s responses until encoded.
  auto gathered =
      co_await pass_through<Answer>(request->session, located, std::move(prototype), add, pick);

  keep_within_max_bytes(gathered.answers, req.max_bytes);

  FetchResponse response;
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
