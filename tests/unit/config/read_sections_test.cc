// The sections with fixed keys: listener, admin, log, buffer, forward, topics.
#include <gtest/gtest.h>

#include "config/config.h"
#include "tests/unit/config/config_test_support.h"

namespace ks::config {
namespace {

using testing::dump;
using testing::load;
using testing::minimal_with;
using testing::only;

TEST(ConfigSections, SizeInRange) {
  const LoadResult r = load(
      minimal_with("forward: { max_request_bytes: 100B }\ntopics: { t: { partitions: 1 } }\n"));
  EXPECT_EQ(only(r, "forward.max_request_bytes").message, "100B is out of range 1KiB..1GiB");
}

TEST(ConfigSections, SmallSegmentsAllowedForTests) {
  const LoadResult r = load(
      "buffer: { dir: /d, max_bytes: 64KiB, segment_bytes: 4KiB }\n"
      "clusters: { main: { bootstrap: [\"k:1\"] } }\n");
  ASSERT_TRUE(r.ok()) << dump(r);
  EXPECT_EQ(r.config->buffer.segment_bytes, 4 * kKiB);
}

TEST(ConfigSections, SegmentBounds) {
  const LoadResult r = load(
      "buffer: { dir: /d, segment_bytes: 1KiB }\nclusters: { main: { bootstrap: [\"k:1\"] } }\n");
  EXPECT_EQ(only(r, "buffer.segment_bytes").message, "1KiB is out of range 4KiB..1GiB");
  const LoadResult big = load(
      "buffer: { dir: /d, segment_bytes: 2GiB }\nclusters: { main: { bootstrap: [\"k:1\"] } }\n");
  EXPECT_EQ(only(big, "buffer.segment_bytes").message, "2GiB is out of range 4KiB..1GiB");
}

TEST(ConfigSections, SegmentLargerThanBuffer) {
  const LoadResult r = load(
      "buffer: { dir: /d, max_bytes: 8MiB, segment_bytes: 16MiB }\n"
      "clusters: { main: { bootstrap: [\"k:1\"] } }\n");
  EXPECT_EQ(only(r, "buffer.segment_bytes").message, "16MiB is larger than max_bytes (8MiB)");
}

TEST(ConfigSections, BufferSmallerThanDefaultSegment) {
  const LoadResult r =
      load("buffer: { dir: /d, max_bytes: 8MiB }\nclusters: { main: { bootstrap: [\"k:1\"] } }\n");
  EXPECT_EQ(only(r, "buffer.max_bytes").message,
            "8MiB is smaller than segment_bytes (64MiB, the default); set a smaller "
            "segment_bytes too");
}

TEST(ConfigSections, DurationMustBePositive) {
  const LoadResult r = load(
      "buffer: { dir: /d, fsync_interval: 0ms }\n"
      "clusters: { main: { bootstrap: [\"k:1\"], request_timeout: 0s } }\n");
  EXPECT_EQ(only(r, "buffer.fsync_interval").message, "must be greater than 0");
  EXPECT_EQ(only(r, "clusters.main.request_timeout").message, "must be greater than 0");
}

TEST(ConfigSections, EnumValueWithHint) {
  const LoadResult r = load(
      "buffer: { dir: /d, fsync: alway, when_full: drop-oldest }\n"
      "clusters: { main: { bootstrap: [\"k:1\"] } }\n");
  EXPECT_EQ(only(r, "buffer.fsync").message,
            "\"alway\" is not one of always, interval, never (did you mean \"always\"?)");
  EXPECT_EQ(only(r, "buffer.when_full").message,
            "\"drop-oldest\" is not one of block, reject, drop_oldest (did you mean "
            "\"drop_oldest\"?)");
}

TEST(ConfigSections, ListenerPortRange) {
  const LoadResult r = load(minimal_with("listener: { port: 70000 }\n"));
  EXPECT_EQ(only(r, "listener.port").message, "port 70000 is out of range 1..65535");
}

TEST(ConfigSections, ListenerLimits) {
  const LoadResult r = load(
      minimal_with("listener: { max_connections: 20, max_request_bytes: 1MiB, idle_timeout: 30s, "
                   "request_timeout: 2s }\n"));
  ASSERT_TRUE(r.ok()) << dump(r);
  EXPECT_EQ(r.config->listener.max_connections, 20u);
  EXPECT_EQ(r.config->listener.max_request_bytes, kMiB);
  EXPECT_EQ(r.config->listener.idle_timeout, std::chrono::seconds(30));
  EXPECT_EQ(r.config->listener.request_timeout, std::chrono::seconds(2));
  const LoadResult bad = load(minimal_with(
      "listener: { max_connections: 0, max_request_bytes: 4GiB, idle_timeout: 0s }\n"));
  EXPECT_NE(only(bad, "listener.max_connections").message.find("out of range"), std::string::npos);
  EXPECT_NE(only(bad, "listener.max_request_bytes").message.find("out of range"),
            std::string::npos);
  EXPECT_EQ(only(bad, "listener.idle_timeout").message, "must be greater than 0");
}

TEST(ConfigSections, AdminPortZeroDisables) {
  const LoadResult r = load(minimal_with("admin: { port: 0 }\n"));
  ASSERT_TRUE(r.ok()) << dump(r);
  EXPECT_EQ(r.config->admin.port, 0);
}

TEST(ConfigSections, AdvertisedDefaultsToAddressAndPort) {
  const LoadResult r = load(minimal_with("listener: { address: \"::1\", port: 19092 }\n"));
  ASSERT_TRUE(r.ok()) << dump(r);
  EXPECT_EQ(r.config->listener.advertised, (HostPort{"::1", 19092}));
}

TEST(ConfigSections, AdvertisedRequiredWithWildcardAddress) {
  const LoadResult r = load(minimal_with("listener:\n  address: 0.0.0.0\n"));
  const Diagnostic d = only(r, "listener.advertised");
  EXPECT_EQ(d.line, 4);
  EXPECT_NE(d.message.find("is required when address is 0.0.0.0"), std::string::npos);
}

TEST(ConfigSections, AdvertisedMustBeHostPort) {
  const LoadResult r = load(minimal_with("listener: { advertised: sidecar }\n"));
  EXPECT_EQ(only(r, "listener.advertised").message,
            "\"sidecar\" is not host:port, e.g. \"kafka-0:9092\"");
}

TEST(ConfigSections, ForwardCompressionIsOneOfKafkasCodecs) {
  const LoadResult r = load(minimal_with("forward: { compression: snapy }\n"));
  EXPECT_EQ(only(r, "forward.compression").message,
            "\"snapy\" is not one of none, gzip, snappy, lz4, zstd (did you mean \"snappy\"?)");
  for (const auto& [word, codec] : {std::pair{"none", Compression::none},
                                    {"gzip", Compression::gzip},
                                    {"snappy", Compression::snappy},
                                    {"lz4", Compression::lz4},
                                    {"zstd", Compression::zstd}}) {
    const LoadResult ok =
        load(minimal_with(std::string("forward: { compression: ") + word + " }\n"));
    ASSERT_TRUE(ok.ok()) << word;
    EXPECT_EQ(ok.config->forward.compression, codec);
  }
}

TEST(ConfigSections, ForwardMaxInFlight) {
  const LoadResult r = load(minimal_with("forward: { max_in_flight: 6 }\n"));
  EXPECT_EQ(only(r, "forward.max_in_flight").message, "6 is out of range 1..5");
  const LoadResult word = load(minimal_with("forward: { max_in_flight: many }\n"));
  EXPECT_EQ(only(word, "forward.max_in_flight").message, "\"many\" is not a whole number in 1..5");
}

TEST(ConfigSections, TopicPartitions) {
  const LoadResult r = load(minimal_with("topics:\n  orders: { partitions: 0 }\n  users: {}\n"));
  EXPECT_EQ(only(r, "topics.orders.partitions").message, "0 is out of range 1..2147483647");
  EXPECT_EQ(only(r, "topics.users.partitions").message, "is required but missing");
}

TEST(ConfigSections, TopicName) {
  const LoadResult r = load(minimal_with("topics:\n  \"orders/eu\": { partitions: 1 }\n"));
  EXPECT_EQ(only(r, "topics.orders/eu").message,
            "\"orders/eu\" contains '/'; topic names use only letters, digits, '.', '_' and '-'");
}

}  // namespace
}  // namespace ks::config

namespace ks::config {
namespace {

TEST(ConfigListenerTls, CertAndKeyRequiredCaOptional) {
  const LoadResult r = testing::load(
      "listener: { tls: { cert: /c.pem, key: /k.pem } }\nbuffer: { dir: /d }\n"
      "clusters: { main: { bootstrap: [\"k:1\"] } }\n");
  ASSERT_TRUE(r.ok()) << testing::dump(r);
  EXPECT_EQ(r.config->listener.tls->cert, "/c.pem");
  EXPECT_EQ(r.config->listener.tls->ca, "");
  const LoadResult again = testing::load(describe(*r.config));
  ASSERT_TRUE(again.ok()) << testing::dump(again);
  EXPECT_EQ(again.config->listener.tls->key, "/k.pem");

  const LoadResult missing = testing::load(
      "listener: { tls: { ca: /ca.pem } }\nbuffer: { dir: /d }\n"
      "clusters: { main: { bootstrap: [\"k:1\"] } }\n");
  EXPECT_EQ(testing::about(missing, "listener.tls.cert").size(), 1u) << testing::dump(missing);
  EXPECT_EQ(testing::about(missing, "listener.tls.key").size(), 1u) << testing::dump(missing);
}

}  // namespace
}  // namespace ks::config
