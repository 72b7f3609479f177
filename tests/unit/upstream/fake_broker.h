#pragma once
// A scripted one-port "broker" on the test's io_context, for what the mock
// cluster cannot be made to do: answer garbage, oversized frames, the
// wrong correlation id, or KIP-511's ApiVersions fallback the way Kafka does.
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "proxy/asio.h"
#include "proxy/protocol/header.h"
#include "proxy/protocol/wire.h"

namespace ks::upstream::test {

class FakeBroker {
 public:
  // Returns the bytes to send back (whole frames, size prefix included), or
  // nullopt to close the connection without an answer.
  using Script = std::function<std::optional<std::vector<std::byte>>(
      const protocol::RequestHeader& header, protocol::Bytes body)>;

  FakeBroker(asio::io_context& io, Script script);
  ~FakeBroker();

  uint16_t port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  const std::vector<protocol::RequestHeader>& requests() const { return requests_; }

 private:
  awaitable<void> accept_loop();
  awaitable<void> serve(tcp::socket socket);

  tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  Script script_;
  std::vector<protocol::RequestHeader> requests_;
};

// A response frame: size, header for (key, version), the encoded body.
template <typename Body>
std::vector<std::byte> response_frame(int32_t correlation_id, int16_t version, const Body& body) {
  std::vector<std::byte> out;
  protocol::Writer writer(out);
  const size_t at = protocol::begin_frame(writer);
  protocol::encode_response_header(writer, Body::kApiKey, version, correlation_id);
  body.encode(writer, version);
  protocol::finish_frame(writer, at);
  return out;
}

// A frame with the given size prefix and payload, sizes need not agree.
std::vector<std::byte> raw_frame(int32_t declared_size, std::vector<std::byte> payload);

}  // namespace ks::upstream::test
