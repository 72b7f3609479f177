#pragma once
// The byte stream under a broker connection: plain TCP, or TLS over it when
// the cluster has `tls` (its handshake completes inside connect()). Nothing
// above this file knows which.
#include <boost/asio/ssl.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "proxy/asio.h"
#include "proxy/upstream/address.h"
#include "proxy/upstream/tls_context.h"

namespace ks::upstream {

class Transport {
 public:
  // `tls`: null for plain TCP.
  Transport(asio::any_io_executor executor, std::shared_ptr<TlsContext> tls = nullptr);

  // Resolves, connects and, with TLS, completes the handshake. Errors name
  // the broker ("connect host:port: ...", "TLS handshake with host:port
  // failed: ..."). No deadline of its own: the caller bounds it by calling
  // close(), which makes it complete with an error.
  awaitable<Result<void>> connect(const Address& address);
  // Reads exactly buffer.size() bytes.
  awaitable<boost::system::error_code> read(asio::mutable_buffer buffer);
  // Writes all of `buffers`.
  awaitable<boost::system::error_code> write(const std::vector<asio::const_buffer>& buffers);
  // Aborts pending operations (they complete with an error); idempotent.
  void close();

 private:
  tcp::socket& socket();

  std::shared_ptr<TlsContext> tls_context_;
  tcp::resolver resolver_;
  std::optional<tcp::socket> plain_;
  std::optional<asio::ssl::stream<tcp::socket>> tls_;
};

}  // namespace ks::upstream
