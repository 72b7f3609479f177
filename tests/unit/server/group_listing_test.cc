#include "proxy/server/group_listing.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace ks::server {
namespace {

using protocol::ErrorCode;
using protocol::ListGroupsResponse;

ListGroupsResponse listing(std::vector<std::pair<std::string, std::string>> groups) {
  ListGroupsResponse r;
  for (auto& [id, state] : groups) {
    auto& g = r.groups.emplace_back();
    g.group_id = id;
    g.protocol_type = "consumer";
    g.group_state = state;
  }
  return r;
}

std::vector<std::string> ids(const ListGroupsResponse& r) {
  std::vector<std::string> out;
  for (const auto& g : r.groups)
    out.push_back(g.group_id);
  return out;
}

TEST(GroupListingTest, ListsTheGroupsOfEveryBroker) {
  GroupListing all;
  all.add(listing({{"analytics", "Stable"}, {"billing", "Empty"}}));
  all.add(listing({{"fraud", "Stable"}}));
  EXPECT_EQ(ids(all.merged()), (std::vector<std::string>{"analytics", "billing", "fraud"}));
  EXPECT_EQ(all.merged().error_code, 0);
  EXPECT_EQ(all.merged().groups[1].group_state, "Empty");
}

TEST(GroupListingTest, AGroupTwoBrokersListIsListedOnce) {
  GroupListing all;
  all.add(listing({{"audit", "Empty"}}));  // its old coordinator still has it
  all.add(listing({{"audit", "Empty"}, {"fraud", "Stable"}}));
  EXPECT_EQ(ids(all.merged()), (std::vector<std::string>{"audit", "fraud"}));
}

TEST(GroupListingTest, ABrokerWithoutAnAnswerMakesTheListAnErrorWithWhatDidAnswer) {
  GroupListing all;
  all.add(listing({{"analytics", "Stable"}}));
  all.fail(ErrorCode::coordinator_not_available);
  EXPECT_EQ(all.merged().error_code, protocol::to_int(ErrorCode::coordinator_not_available));
  EXPECT_EQ(ids(all.merged()), (std::vector<std::string>{"analytics"}));
}

TEST(GroupListingTest, TheFirstErrorStands) {
  GroupListing all;
  ListGroupsResponse loading = listing({});
  loading.error_code = protocol::to_int(ErrorCode::coordinator_load_in_progress);
  all.add(loading);
  all.fail(ErrorCode::unsupported_version);
  all.add(listing({{"fraud", "Stable"}}));
  EXPECT_EQ(all.merged().error_code, protocol::to_int(ErrorCode::coordinator_load_in_progress));
  EXPECT_EQ(ids(all.merged()), (std::vector<std::string>{"fraud"}));
}

TEST(GroupListingTest, TheLongestThrottleStands) {
  GroupListing all;
  ListGroupsResponse slow = listing({});
  slow.throttle_time_ms = 250;
  all.add(listing({}));
  all.add(slow);
  EXPECT_EQ(all.merged().throttle_time_ms, 250);
}

}  // namespace
}  // namespace ks::server
