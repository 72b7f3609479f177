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

  const auto asked = asked_partitions(req.topics);
  const auto located = co_await locator_.locate(asked.partitions);

  ListOffsetsRequest prototype;
  prototype.isolation_level = req.isolation_level;
  auto add = [&](ListOffsetsRequest& upstream, size_t i) {
    ListOffsetsRequest::ListOffsetsTopic::ListOffsetsPartition partition;
    partition.timestamp = asked.fields[i]->timestamp;
    add_to(upstream, located[i], partition);
  };
  auto adjust = [](Answer& answer) {
    answer.leader_epoch = -1;  // the upstream leader's, meaningless against our metadata
  };
  auto gathered =
      co_await pass_through<Answer>(request->session, located, std::move(prototype), add, adjust);

  ListOffsetsResponse response;
  response.throttle_time_ms = gathered.throttle_time_ms;
  response.topics =
      in_request_shape<ListOffsetsResponse::ListOffsetsTopicResponse>(req.topics, gathered.answers);
  co_return encode_response(request->header, response);
}

}  // namespace ks::server
