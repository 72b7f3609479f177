#pragma once
// The byte stream under a broker connection: plain TCP today. TLS (a later
// issue) becomes another implementation of these four members around
// asio::ssl::stream<tcp::socket>, with its handshake at the end of
// connect(); nothing above this file needs to change.
#include <string>
#include <vector>

#include "proxy/asio.h"
#include "proxy/upstream/address.h"

namespace ks::upstream {

class Transport {
 public:
  explicit Transport(asio::any_io_executor executor);

  // Resolves and connects. No deadline of its own: the caller bounds it by
  // calling close(), which makes it complete with an error.
  awaitable<boost::system::error_code> connect(const Address& address);
  // Reads exactly buffer.size() bytes.
  awaitable<boost::system::error_code> read(asio::mutable_buffer buffer);
  // Writes all of `buffers`.
  awaitable<boost::system::error_code> write(const std::vector<asio::const_buffer>& buffers);
  // Aborts pending operations (they complete with an error); idempotent.
  void close();

 private:
  tcp::resolver resolver_;
  tcp::socket socket_;
};

}  // namespace ks::upstream
