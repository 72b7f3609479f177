// describe() and the check-config report.
#include <gtest/gtest.h>

#include "config/config.h"
#include "tests/unit/config/config_test_support.h"

namespace ks::config {
namespace {

using testing::dump;
using testing::load;

TEST(ConfigDescribe, DefaultsInFull) {
  const LoadResult r = load(testing::kMinimal);
  ASSERT_TRUE(r.ok()) << dump(r);
  EXPECT_EQ(describe(*r.config), R"(listener:
  address: 127.0.0.1
  port: 9092
  advertised: 127.0.0.1:9092
  max_connections: 1000
  max_request_bytes: 100MiB
  idle_timeout: 10m
  request_timeout: 30s
admin:
  address: 127.0.0.1
  port: 9644
log:
  level: info
  format: text
buffer:
  dir: /data
  max_bytes: 10GiB
  segment_bytes: 64MiB
  fsync: always
  fsync_interval: 50ms
  when_full: block
  block_timeout: 30s
clusters:
  main:
    bootstrap: [kafka-0:9092]
    client_id: kafka-sidecar
    request_timeout: 30s
    retry_backoff: 100ms
    retry_backoff_max: 1s
routes:
  - topics: "*"
    cluster: main
forward:
  max_in_flight: 5
  linger: 0ms
  max_request_bytes: 1MiB
  compression: none
)");
}

// describe() output loads back to the same configuration (but the password).
TEST(ConfigDescribe, RoundTrips) {
  const LoadResult first = load(R"(
listener: { address: "::", port: 19092, advertised: "[fd00::1]:19092" }
admin: { port: 0 }
log: { level: warn, format: json }
buffer: { dir: "/d/$$HOME/${SUB}", max_bytes: 1.5GiB, segment_bytes: 1000000, fsync: never,
          when_full: reject, block_timeout: 1.5s }
clusters:
  b: { bootstrap: ["k:1", "[::1]:2"], client_id: "{x}", tls: { ca: /ca.pem }, retry_backoff_max: 90m,
       sasl: { mechanism: SCRAM-SHA-256, username: "*", password_file: /pw } }
  a: { bootstrap: ["k:3"], tls: { cert: /c, key: /k, verify_hostname: false },
       sasl: { mechanism: PLAIN, username: u, password: p } }
routes:
  - { topics: "orders", cluster: a, rename: "{topic}.v2" }
  - { topics: "*", cluster: b }
groups:
  - { groups: "billing-*", cluster: a }
topics: { orders: { partitions: 12 } }
forward: { max_in_flight: 2, linger: 1s, max_request_bytes: 10KB, compression: zstd }
)",
                                {{"SUB", "$sub"}});
  ASSERT_TRUE(first.ok()) << dump(first);
  const std::string text = describe(*first.config);
  const LoadResult second = load(text);
  ASSERT_TRUE(second.ok()) << dump(second) << text;
  EXPECT_EQ(describe(*second.config), text);
  EXPECT_EQ(second.config->buffer.dir, "/d/$HOME/$sub");
  EXPECT_EQ(second.config->clusters[0].name, "b");  // file order kept
  EXPECT_EQ(second.config->clusters[1].sasl->password.reveal(), "***");
  EXPECT_EQ(second.config->cluster_for_group("billing-eu").name, "a");
}

TEST(ConfigCheckReport, Valid) {
  const LoadResult r = load(testing::kMinimal);
  const std::string report = check_config_report(r, "sidecar.yaml");
  EXPECT_EQ(report.rfind("# sidecar.yaml: valid. Effective configuration:\nlistener:\n", 0), 0u)
      << report;
  EXPECT_NE(report.find(describe(*r.config)), std::string::npos);
}

TEST(ConfigCheckReport, Invalid) {
  const LoadResult r = load("buffer: {}\nclusters: {}\n");
  EXPECT_EQ(check_config_report(r, "test.yaml"),
            "test.yaml:1:1: buffer.dir: is required but missing\n"
            "test.yaml:2:1: clusters: needs at least one cluster\n"
            "test.yaml: 2 problems found; the sidecar would refuse to start\n");
}

TEST(ConfigCheckReport, OneProblemIsSingular) {
  const LoadResult r = load("buffer: {}\nclusters: { main: { bootstrap: [\"k:1\"] } }\n");
  const std::string report = check_config_report(r, "test.yaml");
  EXPECT_NE(report.find("test.yaml: 1 problem found;"), std::string::npos) << report;
}

}  // namespace
}  // namespace ks::config
