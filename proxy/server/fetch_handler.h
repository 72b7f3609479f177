#pragma once
// Fetch, passed through: each partition is read from its upstream leader
// (requests to different leaders go out concurrently) and the answers are
// merged into one response under the client's topic names. Offsets are the
// upstream's. No fetch sessions: every request is a full fetch, and the
// answer's session id 0 tells the client so (KIP-227).
#include <vector>

#include "proxy/protocol/messages.h"
#include "proxy/server/request.h"
#include "proxy/server/upstream_locator.h"

namespace ks::server {

using FetchAnswer = protocol::FetchResponse::FetchableTopicResponse::FetchPartitionData;

// A Fetch's max_bytes bounds the whole response, but each leader bounds
// only its own answer: from the partition (in request order) that would
// pass the limit on, partitions go back without records, and the client
// asks for them again from the same offset. The first partition with records stays whole, even over
// the limit, as on a broker (so a large batch cannot stall a consumer).
void keep_within_max_bytes(std::vector<FetchAnswer>& answers, int32_t max_bytes);

// Brokers answer every partition with a records field, empty where there
// is nothing (an error, an unreachable leader); librdkafka 2.0.2 fails to
// parse a null one. Gives each answer without records an empty one.
void give_every_answer_records(std::vector<FetchAnswer>& answers);

class FetchHandler {
 public:
  explicit FetchHandler(UpstreamLocator& locator) : locator_(locator) {}

  awaitable<Deferred> handle(std::shared_ptr<const Request> request);

 private:
  Deferred fetch(std::shared_ptr<const Request> request);

  UpstreamLocator& locator_;
};

}  // namespace ks::server
