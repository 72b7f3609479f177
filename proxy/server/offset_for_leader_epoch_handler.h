#pragma once
// OffsetForLeaderEpoch (a consumer checking for log truncation after a
// leader change, KIP-320), passed through like ListOffsets: each partition
// is asked of its upstream leader, concurrently per leader, and the answers
// merged under the client's topic names. Epochs and end offsets are the
// upstream log's, the same the fetched batches carry, so they pass as they
// are.
#include "proxy/server/request.h"
#include "proxy/server/upstream_locator.h"

namespace ks::server {

class OffsetForLeaderEpochHandler {
 public:
  explicit OffsetForLeaderEpochHandler(UpstreamLocator& locator) : locator_(locator) {}

  awaitable<Deferred> handle(std::shared_ptr<const Request> request);

 private:
  Deferred answer(std::shared_ptr<const Request> request);

  UpstreamLocator& locator_;
};

}  // namespace ks::server
