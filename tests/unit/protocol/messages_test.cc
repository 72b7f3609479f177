#include "proxy/protocol/messages.h"

#include <gtest/gtest.h>

#include "tests/unit/protocol/codec_test_util.h"

namespace ks::protocol {
namespace {

using codec_test::decode_exactly;
using codec_test::encode;

MetadataResponse sample_metadata() {
  MetadataResponse m;
  m.brokers.push_back({1, "localhost", 9092, std::nullopt});
  m.cluster_id = "cluster";
  m.controller_id = 1;
  MetadataResponse::MetadataResponseTopic t;
  t.name = "orders";
  for (int32_t p = 0; p < 3; ++p)
    t.partitions.push_back({0, p, 1, 0, {1}, {1}, {}});
  m.topics.push_back(t);
  return m;
}

TEST(Messages, MetadataResponseRoundTripsAtEveryVersion) {
  const auto m = sample_metadata();
  for (int16_t v = MetadataResponse::kMinVersion; v <= MetadataResponse::kMaxVersion; ++v) {
    const auto back = decode_exactly<MetadataResponse>(encode(m, v), v);
    ASSERT_EQ(back.topics.size(), 1u);
    EXPECT_EQ(back.topics[0].name, "orders");
    EXPECT_EQ(back.topics[0].partitions.size(), 3u);
    EXPECT_EQ(back.brokers[0].host, "localhost");
    EXPECT_EQ(back.brokers[0].port, 9092);
    if (v >= 2) {
      EXPECT_EQ(back.cluster_id, "cluster");
    }
  }
}

TEST(Messages, FlexibleVersionsUseCompactEncoding) {
  MetadataRequest req;
  req.topics.emplace();
  req.topics->push_back({{}, std::string("t")});
  // v8: int32 count + int16 string; v9: uvarint count + compact string + tags.
  EXPECT_EQ(encode(req, 8).size(), 4u + 2 + 1 + 1 + 1 + 1);
  EXPECT_EQ(encode(req, 9).size(), 1u + 1 + 1 + 1 + 1 + 1 + 1 + 1);
}

TEST(Messages, NullTopicsMeansAllTopicsFromV1ButEmptyInV0) {
  MetadataRequest req;  // topics null = all
  EXPECT_FALSE(decode_exactly<MetadataRequest>(encode(req, 1), 1).topics.has_value());
  const auto v0 = decode_exactly<MetadataRequest>(encode(req, 0), 0);
  ASSERT_TRUE(v0.topics.has_value());
  EXPECT_TRUE(v0.topics->empty());
}

TEST(Messages, ProduceRequestTranslatesBetweenVersions) {
  const std::vector<std::byte> batch(70, std::byte{1});
  ProduceRequest req;
  req.acks = -1;
  req.timeout_ms = 1500;
  req.topics.push_back({"orders", {{2, Bytes(batch)}}});
  // Decoded at a flexible client version, re-encoded at an old upstream one.
  // Decoded records are views: the encoded buffers must outlive them.
  const auto client_bytes = encode(req, 9);
  const auto flexible = decode_exactly<ProduceRequest>(client_bytes, 9);
  const auto upstream_bytes = encode(flexible, 7);
  const auto old = decode_exactly<ProduceRequest>(upstream_bytes, 7);
  ASSERT_EQ(old.topics.size(), 1u);
  EXPECT_EQ(old.topics[0].name, "orders");
  EXPECT_EQ(old.topics[0].partitions[0].index, 2);
  ASSERT_TRUE(old.topics[0].partitions[0].records.has_value());
  EXPECT_EQ(old.topics[0].partitions[0].records->size(), 70u);
  EXPECT_EQ(old.timeout_ms, 1500);
}

TEST(Messages, FieldsAbsentFromAVersionKeepDefaults) {
  ProduceResponse resp;
  resp.topics.push_back({"t", {{0, 0, 5, 123, 7, {}, std::string("x")}}});
  const auto v4 = decode_exactly<ProduceResponse>(encode(resp, 4), 4);
  EXPECT_EQ(v4.topics[0].partitions[0].log_start_offset, -1);         // v5+
  EXPECT_EQ(v4.topics[0].partitions[0].error_message, std::nullopt);  // v8+
  const auto v8 = decode_exactly<ProduceResponse>(encode(resp, 8), 8);
  EXPECT_EQ(v8.topics[0].partitions[0].log_start_offset, 7);
  EXPECT_EQ(v8.topics[0].partitions[0].error_message, "x");
}

TEST(Messages, TruncatedInputFailsCleanlyAtEveryLength) {
  codec_test::expect_every_truncation_fails(sample_metadata(), 12);
}

// A count that claims as many topics as there are bytes must not make the
// decoder hold one (much larger) struct per claimed element.
TEST(Messages, LyingArrayCountCostsNoMoreThanTheBytesSent) {
  std::vector<std::byte> body;
  Writer w(body);
  w.nullable_string(std::nullopt, false);  // transactional_id
  w.int16(-1);                             // acks
  w.int32(1000);                           // timeout_ms
  w.int32(4000);                           // topic count, a lie
  body.resize(body.size() + 4000, std::byte{0});
  Reader r(body);
  ProduceRequest request;
  request.decode(r, 7);
  EXPECT_FALSE(r.ok());
  EXPECT_LE(request.topics.size(), 4000u / 6 + 1);  // a topic takes at least 6 bytes at v7
}

TEST(Messages, ApiRangesCoverEveryRequest) {
  ASSERT_NE(find_api(ApiKey::produce), nullptr);
  EXPECT_EQ(find_api(ApiKey::produce)->min_version, 3);
  EXPECT_EQ(find_api(ApiKey::api_versions)->first_flexible, 3);
  EXPECT_EQ(find_api(ApiKey::create_topics), nullptr);
}

}  // namespace
}  // namespace ks::protocol
