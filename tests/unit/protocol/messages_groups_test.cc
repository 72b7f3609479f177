// Codecs of the consumer-group and offset APIs (FindCoordinator, JoinGroup,
// SyncGroup, Heartbeat, LeaveGroup, OffsetCommit, OffsetFetch,
// OffsetForLeaderEpoch, DescribeGroups, ListGroups, DeleteGroups).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/protocol/messages.h"
#include "tests/unit/protocol/codec_test_util.h"

namespace ks::protocol {
namespace {

using codec_test::decode_exactly;
using codec_test::encode;
using codec_test::expect_every_truncation_fails;
using Strings = std::vector<std::string>;

constexpr int32_t kNoAuthorizedOperations = std::numeric_limits<int32_t>::min();

Bytes bytes_of(std::string_view s) {
  return std::as_bytes(std::span(s));
}

std::string str(Bytes b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

std::optional<std::string> opt(bool present, std::string s) {
  return present ? std::optional(std::move(s)) : std::nullopt;
}

// Encodes `m` at every version of M and decodes it back: the decoder must
// use every byte, and re-encoding what it read must give the same bytes.
// `check` then compares the fields present at that version; it runs while
// the buffer the decoded byte views point into is alive.
template <typename M, typename Check>
void round_trip_every_version(const M& m, Check check) {
  for (int16_t v = M::kMinVersion; v <= M::kMaxVersion; ++v) {
    SCOPED_TRACE(testing::Message() << "version " << v);
    const auto bytes = encode(m, v);
    Reader r(bytes);
    M back;
    back.decode(r, v);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r.remaining(), 0u);
    EXPECT_EQ(encode(back, v), bytes);
    check(back, v);
  }
}

constexpr std::string_view kMetadata = "consumer-protocol-metadata";
constexpr std::string_view kAssignment = "consumer-assignment";

// ------------------------------------------------------- FindCoordinator (10)

TEST(GroupMessages, FindCoordinatorRequestRoundTrips) {
  FindCoordinatorRequest m;
  m.key = "grp";
  m.key_type = 1;
  m.coordinator_keys = {"grp", "txn"};
  round_trip_every_version(m, [](const FindCoordinatorRequest& b, int16_t v) {
    EXPECT_EQ(b.key, v <= 3 ? "grp" : "");
    EXPECT_EQ(b.key_type, v >= 1 ? 1 : 0);
    EXPECT_EQ(b.coordinator_keys, (v >= 4 ? Strings{"grp", "txn"} : Strings{}));
  });
}

TEST(GroupMessages, FindCoordinatorResponseRoundTrips) {
  FindCoordinatorResponse m;
  m.throttle_time_ms = 5;
  m.error_code = 14;
  m.error_message = "loading";
  m.node_id = 3;
  m.host = "broker-3";
  m.port = 9093;
  m.coordinators.push_back({.key = "grp",
                            .node_id = 3,
                            .host = "broker-3",
                            .port = 9093,
                            .error_code = 0,
                            .error_message = {}});
  m.coordinators.push_back({.key = "txn",
                            .node_id = -1,
                            .host = "",
                            .port = -1,
                            .error_code = 14,
                            .error_message = "loading"});
  round_trip_every_version(m, [](const FindCoordinatorResponse& b, int16_t v) {
    EXPECT_EQ(b.throttle_time_ms, v >= 1 ? 5 : 0);
    EXPECT_EQ(b.error_code, v <= 3 ? 14 : 0);
    EXPECT_EQ(b.error_message, opt(v >= 1 && v <= 3, "loading"));
    EXPECT_EQ(b.node_id, v <= 3 ? 3 : 0);
    EXPECT_EQ(b.host, v <= 3 ? "broker-3" : "");
    EXPECT_EQ(b.port, v <= 3 ? 9093 : 0);
    ASSERT_EQ(b.coordinators.size(), v >= 4 ? 2u : 0u);
    if (v < 4) return;
    EXPECT_EQ(b.coordinators[0].key, "grp");
    EXPECT_EQ(b.coordinators[0].node_id, 3);
    EXPECT_EQ(b.coordinators[0].host, "broker-3");
    EXPECT_EQ(b.coordinators[0].port, 9093);
    EXPECT_EQ(b.coordinators[0].error_code, 0);
    EXPECT_EQ(b.coordinators[0].error_message, std::nullopt);
    EXPECT_EQ(b.coordinators[1].key, "txn");
    EXPECT_EQ(b.coordinators[1].node_id, -1);
    EXPECT_EQ(b.coordinators[1].error_code, 14);
    EXPECT_EQ(b.coordinators[1].error_message, "loading");
  });
}

// ------------------------------------------------------------- JoinGroup (11)

JoinGroupRequest sample_join_request() {
  JoinGroupRequest m;
  m.group_id = "grp";
  m.session_timeout_ms = 45000;
  m.rebalance_timeout_ms = 300000;
  m.member_id = "m-1";
  m.group_instance_id = "instance-1";
  m.protocol_type = "consumer";
  m.protocols.push_back({.name = "range", .metadata = bytes_of(kMetadata)});
  m.protocols.push_back({.name = "cooperative-sticky", .metadata = Bytes{}});
  m.reason = "rebalance";
  return m;
}

TEST(GroupMessages, JoinGroupRequestRoundTrips) {
  round_trip_every_version(sample_join_request(), [](const JoinGroupRequest& b, int16_t v) {
    EXPECT_EQ(b.group_id, "grp");
    EXPECT_EQ(b.session_timeout_ms, 45000);
    EXPECT_EQ(b.rebalance_timeout_ms, v >= 1 ? 300000 : -1);
    EXPECT_EQ(b.member_id, "m-1");
    EXPECT_EQ(b.group_instance_id, opt(v >= 5, "instance-1"));
    EXPECT_EQ(b.protocol_type, "consumer");
    ASSERT_EQ(b.protocols.size(), 2u);
    EXPECT_EQ(b.protocols[0].name, "range");
    EXPECT_EQ(str(b.protocols[0].metadata), kMetadata);
    EXPECT_EQ(b.protocols[1].name, "cooperative-sticky");
    EXPECT_TRUE(b.protocols[1].metadata.empty());
    EXPECT_EQ(b.reason, opt(v >= 8, "rebalance"));
  });
}

TEST(GroupMessages, JoinGroupResponseRoundTrips) {
  JoinGroupResponse m;
  m.throttle_time_ms = 5;
  m.error_code = 0;
  m.generation_id = 7;
  m.protocol_type = "consumer";
  m.protocol_name = "range";
  m.leader = "m-1";
  m.skip_assignment = true;
  m.member_id = "m-2";
  m.members.push_back(
      {.member_id = "m-1", .group_instance_id = "instance-1", .metadata = bytes_of(kMetadata)});
  m.members.push_back({.member_id = "m-2", .group_instance_id = {}, .metadata = Bytes{}});
  round_trip_every_version(m, [](const JoinGroupResponse& b, int16_t v) {
    EXPECT_EQ(b.throttle_time_ms, v >= 2 ? 5 : 0);
    EXPECT_EQ(b.error_code, 0);
    EXPECT_EQ(b.generation_id, 7);
    EXPECT_EQ(b.protocol_type, opt(v >= 7, "consumer"));
    EXPECT_EQ(b.protocol_name, "range");
    EXPECT_EQ(b.leader, "m-1");
    EXPECT_EQ(b.skip_assignment, v >= 9);
    EXPECT_EQ(b.member_id, "m-2");
    ASSERT_EQ(b.members.size(), 2u);
    EXPECT_EQ(b.members[0].member_id, "m-1");
    EXPECT_EQ(b.members[0].group_instance_id, opt(v >= 5, "instance-1"));
    EXPECT_EQ(str(b.members[0].metadata), kMetadata);
    EXPECT_EQ(b.members[1].member_id, "m-2");
    EXPECT_EQ(b.members[1].group_instance_id, std::nullopt);
    EXPECT_TRUE(b.members[1].metadata.empty());
  });
}

// ProtocolName became nullable in v7 (an error response carries none).
TEST(GroupMessages, JoinGroupResponseNullProtocolNameIsEmptyBeforeV7) {
  JoinGroupResponse m;
  m.error_code = 25;
  const auto v6_bytes = encode(m, 6);
  Reader v6(v6_bytes);
  JoinGroupResponse b6;
  b6.decode(v6, 6);
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(b6.protocol_name, "");
  const auto v7_bytes = encode(m, 7);
  Reader v7(v7_bytes);
  JoinGroupResponse b7;
  b7.decode(v7, 7);
  ASSERT_TRUE(v7.ok());
  EXPECT_EQ(b7.protocol_name, std::nullopt);
  EXPECT_EQ(b7.generation_id, -1);
}

// ------------------------------------------------------------- Heartbeat (12)

TEST(GroupMessages, HeartbeatRequestRoundTrips) {
  HeartbeatRequest m;
  m.group_id = "grp";
  m.generation_id = 7;
  m.member_id = "m-1";
  m.group_instance_id = "instance-1";
  round_trip_every_version(m, [](const HeartbeatRequest& b, int16_t v) {
    EXPECT_EQ(b.group_id, "grp");
    EXPECT_EQ(b.generation_id, 7);
    EXPECT_EQ(b.member_id, "m-1");
    EXPECT_EQ(b.group_instance_id, opt(v >= 3, "instance-1"));
  });
}

TEST(GroupMessages, HeartbeatResponseRoundTrips) {
  HeartbeatResponse m;
  m.throttle_time_ms = 5;
  m.error_code = 27;  // REBALANCE_IN_PROGRESS
  round_trip_every_version(m, [](const HeartbeatResponse& b, int16_t v) {
    EXPECT_EQ(b.throttle_time_ms, v >= 1 ? 5 : 0);
    EXPECT_EQ(b.error_code, 27);
  });
}

// ------------------------------------------------------------ LeaveGroup (13)

TEST(GroupMessages, LeaveGroupRequestRoundTrips) {
  LeaveGroupRequest m;
  m.group_id = "grp";
  m.member_id = "m-1";
  m.members.push_back(
      {.member_id = "m-1", .group_instance_id = "instance-1", .reason = "shutting down"});
  m.members.push_back({.member_id = "m-2", .group_instance_id = {}, .reason = {}});
  round_trip_every_version(m, [](const LeaveGroupRequest& b, int16_t v) {
    EXPECT_EQ(b.group_id, "grp");
    EXPECT_EQ(b.member_id, v <= 2 ? "m-1" : "");
    ASSERT_EQ(b.members.size(), v >= 3 ? 2u : 0u);
    if (v < 3) return;
    EXPECT_EQ(b.members[0].member_id, "m-1");
    EXPECT_EQ(b.members[0].group_instance_id, "instance-1");
    EXPECT_EQ(b.members[0].reason, opt(v >= 5, "shutting down"));
    EXPECT_EQ(b.members[1].member_id, "m-2");
    EXPECT_EQ(b.members[1].group_instance_id, std::nullopt);
    EXPECT_EQ(b.members[1].reason, std::nullopt);
  });
}

TEST(GroupMessages, LeaveGroupResponseRoundTrips) {
  LeaveGroupResponse m;
  m.throttle_time_ms = 5;
  m.error_code = 0;
  m.members.push_back({.member_id = "m-1", .group_instance_id = "instance-1", .error_code = 0});
  m.members.push_back({.member_id = "m-2", .group_instance_id = {}, .error_code = 25});
  round_trip_every_version(m, [](const LeaveGroupResponse& b, int16_t v) {
    EXPECT_EQ(b.throttle_time_ms, v >= 1 ? 5 : 0);
    EXPECT_EQ(b.error_code, 0);
    ASSERT_EQ(b.members.size(), v >= 3 ? 2u : 0u);
    if (v < 3) return;
    EXPECT_EQ(b.members[0].member_id, "m-1");
    EXPECT_EQ(b.members[0].group_instance_id, "instance-1");
    EXPECT_EQ(b.members[0].error_code, 0);
    EXPECT_EQ(b.members[1].member_id, "m-2");
    EXPECT_EQ(b.members[1].group_instance_id, std::nullopt);
    EXPECT_EQ(b.members[1].error_code, 25);
  });
}

// ------------------------------------------------------------- SyncGroup (14)

TEST(GroupMessages, SyncGroupRequestRoundTrips) {
  SyncGroupRequest m;
  m.group_id = "grp";
  m.generation_id = 7;
  m.member_id = "m-1";
  m.group_instance_id = "instance-1";
  m.protocol_type = "consumer";
  m.protocol_name = "range";
  m.assignments.push_back({.member_id = "m-1", .assignment = bytes_of(kAssignment)});
  m.assignments.push_back({.member_id = "m-2", .assignment = Bytes{}});
  round_trip_every_version(m, [](const SyncGroupRequest& b, int16_t v) {
    EXPECT_EQ(b.group_id, "grp");
    EXPECT_EQ(b.generation_id, 7);
    EXPECT_EQ(b.member_id, "m-1");
    EXPECT_EQ(b.group_instance_id, opt(v >= 3, "instance-1"));
    EXPECT_EQ(b.protocol_type, opt(v >= 5, "consumer"));
    EXPECT_EQ(b.protocol_name, opt(v >= 5, "range"));
    ASSERT_EQ(b.assignments.size(), 2u);
    EXPECT_EQ(b.assignments[0].member_id, "m-1");
    EXPECT_EQ(str(b.assignments[0].assignment), kAssignment);
    EXPECT_EQ(b.assignments[1].member_id, "m-2");
    EXPECT_TRUE(b.assignments[1].assignment.empty());
  });
}

TEST(GroupMessages, SyncGroupResponseRoundTrips) {
  SyncGroupResponse m;
  m.throttle_time_ms = 5;
  m.error_code = 0;
  m.protocol_type = "consumer";
  m.protocol_name = "range";
  m.assignment = bytes_of(kAssignment);
  round_trip_every_version(m, [](const SyncGroupResponse& b, int16_t v) {
    EXPECT_EQ(b.throttle_time_ms, v >= 1 ? 5 : 0);
    EXPECT_EQ(b.error_code, 0);
    EXPECT_EQ(b.protocol_type, opt(v >= 5, "consumer"));
    EXPECT_EQ(b.protocol_name, opt(v >= 5, "range"));
    EXPECT_EQ(str(b.assignment), kAssignment);
  });
}

// -------------------------------------------------------- DescribeGroups (15)

TEST(GroupMessages, DescribeGroupsRequestRoundTrips) {
  DescribeGroupsRequest m;
  m.groups = {"grp", "other"};
  m.include_authorized_operations = true;
  round_trip_every_version(m, [](const DescribeGroupsRequest& b, int16_t v) {
    EXPECT_EQ(b.groups, (Strings{"grp", "other"}));
    EXPECT_EQ(b.include_authorized_operations, v >= 3);
  });
}

TEST(GroupMessages, DescribeGroupsResponseRoundTrips) {
  DescribeGroupsResponse m;
  m.throttle_time_ms = 5;
  DescribeGroupsResponse::DescribedGroup g;
  g.error_code = 0;
  g.group_id = "grp";
  g.group_state = "Stable";
  g.protocol_type = "consumer";
  g.protocol_data = "range";
  g.members.push_back({.member_id = "m-1",
                       .group_instance_id = "instance-1",
                       .client_id = "client-1",
                       .client_host = "/10.0.0.1",
                       .member_metadata = bytes_of(kMetadata),
                       .member_assignment = bytes_of(kAssignment)});
  g.authorized_operations = 0x0f00;
  m.groups.push_back(g);
  DescribeGroupsResponse::DescribedGroup gone;
  gone.error_code = 69;  // GROUP_ID_NOT_FOUND
  gone.group_id = "gone";
  m.groups.push_back(gone);
  round_trip_every_version(m, [](const DescribeGroupsResponse& b, int16_t v) {
    EXPECT_EQ(b.throttle_time_ms, v >= 1 ? 5 : 0);
    ASSERT_EQ(b.groups.size(), 2u);
    const auto& d = b.groups[0];
    EXPECT_EQ(d.error_code, 0);
    EXPECT_EQ(d.group_id, "grp");
    EXPECT_EQ(d.group_state, "Stable");
    EXPECT_EQ(d.protocol_type, "consumer");
    EXPECT_EQ(d.protocol_data, "range");
    ASSERT_EQ(d.members.size(), 1u);
    EXPECT_EQ(d.members[0].member_id, "m-1");
    EXPECT_EQ(d.members[0].group_instance_id, opt(v >= 4, "instance-1"));
    EXPECT_EQ(d.members[0].client_id, "client-1");
    EXPECT_EQ(d.members[0].client_host, "/10.0.0.1");
    EXPECT_EQ(str(d.members[0].member_metadata), kMetadata);
    EXPECT_EQ(str(d.members[0].member_assignment), kAssignment);
    EXPECT_EQ(d.authorized_operations, v >= 3 ? 0x0f00 : kNoAuthorizedOperations);
    EXPECT_EQ(b.groups[1].error_code, 69);
    EXPECT_EQ(b.groups[1].group_id, "gone");
    EXPECT_TRUE(b.groups[1].members.empty());
    EXPECT_EQ(b.groups[1].authorized_operations, kNoAuthorizedOperations);
  });
}

// ------------------------------------------------------------ ListGroups (16)

TEST(GroupMessages, ListGroupsRequestRoundTrips) {
  ListGroupsRequest m;
  m.states_filter = {"Stable", "Empty"};
  round_trip_every_version(m, [](const ListGroupsRequest& b, int16_t v) {
    EXPECT_EQ(b.states_filter, (v >= 4 ? Strings{"Stable", "Empty"} : Strings{}));
  });
  EXPECT_TRUE(encode(m, 2).empty());  // no fields before v3's tag section
}

TEST(GroupMessages, ListGroupsResponseRoundTrips) {
  ListGroupsResponse m;
  m.throttle_time_ms = 5;
  m.error_code = 0;
  m.groups.push_back({.group_id = "grp", .protocol_type = "consumer", .group_state = "Stable"});
  m.groups.push_back({.group_id = "other", .protocol_type = "", .group_state = "Empty"});
  round_trip_every_version(m, [](const ListGroupsResponse& b, int16_t v) {
    EXPECT_EQ(b.throttle_time_ms, v >= 1 ? 5 : 0);
    EXPECT_EQ(b.error_code, 0);
    ASSERT_EQ(b.groups.size(), 2u);
    EXPECT_EQ(b.groups[0].group_id, "grp");
    EXPECT_EQ(b.groups[0].protocol_type, "consumer");
    EXPECT_EQ(b.groups[0].group_state, v >= 4 ? "Stable" : "");
    EXPECT_EQ(b.groups[1].group_id, "other");
    EXPECT_EQ(b.groups[1].protocol_type, "");
    EXPECT_EQ(b.groups[1].group_state, v >= 4 ? "Empty" : "");
  });
}

// ---------------------------------------------------------- DeleteGroups (42)

TEST(GroupMessages, DeleteGroupsRequestRoundTrips) {
  DeleteGroupsRequest m;
  m.groups_names = {"grp", "old"};
  round_trip_every_version(m, [](const DeleteGroupsRequest& b, int16_t) {
    EXPECT_EQ(b.groups_names, (Strings{"grp", "old"}));
  });
}

TEST(GroupMessages, DeleteGroupsResponseRoundTrips) {
  DeleteGroupsResponse m;
  m.throttle_time_ms = 5;
  m.results.push_back({.group_id = "grp", .error_code = 0});
  m.results.push_back({.group_id = "old", .error_code = 69});  // GROUP_ID_NOT_FOUND
  round_trip_every_version(m, [](const DeleteGroupsResponse& b, int16_t) {
    EXPECT_EQ(b.throttle_time_ms, 5);
    ASSERT_EQ(b.results.size(), 2u);
    EXPECT_EQ(b.results[0].group_id, "grp");
    EXPECT_EQ(b.results[0].error_code, 0);
    EXPECT_EQ(b.results[1].group_id, "old");
    EXPECT_EQ(b.results[1].error_code, 69);
  });
}

// ---------------------------------------------------------- OffsetCommit (8)

OffsetCommitRequest sample_commit_request() {
  OffsetCommitRequest m;
  m.group_id = "grp";
  m.generation_id_or_member_epoch = 7;
  m.member_id = "m-1";
  m.group_instance_id = "instance-1";
  m.retention_time_ms = 86400000;
  OffsetCommitRequest::OffsetCommitRequestTopic t;
  t.name = "orders";
  t.partitions.push_back({.partition_index = 0,
                          .committed_offset = 42,
                          .committed_leader_epoch = 3,
                          .commit_timestamp = 1700000000000,
                          .committed_metadata = "meta"});
  t.partitions.push_back({.partition_index = 1, .committed_offset = 43, .committed_metadata = {}});
  m.topics.push_back(t);
  return m;
}

TEST(GroupMessages, OffsetCommitRequestRoundTrips) {
  round_trip_every_version(sample_commit_request(), [](const OffsetCommitRequest& b, int16_t v) {
    EXPECT_EQ(b.group_id, "grp");
    EXPECT_EQ(b.generation_id_or_member_epoch, v >= 1 ? 7 : -1);
    EXPECT_EQ(b.member_id, v >= 1 ? "m-1" : "");
    EXPECT_EQ(b.group_instance_id, opt(v >= 7, "instance-1"));
    EXPECT_EQ(b.retention_time_ms, v >= 2 && v <= 4 ? 86400000 : -1);
    ASSERT_EQ(b.topics.size(), 1u);
    EXPECT_EQ(b.topics[0].name, "orders");
    ASSERT_EQ(b.topics[0].partitions.size(), 2u);
    const auto& p = b.topics[0].partitions[0];
    EXPECT_EQ(p.partition_index, 0);
    EXPECT_EQ(p.committed_offset, 42);
    EXPECT_EQ(p.committed_leader_epoch, v >= 6 ? 3 : -1);
    EXPECT_EQ(p.commit_timestamp, v == 1 ? 1700000000000 : -1);
    EXPECT_EQ(p.committed_metadata, "meta");
    EXPECT_EQ(b.topics[0].partitions[1].partition_index, 1);
    EXPECT_EQ(b.topics[0].partitions[1].committed_offset, 43);
    EXPECT_EQ(b.topics[0].partitions[1].committed_metadata, std::nullopt);
  });
}

TEST(GroupMessages, OffsetCommitResponseRoundTrips) {
  OffsetCommitResponse m;
  m.throttle_time_ms = 5;
  OffsetCommitResponse::OffsetCommitResponseTopic t;
  t.name = "orders";
  t.partitions.push_back({.partition_index = 0, .error_code = 0});
  t.partitions.push_back({.partition_index = 1, .error_code = 12});  // OFFSET_METADATA_TOO_LARGE
  m.topics.push_back(t);
  round_trip_every_version(m, [](const OffsetCommitResponse& b, int16_t v) {
    EXPECT_EQ(b.throttle_time_ms, v >= 3 ? 5 : 0);
    ASSERT_EQ(b.topics.size(), 1u);
    EXPECT_EQ(b.topics[0].name, "orders");
    ASSERT_EQ(b.topics[0].partitions.size(), 2u);
    EXPECT_EQ(b.topics[0].partitions[1].partition_index, 1);
    EXPECT_EQ(b.topics[0].partitions[1].error_code, 12);
  });
}

// ----------------------------------------------------------- OffsetFetch (9)

TEST(GroupMessages, OffsetFetchRequestRoundTrips) {
  OffsetFetchRequest m;
  m.group_id = "grp";
  m.topics.emplace();
  m.topics->push_back({.name = "orders", .partition_indexes = {0, 1}});
  OffsetFetchRequest::OffsetFetchRequestGroup g;
  g.group_id = "grp";
  g.topics.emplace();
  g.topics->push_back({.name = "orders", .partition_indexes = {2}});
  m.groups.push_back(g);
  m.groups.push_back({.group_id = "all-topics", .topics = std::nullopt});
  m.require_stable = true;
  round_trip_every_version(m, [](const OffsetFetchRequest& b, int16_t v) {
    EXPECT_EQ(b.group_id, v <= 7 ? "grp" : "");
    EXPECT_EQ(b.require_stable, v >= 7);
    if (v <= 7) {
      ASSERT_TRUE(b.topics.has_value());
      ASSERT_EQ(b.topics->size(), 1u);
      EXPECT_EQ((*b.topics)[0].name, "orders");
      EXPECT_EQ((*b.topics)[0].partition_indexes, (std::vector<int32_t>{0, 1}));
      EXPECT_TRUE(b.groups.empty());
      return;
    }
    EXPECT_FALSE(b.topics.has_value());
    ASSERT_EQ(b.groups.size(), 2u);
    EXPECT_EQ(b.groups[0].group_id, "grp");
    ASSERT_TRUE(b.groups[0].topics.has_value());
    ASSERT_EQ(b.groups[0].topics->size(), 1u);
    EXPECT_EQ((*b.groups[0].topics)[0].partition_indexes, std::vector<int32_t>{2});
    EXPECT_EQ(b.groups[1].group_id, "all-topics");
    EXPECT_FALSE(b.groups[1].topics.has_value());
  });
}

// Null topics (all topics) exist from v2; before that they are written empty.
TEST(GroupMessages, OffsetFetchNullTopicsFromV2) {
  OffsetFetchRequest m;
  m.group_id = "grp";
  const auto v1_bytes = encode(m, 1);
  Reader v1(v1_bytes);
  OffsetFetchRequest b1;
  b1.decode(v1, 1);
  ASSERT_TRUE(v1.ok());
  ASSERT_TRUE(b1.topics.has_value());
  EXPECT_TRUE(b1.topics->empty());
  const auto v2_bytes = encode(m, 2);
  Reader v2(v2_bytes);
  OffsetFetchRequest b2;
  b2.decode(v2, 2);
  ASSERT_TRUE(v2.ok());
  EXPECT_FALSE(b2.topics.has_value());
}

TEST(GroupMessages, OffsetFetchResponseRoundTrips) {
  OffsetFetchResponse m;
  m.throttle_time_ms = 5;
  OffsetFetchResponse::OffsetFetchResponseTopic t;
  t.name = "orders";
  t.partitions.push_back({.partition_index = 0,
                          .committed_offset = 42,
                          .committed_leader_epoch = 3,
                          .metadata = "meta",
                          .error_code = 0});
  t.partitions.push_back(
      {.partition_index = 1, .committed_offset = -1, .metadata = {}, .error_code = 0});
  m.topics.push_back(t);
  m.error_code = 16;  // NOT_COORDINATOR
  OffsetFetchResponse::OffsetFetchResponseGroup g;
  g.group_id = "grp";
  g.topics.push_back({.name = "orders",
                      .partitions = {{.partition_index = 0,
                                      .committed_offset = 42,
                                      .committed_leader_epoch = 3,
                                      .metadata = "meta",
                                      .error_code = 0}}});
  g.error_code = 15;
  m.groups.push_back(g);
  round_trip_every_version(m, [](const OffsetFetchResponse& b, int16_t v) {
    EXPECT_EQ(b.throttle_time_ms, v >= 3 ? 5 : 0);
    EXPECT_EQ(b.error_code, v >= 2 && v <= 7 ? 16 : 0);
    if (v <= 7) {
      EXPECT_TRUE(b.groups.empty());
      ASSERT_EQ(b.topics.size(), 1u);
      EXPECT_EQ(b.topics[0].name, "orders");
      ASSERT_EQ(b.topics[0].partitions.size(), 2u);
      const auto& p = b.topics[0].partitions[0];
      EXPECT_EQ(p.partition_index, 0);
      EXPECT_EQ(p.committed_offset, 42);
      EXPECT_EQ(p.committed_leader_epoch, v >= 5 ? 3 : -1);
      EXPECT_EQ(p.metadata, "meta");
      EXPECT_EQ(b.topics[0].partitions[1].committed_offset, -1);
      EXPECT_EQ(b.topics[0].partitions[1].metadata, std::nullopt);
      return;
    }
    EXPECT_TRUE(b.topics.empty());
    ASSERT_EQ(b.groups.size(), 1u);
    EXPECT_EQ(b.groups[0].group_id, "grp");
    EXPECT_EQ(b.groups[0].error_code, 15);
    ASSERT_EQ(b.groups[0].topics.size(), 1u);
    ASSERT_EQ(b.groups[0].topics[0].partitions.size(), 1u);
    const auto& p = b.groups[0].topics[0].partitions[0];
    EXPECT_EQ(p.committed_offset, 42);
    EXPECT_EQ(p.committed_leader_epoch, 3);
    EXPECT_EQ(p.metadata, "meta");
  });
}

// -------------------------------------------------- OffsetForLeaderEpoch (23)

TEST(GroupMessages, OffsetForLeaderEpochRequestRoundTrips) {
  OffsetForLeaderEpochRequest m;
  m.replica_id = -1;
  OffsetForLeaderEpochRequest::OffsetForLeaderTopic t;
  t.topic = "orders";
  t.partitions.push_back({.partition = 0, .current_leader_epoch = 5, .leader_epoch = 4});
  m.topics.push_back(t);
  round_trip_every_version(m, [](const OffsetForLeaderEpochRequest& b, int16_t v) {
    EXPECT_EQ(b.replica_id, v >= 3 ? -1 : -2);
    ASSERT_EQ(b.topics.size(), 1u);
    EXPECT_EQ(b.topics[0].topic, "orders");
    ASSERT_EQ(b.topics[0].partitions.size(), 1u);
    EXPECT_EQ(b.topics[0].partitions[0].partition, 0);
    EXPECT_EQ(b.topics[0].partitions[0].current_leader_epoch, v >= 2 ? 5 : -1);
    EXPECT_EQ(b.topics[0].partitions[0].leader_epoch, 4);
  });
}

TEST(GroupMessages, OffsetForLeaderEpochResponseRoundTrips) {
  OffsetForLeaderEpochResponse m;
  m.throttle_time_ms = 5;
  OffsetForLeaderEpochResponse::OffsetForLeaderTopicResult t;
  t.topic = "orders";
  t.partitions.push_back({.error_code = 0, .partition = 0, .leader_epoch = 4, .end_offset = 100});
  m.topics.push_back(t);
  round_trip_every_version(m, [](const OffsetForLeaderEpochResponse& b, int16_t v) {
    EXPECT_EQ(b.throttle_time_ms, v >= 2 ? 5 : 0);
    ASSERT_EQ(b.topics.size(), 1u);
    EXPECT_EQ(b.topics[0].topic, "orders");
    ASSERT_EQ(b.topics[0].partitions.size(), 1u);
    const auto& p = b.topics[0].partitions[0];
    EXPECT_EQ(p.error_code, 0);
    EXPECT_EQ(p.partition, 0);
    EXPECT_EQ(p.leader_epoch, v >= 1 ? 4 : -1);
    EXPECT_EQ(p.end_offset, 100);
  });
}

// ---------------------------------------------------------------- Truncation

TEST(GroupMessages, TruncatedJoinGroupRequestFailsCleanlyAtEveryLength) {
  expect_every_truncation_fails(sample_join_request(), JoinGroupRequest::kMaxVersion);
  expect_every_truncation_fails(sample_join_request(), 5);  // last non-flexible with instance id
}

TEST(GroupMessages, TruncatedOffsetCommitRequestFailsCleanlyAtEveryLength) {
  expect_every_truncation_fails(sample_commit_request(), OffsetCommitRequest::kMaxVersion);
  expect_every_truncation_fails(sample_commit_request(), 1);  // with commit_timestamp
}

// ------------------------------------------------------------ Version checks

// Like Kafka's writers: dropping a value the spec does not mark ignorable
// makes a message unencodable at that version; an ignorable one is dropped.
TEST(GroupMessages, CanEncodeRefusesToDropNonIgnorableValues) {
  auto join = sample_join_request();
  EXPECT_TRUE(join.can_encode(9));
  EXPECT_TRUE(join.can_encode(5));   // reason (v8+) is ignorable
  EXPECT_FALSE(join.can_encode(4));  // group_instance_id (v5+) is not
  join.group_instance_id.reset();
  EXPECT_TRUE(join.can_encode(0));  // rebalance_timeout_ms (v1+) is ignorable

  FindCoordinatorRequest find;
  find.coordinator_keys = {"grp"};
  EXPECT_TRUE(find.can_encode(4));
  EXPECT_FALSE(find.can_encode(3));  // batched keys need v4
  find.coordinator_keys.clear();
  find.key = "grp";
  EXPECT_TRUE(find.can_encode(3));
  EXPECT_FALSE(find.can_encode(4));  // v4 has no single key
  find.key_type = 1;                 // transaction coordinator
  EXPECT_FALSE(find.can_encode(0));

  auto commit = sample_commit_request();
  EXPECT_FALSE(commit.can_encode(8));  // commit_timestamp (v1 only), nested two deep
  commit.topics[0].partitions[0].commit_timestamp = -1;
  EXPECT_TRUE(commit.can_encode(8));
  EXPECT_TRUE(commit.can_encode(7));   // retention_time_ms, leader epoch: ignorable
  EXPECT_FALSE(commit.can_encode(6));  // group_instance_id (v7+)

  OffsetFetchRequest fetch;
  fetch.groups.push_back({.group_id = "grp", .topics = std::nullopt});
  EXPECT_FALSE(fetch.can_encode(7));  // groups batch from v8
  fetch.groups.clear();
  fetch.require_stable = true;
  EXPECT_FALSE(fetch.can_encode(6));

  LeaveGroupRequest leave;
  leave.members.push_back({.member_id = "m-1", .group_instance_id = {}, .reason = "bye"});
  EXPECT_TRUE(leave.can_encode(3));   // reason is ignorable
  EXPECT_FALSE(leave.can_encode(2));  // members batch from v3
}

// A flexible version's compact string can be longer than the int16 length
// of a classic one: such a message cannot be encoded at a non-flexible
// version (it used to be, with the length wrapped, so the bytes no longer
// decoded; found by tests/fuzz/request_fuzz.cc).
TEST(GroupMessages, CanEncodeRefusesAStringTooLongForAClassicString) {
  auto join = sample_join_request();
  join.group_id.assign(32767, 'g');
  EXPECT_TRUE(join.can_encode(5));
  const auto at_5 = encode(join, 5);
  EXPECT_EQ(decode_exactly<JoinGroupRequest>(at_5, 5).group_id, join.group_id);
  join.group_id.push_back('g');
  EXPECT_FALSE(join.can_encode(5));
  EXPECT_TRUE(join.can_encode(6));  // compact from v6
  join.group_id = "grp";
  join.protocols[0].name.assign(40000, 'p');  // nested in an array of structs
  EXPECT_FALSE(join.can_encode(5));

  DeleteGroupsRequest del;
  del.groups_names = {"a", std::string(32768, 'b')};  // an array of strings
  EXPECT_FALSE(del.can_encode(1));
  EXPECT_TRUE(del.can_encode(2));

  ProduceRequest produce;
  produce.transactional_id = std::string(32768, 't');  // nullable
  EXPECT_FALSE(produce.can_encode(8));
  EXPECT_TRUE(produce.can_encode(9));
}

TEST(GroupMessages, ApiRangesIncludeTheGroupApis) {
  struct Expected {
    ApiKey key;
    int16_t min, max, first_flexible;
  };
  for (const auto& e :
       {Expected{ApiKey::offset_commit, 0, 8, 8}, Expected{ApiKey::offset_fetch, 0, 8, 6},
        Expected{ApiKey::find_coordinator, 0, 4, 3}, Expected{ApiKey::join_group, 0, 9, 6},
        Expected{ApiKey::heartbeat, 0, 4, 4}, Expected{ApiKey::leave_group, 0, 5, 4},
        Expected{ApiKey::sync_group, 0, 5, 4}, Expected{ApiKey::describe_groups, 0, 5, 5},
        Expected{ApiKey::list_groups, 0, 4, 3}, Expected{ApiKey::offset_for_leader_epoch, 0, 4, 4},
        Expected{ApiKey::delete_groups, 0, 2, 2}}) {
    SCOPED_TRACE(name(e.key));
    const ApiRange* range = find_api(e.key);
    ASSERT_NE(range, nullptr);
    EXPECT_EQ(range->min_version, e.min);
    EXPECT_EQ(range->max_version, e.max);
    EXPECT_EQ(range->first_flexible, e.first_flexible);
    EXPECT_NE(name(e.key), "unknown");
  }
}

// ------------------------------------------------- Cross-check: kafka-python
//
// The bodies below were encoded by an independent implementation,
// kafka-python 2.0.2 (Debian python3-kafka, /usr/bin/python3), e.g.
//
//   from kafka.protocol.group import JoinGroupRequest_v1, ProtocolMetadata
//   pm = ProtocolMetadata(0, ["orders"], b"")
//   body = JoinGroupRequest_v1("grp", 10000, 300000, "", "consumer",
//                              [("range", pm.encode()), ("roundrobin", b"\x01\x02")]).encode()
//   print(", ".join(f"0x{b:02x}" for b in body))
//
// with the constructor call given above each array (kafka-python's field
// names). We decode each, compare the fields, and re-encode to the same
// bytes. kafka-python 2.0.2 gets two later schemas wrong, so they are not
// used: GroupCoordinatorResponse_v1 lacks throttle_time_ms, and
// DescribeGroupsResponse_v3 puts authorized_operations outside the groups.

template <size_t N>
Bytes view(const uint8_t (&a)[N]) {
  return std::as_bytes(std::span(a));
}

std::vector<std::byte> to_vector(Bytes b) {
  return {b.begin(), b.end()};
}

bool same_bytes(Bytes a, Bytes b) {
  return std::ranges::equal(a, b);
}

// ProtocolMetadata(0, ["orders"], b"").encode()
constexpr uint8_t kPyProtocolMetadata[] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x6f,
    0x72, 0x64, 0x65, 0x72, 0x73, 0x00, 0x00, 0x00, 0x00,
};
// MemberAssignment(0, [("orders", [0, 1])], b"").encode()
constexpr uint8_t kPyMemberAssignment[] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x6f, 0x72, 0x64, 0x65, 0x72, 0x73, 0x00,
    0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
};

