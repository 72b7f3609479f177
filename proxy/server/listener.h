#pragma once
// Accepts client connections on the Kafka listener.
#include <chrono>
#include <cstdint>
#include <list>
#include <memory>

#include "proxy/asio.h"
#include "proxy/server/connection.h"

namespace ks::server {

class Listener {
 public:
  // Beyond `max_connections` open ones, a new connection is accepted and
  // closed at once (its client retries; idle ones time out meanwhile).
  // With `auth` (which must outlive the listener), every connection must log
  // in before it is served (see sasl_session.h). With `tls`, connections
  // speak TLS with its certificate (and, if it verifies peers, only to
  // clients with a certificate it trusts).
  Listener(asio::any_io_executor executor, const Dispatcher& dispatcher, ConnectionLimits limits,
           size_t max_connections = 1000, ListenerAuth* auth = nullptr,
           asio::ssl::context* tls = nullptr);

  // Binds and listens; errors (address in use, bad address) come back here so
  // the process can refuse to start with a clear message.
  std::error_code open(const tcp::endpoint& endpoint);
  void start();
  // Stops accepting and asks every connection to finish what it has read.
  void stop();
  // Connections not yet closed (after stop(): still answering).
  size_t open_connections();
  uint16_t port() const;
  bool accepting() const { return acceptor_.is_open(); }
  // nullptr when clients need not log in.
  const ListenerAuth* auth() const { return auth_; }

 private:
  awaitable<void> accept_loop();

  tcp::acceptor acceptor_;
  const Dispatcher& dispatcher_;
  ConnectionLimits limits_;
  size_t max_connections_;
  ListenerAuth* auth_;
  asio::ssl::context* tls_;
  uint64_t refused_ = 0;  // since the last log line about it
  std::chrono::steady_clock::time_point refused_logged_at_{};
  std::list<std::weak_ptr<Connection>> connections_;
};

}  // namespace ks::server
