// Passwords never leave the Config except through Secret::reveal().
#include <gtest/gtest.h>

#include "config/config.h"
#include "tests/unit/config/config_test_support.h"

namespace ks::config {
namespace {

using testing::dump;
using testing::load;

constexpr std::string_view kPassword = "hunter2-s3cr3t";

std::string cluster_with_sasl(std::string_view sasl) {
  return "buffer: { dir: /d }\nclusters:\n  main:\n    bootstrap: [\"k:1\"]\n    sasl: " +
         std::string(sasl) + "\n";
}

TEST(ConfigSecrets, NotInDiagnostics) {
  // Every error the sasl section can have, around an inline password.
  const LoadResult r = load(cluster_with_sasl(
      "{ mechanism: SCRAM, username: \"\", password: hunter2-s3cr3t, password_file: /pw, "
      "pasword: hunter2-s3cr3t }"));
  EXPECT_GE(r.diagnostics.size(), 4u) << dump(r);
  EXPECT_EQ(dump(r).find(kPassword), std::string::npos) << dump(r);
  EXPECT_EQ(check_config_report(r, "test.yaml").find(kPassword), std::string::npos);
}

TEST(ConfigSecrets, BadPasswordSyntaxIsNotQuoted) {
  const LoadResult r = load(
      cluster_with_sasl("{ mechanism: PLAIN, username: u, password: \"hunter2-s3cr3t${oops\" }"));
  ASSERT_EQ(r.diagnostics.size(), 1u) << dump(r);
  EXPECT_EQ(r.diagnostics[0].key_path, "clusters.main.sasl.password");
  EXPECT_EQ(dump(r).find("hunter2"), std::string::npos) << dump(r);
}

TEST(ConfigSecrets, PasswordVariableMissingNamesVariableAndKey) {
  const LoadResult r =
      load(cluster_with_sasl("{ mechanism: PLAIN, username: u, password: \"${PAY_PASSWORD}\" }"));
  ASSERT_EQ(r.diagnostics.size(), 1u) << dump(r);
  EXPECT_EQ(to_string(r.diagnostics[0]),
            "test.yaml:5:54: clusters.main.sasl.password: environment variable PAY_PASSWORD is "
            "not set (write ${PAY_PASSWORD:-default} to give a default)");
}

TEST(ConfigSecrets, RedactedInDescribe) {
  const LoadResult r =
      load(cluster_with_sasl("{ mechanism: PLAIN, username: svc, password: \"${PAY_PASSWORD}\" }"),
           {{"PAY_PASSWORD", std::string(kPassword)}});
  ASSERT_TRUE(r.ok()) << dump(r);
  EXPECT_EQ(r.config->clusters[0].sasl->password.reveal(), kPassword);
  const std::string text = describe(*r.config);
  EXPECT_EQ(text.find(kPassword), std::string::npos) << text;
  EXPECT_NE(text.find("password: \"***\""), std::string::npos) << text;
  EXPECT_NE(text.find("username: svc"), std::string::npos) << text;
  EXPECT_EQ(check_config_report(r, "test.yaml").find(kPassword), std::string::npos);
}

}  // namespace
}  // namespace ks::config

// ---------------------------------------------------------- listener.sasl