// JoinGroupRequest_v1("grp", 10000, 300000, "", "consumer",
//                     [("range", ProtocolMetadata(...above)), ("roundrobin", b"\x01\x02")])
constexpr uint8_t kPyJoinGroupRequestV1[] = {
    0x00, 0x03, 0x67, 0x72, 0x70, 0x00, 0x00, 0x27, 0x10, 0x00, 0x04, 0x93, 0xe0, 0x00, 0x00, 0x00,
    0x08, 0x63, 0x6f, 0x6e, 0x73, 0x75, 0x6d, 0x65, 0x72, 0x00, 0x00, 0x00, 0x02, 0x00, 0x05, 0x72,
    0x61, 0x6e, 0x67, 0x65, 0x00, 0x00, 0x00, 0x12, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06,
    0x6f, 0x72, 0x64, 0x65, 0x72, 0x73, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x72, 0x6f, 0x75, 0x6e,
    0x64, 0x72, 0x6f, 0x62, 0x69, 0x6e, 0x00, 0x00, 0x00, 0x02, 0x01, 0x02,
};

TEST(KafkaPythonCrossCheck, JoinGroupRequestV1) {
  const auto m = decode_exactly<JoinGroupRequest>(view(kPyJoinGroupRequestV1), 1);
  EXPECT_EQ(m.group_id, "grp");
  EXPECT_EQ(m.session_timeout_ms, 10000);
  EXPECT_EQ(m.rebalance_timeout_ms, 300000);
  EXPECT_EQ(m.member_id, "");
  EXPECT_EQ(m.protocol_type, "consumer");
  ASSERT_EQ(m.protocols.size(), 2u);
  EXPECT_EQ(m.protocols[0].name, "range");
  EXPECT_TRUE(same_bytes(m.protocols[0].metadata, view(kPyProtocolMetadata)));
  EXPECT_EQ(m.protocols[1].name, "roundrobin");
  const uint8_t roundrobin[] = {0x01, 0x02};
  EXPECT_TRUE(same_bytes(m.protocols[1].metadata, view(roundrobin)));
  EXPECT_EQ(encode(m, 1), to_vector(view(kPyJoinGroupRequestV1)));

  // Built from scratch rather than decoded, our encoder gives the same bytes.
  JoinGroupRequest ours;
  ours.group_id = "grp";
  ours.session_timeout_ms = 10000;
  ours.rebalance_timeout_ms = 300000;
  ours.protocol_type = "consumer";
  ours.protocols.push_back({.name = "range", .metadata = view(kPyProtocolMetadata)});
  ours.protocols.push_back({.name = "roundrobin", .metadata = view(roundrobin)});
  EXPECT_EQ(encode(ours, 1), to_vector(view(kPyJoinGroupRequestV1)));
}

