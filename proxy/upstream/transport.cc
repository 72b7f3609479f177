#include "proxy/upstream/transport.h"

#include <fmt/format.h>

#include "proxy/upstream/errc.h"

namespace ks::upstream {

Transport::Transport(asio::any_io_executor executor, std::shared_ptr<TlsContext> tls)
    : tls_context_(std::move(tls)), resolver_(executor) {
  if (tls_context_) {
    tls_.emplace(executor, tls_context_->context());
  } else {
    plain_.emplace(executor);
  }
}

tcp::socket& Transport::socket() {
  return tls_ ? tls_->next_layer() : *plain_;
}

awaitable<Result<void>> Transport::connect(const Address& address) {
  const std::string name = address.to_string();
  const auto failed = [](std::string message) {
    return Error{make_error_code(errc::connection_failed), std::move(message)};
  };
  boost::system::error_code ec;
  const auto endpoints =
      co_await resolver_.async_resolve(address.host, std::to_string(address.port), nothrow(ec));
  if (ec) co_return failed(fmt::format("connect {}: {}", name, ec.message()));
  co_await asio::async_connect(socket(), endpoints, nothrow(ec));
  if (ec) co_return failed(fmt::format("connect {}: {}", name, ec.message()));
  // Requests are small and latency matters more than packet count.
  socket().set_option(tcp::no_delay(true), ec);
  if (ec) co_return failed(fmt::format("connect {}: {}", name, ec.message()));
  if (!tls_) co_return Result<void>{};
  ec = tls_context_->prepare(*tls_, address.host);
  if (!ec) co_await tls_->async_handshake(asio::ssl::stream_base::client, nothrow(ec));
  if (ec)
    co_return failed(
        fmt::format("TLS handshake with {} failed: {}", name, describe_handshake_error(ec, *tls_)));
  co_return Result<void>{};
}

awaitable<boost::system::error_code> Transport::read(asio::mutable_buffer buffer) {
  boost::system::error_code ec;
  if (tls_) {
    co_await asio::async_read(*tls_, buffer, nothrow(ec));
  } else {
    co_await asio::async_read(*plain_, buffer, nothrow(ec));
  }
  co_return ec;
}

awaitable<boost::system::error_code> Transport::write(
    const std::vector<asio::const_buffer>& buffers) {
  boost::system::error_code ec;
  if (tls_) {
    co_await asio::async_write(*tls_, buffers, nothrow(ec));
  } else {
    co_await asio::async_write(*plain_, buffers, nothrow(ec));
  }
  co_return ec;
}

void Transport::close() {
  // No TLS close_notify: the connection is being dropped, nothing is owed.
  resolver_.cancel();
  boost::system::error_code ignored;
  socket().shutdown(tcp::socket::shutdown_both, ignored);
  socket().close(ignored);
}

}  // namespace ks::upstream
