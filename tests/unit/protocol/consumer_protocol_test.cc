// The consumer protocol's subscription and assignment, and the topic renames
// applied to them.
#include "proxy/protocol/consumer_protocol.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <vector>

namespace ks::protocol::consumer {
namespace {

std::vector<std::byte> bytes_of(std::initializer_list<int> values) {
  std::vector<std::byte> out;
  for (const int v : values)
    out.push_back(static_cast<std::byte>(v));
  return out;
}

std::string text_of(Bytes b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

const std::vector<std::byte> kUserData = bytes_of({0xde, 0xad});

Subscription subscription(int16_t version) {
  Subscription s;
  s.version = version;
  s.topics = {"orders", "payments.in"};
  s.user_data = Bytes(kUserData);
  if (version >= 1) s.owned_partitions = {{"orders", {0, 2}}, {"payments.in", {1}}};
  if (version >= 2) s.generation_id = 7;
  if (version >= 3) s.rack_id = "eu-1a";
  return s;
}

Assignment assignment(int16_t version) {
  Assignment a;
  a.version = version;
  a.assigned_partitions = {{"orders", {0, 1, 2}}, {"payments.in", {}}};
  a.user_data = Bytes(kUserData);
  return a;
}

std::string shop(const std::string& topic) {
  return "shop." + topic;
}

std::string unshop(const std::string& topic) {
  return topic.rfind("shop.", 0) == 0 ? topic.substr(5) : topic;
}

// What a Java or librdkafka consumer sends for topics ["t"], no user data.
TEST(ConsumerProtocol, DecodesAClientsV0Subscription) {
  const auto wire = bytes_of({0, 0, 0, 0, 0, 1, 0, 1, 't', 0xff, 0xff, 0xff, 0xff});
  const auto s = decode_subscription(wire);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->version, 0);
  EXPECT_EQ(s->topics, std::vector<std::string>{"t"});
  EXPECT_FALSE(s->user_data);
  EXPECT_EQ(encode(*s), wire);
}

// Captured from real clients (tests/fuzz/corpus/request: the JoinGroup and
// SyncGroup requests of librdkafka 2.0.2 and kafka-python 2.0.2).
TEST(ConsumerProtocol, ClientsBytesDecodeAndEncodeBackTheSame) {
  const auto librdkafka_subscription =
      bytes_of({0, 1, 0, 0, 0, 1, 0, 6, 'o', 'r', 'd', 'e', 'r', 's', 0, 0, 0, 0, 0, 0, 0, 0});
  const auto kafka_python_subscription =
      bytes_of({0, 0, 0, 0, 0, 1, 0, 6, 'o', 'r', 'd', 'e', 'r', 's', 0, 0, 0, 0});
  const auto librdkafka_assignment =
      bytes_of({0, 0, 0, 0, 0, 1, 0, 6, 'o', 'r', 'd', 'e', 'r', 's', 0, 0, 0,
                3, 0, 0, 0, 0, 0, 0, 0, 1,   0,   0,   0,   2,   0,   0, 0, 0});
  for (const auto* wire : {&librdkafka_subscription, &kafka_python_subscription}) {
    const auto s = decode_subscription(*wire);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->topics, std::vector<std::string>{"orders"});
    ASSERT_TRUE(s->user_data);  // empty, not null
    EXPECT_TRUE(s->user_data->empty());
    EXPECT_EQ(encode(*s), *wire);
  }
  const auto a = decode_assignment(librdkafka_assignment);
  ASSERT_TRUE(a);
  ASSERT_EQ(a->assigned_partitions.size(), 1u);
  EXPECT_EQ(a->assigned_partitions[0], (TopicPartitions{"orders", {0, 1, 2}}));
  EXPECT_EQ(encode(*a), librdkafka_assignment);
}

TEST(ConsumerProtocol, SubscriptionRoundTripsEveryVersion) {
  for (int16_t v = 0; v <= kMaxSubscriptionVersion; ++v) {
    const auto wire = encode(subscription(v));
    const auto back = decode_subscription(wire);
    ASSERT_TRUE(back) << "version " << v;
    EXPECT_EQ(back->version, v);
    EXPECT_EQ(back->topics, subscription(v).topics);
    ASSERT_TRUE(back->user_data);
    EXPECT_EQ(text_of(*back->user_data), text_of(kUserData));
    EXPECT_EQ(back->owned_partitions, subscription(v).owned_partitions) << "version " << v;
    EXPECT_EQ(back->generation_id, subscription(v).generation_id);
    EXPECT_EQ(back->rack_id, subscription(v).rack_id);
    EXPECT_EQ(encode(*back), wire) << "version " << v;
  }
}

TEST(ConsumerProtocol, AssignmentRoundTripsEveryVersion) {
  for (int16_t v = 0; v <= kMaxAssignmentVersion; ++v) {
    const auto wire = encode(assignment(v));
    const auto back = decode_assignment(wire);
    ASSERT_TRUE(back) << "version " << v;
    EXPECT_EQ(back->assigned_partitions, assignment(v).assigned_partitions);
    EXPECT_EQ(encode(*back), wire) << "version " << v;
  }
}

TEST(ConsumerProtocol, RenamesSubscriptionBothWays) {
  for (int16_t v = 0; v <= kMaxSubscriptionVersion; ++v) {
    const auto app = encode(subscription(v));
    const auto upstream = rename_subscription(app, shop);
    ASSERT_TRUE(upstream);
    const auto s = decode_subscription(*upstream);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->topics, (std::vector<std::string>{"shop.orders", "shop.payments.in"}));
    if (v >= 1) {
      EXPECT_EQ(s->owned_partitions[0].topic, "shop.orders");
      EXPECT_EQ(s->owned_partitions[1].partitions, std::vector<int32_t>{1});
    }
    EXPECT_EQ(s->rack_id, subscription(v).rack_id);
    const auto back = rename_subscription(*upstream, unshop);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, app) << "version " << v;
  }
}