// JoinGroupResponse_v2(5, 0, 7, "range", "m-1", "m-1", [("m-1", b"meta"), ("m-2", b"")])
// (throttle_time_ms, error_code, generation_id, group_protocol, leader_id, member_id, members)
constexpr uint8_t kPyJoinGroupResponseV2[] = {
    0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x00, 0x05, 0x72, 0x61,
    0x6e, 0x67, 0x65, 0x00, 0x03, 0x6d, 0x2d, 0x31, 0x00, 0x03, 0x6d, 0x2d, 0x31, 0x00,
    0x00, 0x00, 0x02, 0x00, 0x03, 0x6d, 0x2d, 0x31, 0x00, 0x00, 0x00, 0x04, 0x6d, 0x65,
    0x74, 0x61, 0x00, 0x03, 0x6d, 0x2d, 0x32, 0x00, 0x00, 0x00, 0x00,
};

TEST(KafkaPythonCrossCheck, JoinGroupResponseV2) {
  const auto m = decode_exactly<JoinGroupResponse>(view(kPyJoinGroupResponseV2), 2);
  EXPECT_EQ(m.throttle_time_ms, 5);
  EXPECT_EQ(m.error_code, 0);
  EXPECT_EQ(m.generation_id, 7);
  EXPECT_EQ(m.protocol_name, "range");
  EXPECT_EQ(m.leader, "m-1");
  EXPECT_EQ(m.member_id, "m-1");
  ASSERT_EQ(m.members.size(), 2u);
  EXPECT_EQ(m.members[0].member_id, "m-1");
  EXPECT_EQ(str(m.members[0].metadata), "meta");
  EXPECT_EQ(m.members[1].member_id, "m-2");
  EXPECT_TRUE(m.members[1].metadata.empty());
  EXPECT_EQ(encode(m, 2), to_vector(view(kPyJoinGroupResponseV2)));
}

