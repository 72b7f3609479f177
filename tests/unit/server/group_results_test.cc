#include "proxy/server/group_results.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "proxy/protocol/messages.h"

namespace ks::server {
namespace {

using protocol::ErrorCode;
using Described = protocol::DescribeGroupsResponse::DescribedGroup;
using Deleted = protocol::DeleteGroupsResponse::DeletableGroupResult;

Described described(const std::string& group, const std::string& state) {
  Described d;
  d.group_id = group;
  d.group_state = state;
  return d;
}

std::vector<std::string> ids(const std::vector<Described>& items) {
  std::vector<std::string> out;
  for (const auto& item : items)
    out.push_back(item.group_id);
  return out;
}

TEST(GroupResultsTest, AnswersInTheClientsOrderWhateverTheCoordinatorsOrder) {
  GroupResults<Described> results;
  results.add(described("c", "Empty"));   // coordinator 2's answer came first
  results.add(described("a", "Stable"));  // then coordinator 1's
  results.add(described("b", "Dead"));
  const auto merged = results.in_order({"a", "b", "c"}, ErrorCode::coordinator_not_available);
  EXPECT_EQ(ids(merged), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(merged[0].group_state, "Stable");
  EXPECT_EQ(merged[2].group_state, "Empty");
}

TEST(GroupResultsTest, KeepsTheCoordinatorsDescriptionWhole) {
  Described d = described("a", "Stable");
  d.protocol_type = "consumer";
  d.protocol_data = "range";
  const std::vector<std::byte> assignment{std::byte{0}, std::byte{7}};
  auto& member = d.members.emplace_back();
  member.member_id = "m-1";
  member.member_assignment = assignment;
  GroupResults<Described> results;
  results.add(d);
  const auto merged = results.in_order({"a"}, ErrorCode::coordinator_not_available);
  ASSERT_EQ(merged.size(), 1u);
  EXPECT_EQ(merged[0].protocol_data, "range");
  ASSERT_EQ(merged[0].members.size(), 1u);
  EXPECT_TRUE(std::ranges::equal(merged[0].members[0].member_assignment, assignment));
}

TEST(GroupResultsTest, FailedGroupsCarryTheirErrorAndNothingElse) {
  GroupResults<Described> results;
  results.add(described("a", "Stable"));
  results.fail("b", ErrorCode::coordinator_not_available);
  const auto merged = results.in_order({"a", "b"}, ErrorCode::none);
  EXPECT_EQ(merged[0].error_code, 0);
  EXPECT_EQ(merged[1].error_code, protocol::to_int(ErrorCode::coordinator_not_available));
  EXPECT_EQ(merged[1].group_state, "");
  EXPECT_TRUE(merged[1].members.empty());
}

TEST(GroupResultsTest, AGroupNoCoordinatorAnsweredForGetsTheMissingError) {
  GroupResults<Deleted> results;
  Deleted a;
  a.group_id = "a";
  results.add(a);
  const auto merged = results.in_order({"a", "gone"}, ErrorCode::coordinator_not_available);
  ASSERT_EQ(merged.size(), 2u);
  EXPECT_EQ(merged[1].group_id, "gone");
  EXPECT_EQ(merged[1].error_code, protocol::to_int(ErrorCode::coordinator_not_available));
}

TEST(GroupResultsTest, AGroupNamedTwiceIsAnsweredTwice) {
  GroupResults<Deleted> results;
  Deleted a;
  a.group_id = "a";
  a.error_code = protocol::to_int(ErrorCode::non_empty_group);
  results.add(a);
  const auto merged = results.in_order({"a", "a"}, ErrorCode::none);
  ASSERT_EQ(merged.size(), 2u);
  EXPECT_EQ(merged[1].error_code, protocol::to_int(ErrorCode::non_empty_group));
}

}  // namespace
}  // namespace ks::server
