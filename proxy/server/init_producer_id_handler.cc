#include "proxy/server/init_producer_id_handler.h"

#include "common/log.h"
#include "proxy/protocol/messages.h"

namespace ks::server {

using protocol::ErrorCode;

awaitable<Deferred> InitProducerIdHandler::handle(std::shared_ptr<const Request> request) {
  protocol::Reader body = request->body();
  protocol::InitProducerIdRequest req;
  req.decode(body, request->header.api_version);

  if (!body.ok()) co_return ready(unparseable());

  protocol::InitProducerIdResponse response;
  if (req.transactional_id) {
    log::warn("producer.transactions_refused", "client_id={} transactional_id={}",
              log::quote(request->header.client_id.value_or("")),
              log::quote(*req.transactional_id));
    response.error_code = protocol::to_int(ErrorCode::transactional_id_authorization_failed);
  } else if (req.producer_id >= 0 && req.producer_epoch >= 0 && req.producer_epoch < INT16_MAX) {
    // KIP-360: a producer bumps its epoch to recover; sequences restart at 0.
    response.producer_id = req.producer_id;
    response.producer_epoch = static_cast<int16_t>(req.producer_epoch + 1);
  } else {
    response.producer_id = producers_.allocate_id();
    response.producer_epoch = 0;
  }
  co_return ready(encode_response(request->header, response));
}

}  // namespace ks::server
