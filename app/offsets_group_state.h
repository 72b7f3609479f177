#pragma once
// A consumer group's state as DescribeGroups reports it, and whether its
// offsets may be reset: as Kafka's tool, only while nobody consumes (the
// members would overwrite the reset with their next commit).
#include <cstddef>
#include <string>

namespace ks::app {

struct GroupState {
  std::string state;  // Empty, Stable, PreparingRebalance, CompletingRebalance, Dead
  size_t members = 0;
};

// Empty (no members) or Dead (no group): nobody will commit over a reset.
bool may_reset(const GroupState& group);

}  // namespace ks::app
