#include "proxy/upstream/topology.h"

#include <gtest/gtest.h>

namespace ks::upstream {
namespace {

using protocol::ErrorCode;
using protocol::MetadataResponse;

MetadataResponse::MetadataResponseBroker broker(int32_t id, int32_t port) {
  MetadataResponse::MetadataResponseBroker b;
  b.node_id = id;
  b.host = "kafka-" + std::to_string(id);
  b.port = port;
  return b;
}

MetadataResponse::MetadataResponseTopic topic(std::string name, std::vector<int32_t> leaders,
                                              ErrorCode error = ErrorCode::none) {
  MetadataResponse::MetadataResponseTopic t;
  t.name = std::move(name);
  t.error_code = protocol::to_int(error);
  for (size_t i = 0; i < leaders.size(); ++i) {
    MetadataResponse::MetadataResponseTopic::MetadataResponsePartition p;
    p.partition_index = static_cast<int32_t>(i);
    p.leader_id = leaders[i];
    p.leader_epoch = 7;
    if (leaders[i] < 0) p.error_code = protocol::to_int(ErrorCode::leader_not_available);
    t.partitions.push_back(p);
  }
  return t;
}

TEST(Topology, LearnsBrokersAndLeaders) {
  MetadataResponse response;
  response.brokers = {broker(1, 9092), broker(2, 9093)};
  response.controller_id = 2;
  response.topics = {topic("orders", {1, 2, -1})};
  Topology topology;
  topology.apply(response, false);

  ASSERT_NE(topology.broker(2), nullptr);
  EXPECT_EQ(topology.broker(2)->address, (Address{"kafka-2", 9093}));
  EXPECT_EQ(topology.broker(3), nullptr);
  EXPECT_EQ(topology.controller_id(), 2);
  ASSERT_TRUE(topology.leader_for("orders", 1));
  EXPECT_EQ(topology.leader_for("orders", 1)->broker_id, 2);
  EXPECT_EQ(topology.leader_for("orders", 1)->leader_epoch, 7);
  EXPECT_EQ(topology.leader_for("orders", 2), std::nullopt);  // no leader right now
  EXPECT_EQ(topology.topic("orders")->partitions.at(2).error, ErrorCode::leader_not_available);
  EXPECT_EQ(topology.leader_for("orders", 3), std::nullopt);  // no such partition
  EXPECT_EQ(topology.leader_for("payments", 0), std::nullopt);
}

TEST(Topology, PartialRefreshKeepsOtherTopicsAndReplacesBrokers) {
  Topology topology;
  MetadataResponse first;
  first.brokers = {broker(1, 9092), broker(2, 9093)};
  first.topics = {topic("orders", {1}), topic("payments", {2})};
  topology.apply(first, false);

  MetadataResponse second;
  second.brokers = {broker(2, 9093)};
  second.topics = {topic("orders", {2, 2})};
  topology.apply(second, false);

  EXPECT_EQ(topology.broker(1), nullptr);
  EXPECT_EQ(topology.topic("orders")->partitions.size(), 2u);
  EXPECT_EQ(topology.leader_for("orders", 0)->broker_id, 2);
  EXPECT_EQ(topology.leader_for("payments", 0)->broker_id, 2);
}

TEST(Topology, FullRefreshForgetsTopicsThatAreGone) {
  Topology topology;
  MetadataResponse first;
  first.topics = {topic("orders", {1}), topic("payments", {1})};
  topology.apply(first, true);
  MetadataResponse second;
  second.topics = {topic("orders", {1})};
  topology.apply(second, true);
  EXPECT_NE(topology.topic("orders"), nullptr);
  EXPECT_EQ(topology.topic("payments"), nullptr);
}

TEST(Topology, KeepsTopicErrors) {
  Topology topology;
  MetadataResponse response;
  response.topics = {topic("missing", {}, ErrorCode::unknown_topic_or_partition)};
  topology.apply(response, false);
  ASSERT_NE(topology.topic("missing"), nullptr);
  EXPECT_EQ(topology.topic("missing")->error, ErrorCode::unknown_topic_or_partition);
  EXPECT_EQ(topology.leader_for("missing", 0), std::nullopt);
}

TEST(Topology, SkipsBrokersWithImpossiblePorts) {
  Topology topology;
  MetadataResponse response;
  response.brokers = {broker(1, 0), broker(2, 70000), broker(3, 9092)};
  topology.apply(response, false);
  EXPECT_EQ(topology.brokers().size(), 1u);
  EXPECT_NE(topology.broker(3), nullptr);
}

}  // namespace
}  // namespace ks::upstream
