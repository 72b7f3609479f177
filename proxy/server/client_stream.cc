#include "proxy/server/client_stream.h"

namespace ks::server {

ClientStream::ClientStream(tcp::socket socket) : plain_(std::move(socket)) {}

ClientStream::ClientStream(tcp::socket socket, asio::ssl::context& context)
    : tls_(std::in_place, std::move(socket), context) {}

tcp::socket& ClientStream::socket() {
  return tls_ ? tls_->next_layer() : *plain_;
}

const tcp::socket& ClientStream::socket() const {
  return tls_ ? tls_->next_layer() : *plain_;
}

awaitable<boost::system::error_code> ClientStream::handshake() {
  boost::system::error_code ec;
  if (tls_) co_await tls_->async_handshake(asio::ssl::stream_base::server, nothrow(ec));
  co_return ec;
}

awaitable<boost::system::error_code> ClientStream::read(asio::mutable_buffer buffer) {
  boost::system::error_code ec;
  if (tls_) {
    co_await asio::async_read(*tls_, buffer, nothrow(ec));
  } else {
    co_await asio::async_read(*plain_, buffer, nothrow(ec));
  }
  co_return ec;
}

awaitable<boost::system::error_code> ClientStream::write(asio::const_buffer buffer) {
  boost::system::error_code ec;
  if (tls_) {
    co_await asio::async_write(*tls_, buffer, nothrow(ec));
  } else {
    co_await asio::async_write(*plain_, buffer, nothrow(ec));
  }
  co_return ec;
}

void ClientStream::shutdown_receive() {
  // Under TLS too: the record layer then reads end of stream.
  boost::system::error_code ignored;
  socket().shutdown(tcp::socket::shutdown_receive, ignored);
}

void ClientStream::close() {
  // No TLS close_notify: the peer is gone or being dropped; what it was
  // owed has been written already.
  boost::system::error_code ignored;
  socket().shutdown(tcp::socket::shutdown_both, ignored);
  socket().close(ignored);
}

asio::any_io_executor ClientStream::get_executor() {
  return socket().get_executor();
}

std::string ClientStream::peer() const {
  boost::system::error_code ec;
  const auto ep = socket().remote_endpoint(ec);
  return ec ? "?" : ep.address().to_string() + ":" + std::to_string(ep.port());
}

}  // namespace ks::server
