#pragma once
// One client connection: a reader coroutine that decodes requests and runs
// their ordered part, and a writer coroutine that sends responses in request
// order (Kafka's rule) as their deferred parts complete.
#include <chrono>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <string>

#include "proxy/asio.h"
#include "proxy/server/dispatcher.h"

namespace ks::server {

struct ConnectionLimits {
  size_t max_frame_bytes = 100 * 1024 * 1024;  // Kafka's socket.request.max.bytes
  size_t max_in_flight = 64;                   // requests read but not yet answered
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, const Dispatcher& dispatcher, ConnectionLimits limits);

  void start();
  // Stops reading new requests; answers those already read, then closes.
  void stop();

 private:
  struct Slot {
    protocol::ApiKey api;
    std::chrono::steady_clock::time_point read_at;
    Response response;
    bool done = false;
  };

  std::function<void(std::exception_ptr)> keep_alive();
  awaitable<void> reader();
  awaitable<void> writer();
  awaitable<void> complete(std::shared_ptr<Slot> slot, Deferred deferred);
  void close(std::string_view reason);

  tcp::socket socket_;
  const Dispatcher& dispatcher_;
  const uint64_t session_;
  ConnectionLimits limits_;
  std::string peer_;
  std::deque<std::shared_ptr<Slot>> slots_;
  asio::steady_timer slot_done_;   // wakes the writer
  asio::steady_timer slot_freed_;  // wakes the reader when in-flight drops
  bool reading_ = true;
  bool closed_ = false;
};

}  // namespace ks::server
