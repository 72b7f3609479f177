// A cluster's sasl as the upstream clients see it: the pipeline's two
// clients share one login, and update_credentials (a config reload) applies
// to the next connects and forgets a refusal.
#include <gtest/gtest.h>

#include "app/cluster_pipeline.h"
#include "app/upstream_client_options.h"
#include "proxy/upstream/errc.h"

namespace ks::app {
namespace {

config::ClusterConfig cluster_with_password(std::string password) {
  config::ClusterConfig cluster;
  cluster.name = "main";
  cluster.bootstrap.push_back({"127.0.0.1", 9092});
  config::SaslConfig sasl;
  sasl.mechanism = config::SaslMechanism::scram_sha_512;
  sasl.username = "alice";
  sasl.password = config::Secret(std::move(password));
  cluster.sasl = sasl;
  return cluster;
}

std::string next_password(const upstream::SaslAccount& account) {
  const auto login = account.next_login();
  if (!login) return "error: " + login.error().message;
  return *login ? (*login)->password : "no login";
}

class UpstreamCredentials : public ::testing::Test {
 protected:
  UpstreamCredentials() { config_.clusters.push_back(cluster_with_password("old")); }

  asio::io_context io_;
  config::Config config_;
};

TEST_F(UpstreamCredentials, ClientOptionsCarryTheClustersSasl) {
  const auto options = client_options(config_.clusters[0], "/offsets", nullptr);
  ASSERT_TRUE(options.sasl);
  const auto login = options.sasl->next_login();
  ASSERT_TRUE(login && *login);
  EXPECT_EQ((*login)->mechanism, upstream::SaslMechanism::scram_sha_512);
  EXPECT_EQ((*login)->username, "alice");
  EXPECT_EQ((*login)->password, "old");
}

TEST_F(UpstreamCredentials, AClusterWithoutSaslDoesNotLogIn) {
  config_.clusters[0].sasl.reset();
  const auto options = client_options(config_.clusters[0], "", nullptr);
  EXPECT_EQ(next_password(*options.sasl), "no login");
}

TEST_F(UpstreamCredentials, ThePipelinesClientsShareOneLogin) {
  ClusterPipeline pipeline(io_.get_executor(), io_.get_executor(), config_, config_.clusters[0],
                           nullptr);
  EXPECT_EQ(pipeline.client().options().sasl, pipeline.forwarding_client().options().sasl);
  EXPECT_EQ(next_password(*pipeline.client().options().sasl), "old");
}

TEST_F(UpstreamCredentials, UpdateCredentialsAppliesToTheNextLoginAndForgetsARefusal) {
  ClusterPipeline pipeline(io_.get_executor(), io_.get_executor(), config_, config_.clusters[0],
                           nullptr);
  upstream::SaslAccount& account = *pipeline.client().options().sasl;
  const auto login = account.next_login();
  ASSERT_TRUE(login && *login);
  account.refused(**login, "127.0.0.1:9092",
                  Error{make_error_code(upstream::errc::authentication_failed), "refused"});
  EXPECT_EQ(pipeline.authentication_failures(), 1u);
  EXPECT_EQ(next_password(account), "error: refused");

  pipeline.update_credentials(cluster_with_password("new"));
  EXPECT_EQ(next_password(account), "new");

  // The same credentials again: tried again (the broker may know them now).
  account.refused(*account.next_login().value(), "127.0.0.1:9092",
                  Error{make_error_code(upstream::errc::authentication_failed), "refused"});
  pipeline.update_credentials(cluster_with_password("new"));
  EXPECT_EQ(next_password(account), "new");

  config::ClusterConfig without = cluster_with_password("");
  without.sasl.reset();
  pipeline.update_credentials(without);
  EXPECT_EQ(next_password(account), "no login");
}

}  // namespace
}  // namespace ks::app