TEST(ConsumerProtocol, RenamesAssignmentBothWays) {
  const auto app = encode(assignment(1));
  const auto upstream = rename_assignment(app, shop);
  ASSERT_TRUE(upstream);
  const auto a = decode_assignment(*upstream);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->assigned_partitions[0], (TopicPartitions{"shop.orders", {0, 1, 2}}));
  EXPECT_EQ(a->assigned_partitions[1].topic, "shop.payments.in");
  EXPECT_EQ(rename_assignment(*upstream, unshop), app);
}

TEST(ConsumerProtocol, UnknownVersionIsLeftAlone) {
  Subscription s = subscription(kMaxSubscriptionVersion);
  auto wire = encode(s);
  wire[1] = static_cast<std::byte>(kMaxSubscriptionVersion + 1);
  EXPECT_FALSE(decode_subscription(wire));
  EXPECT_FALSE(rename_subscription(wire, shop));

  auto assigned = encode(assignment(0));
  assigned[1] = static_cast<std::byte>(kMaxAssignmentVersion + 1);
  EXPECT_FALSE(rename_assignment(assigned, shop));
  assigned[0] = static_cast<std::byte>(0xff);  // negative
  EXPECT_FALSE(rename_assignment(assigned, shop));
}

TEST(ConsumerProtocol, GarbageIsLeftAlone) {
  EXPECT_FALSE(rename_subscription({}, shop));
  EXPECT_FALSE(rename_assignment({}, shop));
  const auto junk = bytes_of({0, 0, 0x7f, 0xff, 0xff, 0xff, 'x'});
  EXPECT_FALSE(rename_subscription(junk, shop));
  EXPECT_FALSE(rename_assignment(junk, shop));
  const auto null_topics = bytes_of({0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
  EXPECT_FALSE(rename_subscription(null_topics, shop));
}

TEST(ConsumerProtocol, EveryTruncationIsLeftAlone) {
  const auto s = encode(subscription(kMaxSubscriptionVersion));
  for (size_t n = 0; n < s.size(); ++n)
    EXPECT_FALSE(decode_subscription(Bytes(s).first(n))) << n;
  const auto a = encode(assignment(0));
  for (size_t n = 0; n < a.size(); ++n)
    EXPECT_FALSE(decode_assignment(Bytes(a).first(n))) << n;
}

TEST(ConsumerProtocol, TrailingBytesAreLeftAlone) {
  auto wire = encode(subscription(1));
  wire.push_back(std::byte{0});
  EXPECT_FALSE(rename_subscription(wire, shop));
}

}  // namespace
}  // namespace ks::protocol::consumer