namespace ks::config {
namespace {

using testing::dump;
using testing::load;
using testing::only;

std::string listener_with_sasl(std::string_view sasl) {
  return "listener: { sasl: " + std::string(sasl) +
         " }\nbuffer: { dir: /d }\nclusters: { main: { bootstrap: [\"k:1\"] } }\n";
}

TEST(ConfigListenerSasl, UsersWithPasswordOrFile) {
  const LoadResult r = load(listener_with_sasl("{ mechanism: PLAIN, users: ["
                                               "{ username: svc, password: \"${SVC_PW}\" },"
                                               "{ username: audit, password_file: /run/pw } ] }"),
                            {{"SVC_PW", std::string(kPassword)}});
  ASSERT_TRUE(r.ok()) << dump(r);
  const auto& sasl = *r.config->listener.sasl;
  ASSERT_EQ(sasl.users.size(), 2u);
  EXPECT_EQ(sasl.users[0].username, "svc");
  EXPECT_EQ(sasl.users[0].password.reveal(), kPassword);
  EXPECT_EQ(sasl.users[1].password_file, "/run/pw");
  EXPECT_TRUE(sasl.users[1].password.empty());
}

TEST(ConfigListenerSasl, AbsentMeansOpen) {
  const LoadResult r = load("buffer: { dir: /d }\nclusters: { main: { bootstrap: [\"k:1\"] } }\n");
  ASSERT_TRUE(r.ok()) << dump(r);
  EXPECT_FALSE(r.config->listener.sasl);
}

TEST(ConfigListenerSasl, MissingPasswordIsReportedAtTheUser) {
  const LoadResult r = load(listener_with_sasl("{ mechanism: PLAIN, users: [{ username: svc }] }"));
  EXPECT_EQ(only(r, "listener.sasl.users[0].password").message,
            "is required (or password_file to read it from a file)");
}

TEST(ConfigListenerSasl, MissingVariableNamesIt) {
  const LoadResult r = load(listener_with_sasl(
      "{ mechanism: PLAIN, users: [{ username: svc, password: \"${SVC_PW}\" }] }"));
  EXPECT_NE(only(r, "listener.sasl.users[0].password").message.find("SVC_PW is not set"),
            std::string::npos)
      << dump(r);
}

TEST(ConfigListenerSasl, OnlyPlain) {
  const LoadResult r = load(
      listener_with_sasl("{ mechanism: SCRAM-SHA-256, users: [{ username: svc, password: x }] }"));
  EXPECT_EQ(only(r, "listener.sasl.mechanism").message, "\"SCRAM-SHA-256\" is not one of PLAIN");
}

TEST(ConfigListenerSasl, UsersRequiredAndUnique) {
  EXPECT_EQ(only(load(listener_with_sasl("{ mechanism: PLAIN, users: [] }")), "listener.sasl.users")
                .message,
            "needs at least one user");
  const LoadResult twice = load(listener_with_sasl(
      "{ mechanism: PLAIN, users: [{ username: a, password: x }, { username: a, password: y }] "
      "}"));
  EXPECT_EQ(only(twice, "listener.sasl.users[1]").message, "user a is listed twice");
}

TEST(ConfigListenerSasl, PasswordNeverPrinted) {
  const LoadResult r = load(listener_with_sasl(
      "{ mechanism: PLAIN, users: [{ username: svc, password: hunter2-s3cr3t }] }"));
  ASSERT_TRUE(r.ok()) << dump(r);
  const std::string text = describe(*r.config);
  EXPECT_EQ(text.find(kPassword), std::string::npos) << text;
  EXPECT_NE(text.find("password: \"***\""), std::string::npos) << text;
  EXPECT_EQ(check_config_report(r, "test.yaml").find(kPassword), std::string::npos);
  // Errors around the password do not quote it either.
  const LoadResult bad = load(listener_with_sasl(
      "{ mechanism: PLAIN, users: [{ username: svc, password: hunter2-s3cr3t, pasword: "
      "hunter2-s3cr3t, password_file: /pw }] }"));
  EXPECT_GE(bad.diagnostics.size(), 2u) << dump(bad);
  EXPECT_EQ(dump(bad).find(kPassword), std::string::npos) << dump(bad);
}

TEST(ConfigListenerSasl, DescribeLoadsBack) {
  const LoadResult r = load(listener_with_sasl(
      "{ mechanism: PLAIN, users: [{ username: svc, password_file: /run/pw }] }"));
  ASSERT_TRUE(r.ok()) << dump(r);
  const LoadResult again = load(describe(*r.config));
  ASSERT_TRUE(again.ok()) << dump(again) << describe(*r.config);
  EXPECT_EQ(again.config->listener.sasl->users[0].password_file, "/run/pw");
}

}  // namespace
}  // namespace ks::config
