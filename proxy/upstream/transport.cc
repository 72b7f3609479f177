#include "proxy/upstream/transport.h"

namespace ks::upstream {

Transport::Transport(asio::any_io_executor executor) : resolver_(executor), socket_(executor) {}

awaitable<boost::system::error_code> Transport::connect(const Address& address) {
  boost::system::error_code ec;
  const auto endpoints =
      co_await resolver_.async_resolve(address.host, std::to_string(address.port), nothrow(ec));
  if (ec) co_return ec;
  co_await asio::async_connect(socket_, endpoints, nothrow(ec));
  if (ec) co_return ec;
  // Requests are small and latency matters more than packet count.
  socket_.set_option(tcp::no_delay(true), ec);
  co_return ec;
}

awaitable<boost::system::error_code> Transport::read(asio::mutable_buffer buffer) {
  boost::system::error_code ec;
  co_await asio::async_read(socket_, buffer, nothrow(ec));
  co_return ec;
}

awaitable<boost::system::error_code> Transport::write(
    const std::vector<asio::const_buffer>& buffers) {
  boost::system::error_code ec;
  co_await asio::async_write(socket_, buffers, nothrow(ec));
  co_return ec;
}

void Transport::close() {
  resolver_.cancel();
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

}  // namespace ks::upstream