// SyncGroupRequest_v1("grp", 7, "m-1", [("m-1", MemberAssignment(...above))])
constexpr uint8_t kPySyncGroupRequestV1[] = {
    0x00, 0x03, 0x67, 0x72, 0x70, 0x00, 0x00, 0x00, 0x07, 0x00, 0x03, 0x6d, 0x2d, 0x31, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x03, 0x6d, 0x2d, 0x31, 0x00, 0x00, 0x00, 0x1e, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x06, 0x6f, 0x72, 0x64, 0x65, 0x72, 0x73, 0x00, 0x00, 0x00, 0x02,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
};

TEST(KafkaPythonCrossCheck, SyncGroupRequestV1) {
  const auto m = decode_exactly<SyncGroupRequest>(view(kPySyncGroupRequestV1), 1);
  EXPECT_EQ(m.group_id, "grp");
  EXPECT_EQ(m.generation_id, 7);
  EXPECT_EQ(m.member_id, "m-1");
  ASSERT_EQ(m.assignments.size(), 1u);
  EXPECT_EQ(m.assignments[0].member_id, "m-1");
  EXPECT_TRUE(same_bytes(m.assignments[0].assignment, view(kPyMemberAssignment)));
  EXPECT_EQ(encode(m, 1), to_vector(view(kPySyncGroupRequestV1)));
}

