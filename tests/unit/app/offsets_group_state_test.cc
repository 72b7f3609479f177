#include "app/offsets_group_state.h"

#include <gtest/gtest.h>

namespace ks::app {
namespace {

TEST(OffsetsGroupState, EmptyAndDeadGroupsMayBeReset) {
  EXPECT_TRUE(may_reset(GroupState{"Empty", 0}));
  EXPECT_TRUE(may_reset(GroupState{"Dead", 0}));
}

TEST(OffsetsGroupState, GroupsWithMembersMayNot) {
  EXPECT_FALSE(may_reset(GroupState{"Stable", 2}));
  EXPECT_FALSE(may_reset(GroupState{"PreparingRebalance", 1}));
  EXPECT_FALSE(may_reset(GroupState{"CompletingRebalance", 1}));
}

}  // namespace
}  // namespace ks::app
