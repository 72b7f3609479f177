#include "proxy/server/offset_for_leader_epoch_handler.h"

#include "proxy/protocol/messages.h"
#include "proxy/server/pass_through.h"

namespace ks::server {

using protocol::OffsetForLeaderEpochRequest;
using protocol::OffsetForLeaderEpochResponse;
namespace {
// One partition's part of the answer.
using Answer = OffsetForLeaderEpochResponse::OffsetForLeaderTopicResult::EpochEndOffset;
}  // namespace

awaitable<Deferred> OffsetForLeaderEpochHandler::handle(std::shared_ptr<const Request> request) {
  co_return answer(std::move(request));  // nothing ordered: all of it waits upstream
}

Deferred OffsetForLeaderEpochHandler::answer(std::shared_ptr<const Request> request) {
  protocol::Reader body = request->body();
  OffsetForLeaderEpochRequest req;
  req.decode(body, request->header.api_version);
  if (!body.ok()) co_return unparseable();

  const auto asked = asked_partitions(req.topics);
  const auto located = co_await locator_.locate(asked.partitions);

  OffsetForLeaderEpochRequest prototype;
  // Below v3 the field is absent and decodes as Kafka's default for those
  // versions, so the upstream sees what it would from the client itself.
  prototype.replica_id = req.replica_id;
  auto add = [&](OffsetForLeaderEpochRequest& upstream, size_t i) {
    add_to(upstream, located[i], *asked.fields[i]);
  };
  auto adjust = [](Answer&) {};  // epochs and end offsets are the upstream log's
  auto gathered =
      co_await pass_through<Answer>(request->session, located, std::move(prototype), add, adjust);

  OffsetForLeaderEpochResponse response;
  response.throttle_time_ms = gathered.throttle_time_ms;
  response.topics = in_request_shape<OffsetForLeaderEpochResponse::OffsetForLeaderTopicResult>(
      req.topics, gathered.answers);
  co_return encode_response(request->header, response);
}

}  // namespace ks::server
