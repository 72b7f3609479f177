// The clusters section: bootstrap, timeouts, TLS and SASL.
#include <gtest/gtest.h>

#include "config/config.h"
#include "tests/unit/config/config_test_support.h"

namespace ks::config {
namespace {

using testing::dump;
using testing::load;
using testing::only;

TEST(ConfigClusters, ClustersRequireOne) {
  const LoadResult r = load("buffer: { dir: /d }\nclusters: {}\n");
  EXPECT_EQ(only(r, "clusters").message, "needs at least one cluster");
}

TEST(ConfigClusters, ClusterNeedsBootstrap) {
  const LoadResult r = load("buffer: { dir: /d }\nclusters: { main: { client_id: x } }\n");
  EXPECT_EQ(only(r, "clusters.main.bootstrap").message, "is required but missing");
}

TEST(ConfigClusters, BootstrapMustBeAList) {
  const LoadResult r = load("buffer: { dir: /d }\nclusters: { main: { bootstrap: \"k:1\" } }\n");
  EXPECT_EQ(only(r, "clusters.main.bootstrap").message, "expected a list, found a single value");
}

TEST(ConfigClusters, BootstrapEmptyList) {
  const LoadResult r = load("buffer: { dir: /d }\nclusters: { main: { bootstrap: [] } }\n");
  EXPECT_EQ(only(r, "clusters.main.bootstrap").message, "needs at least one host:port");
}

TEST(ConfigClusters, BootstrapUnbracketedIpv6) {
  const LoadResult r =
      load("buffer: { dir: /d }\nclusters: { main: { bootstrap: [\"::1:9092\"] } }\n");
  EXPECT_NE(only(r, "clusters.main.bootstrap[0]").message.find("IPv6 addresses in brackets"),
            std::string::npos);
}

TEST(ConfigClusters, ClusterName) {
  const LoadResult r =
      load("buffer: { dir: /d }\nclusters: { \"my cluster\": { bootstrap: [\"k:1\"] } }\n");
  EXPECT_EQ(only(r, "clusters.my cluster").message,
            "a cluster name uses only letters, digits, '.', '_' and '-'");
}

TEST(ConfigClusters, RetryBackoffAboveMax) {
  const LoadResult r = load(
      "buffer: { dir: /d }\nclusters: { main: { bootstrap: [\"k:1\"], retry_backoff: 20s } }\n");
  EXPECT_EQ(only(r, "clusters.main.retry_backoff").message,
            "retry_backoff (20s) is larger than retry_backoff_max (1s)");
}

TEST(ConfigClusters, TlsCertWithoutKey) {
  const LoadResult r = load(
      "buffer: { dir: /d }\nclusters: { main: { bootstrap: [\"k:1\"], tls: { cert: /c.pem } } }\n");
  EXPECT_EQ(only(r, "clusters.main.tls.key").message, "is required with cert");
}

TEST(ConfigClusters, TlsEmptyMeansSystemCas) {
  const LoadResult r =
      load("buffer: { dir: /d }\nclusters: { main: { bootstrap: [\"k:1\"], tls: {} } }\n");
  ASSERT_TRUE(r.ok()) << dump(r);
  ASSERT_TRUE(r.config->clusters[0].tls);
  EXPECT_EQ(r.config->clusters[0].tls->ca, "");
  EXPECT_TRUE(r.config->clusters[0].tls->verify_hostname);
}

TEST(ConfigClusters, TlsVerifyHostnameIsBoolean) {
  const LoadResult r = load(
      "buffer: { dir: /d }\n"
      "clusters: { main: { bootstrap: [\"k:1\"], tls: { verify_hostname: yes } } }\n");
  EXPECT_EQ(only(r, "clusters.main.tls.verify_hostname").message, "\"yes\" is not true or false");
}

TEST(ConfigClusters, SaslPasswordFile) {
  const LoadResult r = load(
      "buffer: { dir: /d }\nclusters: { main: { bootstrap: [\"k:1\"], sasl: { mechanism: PLAIN, "
      "username: u, password_file: /run/secrets/pw } } }\n");
  ASSERT_TRUE(r.ok()) << dump(r);
  EXPECT_EQ(r.config->clusters[0].sasl->password_file, "/run/secrets/pw");
  EXPECT_TRUE(r.config->clusters[0].sasl->password.empty());
}

TEST(ConfigClusters, SaslNeedsExactlyOnePassword) {
  const LoadResult both = load(
      "buffer: { dir: /d }\nclusters: { main: { bootstrap: [\"k:1\"], sasl: { mechanism: PLAIN, "
      "username: u, password: p, password_file: /pw } } }\n");
  EXPECT_EQ(only(both, "clusters.main.sasl.password_file").message,
            "give either password or password_file, not both");
  const LoadResult neither = load(
      "buffer: { dir: /d }\nclusters: { main: { bootstrap: [\"k:1\"], sasl: { mechanism: PLAIN, "
      "username: u } } }\n");
  EXPECT_EQ(only(neither, "clusters.main.sasl.password").message,
            "is required (or password_file to read it from a file)");
}

TEST(ConfigClusters, SaslMechanism) {
  const LoadResult r = load(
      "buffer: { dir: /d }\nclusters: { main: { bootstrap: [\"k:1\"], sasl: { mechanism: "
      "SCRAM-SHA-265, username: u, password: p } } }\n");
  EXPECT_EQ(only(r, "clusters.main.sasl.mechanism").message,
            "\"SCRAM-SHA-265\" is not one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 (did you mean "
            "\"SCRAM-SHA-256\"?)");
}

}  // namespace
}  // namespace ks::config
