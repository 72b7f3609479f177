#pragma once
// Routes each request to the handler registered for its API key and answers
// ApiVersions from the same registry, so the versions we advertise are
// exactly the ones we handle.
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "proxy/server/request.h"

namespace ks::server {

using Handler = std::function<awaitable<Deferred>(std::shared_ptr<const Request>)>;

class Dispatcher {
 public:
  Dispatcher();
  // The ApiVersions handler refers to this registry.
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Registers `handler` for `key` at versions [min, max] (clipped to what
  // the codec supports).
  void add(protocol::ApiKey key, int16_t min_version, int16_t max_version, Handler handler);

  // nullopt when the request is for an API or version we do not serve; the
  // caller closes the connection (what Kafka brokers do: there is no
  // response format to answer in for an API we do not know).
  std::optional<awaitable<Deferred>> dispatch(std::shared_ptr<const Request> request) const;

  // `observer` is called with the session of each client connection that
  // closes (to release what was held for it, such as its upstream lanes).
  void on_session_end(std::function<void(uint64_t session)> observer);
  void session_ended(uint64_t session) const;

  // `observer` is told of each request a connection read: how long it took
  // from read to answer ready, or nullopt for one refused as unsupported.
  using RequestObserver =
      std::function<void(protocol::ApiKey, std::optional<std::chrono::steady_clock::duration>)>;
  void on_request_done(RequestObserver observer);
  void request_done(protocol::ApiKey api,
                    std::optional<std::chrono::steady_clock::duration> took) const;

 private:
  struct Entry {
    int16_t min_version;
    int16_t max_version;
    Handler handler;
  };
  awaitable<Deferred> api_versions(std::shared_ptr<const Request> request) const;

  std::map<protocol::ApiKey, Entry> handlers_;
  std::vector<std::function<void(uint64_t)>> session_observers_;
  std::vector<RequestObserver> request_observers_;
};

}  // namespace ks::server