// HeartbeatRequest_v1("grp", 7, "m-1")
constexpr uint8_t kPyHeartbeatRequestV1[] = {
    0x00, 0x03, 0x67, 0x72, 0x70, 0x00, 0x00, 0x00, 0x07, 0x00, 0x03, 0x6d, 0x2d, 0x31,
};
// LeaveGroupRequest_v1("grp", "m-1")
constexpr uint8_t kPyLeaveGroupRequestV1[] = {
    0x00, 0x03, 0x67, 0x72, 0x70, 0x00, 0x03, 0x6d, 0x2d, 0x31,
};

TEST(KafkaPythonCrossCheck, HeartbeatAndLeaveGroupRequestsV1) {
  const auto hb = decode_exactly<HeartbeatRequest>(view(kPyHeartbeatRequestV1), 1);
  EXPECT_EQ(hb.group_id, "grp");
  EXPECT_EQ(hb.generation_id, 7);
  EXPECT_EQ(hb.member_id, "m-1");
  EXPECT_EQ(encode(hb, 1), to_vector(view(kPyHeartbeatRequestV1)));
  const auto leave = decode_exactly<LeaveGroupRequest>(view(kPyLeaveGroupRequestV1), 1);
  EXPECT_EQ(leave.group_id, "grp");
  EXPECT_EQ(leave.member_id, "m-1");
  EXPECT_EQ(encode(leave, 1), to_vector(view(kPyLeaveGroupRequestV1)));
}

