#pragma once
// Fetch, passed through: each partition is read from its upstream leader
// (requests to different leaders go out concurrently) and the answers are
// merged into one response under the client's topic names. Offsets are the
// upstream's. No fetch sessions: every request is a full fetch, and the
// answer's session id 0 tells the client so (KIP-227).
//
// Long polls carry over. A leader with nothing new holds its Fetch up to
// the client's max_wait_ms; waiting for it would delay the records another
// leader already returned. So the client is answered as soon as some leader
// returned records, and a leader's Fetch still out is kept for that client
// connection: its next Fetch, asking that leader the same partitions at the
// same offsets, takes that answer (or keeps waiting for it) instead of
// queueing a new one behind it. Partitions whose leader is still out are
// answered with no records and the watermarks this connection last saw for
// them; until the connection has seen them, the answer waits for all.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <tuple>
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
  // The client connection is gone: forget what was kept for it.
  void end_session(uint64_t session);

 private:
  // A Fetch sent to one leader for one client connection.
  struct Held;
  // What a Fetch asks one leader: (upstream topic, partition, offset, max bytes).
  using Asked = std::vector<std::tuple<std::string, int32_t, int64_t, int32_t>>;
  using HeldKey = std::tuple<uint64_t, upstream::Client*, int32_t>;  // session, leader
  using SeenKey = std::tuple<uint64_t, upstream::Client*, std::string, int32_t>;
  struct Watermarks {
    int64_t high = -1;
    int64_t last_stable = -1;
    int64_t log_start = -1;
  };

  Deferred fetch(std::shared_ptr<const Request> request);
  // The leader's Fetch for this connection asking `asked`: the one kept, if
  // it asks the same and is not stale, else a new one (sent now).
  std::shared_ptr<Held> held_fetch(asio::any_io_executor executor, uint64_t session,
                                   upstream::Client* client, int32_t broker, Asked asked,
                                   protocol::FetchRequest request);

  UpstreamLocator& locator_;
  std::map<HeldKey, std::shared_ptr<Held>> held_;
  std::map<SeenKey, Watermarks> seen_;
};

}  // namespace ks::server
