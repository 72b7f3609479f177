#pragma once
// Fetch, passed through: each partition is read from its upstream leader
// (requests to different leaders go out concurrently) and the answers are
// merged into one response under the client's topic names. Offsets are the
// upstream's. No fetch sessions: every request is a full fetch, and the
// answer's session id 0 tells the client so (KIP-227).
#include "proxy/server/request.h"
#include "proxy/server/upstream_locator.h"

namespace ks::server {

class FetchHandler {
 public:
  explicit FetchHandler(UpstreamLocator& locator) : locator_(locator) {}

  awaitable<Deferred> handle(std::shared_ptr<const Request> request);

 private:
  Deferred fetch(std::shared_ptr<const Request> request);

  UpstreamLocator& locator_;
};

}  // namespace ks::server