// OffsetCommitRequest_v1("grp", 7, "m-1", [("orders", [(0, 42, 1700000000000, "meta")])])
// (consumer_group, generation_id, consumer_id, [(topic, [(partition, offset, timestamp,
// metadata)])])
constexpr uint8_t kPyOffsetCommitRequestV1[] = {
    0x00, 0x03, 0x67, 0x72, 0x70, 0x00, 0x00, 0x00, 0x07, 0x00, 0x03, 0x6d, 0x2d, 0x31,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x6f, 0x72, 0x64, 0x65, 0x72, 0x73, 0x00, 0x00,
    0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a,
    0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00, 0x00, 0x04, 0x6d, 0x65, 0x74, 0x61,
};

TEST(KafkaPythonCrossCheck, OffsetCommitRequestV1) {
  const auto m = decode_exactly<OffsetCommitRequest>(view(kPyOffsetCommitRequestV1), 1);
  EXPECT_EQ(m.group_id, "grp");
  EXPECT_EQ(m.generation_id_or_member_epoch, 7);
  EXPECT_EQ(m.member_id, "m-1");
  ASSERT_EQ(m.topics.size(), 1u);
  EXPECT_EQ(m.topics[0].name, "orders");
  ASSERT_EQ(m.topics[0].partitions.size(), 1u);
  const auto& p = m.topics[0].partitions[0];
  EXPECT_EQ(p.partition_index, 0);
  EXPECT_EQ(p.committed_offset, 42);
  EXPECT_EQ(p.commit_timestamp, 1700000000000);
  EXPECT_EQ(p.committed_metadata, "meta");
  EXPECT_EQ(encode(m, 1), to_vector(view(kPyOffsetCommitRequestV1)));
}

