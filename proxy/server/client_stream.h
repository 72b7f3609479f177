#pragma once
// The byte stream under a client connection: plain TCP, or TLS over it
// (listener.tls). Connection reads and writes through these few members
// only, so its logic is the same for both.
#include <boost/asio/ssl.hpp>
#include <optional>
#include <string>

#include "proxy/asio.h"

namespace ks::server {

class ClientStream {
 public:
  explicit ClientStream(tcp::socket socket);
  // TLS with `context`'s certificate; handshake() must succeed before use.
  ClientStream(tcp::socket socket, asio::ssl::context& context);

  bool tls() const { return tls_.has_value(); }
  // The TLS handshake as the server (nothing for plain TCP). No deadline of
  // its own: the caller bounds it by calling close().
  awaitable<boost::system::error_code> handshake();
  // Reads exactly buffer.size() bytes.
  awaitable<boost::system::error_code> read(asio::mutable_buffer buffer);
  // Writes all of `buffer`.
  awaitable<boost::system::error_code> write(asio::const_buffer buffer);
  // Reads then end (pending and later reads complete with an error);
  // writes go on.
  void shutdown_receive();
  // Aborts pending operations; idempotent.
  void close();

  asio::any_io_executor get_executor();
  // "address:port" of the peer, or "?".
  std::string peer() const;

 private:
  tcp::socket& socket();
  const tcp::socket& socket() const;

  std::optional<tcp::socket> plain_;
  std::optional<asio::ssl::stream<tcp::socket>> tls_;
};

}  // namespace ks::server
