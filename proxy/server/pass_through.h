#pragma once
// The shape shared by requests passed through partition by partition
// (Fetch, ListOffsets, OffsetForLeaderEpoch): each located partition goes to its upstream leader,
// one request per leader, all at once; each partition's answer is picked
// out of its leader's response; topics whose leaders proved wrong get their
// metadata refreshed before the client is answered.
#include <algorithm>
#include <vector>

#include "proxy/server/upstream_failure.h"
#include "proxy/server/upstream_locator.h"
#include "proxy/when_all.h"

namespace ks::server {

template <typename Request>
using UpstreamResult = Result<upstream::Response<upstream::response_for_t<Request>>>;

template <typename Request, typename Answer>
struct Gathered {
  std::vector<Answer> answers;  // one per located partition, in order
  int32_t throttle_time_ms = 0;
  // The upstream responses, which answers may point into (record batches).
  std::vector<UpstreamResult<Request>> responses;
};

// Answers name their partition `partition_index`; OffsetForLeaderEpoch's
// name it `partition`.
template <typename Answer>
int32_t& partition_of(Answer& answer) {
  if constexpr (requires { answer.partition_index; }) {
    return answer.partition_index;
  } else {
    return answer.partition;
  }
}

// Requests go on `lane` (the client connection's, see upstream/client.h).
// `prototype` holds the fields every leader's request shares; `add(request,
// i)` adds located partition i to its leader's request; `pick(response, i)`
// finds partition i's answer in its leader's response (an optional
// Answer). A partition without a usable answer gets NOT_LEADER_OR_FOLLOWER,
// for the client to retry, or UNSUPPORTED_VERSION when its leader lacks the
// API (see upstream_failure).
template <typename Answer, typename Request, typename Add, typename Pick>
awaitable<Gathered<Request, Answer>> pass_through(upstream::Lane lane,
                                                  const std::vector<UpstreamPartition>& located,
                                                  Request prototype, Add add, Pick pick) {
  using protocol::ErrorCode;
  Gathered<Request, Answer> out;
  out.answers.resize(located.size());
  for (size_t i = 0; i < located.size(); ++i) {
    partition_of(out.answers[i]) = located[i].partition;
    out.answers[i].error_code = protocol::to_int(located[i].error);
  }
  const LeaderGroups groups = group_by_leader(located);
  std::vector<awaitable<UpstreamResult<Request>>> sends;
  for (const auto& [leader, members] : groups) {
    Request request = prototype;
    for (const size_t i : members)
      add(request, i);
    sends.push_back(leader.first->send_to(leader.second, std::move(request), lane));
  }
  out.responses = co_await when_all(std::move(sends));

  StaleTopics stale;
  size_t g = 0;
  for (const auto& [leader, members] : groups) {
    const auto& result = out.responses[g++];
    if (result)
      out.throttle_time_ms = std::max(out.throttle_time_ms, result->body.throttle_time_ms);
    const ErrorCode unanswered = result ? ErrorCode::not_leader_or_follower
                                        : upstream_failure(Request::kApiKey, result.error(),
                                                           ErrorCode::not_leader_or_follower);
    for (const size_t i : members) {
      Answer& answer = out.answers[i];
      answer.error_code = protocol::to_int(unanswered);
      if (result) {
        if (auto found = pick(result->body, i)) answer = std::move(*found);
      }
      if (leader_changed(static_cast<ErrorCode>(answer.error_code)))
        stale[leader.first].insert(located[i].topic);
    }
  }
  co_await UpstreamLocator::refresh(std::move(stale));
  co_return out;
}

}  // namespace ks::server