// OffsetCommitRequest_v2("grp", 7, "m-1", 86400000,
//                        [("orders", [(0, 42, "meta"), (1, 43, "")])])
// (consumer_group, generation_id, consumer_id, retention_time, topics)
constexpr uint8_t kPyOffsetCommitRequestV2[] = {
    0x00, 0x03, 0x67, 0x72, 0x70, 0x00, 0x00, 0x00, 0x07, 0x00, 0x03, 0x6d, 0x2d, 0x31,
    0x00, 0x00, 0x00, 0x00, 0x05, 0x26, 0x5c, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06,
    0x6f, 0x72, 0x64, 0x65, 0x72, 0x73, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a, 0x00, 0x04, 0x6d, 0x65, 0x74, 0x61,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2b, 0x00, 0x00,
};

TEST(KafkaPythonCrossCheck, OffsetCommitRequestV2) {
  const auto m = decode_exactly<OffsetCommitRequest>(view(kPyOffsetCommitRequestV2), 2);
  EXPECT_EQ(m.group_id, "grp");
  EXPECT_EQ(m.generation_id_or_member_epoch, 7);
  EXPECT_EQ(m.member_id, "m-1");
  EXPECT_EQ(m.retention_time_ms, 86400000);
  ASSERT_EQ(m.topics.size(), 1u);
  ASSERT_EQ(m.topics[0].partitions.size(), 2u);
  EXPECT_EQ(m.topics[0].partitions[0].committed_offset, 42);
  EXPECT_EQ(m.topics[0].partitions[0].commit_timestamp, -1);  // v1 only
  EXPECT_EQ(m.topics[0].partitions[0].committed_metadata, "meta");
  EXPECT_EQ(m.topics[0].partitions[1].partition_index, 1);
  EXPECT_EQ(m.topics[0].partitions[1].committed_offset, 43);
  EXPECT_EQ(m.topics[0].partitions[1].committed_metadata, "");
  EXPECT_EQ(encode(m, 2), to_vector(view(kPyOffsetCommitRequestV2)));
}

// OffsetFetchRequest_v2("grp", None): null topics, i.e. all of the group's offsets.
constexpr uint8_t kPyOffsetFetchRequestV2[] = {
    0x00, 0x03, 0x67, 0x72, 0x70, 0xff, 0xff, 0xff, 0xff,
};

TEST(KafkaPythonCrossCheck, OffsetFetchRequestV2NullTopics) {
  const auto m = decode_exactly<OffsetFetchRequest>(view(kPyOffsetFetchRequestV2), 2);
  EXPECT_EQ(m.group_id, "grp");
  EXPECT_FALSE(m.topics.has_value());
  EXPECT_EQ(encode(m, 2), to_vector(view(kPyOffsetFetchRequestV2)));
}

