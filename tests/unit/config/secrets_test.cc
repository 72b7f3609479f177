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
