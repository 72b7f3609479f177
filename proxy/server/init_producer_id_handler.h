#pragma once
// InitProducerId, answered locally: idempotent producers get an id from the
// sidecar. Transactions are not supported and are refused clearly.
#include "proxy/server/producer_state.h"
#include "proxy/server/request.h"

namespace ks::server {

class InitProducerIdHandler {
 public:
  explicit InitProducerIdHandler(ProducerState& producers) : producers_(producers) {}

  awaitable<Deferred> handle(std::shared_ptr<const Request> request);

 private:
  ProducerState& producers_;
};

}  // namespace ks::server