// OffsetFetchResponse_v3(0, [("orders", [(0, 42, "meta", 0), (1, -1, "", 3)])], 0)
// (throttle_time_ms, [(topic, [(partition, offset, metadata, error_code)])], error_code)
constexpr uint8_t kPyOffsetFetchResponseV3[] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x6f, 0x72, 0x64, 0x65, 0x72,
    0x73, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x2a, 0x00, 0x04, 0x6d, 0x65, 0x74, 0x61, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00,
};

TEST(KafkaPythonCrossCheck, OffsetFetchResponseV3) {
  const auto m = decode_exactly<OffsetFetchResponse>(view(kPyOffsetFetchResponseV3), 3);
  EXPECT_EQ(m.throttle_time_ms, 0);
  EXPECT_EQ(m.error_code, 0);
  ASSERT_EQ(m.topics.size(), 1u);
  EXPECT_EQ(m.topics[0].name, "orders");
  ASSERT_EQ(m.topics[0].partitions.size(), 2u);
  EXPECT_EQ(m.topics[0].partitions[0].committed_offset, 42);
  EXPECT_EQ(m.topics[0].partitions[0].metadata, "meta");
  EXPECT_EQ(m.topics[0].partitions[0].error_code, 0);
  EXPECT_EQ(m.topics[0].partitions[1].partition_index, 1);
  EXPECT_EQ(m.topics[0].partitions[1].committed_offset, -1);
  EXPECT_EQ(m.topics[0].partitions[1].metadata, "");
  EXPECT_EQ(m.topics[0].partitions[1].error_code, 3);  // UNKNOWN_TOPIC_OR_PARTITION
  EXPECT_EQ(encode(m, 3), to_vector(view(kPyOffsetFetchResponseV3)));
}

// GroupCoordinatorRequest_v1("txn-1", 1): kafka-python's name for FindCoordinator
// (coordinator_key, coordinator_type; 1 = transaction).
constexpr uint8_t kPyFindCoordinatorRequestV1[] = {
    0x00, 0x05, 0x74, 0x78, 0x6e, 0x2d, 0x31, 0x01,
};

TEST(KafkaPythonCrossCheck, FindCoordinatorRequestV1) {
  const auto m = decode_exactly<FindCoordinatorRequest>(view(kPyFindCoordinatorRequestV1), 1);
  EXPECT_EQ(m.key, "txn-1");
  EXPECT_EQ(m.key_type, 1);
  EXPECT_EQ(encode(m, 1), to_vector(view(kPyFindCoordinatorRequestV1)));
}

// DescribeGroupsResponse_v1(0, [(0, "grp", "Stable", "consumer", "range",
//     [("m-1", "client", "/10.0.0.1", ProtocolMetadata(...), MemberAssignment(...))])])
// (throttle_time_ms, [(error_code, group, state, protocol_type, protocol,
//     [(member_id, client_id, client_host, member_metadata, member_assignment)])])
constexpr uint8_t kPyDescribeGroupsResponseV1[] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x03, 0x67, 0x72, 0x70, 0x00,
    0x06, 0x53, 0x74, 0x61, 0x62, 0x6c, 0x65, 0x00, 0x08, 0x63, 0x6f, 0x6e, 0x73, 0x75, 0x6d, 0x65,
    0x72, 0x00, 0x05, 0x72, 0x61, 0x6e, 0x67, 0x65, 0x00, 0x00, 0x00, 0x01, 0x00, 0x03, 0x6d, 0x2d,
    0x31, 0x00, 0x06, 0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74, 0x00, 0x09, 0x2f, 0x31, 0x30, 0x2e, 0x30,
    0x2e, 0x30, 0x2e, 0x31, 0x00, 0x00, 0x00, 0x12, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06,
    0x6f, 0x72, 0x64, 0x65, 0x72, 0x73, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1e, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x6f, 0x72, 0x64, 0x65, 0x72, 0x73, 0x00, 0x00, 0x00, 0x02,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
};

TEST(KafkaPythonCrossCheck, DescribeGroupsResponseV1) {
  const auto m = decode_exactly<DescribeGroupsResponse>(view(kPyDescribeGroupsResponseV1), 1);
  EXPECT_EQ(m.throttle_time_ms, 0);
  ASSERT_EQ(m.groups.size(), 1u);
  const auto& g = m.groups[0];
  EXPECT_EQ(g.error_code, 0);
  EXPECT_EQ(g.group_id, "grp");
  EXPECT_EQ(g.group_state, "Stable");
  EXPECT_EQ(g.protocol_type, "consumer");
  EXPECT_EQ(g.protocol_data, "range");
  ASSERT_EQ(g.members.size(), 1u);
  EXPECT_EQ(g.members[0].member_id, "m-1");
  EXPECT_EQ(g.members[0].client_id, "client");
  EXPECT_EQ(g.members[0].client_host, "/10.0.0.1");
  EXPECT_TRUE(same_bytes(g.members[0].member_metadata, view(kPyProtocolMetadata)));
  EXPECT_TRUE(same_bytes(g.members[0].member_assignment, view(kPyMemberAssignment)));
  EXPECT_EQ(encode(m, 1), to_vector(view(kPyDescribeGroupsResponseV1)));
}

// ListGroupsResponse_v1(0, 0, [("grp", "consumer"), ("other", "")])
// (throttle_time_ms, error_code, [(group, protocol_type)])
constexpr uint8_t kPyListGroupsResponseV1[] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x03,
    0x67, 0x72, 0x70, 0x00, 0x08, 0x63, 0x6f, 0x6e, 0x73, 0x75, 0x6d, 0x65,
    0x72, 0x00, 0x05, 0x6f, 0x74, 0x68, 0x65, 0x72, 0x00, 0x00,
};
// DeleteGroupsRequest_v1(["grp", "old"])
constexpr uint8_t kPyDeleteGroupsRequestV1[] = {
    0x00, 0x00, 0x00, 0x02, 0x00, 0x03, 0x67, 0x72, 0x70, 0x00, 0x03, 0x6f, 0x6c, 0x64,
};

TEST(KafkaPythonCrossCheck, ListGroupsResponseAndDeleteGroupsRequestV1) {
  const auto list = decode_exactly<ListGroupsResponse>(view(kPyListGroupsResponseV1), 1);
  EXPECT_EQ(list.error_code, 0);
  ASSERT_EQ(list.groups.size(), 2u);
  EXPECT_EQ(list.groups[0].group_id, "grp");
  EXPECT_EQ(list.groups[0].protocol_type, "consumer");
  EXPECT_EQ(list.groups[1].group_id, "other");
  EXPECT_EQ(list.groups[1].protocol_type, "");
  EXPECT_EQ(encode(list, 1), to_vector(view(kPyListGroupsResponseV1)));
  const auto del = decode_exactly<DeleteGroupsRequest>(view(kPyDeleteGroupsRequestV1), 1);
  EXPECT_EQ(del.groups_names, (Strings{"grp", "old"}));
  EXPECT_EQ(encode(del, 1), to_vector(view(kPyDeleteGroupsRequestV1)));
}

}  // namespace
}  // namespace ks::protocol
