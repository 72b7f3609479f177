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
  EXPECT_EQ(app_topic_name(config_of(kTwoClusters), "main", "orders"), "orders");
}

TEST(OffsetsTopicNames, RenamedTopicGetsTheAppsName) {
  EXPECT_EQ(app_topic_name(config_of(kTwoClusters), "main", "acme.payments"), "payments");
}

TEST(OffsetsTopicNames, SeveralPlaceholders) {
  EXPECT_EQ(app_topic_name(config_of(kTwoClusters), "main", "twice-twice"), "twice");
}

TEST(OffsetsTopicNames, UpstreamNameTheRenameDoesNotProduceStaysAsIs) {
  // "acme.orders" would come from "orders", which the orders* route does
  // not rename: the app does not see this topic under another name.
  EXPECT_EQ(app_topic_name(config_of(kTwoClusters), "main", "acme.orders"), "acme.orders");
}

TEST(OffsetsTopicNames, TheGroupsClusterRoutesComeFirst) {
  constexpr std::string_view kClash = R"(
buffer: { dir: /tmp/x }
clusters:
  main: { bootstrap: ["k:9092"] }
  other: { bootstrap: ["o:9092"] }
routes:
  - { topics: "acme.*", cluster: other }
  - { topics: "*", cluster: main, rename: "acme.{topic}" }
)";
  // "acme.x" is the app's "acme.x" on `other` and the app's "x" on `main`.
  EXPECT_EQ(app_topic_name(config_of(kClash), "main", "acme.x"), "x");
  EXPECT_EQ(app_topic_name(config_of(kClash), "other", "acme.x"), "acme.x");
}

TEST(OffsetsTopicNames, TopicOfAnotherClustersRouteIsMappedToo) {
  // A group on `other` commits offsets of main's renamed topics too.
  EXPECT_EQ(app_topic_name(config_of(kTwoClusters), "other", "acme.payments"), "payments");
}

}  // namespace
}  // namespace ks::app
