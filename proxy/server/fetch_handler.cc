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

void give_every_answer_records(std::vector<FetchAnswer>& answers) {
  for (auto& answer : answers) {
    if (!answer.records) answer.records = protocol::Bytes{};
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

  const auto asked = asked_partitions(req.topics);
  const auto located = co_await locator_.locate(asked.partitions);

  FetchRequest prototype;
  prototype.max_wait_ms = req.max_wait_ms;
  prototype.min_bytes = req.min_bytes;
  prototype.max_bytes = req.max_bytes;
  prototype.isolation_level = req.isolation_level;
  auto add = [&](FetchRequest& upstream, size_t i) {
    FetchRequest::FetchTopic::FetchPartition partition;
    partition.fetch_offset = asked.fields[i]->fetch_offset;
    partition.partition_max_bytes = asked.fields[i]->partition_max_bytes;
    add_to(upstream, located[i], partition);
  };
  auto adjust = [](Answer& answer) {
    answer.preferred_read_replica = -1;  // the client only knows us
  };
  // The answers' records point into `gathered`'s responses until encoded.
  auto gathered =
      co_await pass_through<Answer>(request->session, located, std::move(prototype), add, adjust);
  keep_within_max_bytes(gathered.answers, req.max_bytes);
  give_every_answer_records(gathered.answers);

  FetchResponse response;
  response.throttle_time_ms = gathered.throttle_time_ms;
  response.topics =
      in_request_shape<FetchResponse::FetchableTopicResponse>(req.topics, gathered.answers);
  co_return encode_response(request->header, response);
}

}  // namespace ks::server
