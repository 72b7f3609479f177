#pragma once
// ListOffsets (earliest, latest, by timestamp), passed through: each
// partition is asked of its upstream leader, concurrently per leader, and
// the answers merged under the client's topic names. Offsets are the
// upstream's, as in Fetch.
#include "proxy/server/request.h"
#include "proxy/server/upstream_locator.h"

namespace ks::server {

class ListOffsetsHandler {
 public:
  explicit ListOffsetsHandler(UpstreamLocator& locator) : locator_(locator) {}

  awaitable<Deferred> handle(std::shared_ptr<const Request> request);

 private:
  Deferred list(std::shared_ptr<const Request> request);

  UpstreamLocator& locator_;
};

}  // namespace ks::server
