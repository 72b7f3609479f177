#include "proxy/upstream/group_coordinators.h"

#include <fmt/format.h>

#include "proxy/protocol/messages.h"

namespace ks::upstream {

using protocol::ErrorCode;

awaitable<Result<int32_t>> GroupCoordinators::find(const std::string& group) {
  if (const auto it = cache_.find(group); it != cache_.end()) co_return it->second;
  protocol::FindCoordinatorRequest request;
  request.key = group;                        // up to v3
  request.coordinator_keys.push_back(group);  // v4 on
  auto response = co_await client_.send_any(std::move(request));
  if (!response) co_return response.error();
  const auto& body = response->body;
  const bool batched = !body.coordinators.empty();
  const auto error =
      static_cast<ErrorCode>(batched ? body.coordinators[0].error_code : body.error_code);
  const int32_t node_id = batched ? body.coordinators[0].node_id : body.node_id;
  if (error != ErrorCode::none) {
    co_return Error{make_error_code(errc::no_broker_available),
                    fmt::format("group {}: FindCoordinator: {}", group, protocol::name(error))};
  }
  if (!client_.topology().broker(node_id)) {
    // A broker our metadata does not list yet.
    std::vector<std::string> no_topics;
    (void)co_await client_.refresh_metadata(std::move(no_topics));
  }
  cache_[group] = node_id;
  co_return node_id;
}

}  // namespace ks::upstream
