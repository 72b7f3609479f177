#include "app/offsets_group_admin.h"

#include <fmt/format.h>

#include <chrono>
#include <system_error>

#include "proxy/protocol/messages.h"

namespace ks::app {
namespace {

using protocol::ErrorCode;

constexpr int kCoordinatorAttempts = 5;
constexpr auto kCoordinatorPause = std::chrono::milliseconds(500);

Error failure(std::string message) {
  return Error{std::make_error_code(std::errc::io_error), std::move(message)};
}

std::string_view name_of(int16_t error) {
  return protocol::name(static_cast<ErrorCode>(error));
}

bool coordinator_unsettled(ErrorCode error) {
  return error == ErrorCode::not_coordinator || error == ErrorCode::coordinator_not_available ||
         error == ErrorCode::coordinator_load_in_progress;
}

// The answers with which a coordinator refuses an admin commit because the
// group has members (Kafka checks the group before any partition).
bool refused_for_members(ErrorCode error) {
  return error == ErrorCode::unknown_member_id || error == ErrorCode::illegal_generation ||
         error == ErrorCode::rebalance_in_progress;
}

}  // namespace

template <typename Request, typename ErrorOf>
awaitable<Result<upstream::Response<upstream::response_for_t<Request>>>> GroupAdmin::to_coordinator(
    const std::string& group, Request request, ErrorOf error_of) {
  for (int attempt = 1;; ++attempt) {
    Request copy = request;
    auto response = co_await coordinators_.send(group, std::move(copy));
    if (!response || attempt == kCoordinatorAttempts ||
        !coordinator_unsettled(error_of(response->body))) {
      co_return response;
    }
    coordinators_.forget(group);
    asio::steady_timer pause(co_await asio::this_coro::executor, kCoordinatorPause);
    boost::system::error_code ignored;
    co_await pause.async_wait(nothrow(ignored));
  }
}

awaitable<Result<void>> GroupAdmin::load_topics() {
  // Every topic, not the one asked about: naming a topic in Metadata below
  // v4 (the librdkafka 2.0.2 mock, old brokers) may create it, and an admin
  // command must not create topics.
  std::vector<std::string> all_topics;
  auto loaded = co_await client_.refresh_metadata(std::move(all_topics));
  if (!loaded) co_return failure("cannot reach the cluster: " + loaded.error().message);
  co_return Result<void>{};
}

Result<std::vector<int32_t>> GroupAdmin::partitions_of(const std::string& topic) const {
  const upstream::TopicInfo* info = client_.topology().topic(topic);
  if (!info || info->error != ErrorCode::none || info->partitions.empty()) {
    return failure(fmt::format("the cluster has no topic '{}'", topic));
  }
  std::vector<int32_t> out;
  for (const auto& [partition, ignored] : info->partitions)
    out.push_back(partition);
  return out;
}

std::vector<TopicPartition> GroupAdmin::all_partitions() const {
  std::vector<TopicPartition> out;
  for (const auto& [topic, info] : client_.topology().topics()) {
    for (const auto& [partition, ignored] : info.partitions)
      out.push_back({topic, partition});
  }
  return out;
}

awaitable<Result<OffsetMap>> GroupAdmin::list_offsets(std::vector<TopicPartition> partitions,
                                                      int64_t timestamp) {
  // One request per leader.
  std::map<int32_t, protocol::ListOffsetsRequest> by_leader;
  for (const auto& tp : partitions) {
    const auto leader = client_.leader_for(tp.topic, tp.partition);
    if (!leader) {
      co_return failure(
          fmt::format("{} partition {} has no leader right now", tp.topic, tp.partition));
    }
    auto& request = by_leader[leader->broker_id];
    if (request.topics.empty() || request.topics.back().name != tp.topic) {
      request.topics.emplace_back().name = tp.topic;
    }
    auto& partition = request.topics.back().partitions.emplace_back();
    partition.partition_index = tp.partition;
    partition.timestamp = timestamp;
  }
  OffsetMap out;
  for (auto& [broker, request] : by_leader) {
    auto response = co_await client_.send_to(broker, std::move(request));
    if (!response) co_return failure("ListOffsets: " + response.error().message);
    for (const auto& topic : response->body.topics) {
      for (const auto& p : topic.partitions) {
        if (p.error_code != 0) {
          co_return failure(fmt::format("ListOffsets for {} partition {}: {}", topic.name,
                                        p.partition_index, name_of(p.error_code)));
        }
        out[{topic.name, p.partition_index}] = p.offset;
      }
    }
  }
  for (const auto& tp : partitions) {
    if (!out.contains(tp)) {
      co_return failure(
          fmt::format("ListOffsets: no answer for {} partition {}", tp.topic, tp.partition));
    }
  }
  co_return out;
}

awaitable<Result<OffsetMap>> GroupAdmin::committed(
    std::string group, std::optional<std::vector<TopicPartition>> partitions) {
  protocol::OffsetFetchRequest request;
  request.group_id = group;
  if (partitions) {  // else null: every partition the group committed (v2+)
    request.topics.emplace();
    for (const auto& tp : *partitions) {
      if (request.topics->empty() || request.topics->back().name != tp.topic) {
        request.topics->emplace_back().name = tp.topic;
      }
      request.topics->back().partition_indexes.push_back(tp.partition);
    }
  }
  auto response = co_await to_coordinator(group, std::move(request), [](const auto& body) {
    return static_cast<ErrorCode>(body.error_code);
  });
  if (!response) co_return failure("OffsetFetch: " + response.error().message);
  if (response->body.error_code != 0) {
    co_return failure(
        fmt::format("OffsetFetch for group {}: {}", group, name_of(response->body.error_code)));
  }
  OffsetMap out;
  for (const auto& topic : response->body.topics) {
    for (const auto& p : topic.partitions) {
      if (p.error_code != 0) {
        co_return failure(fmt::format("OffsetFetch for group {}, {} partition {}: {}", group,
                                      topic.name, p.partition_index, name_of(p.error_code)));
      }
      if (p.committed_offset >= 0) out[{topic.name, p.partition_index}] = p.committed_offset;
    }
  }
  co_return out;
}

awaitable<Result<GroupState>> GroupAdmin::describe(std::string group) {
  protocol::DescribeGroupsRequest request;
  request.groups.push_back(group);
  auto response = co_await to_coordinator(group, std::move(request), [](const auto& body) {
    return body.groups.empty() ? ErrorCode::none
                               : static_cast<ErrorCode>(body.groups[0].error_code);
  });
  if (!response) co_return response.error();  // keeps errc::unsupported_version visible
  if (response->body.groups.size() != 1)
    co_return failure("DescribeGroups: no answer for " + group);
  const auto& described = response->body.groups[0];
  if (described.error_code != 0) {
    co_return failure(
        fmt::format("DescribeGroups for group {}: {}", group, name_of(described.error_code)));
  }
  co_return GroupState{described.group_state, described.members.size()};
}

awaitable<Result<void>> GroupAdmin::commit(std::string group, OffsetMap offsets) {
  protocol::OffsetCommitRequest request;
  request.group_id = group;
  request.generation_id_or_member_epoch = -1;
  request.member_id = "";
  for (const auto& [tp, offset] : offsets) {
    if (request.topics.empty() || request.topics.back().name != tp.topic) {
      request.topics.emplace_back().name = tp.topic;
    }
    auto& partition = request.topics.back().partitions.emplace_back();
    partition.partition_index = tp.partition;
    partition.committed_offset = offset;
    partition.committed_metadata = "";
  }
  const auto first_error = [](const protocol::OffsetCommitResponse& body) {
    for (const auto& topic : body.topics) {
      for (const auto& p : topic.partitions) {
        if (p.error_code != 0) return static_cast<ErrorCode>(p.error_code);
      }
    }
    return ErrorCode::none;
  };
  auto response = co_await to_coordinator(group, std::move(request), first_error);
  if (!response) co_return failure("OffsetCommit: " + response.error().message);
  const ErrorCode error = first_error(response->body);
  if (refused_for_members(error)) {
    co_return Error{std::make_error_code(std::errc::operation_not_permitted),
                    fmt::format("group {} has active members; stop them first (the "
                                "coordinator refused the commit: {})",
                                group, protocol::name(error))};
  }
  for (const auto& topic : response->body.topics) {
    for (const auto& p : topic.partitions) {
      if (p.error_code != 0) {
        co_return failure(fmt::format("OffsetCommit for {} partition {}: {}", topic.name,
                                      p.partition_index, name_of(p.error_code)));
      }
    }
  }
  co_return Result<void>{};
}

}  // namespace ks::app
