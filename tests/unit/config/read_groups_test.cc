// The groups section and Config::cluster_for_group.
#include <gtest/gtest.h>

#include "config/config.h"
#include "tests/unit/config/config_test_support.h"

namespace ks::config {
namespace {

using testing::about;
using testing::dump;
using testing::load;
using testing::only;

// Two clusters, every topic to main, and whatever groups section the test gives.
LoadResult with_groups(std::string_view groups) {
  return load(std::string("buffer: { dir: /d }\n"
                          "clusters:\n"
                          "  main: { bootstrap: [\"k:1\"] }\n"
                          "  payments: { bootstrap: [\"p:1\"] }\n"
                          "routes: [{ topics: \"*\", cluster: main }]\n") +
              std::string(groups));
}

TEST(ConfigGroups, WithoutRulesEveryGroupIsOnTheFirstCluster) {
  const LoadResult r = with_groups("");
  ASSERT_TRUE(r.ok()) << dump(r);
  EXPECT_TRUE(r.config->groups.empty());
  EXPECT_EQ(r.config->cluster_for_group("anything").name, "main");
}

TEST(ConfigGroups, FirstMatchWinsAndTheRestGoToTheFirstCluster) {
  const LoadResult ok = with_groups(
      "groups:\n"
      "  - { groups: \"audit\", cluster: main }\n"
      "  - { groups: \"billing-?\", cluster: payments }\n"
      "  - { groups: \"billing-*\", cluster: main }\n");
  ASSERT_TRUE(ok.ok()) << dump(ok);
  const Config& c = *ok.config;
  EXPECT_EQ(c.cluster_for_group("billing-1").name, "payments");
  EXPECT_EQ(c.cluster_for_group("billing-12").name, "main");
  EXPECT_EQ(c.cluster_for_group("audit").name, "main");
  EXPECT_EQ(c.cluster_for_group("other").name, "main");  // no rule: the first cluster
}

TEST(ConfigGroups, CatchAllToAnotherCluster) {
  const LoadResult r = with_groups("groups: [{ groups: \"*\", cluster: payments }]\n");
  ASSERT_TRUE(r.ok()) << dump(r);
  EXPECT_EQ(r.config->cluster_for_group("x").name, "payments");
}

TEST(ConfigGroups, EmptyList) {
  const LoadResult r = with_groups("groups: []\n");
  EXPECT_EQ(only(r, "groups").message,
            "has no rules; remove it to keep every consumer group on the first cluster");
}

TEST(ConfigGroups, UnknownClusterWithHint) {
  const LoadResult r = with_groups("groups:\n  - { groups: \"b-*\", cluster: paymnts }\n");
  const Diagnostic d = only(r, "groups[0].cluster");
  EXPECT_EQ(d.line, 7);
  EXPECT_EQ(d.message, "unknown cluster \"paymnts\" (did you mean \"payments\"?)");
}

TEST(ConfigGroups, UnknownClusterListsClusters) {
  const LoadResult r = with_groups("groups:\n  - { groups: \"b-*\", cluster: billing }\n");
  EXPECT_EQ(only(r, "groups[0].cluster").message,
            "unknown cluster \"billing\" (clusters: main, payments)");
}

TEST(ConfigGroups, ShadowedByEarlierCatchAll) {
  const LoadResult r = with_groups(
      "groups:\n"
      "  - { groups: \"*\", cluster: main }\n"
      "  - { groups: \"billing-*\", cluster: payments }\n");
  const Diagnostic d = only(r, "groups[1].groups");
  EXPECT_EQ(d.line, 8);
  EXPECT_EQ(d.message,
            "this rule can never match: groups[0] (\"*\") comes first and matches every group it "
            "would");
}

TEST(ConfigGroups, ExactNameShadowedByGlob) {
  const LoadResult r = with_groups(
      "groups:\n"
      "  - { groups: \"billing-*\", cluster: payments }\n"
      "  - { groups: \"billing-eu\", cluster: main }\n");
  EXPECT_EQ(only(r, "groups[1].groups").message,
            "this rule can never match: groups[0] (\"billing-*\") comes first and matches every "
            "group it would");
}

TEST(ConfigGroups, MissingKeysAndUnknownKey) {
  const LoadResult r = with_groups("groups:\n  - { group: \"x\" }\n");
  EXPECT_EQ(about(r, "groups[0].groups").size(), 1u) << dump(r);
  EXPECT_EQ(about(r, "groups[0].cluster").size(), 1u) << dump(r);
  EXPECT_EQ(about(r, "groups[0].group").size(), 1u) << dump(r);
}

}  // namespace
}  // namespace ks::config
