#pragma once
// Where a cluster's consumer groups live: each group's coordinator broker,
// found with FindCoordinator and cached until it proves wrong.
#include <map>
#include <string>

#include "proxy/upstream/client.h"

namespace ks::upstream {

class GroupCoordinators {
 public:
  explicit GroupCoordinators(Client& client) : client_(client) {}

  // Sends `request` on `lane` to the coordinator of `group`, finding it
  // first if needed. Callers pass through the broker's answer and call forget() when
  // it says NOT_COORDINATOR or COORDINATOR_NOT_AVAILABLE.
  template <typename Request>
  awaitable<Result<Response<response_for_t<Request>>>> send(const std::string& group,
                                                            Request request,
                                                            Lane lane = kSharedLane);
  void forget(const std::string& group) { cache_.erase(group); }

  Client& client() { return client_; }

 private:
  awaitable<Result<int32_t>> find(const std::string& group);

  Client& client_;
  std::map<std::string, int32_t> cache_;  // group -> broker id
};

template <typename Request>
awaitable<Result<Response<response_for_t<Request>>>> GroupCoordinators::send(
    const std::string& group, Request request, Lane lane) {
  auto coordinator = co_await find(group);
  if (!coordinator) co_return coordinator.error();
  auto response = co_await client_.send_to(*coordinator, std::move(request), lane);
  if (!response) forget(group);  // the broker may be gone: look again next time
  co_return response;
}

}  // namespace ks::upstream
