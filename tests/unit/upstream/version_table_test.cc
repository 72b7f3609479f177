#include "proxy/upstream/version_table.h"

#include <gtest/gtest.h>

namespace ks::upstream {
namespace {

using protocol::ApiKey;

VersionTable table(std::initializer_list<std::tuple<int16_t, int16_t, int16_t>> apis) {
  protocol::ApiVersionsResponse response;
  for (const auto& [key, min, max] : apis) {
    protocol::ApiVersionsResponse::ApiVersion api;
    api.api_key = key;
    api.min_version = min;
    api.max_version = max;
    response.api_keys.push_back(api);
  }
  return VersionTable(response);
}

TEST(VersionTable, PicksTheHighestCommonVersion) {
  const auto versions = table({{0, 0, 7}, {1, 0, 11}, {3, 0, 2}});
  EXPECT_EQ(versions.pick(ApiKey::produce, {3, 10}), 7);
  EXPECT_EQ(versions.pick(ApiKey::fetch, {4, 12}), 11);
  EXPECT_EQ(versions.pick(ApiKey::metadata, {0, 12}), 2);
}

TEST(VersionTable, NoOverlapOrUnlistedApiIsNoVersion) {
  const auto versions = table({{0, 0, 2}, {1, 13, 16}});
  EXPECT_EQ(versions.pick(ApiKey::produce, {3, 10}), std::nullopt);
  EXPECT_EQ(versions.pick(ApiKey::fetch, {4, 12}), std::nullopt);
  EXPECT_EQ(versions.pick(ApiKey::init_producer_id, {0, 4}), std::nullopt);
  EXPECT_EQ(versions.broker_range(ApiKey::init_producer_id), std::nullopt);
}

TEST(VersionTable, BrokerMinimumAboveOursStillOverlaps) {
  const auto versions = table({{3, 5, 13}});  // a Kafka 4 broker dropped old Metadata versions
  EXPECT_EQ(versions.pick(ApiKey::metadata, {0, 12}), 12);
  EXPECT_EQ(versions.pick(ApiKey::metadata, {0, 4}), std::nullopt);
}

}  // namespace
}  // namespace ks::upstream
