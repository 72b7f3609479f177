#include "proxy/server/topic_catalog.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tests/unit/server/test_support.h"

namespace ks::server {
namespace {

using protocol::ErrorCode;
using Counts = std::map<std::string, int32_t>;

awaitable<std::optional<Counts>> answer(std::optional<Counts> counts) {
  co_return counts;
}

class TopicCatalogTest : public ::testing::Test {
 protected:
  std::filesystem::path cache() const { return dir_.path() / "topics"; }

  // The upstream answers every lookup with `counts` (nullopt: unreachable);
  // the asked topics are kept in asked_.
  void answer_lookups(TopicCatalog& catalog, std::optional<Counts> counts) {
    catalog.set_upstream_lookup([this, counts](std::vector<std::string> topics) {
      asked_.push_back(std::move(topics));
      return answer(counts);
    });
  }

  TopicInfo find(TopicCatalog& catalog, const std::string& topic) {
    return test::run(io_, catalog.find(topic));
  }

  test::TempDir dir_;
  asio::io_context io_;
  std::vector<std::vector<std::string>> asked_;
};

TEST_F(TopicCatalogTest, DeclaredCountAnswersWithoutAskingUpstream) {
  TopicCatalog catalog(cache(), {{"orders", 3}});
  answer_lookups(catalog, Counts{{"orders", 8}});
  const TopicInfo info = find(catalog, "orders");
  EXPECT_EQ(info.error, ErrorCode::none);
  EXPECT_EQ(info.partitions, 3);
  EXPECT_TRUE(asked_.empty());
}

TEST_F(TopicCatalogTest, UnknownTopicIsAskedUpstreamOnceAndThenKnown) {
  TopicCatalog catalog(cache(), {});
  answer_lookups(catalog, Counts{{"orders", 4}});
  EXPECT_EQ(find(catalog, "orders").partitions, 4);
  EXPECT_EQ(find(catalog, "orders").partitions, 4);
  ASSERT_EQ(asked_.size(), 1u);
  EXPECT_EQ(asked_[0], std::vector<std::string>{"orders"});
}

TEST_F(TopicCatalogTest, UnreachableUpstreamGivesLeaderNotAvailable) {
  TopicCatalog catalog(cache(), {});
  answer_lookups(catalog, std::nullopt);
  EXPECT_EQ(find(catalog, "orders").error, ErrorCode::leader_not_available);
  EXPECT_EQ(asked_.size(), 1u);
}

TEST_F(TopicCatalogTest, NoUpstreamLookupGivesLeaderNotAvailable) {
  TopicCatalog catalog(cache(), {});
  EXPECT_EQ(find(catalog, "orders").error, ErrorCode::leader_not_available);
}

TEST_F(TopicCatalogTest, TopicMissingUpstreamGivesUnknownTopicOrPartition) {
  TopicCatalog catalog(cache(), {});
  answer_lookups(catalog, Counts{{"payments", 2}});
  const TopicInfo info = find(catalog, "orders");
  EXPECT_EQ(info.error, ErrorCode::unknown_topic_or_partition);
  EXPECT_EQ(info.partitions, 0);
}

TEST_F(TopicCatalogTest, UpdatedCountsSurviveInTheCacheFile) {
  TopicCatalog before(cache(), {});
  before.update({{"orders", 4}, {"payments", 2}});

  TopicCatalog after(cache(), {});
  EXPECT_FALSE(after.load());
  EXPECT_EQ(after.known(), (Counts{{"orders", 4}, {"payments", 2}}));
  EXPECT_EQ(find(after, "orders").partitions, 4);  // no lookup set: answered from the cache
}

TEST_F(TopicCatalogTest, DeclaredCountsWinOverTheCache) {
  TopicCatalog before(cache(), {});
  before.update({{"orders", 4}, {"payments", 2}});

  TopicCatalog after(cache(), {{"orders", 7}});
  EXPECT_FALSE(after.load());
  EXPECT_EQ(after.known(), (Counts{{"orders", 7}, {"payments", 2}}));
}

TEST_F(TopicCatalogTest, MissingCacheFileIsAnEmptyCache) {
  TopicCatalog catalog(cache(), {{"orders", 3}});
  EXPECT_FALSE(catalog.load());
  EXPECT_EQ(catalog.known(), (Counts{{"orders", 3}}));
}

TEST_F(TopicCatalogTest, PartitionCountGrowthIsTakenAndPersisted) {
  TopicCatalog catalog(cache(), {});
  catalog.update({{"orders", 2}});
  catalog.update({{"orders", 5}});
  EXPECT_EQ(find(catalog, "orders").partitions, 5);

  TopicCatalog reloaded(cache(), {});
  EXPECT_FALSE(reloaded.load());
  EXPECT_EQ(reloaded.known(), (Counts{{"orders", 5}}));
}

TEST_F(TopicCatalogTest, ForgottenCountIsAskedAgainAndLeavesTheCache) {
  TopicCatalog catalog(cache(), {{"declared", 2}});
  catalog.update({{"orders", 3}});
  catalog.forget("orders");
  catalog.forget("declared");
  EXPECT_EQ(catalog.known(), (Counts{{"declared", 2}}));

  TopicCatalog reloaded(cache(), {});
  EXPECT_FALSE(reloaded.load());
  EXPECT_EQ(reloaded.known(), (Counts{{"declared", 2}}));
}

}  // namespace
}  // namespace ks::server
