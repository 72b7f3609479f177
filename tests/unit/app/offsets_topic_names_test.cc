#include "app/offsets_topic_names.h"

#include <gtest/gtest.h>

namespace ks::app {
namespace {

config::Config config_of(std::string_view yaml) {
  auto loaded = config::load_string(
      yaml, "test.yaml",
      [](const std::string&) -> std::optional<std::string> { return std::nullopt; });
  EXPECT_TRUE(loaded.ok());
  return *loaded.config;
}

constexpr std::string_view kTwoClusters = R"(
listener: { address: 127.0.0.1, port: 9092, advertised: localhost:9092 }
buffer: { dir: /tmp/x }
clusters:
  main: { bootstrap: ["k:9092"] }
  other: { bootstrap: ["o:9092"] }
routes:
  - { topics: "audit", cluster: other }
  - { topics: "pay*", cluster: main, rename: "acme.{topic}" }
  - { topics: "twice", cluster: main, rename: "{topic}-{topic}" }
  - { topics: "orders*", cluster: main }
)";

TEST(OffsetsTopicNames, UnrenamedTopicKeepsItsName) {
  EXPECT_EQ(app_topic_name(config_of(kTwoClusters), "orders"), "orders");
}

TEST(OffsetsTopicNames, RenamedTopicGetsTheAppsName) {
  EXPECT_EQ(app_topic_name(config_of(kTwoClusters), "acme.payments"), "payments");
}

TEST(OffsetsTopicNames, SeveralPlaceholders) {
  EXPECT_EQ(app_topic_name(config_of(kTwoClusters), "twice-twice"), "twice");
}

TEST(OffsetsTopicNames, UpstreamNameTheRenameDoesNotProduceStaysAsIs) {
  // "acme.orders" would come from "orders", which the orders* route does
  // not rename: the app does not see this topic under another name.
  EXPECT_EQ(app_topic_name(config_of(kTwoClusters), "acme.orders"), "acme.orders");
}

TEST(OffsetsTopicNames, TopicRoutedToAnotherClusterIsNotMappedHere) {
  // On the groups' cluster, "audit" is not the app's audit (that one goes
  // to `other`): the name is shown as the cluster has it.
  EXPECT_EQ(app_topic_name(config_of(kTwoClusters), "audit"), "audit");
}

}  // namespace
}  // namespace ks::app
