#include <gtest/gtest.h>

#include <vector>

#include "proxy/server/fetch_handler.h"

namespace ks::server {
namespace {

// Answers whose records have these sizes (-1: no records field).
std::vector<FetchAnswer> answers(const std::vector<int>& sizes, std::vector<std::byte>& storage) {
  storage.assign(1000, std::byte{0});
  std::vector<FetchAnswer> out;
  for (const int size : sizes) {
    auto& answer = out.emplace_back();
    if (size >= 0) answer.records = protocol::Bytes(storage).first(static_cast<size_t>(size));
  }
  return out;
}

std::vector<int> sizes(const std::vector<FetchAnswer>& answers) {
  std::vector<int> out;
  for (const auto& answer : answers)
    out.push_back(answer.records ? static_cast<int>(answer.records->size()) : -1);
  return out;
}

TEST(FetchMaxBytes, EverythingWithinTheLimitStays) {
  std::vector<std::byte> storage;
  auto merged = answers({100, -1, 0, 200}, storage);
  keep_within_max_bytes(merged, 300);
  EXPECT_EQ(sizes(merged), (std::vector<int>{100, -1, 0, 200}));
}

TEST(FetchMaxBytes, PartitionsFromTheOneThatPassesTheLimitOnComeBackEmpty) {
  std::vector<std::byte> storage;
  auto merged = answers({100, 150, 100, 10}, storage);
  keep_within_max_bytes(merged, 300);
  EXPECT_EQ(sizes(merged), (std::vector<int>{100, 150, 0, 0}));
}

TEST(FetchMaxBytes, TheFirstPartitionWithRecordsStaysWholeOverTheLimit) {
  std::vector<std::byte> storage;
  auto merged = answers({0, 500, 10}, storage);
  keep_within_max_bytes(merged, 300);
  EXPECT_EQ(sizes(merged), (std::vector<int>{0, 500, 0}));
}

TEST(FetchMaxBytes, ANonPositiveLimitStillLetsTheFirstBatchThrough) {
  std::vector<std::byte> storage;
  auto merged = answers({20, 20}, storage);
  keep_within_max_bytes(merged, 0);
  EXPECT_EQ(sizes(merged), (std::vector<int>{20, 0}));
}

TEST(FetchRecords, EveryAnswerGetsARecordsFieldEmptyWhereItHadNone) {
  std::vector<std::byte> storage;
  auto merged = answers({-1, 100, -1, 0}, storage);
  give_every_answer_records(merged);
  EXPECT_EQ(sizes(merged), (std::vector<int>{0, 100, 0, 0}));
}

}  // namespace
}  // namespace ks::server
