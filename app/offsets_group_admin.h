#pragma once
// What the offsets commands ask of the cluster holding the consumer groups:
// topics and partitions (Metadata), log offsets (ListOffsets), a group's
// committed offsets (OffsetFetch), its state (DescribeGroups) and an admin
// commit (OffsetCommit). Topic names here are the upstream ones. Errors
// come back as values whose message is ready for the user.
#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "app/offsets_group_state.h"
#include "common/result.h"
#include "proxy/asio.h"
#include "proxy/upstream/client.h"
#include "proxy/upstream/group_coordinators.h"

namespace ks::app {

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;
  auto operator<=>(const TopicPartition&) const = default;
};

using OffsetMap = std::map<TopicPartition, int64_t>;

// ListOffsets' special timestamps.
inline constexpr int64_t kLatest = -1;
inline constexpr int64_t kEarliest = -2;

class GroupAdmin {
 public:
  explicit GroupAdmin(upstream::Client& client) : client_(client), coordinators_(client) {}

  // Learns every topic of the cluster; call before the others.
  awaitable<Result<void>> load_topics();
  // A topic's partition ids, ascending; an error if the cluster has no such topic.
  Result<std::vector<int32_t>> partitions_of(const std::string& topic) const;
  std::vector<TopicPartition> all_partitions() const;

  // Each partition's offset for `timestamp` (kEarliest, kLatest or ms);
  // -1 where no record is at or after the timestamp.
  awaitable<Result<OffsetMap>> list_offsets(std::vector<TopicPartition> partitions,
                                            int64_t timestamp);
  // The group's committed offsets for `partitions` (nullopt: wherever it
  // has committed); partitions without one are left out.
  awaitable<Result<OffsetMap>> committed(std::string group,
                                         std::optional<std::vector<TopicPartition>> partitions);
  // errc::unsupported_version when the coordinator has no DescribeGroups.
  awaitable<Result<GroupState>> describe(std::string group);
  // An admin commit (generation -1, no member id), which the coordinator
  // refuses while the group has members.
  awaitable<Result<void>> commit(std::string group, OffsetMap offsets);

 private:
  // Sends to the group's coordinator, finding it again (a few times, with
  // a pause) while the answer says it moved or is still loading.
  template <typename Request, typename ErrorOf>
  awaitable<Result<upstream::Response<upstream::response_for_t<Request>>>> to_coordinator(
      const std::string& group, Request request, ErrorOf error_of);

  upstream::Client& client_;
  upstream::GroupCoordinators coordinators_;
};

}  // namespace ks::app
