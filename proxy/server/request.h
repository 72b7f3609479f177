#pragma once
// A decoded request as handlers see it, and what they give back.
#include <memory>
#include <optional>
#include <vector>

#include "proxy/asio.h"
#include "proxy/protocol/header.h"
#include "proxy/protocol/wire.h"

namespace ks::server {

struct Request {
  protocol::RequestHeader header;
  // The client connection it came on (from 1). Requests passed upstream
  // travel on this connection's lane (see upstream/client.h).
  uint64_t session = 0;
  std::vector<std::byte> frame;  // owns the bytes `body` and decoded views point into
  size_t body_offset = 0;

  protocol::Reader body() const {
    return protocol::Reader(protocol::Bytes(frame).subspan(body_offset));
  }
};

// A whole response frame, or nullopt when the request gets no answer (acks=0).
using Response = std::optional<std::vector<std::byte>>;

// The answer to a request whose body cannot be parsed: the connection
// closes once the requests before it are answered, as a Kafka broker does
// (there is nothing sound to answer with). An empty frame, which no real
// response is.
inline Response unparseable() {
  return std::vector<std::byte>{};
}

// A handler does its ordered part when awaited (e.g. produce submits its
// appends, so requests of one connection reach the log in request order) and
// returns the rest (e.g. waiting for the fsync), which the connection runs
// concurrently with later requests, answering in order.
using Deferred = awaitable<Response>;

// Encodes `body` as the response to `header`, at the request's version.
template <typename Message>
std::vector<std::byte> encode_response(const protocol::RequestHeader& header, const Message& body,
                                       int16_t version) {
  std::vector<std::byte> out;
  protocol::Writer w(out);
  const size_t frame = protocol::begin_frame(w);
  protocol::encode_response_header(w, header.api_key, version, header.correlation_id);
  body.encode(w, version);
  protocol::finish_frame(w, frame);
  return out;
}

template <typename Message>
std::vector<std::byte> encode_response(const protocol::RequestHeader& header, const Message& body) {
  return encode_response(header, body, header.api_version);
}

// A Deferred that is already complete.
inline Deferred ready(Response response) {
  co_return response;
}

}  // namespace ks::server
