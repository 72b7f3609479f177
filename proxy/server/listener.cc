#include "proxy/server/listener.h"

#include "common/log.h"
#include "proxy/listen.h"

namespace ks::server {

Listener::Listener(asio::any_io_executor executor, const Dispatcher& dispatcher,
                   ConnectionLimits limits, size_t max_connections, ListenerAuth* auth,
                   asio::ssl::context* tls)
    : acceptor_(executor),
      dispatcher_(dispatcher),
      limits_(limits),
      max_connections_(max_connections),
      auth_(auth),
      tls_(tls) {}

std::error_code Listener::open(const tcp::endpoint& endpoint) {
  return listen_on(acceptor_, endpoint);
}

void Listener::start() {
  asio::co_spawn(acceptor_.get_executor(), accept_loop(), asio::detached);
}

void Listener::stop() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  for (auto& weak : connections_) {
    if (auto connection = weak.lock()) connection->stop();
  }
}

size_t Listener::open_connections() {
  std::erase_if(connections_, [](const auto& weak) { return weak.expired(); });
  return connections_.size();
}

uint16_t Listener::port() const {
  boost::system::error_code ec;
  return acceptor_.local_endpoint(ec).port();
}

awaitable<void> Listener::accept_loop() {
  while (acceptor_.is_open()) {
    boost::system::error_code ec;
    tcp::socket socket = co_await acceptor_.async_accept(nothrow(ec));
    if (ec) {
      if (ec == asio::error::operation_aborted) co_return;
      co_await pause_after_accept_failure(acceptor_, "listener.accept_failed", ec);
      continue;
    }
    if (open_connections() >= max_connections_) {
      // Logged at most every 10 s: a client retrying in a loop would flood the log.
      ++refused_;
      const auto now = std::chrono::steady_clock::now();
      if (now - refused_logged_at_ >= std::chrono::seconds(10)) {
        log::warn("listener.connections_refused", "count={} max_connections={}", refused_,
                  max_connections_);
        refused_ = 0;
        refused_logged_at_ = now;
      }
      socket.close(ec);
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    ClientStream stream =
        tls_ ? ClientStream(std::move(socket), *tls_) : ClientStream(std::move(socket));
    auto connection = std::make_shared<Connection>(std::move(stream), dispatcher_, limits_, auth_);
    connection->start();
    connections_.push_back(connection);
  }
}

}  // namespace ks::server
