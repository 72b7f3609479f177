#pragma once
// One client connection: a reader coroutine that decodes requests and runs
// their ordered part, and a writer coroutine that sends responses in request
// order (Kafka's rule) as their deferred parts complete.
#include <chrono>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "proxy/asio.h"
#include "proxy/server/client_stream.h"
#include "proxy/server/dispatcher.h"
#include "proxy/server/sasl_session.h"

namespace ks::server {

struct ConnectionLimits {
  size_t max_frame_bytes = 100 * 1024 * 1024;  // Kafka's socket.request.max.bytes
  size_t max_in_flight = 64;                   // requests read but not yet answered
  // Closed when nothing is in flight and no request arrives for this long
  // (Kafka's connections.max.idle.ms), or when the peer leaves an answer
  // unread this long: a vanished peer (half-open) or one that never reads.
  std::chrono::milliseconds idle_timeout{600'000};
  // Once a request's size has arrived, the rest must arrive within this: a
  // slow-loris peer cannot hold a connection with a trickle of bytes.
  std::chrono::milliseconds request_timeout{30'000};
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  // With `auth`, the connection serves nothing but ApiVersions and SASL
  // until the client has logged in (see sasl_session.h).
  Connection(ClientStream stream, const Dispatcher& dispatcher, ConnectionLimits limits,
             ListenerAuth* auth = nullptr);

  void start();
  // Stops reading new requests; answers those already read, then closes.
  void stop();

 private:
  using Clock = std::chrono::steady_clock;
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
  // Queues an answer made at once (the SASL exchange), in request order.
  void answer_now(protocol::ApiKey api, Clock::time_point read_at, Response response);
  // Enforces idle_timeout and request_timeout, checking a few times per
  // timeout rather than re-arming a timer per request.
  awaitable<void> watchdog();
  void close(std::string_view reason);

  ClientStream stream_;
  const Dispatcher& dispatcher_;
  const uint64_t session_;
  ConnectionLimits limits_;
  std::string peer_;
  std::optional<SaslSession> sasl_;  // set when the listener requires logging in
  std::deque<std::shared_ptr<Slot>> slots_;
  asio::steady_timer slot_done_;   // wakes the writer
  asio::steady_timer slot_freed_;  // wakes the reader when in-flight drops
  bool reading_ = true;
  bool closed_ = false;
  // What the watchdog looks at.
  asio::steady_timer watchdog_timer_;
  Clock::time_point last_activity_;                   // a request read or an answer written
  std::optional<Clock::time_point> receiving_since_;  // a request's size read, not its body
  std::optional<Clock::time_point> writing_since_;    // an answer being written
};

}  // namespace ks::server
