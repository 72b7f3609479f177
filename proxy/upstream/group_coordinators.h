#pragma once
// Where a cluster's consumer groups live: each group's coordinator broker,
// found with FindCoordinator and cached until it proves wrong.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "proxy/upstream/client.h"
#include "proxy/when_all.h"

namespace ks::upstream {

// One coordinator's part of a request that names several groups, and its
// answer (or why there is none: also a coordinator that cannot be found).
template <typename Request>
struct CoordinatorShare {
  std::vector<std::string> groups;
  Result<Response<response_for_t<Request>>> response;
};

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

  // For requests naming several groups (DescribeGroups, DeleteGroups):
  // splits `groups` by coordinator and sends each coordinator, all at
  // once, the request `make(its groups)` builds, on `lane`. Each group is
  // in one share; a group named twice is sent once.
  template <typename Request, typename Make>
  awaitable<std::vector<CoordinatorShare<Request>>> send_split(
      const std::vector<std::string>& groups, Make make, Lane lane);

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

template <typename Request, typename Make>
awaitable<std::vector<CoordinatorShare<Request>>> GroupCoordinators::send_split(
    const std::vector<std::string>& groups, Make make, Lane lane) {
  const std::set<std::string> distinct(groups.begin(), groups.end());
  std::vector<awaitable<Result<int32_t>>> finds;
  for (const auto& group : distinct)
    finds.push_back(find(group));
  auto found = co_await when_all(std::move(finds));

  std::vector<CoordinatorShare<Request>> shares;
  std::map<int32_t, std::vector<std::string>> by_coordinator;
  size_t i = 0;
  for (const auto& group : distinct) {
    auto& coordinator = found[i++];
    if (coordinator) {
      by_coordinator[*coordinator].push_back(group);
    } else {
      std::vector<std::string> alone{group};
      shares.push_back({std::move(alone), coordinator.error()});
    }
  }
  std::vector<awaitable<Result<Response<response_for_t<Request>>>>> sends;
  for (const auto& [coordinator, members] : by_coordinator)
    sends.push_back(client_.send_to(coordinator, make(members), lane));
  auto responses = co_await when_all(std::move(sends));
  size_t n = 0;
  for (auto& [coordinator, members] : by_coordinator) {
    auto& response = responses[n++];
    if (!response) {  // the broker may be gone: look again next time
      for (const auto& group : members)
        forget(group);
    }
    shares.push_back({std::move(members), std::move(response)});
  }
  co_return shares;
}

}  // namespace ks::upstream
