#pragma once
// The shape shared by requests passed through partition by partition
// (Fetch, ListOffsets, OffsetForLeaderEpoch): each located partition goes to its upstream leader,
// one request per leader, all at once; each partition's answer is picked
// out of its leader's response; topics whose leaders proved wrong get their
// metadata refreshed before the client is answered.
#include <algorithm>
#include <string>
#include <type_traits>
#include <utility>
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

// The messages name their fields differently: partitions are
// `partition_index` or `partition`, topics `name` or `topic`.
template <typename Partition>
auto& partition_of(Partition& partition) {
  if constexpr (requires { partition.partition_index; }) {
    return partition.partition_index;
  } else {
    return partition.partition;
  }
}
template <typename Topic>
auto& name_of(Topic& topic) {
  if constexpr (requires { topic.name; }) {
    return topic.name;
  } else {
    return topic.topic;
  }
}

// Every partition a request asks for, in request order, with its fields.
template <typename Partition>
struct Asked {
  std::vector<std::pair<std::string, int32_t>> partitions;  // (client topic, partition)
  std::vector<const Partition*> fields;
};
template <typename Topics>
auto asked_partitions(const Topics& topics) {
  using Partition = typename std::decay_t<decltype(topics[0].partitions)>::value_type;
  Asked<Partition> out;
  for (const auto& topic : topics) {
    for (const auto& partition : topic.partitions) {
      out.partitions.emplace_back(name_of(topic), partition_of(partition));
      out.fields.push_back(&partition);
    }
  }
  return out;
}

// Appends `partition` to `request`'s topics, under the located upstream name.
template <typename Request, typename Partition>
void add_to(Request& request, const UpstreamPartition& located, Partition partition) {
  if (request.topics.empty() || name_of(request.topics.back()) != located.topic)
    name_of(request.topics.emplace_back()) = located.topic;
  partition_of(partition) = located.partition;
  request.topics.back().partitions.push_back(std::move(partition));
}

// The answers (one per asked partition, in request order) in the shape of
// the client's request: its topics, under its names.
template <typename ResponseTopic, typename Topics, typename Answer>
std::vector<ResponseTopic> in_request_shape(const Topics& asked, std::vector<Answer>& answers) {
  std::vector<ResponseTopic> out;
  size_t i = 0;
  for (const auto& topic : asked) {
    auto& t = out.emplace_back();
    name_of(t) = name_of(topic);
    for (size_t n = 0; n < topic.partitions.size(); ++n)
      t.partitions.push_back(std::move(answers[i++]));
  }
  return out;
}

// Partition `located`'s answer in its leader's response; null if absent.
template <typename Answer, typename Response>
const Answer* find_answer(const Response& response, const UpstreamPartition& located) {
  for (const auto& topic : response.topics) {
    if (name_of(topic) != located.topic) continue;
    for (const auto& answer : topic.partitions) {
      if (partition_of(answer) == located.partition) return &answer;
    }
  }
  return nullptr;
}

// One answer per located partition, in order, carrying the error locate()
// gave it (none for those to be sent).
template <typename Answer>
std::vector<Answer> located_answers(const std::vector<UpstreamPartition>& located) {
  std::vector<Answer> answers(located.size());
  for (size_t i = 0; i < located.size(); ++i) {
    partition_of(answers[i]) = located[i].partition;
    answers[i].error_code = protocol::to_int(located[i].error);
  }
  return answers;
}

// Picks the answer of each of `members` (indices into `located`, all led by
// `client`'s broker that gave `result`) out of that response, passing it to
// `adjust`. A partition without a usable answer gets NOT_LEADER_OR_FOLLOWER,
// for the client to retry, or UNSUPPORTED_VERSION when its leader lacks the
// API (see upstream_failure). Topics whose leader proved wrong go to `stale`.
template <typename Request, typename Answer, typename Adjust>
void take_answers(const UpstreamResult<Request>& result, upstream::Client* client,
                  const std::vector<size_t>& members, const std::vector<UpstreamPartition>& located,
                  std::vector<Answer>& answers, int32_t& throttle_time_ms, Adjust& adjust,
                  StaleTopics& stale) {
  using protocol::ErrorCode;
  if (result) throttle_time_ms = std::max(throttle_time_ms, result->body.throttle_time_ms);
  const ErrorCode unanswered = result ? ErrorCode::not_leader_or_follower
                                      : upstream_failure(Request::kApiKey, result.error(),
                                                         ErrorCode::not_leader_or_follower);
  for (const size_t i : members) {
    Answer& answer = answers[i];
    answer.error_code = protocol::to_int(unanswered);
    if (const Answer* found = result ? find_answer<Answer>(result->body, located[i]) : nullptr) {
      answer = *found;
      adjust(answer);
    }
    if (leader_changed(static_cast<ErrorCode>(answer.error_code)))
      stale[client].insert(located[i].topic);
  }
}

// Requests go on `lane` (the client connection's, see upstream/client.h).
// `prototype` holds the fields every leader's request shares; `add(request,
// i)` adds located partition i to its leader's request (see add_to). Each
// partition's answer is found in its leader's response and given to
// `adjust(answer)` for what the client must not see (see take_answers).
template <typename Answer, typename Request, typename Add, typename Adjust>
awaitable<Gathered<Request, Answer>> pass_through(upstream::Lane lane,
                                                  const std::vector<UpstreamPartition>& located,
                                                  Request prototype, Add add, Adjust adjust) {
  Gathered<Request, Answer> out;
  out.answers = located_answers<Answer>(located);
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
    take_answers<Request>(out.responses[g++], leader.first, members, located, out.answers,
                          out.throttle_time_ms, adjust, stale);
  }
  co_await UpstreamLocator::refresh(std::move(stale));
  co_return out;
}

}  // namespace ks::server
