// The routes section and the routing lookups on a loaded Config.
#include <gtest/gtest.h>

#include "config/config.h"
#include "tests/unit/config/config_test_support.h"

namespace ks::config {
namespace {

using testing::dump;
using testing::load;
using testing::only;

// Two clusters and whatever routes section the test gives.
LoadResult with_routes(std::string_view routes) {
  return load(std::string("buffer: { dir: /d }\n"
                          "clusters:\n"
                          "  main: { bootstrap: [\"k:1\"] }\n"
                          "  payments: { bootstrap: [\"p:1\"] }\n") +
              std::string(routes));
}

TEST(ConfigRoutes, DefaultRouteToTheOnlyCluster) {
  const LoadResult r = load(testing::kMinimal);
  ASSERT_TRUE(r.ok()) << dump(r);
  const Route* route = r.config->route_for("anything.at.all");
  ASSERT_NE(route, nullptr);
  EXPECT_EQ(route->cluster, "main");
  EXPECT_EQ(route->upstream_name("anything.at.all"), "anything.at.all");
}

TEST(ConfigRoutes, SeveralClustersNeedRoutes) {
  const LoadResult r = with_routes("");
  const Diagnostic d = only(r, "clusters");
  EXPECT_EQ(d.line, 2);
  EXPECT_EQ(d.message,
            "2 clusters (main, payments) but no routes: add a routes section saying which topics "
            "go to which cluster");
}

TEST(ConfigRoutes, EmptyList) {
  const LoadResult r = load(testing::minimal_with("routes: []\n"));
  EXPECT_NE(only(r, "routes").message.find("has no rules"), std::string::npos);
}

TEST(ConfigRoutes, UnknownClusterWithHint) {
  const LoadResult r = with_routes("routes:\n  - { topics: \"*\", cluster: paymnts }\n");
  const Diagnostic d = only(r, "routes[0].cluster");
  EXPECT_EQ(d.line, 6);
  EXPECT_EQ(d.column, 29);
  EXPECT_EQ(d.message, "unknown cluster \"paymnts\" (did you mean \"payments\"?)");
}

TEST(ConfigRoutes, UnknownClusterListsClusters) {
  const LoadResult r = with_routes("routes:\n  - { topics: \"*\", cluster: billing }\n");
  EXPECT_EQ(only(r, "routes[0].cluster").message,
            "unknown cluster \"billing\" (clusters: main, payments)");
}

TEST(ConfigRoutes, ShadowedByEarlierCatchAll) {
  const LoadResult r = with_routes(
      "routes:\n"
      "  - { topics: \"*\", cluster: main }\n"
      "  - { topics: \"payments.*\", cluster: payments }\n");
  const Diagnostic d = only(r, "routes[1].topics");
  EXPECT_EQ(d.line, 7);
  EXPECT_EQ(d.message,
            "this rule can never match: routes[0] (\"*\") comes first and matches every topic it "
            "would");
}

TEST(ConfigRoutes, ShadowedByRepeatedPattern) {
  const LoadResult r = with_routes(
      "routes:\n"
      "  - { topics: \"payments.*\", cluster: payments }\n"
      "  - { topics: \"payments.*\", cluster: main }\n"
      "  - { topics: \"*\", cluster: main }\n");
  EXPECT_EQ(only(r, "routes[1].topics").message,
            "this rule can never match: routes[0] (\"payments.*\") comes first and matches every "
            "topic it would");
  EXPECT_TRUE(testing::about(r, "routes[2].topics").empty()) << dump(r);
}

TEST(ConfigRoutes, ExactNameShadowedByEarlierGlob) {
  const LoadResult r = with_routes(
      "routes:\n"
      "  - { topics: \"payments.*\", cluster: payments }\n"
      "  - { topics: \"payments.audit\", cluster: main }\n");
  EXPECT_EQ(only(r, "routes[1].topics").message,
            "this rule can never match: routes[0] (\"payments.*\") comes first and matches every "
            "topic it would");
}

TEST(ConfigRoutes, OverlappingGlobsAreAllowed) {
  const LoadResult r = with_routes(
      "routes:\n"
      "  - { topics: \"payments.*\", cluster: payments }\n"
      "  - { topics: \"*.audit\", cluster: main }\n");
  EXPECT_TRUE(r.ok()) << dump(r);
}

TEST(ConfigRoutes, RenameMustContainTopic) {
  const LoadResult r = with_routes("routes:\n  - { topics: \"*\", cluster: main, rename: shop }\n");
  EXPECT_EQ(only(r, "routes[0].rename").message,
            "\"shop\" does not contain {topic} (write e.g. \"shop.{topic}\")");
}

TEST(ConfigRoutes, RenameMustGiveLegalNames) {
  const LoadResult r =
      with_routes("routes:\n  - { topics: \"*\", cluster: main, rename: \"shop/{topic}\" }\n");
  EXPECT_NE(only(r, "routes[0].rename").message.find("renamed topics would be illegal"),
            std::string::npos);
}

TEST(ConfigRoutes, PatternMustBeTopicCharacters) {
  const LoadResult r = with_routes("routes:\n  - { topics: \"pay ments\", cluster: main }\n");
  EXPECT_NE(only(r, "routes[0].topics").message.find("contains ' '"), std::string::npos);
}

TEST(ConfigRoutes, RuleNeedsTopicsAndCluster) {
  const LoadResult r = with_routes("routes:\n  - { rename: \"x.{topic}\" }\n");
  EXPECT_EQ(only(r, "routes[0].topics").message, "is required but missing");
  EXPECT_EQ(only(r, "routes[0].cluster").message, "is required but missing");
}

TEST(ConfigRoutes, UnknownKeyInRule) {
  const LoadResult r = with_routes("routes:\n  - { topic: \"*\", cluster: main }\n");
  EXPECT_EQ(only(r, "routes[0].topic").message, "unknown key (did you mean \"topics\"?)");
}

TEST(ConfigRoutes, RenameOntoAnotherRulesTopics) {
  // "x" renamed is "legacy.x", which legacy.* sends to the same cluster as is.
  const LoadResult r = with_routes(
      "routes:\n"
      "  - { topics: \"legacy.*\", cluster: main }\n"
      "  - { topics: \"*\", cluster: main, rename: \"legacy.{topic}\" }\n");
  EXPECT_EQ(only(r, "routes[0].topics").message,
            "topics \"legacy.x\" and \"x\" (routes[1]) would both be \"legacy.x\" on cluster "
            "\"main\": their records would mix; change a rename");
}

TEST(ConfigRoutes, TwoRenamesOntoOneName) {
  const LoadResult r = with_routes(
      "routes:\n"
      "  - { topics: orders, cluster: main, rename: \"shop.{topic}\" }\n"
      "  - { topics: \"shop.*\", cluster: main }\n"
      "  - { topics: \"*\", cluster: payments }\n");
  EXPECT_NE(only(r, "routes[0].topics").message.find("would both be \"shop.orders\""),
            std::string::npos);
}

TEST(ConfigRoutes, SameUpstreamNameOnDifferentClustersIsFine) {
  const LoadResult r = with_routes(
      "routes:\n"
      "  - { topics: \"legacy.*\", cluster: payments }\n"
      "  - { topics: \"*\", cluster: main, rename: \"legacy.{topic}\" }\n");
  EXPECT_TRUE(r.ok()) << dump(r);
}

TEST(ConfigRoutes, PrefixRenameOfACatchAllIsFine) {
  const LoadResult r = with_routes(
      "routes:\n"
      "  - { topics: \"payments.*\", cluster: payments }\n"
      "  - { topics: \"*\", cluster: main, rename: \"shop.{topic}\" }\n");
  EXPECT_TRUE(r.ok()) << dump(r);
}

TEST(ConfigRoute, TopicNamedReversesRename) {
  const Route route{.topics = "*", .cluster = "c", .rename = "{topic}-{topic}"};
  EXPECT_EQ(route.topic_named("ab-ab"), "ab");
  EXPECT_EQ(route.topic_named("ab-cd"), std::nullopt);
  EXPECT_EQ(route.topic_named("abc"), std::nullopt);
  const Route same{.topics = "*", .cluster = "c", .rename = ""};
  EXPECT_EQ(same.topic_named("orders"), "orders");
}

TEST(ConfigRoutes, RouteForFirstMatchWins) {
  const LoadResult r = with_routes(
      "routes:\n"
      "  - { topics: \"payments.*\", cluster: payments }\n"
      "  - { topics: \"orders\", cluster: main }\n"
      "  - { topics: \"*\", cluster: main, rename: \"shop.{topic}\" }\n");
  ASSERT_TRUE(r.ok()) << dump(r);
  const Config& c = *r.config;
  ASSERT_NE(c.route_for("payments.eu"), nullptr);
  EXPECT_EQ(c.route_for("payments.eu")->cluster, "payments");
  EXPECT_EQ(c.route_for("orders"), &c.routes[1]);
  EXPECT_EQ(c.route_for("users"), &c.routes[2]);
  EXPECT_EQ(c.route_for("users")->upstream_name("users"), "shop.users");
  EXPECT_EQ(c.upstream_topic("users"), "shop.users");
  EXPECT_EQ(c.upstream_topic("orders"), "orders");
}

TEST(ConfigRoutes, NoMatchingRoute) {
  const LoadResult r = with_routes("routes:\n  - { topics: \"payments.*\", cluster: payments }\n");
  ASSERT_TRUE(r.ok()) << dump(r);
  EXPECT_EQ(r.config->route_for("orders"), nullptr);
  EXPECT_EQ(r.config->upstream_topic("orders"), "orders");
}

TEST(ConfigRoute, UpstreamName) {
  EXPECT_EQ((Route{"*", "main", ""}).upstream_name("orders"), "orders");
  EXPECT_EQ((Route{"*", "main", "shop.{topic}"}).upstream_name("orders"), "shop.orders");
  EXPECT_EQ((Route{"*", "main", "{topic}.v2"}).upstream_name("orders"), "orders.v2");
  EXPECT_EQ((Route{"*", "main", "{topic}-{topic}"}).upstream_name("a"), "a-a");
}

TEST(ConfigLookup, ClusterLookup) {
  const LoadResult r = with_routes("routes:\n  - { topics: \"*\", cluster: main }\n");
  ASSERT_TRUE(r.ok()) << dump(r);
  ASSERT_NE(r.config->cluster("payments"), nullptr);
  EXPECT_EQ(r.config->cluster("payments")->bootstrap[0].host, "p");
  EXPECT_EQ(r.config->cluster("nope"), nullptr);
}

}  // namespace
}  // namespace ks::config
