// TlsContext::create: a bad CA, certificate or key file is refused with the
// file and the reason, before any connection is tried.
#include "proxy/upstream/tls_context.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/unit/upstream/test_certificates.h"

namespace ks::upstream {
namespace {

using test::Pem;

class TlsContextTest : public ::testing::Test {
 protected:
  test::TestCertificates certs_;
};

std::string create_error(const TlsOptions& options) {
  const auto made = TlsContext::create(options, "clusters.a.tls");
  return made ? "" : made.error().message;
}

TEST_F(TlsContextTest, SystemTrustStoreWithoutCa) {
  EXPECT_EQ(create_error({}), "");
}

TEST_F(TlsContextTest, CaAndClientCertificate) {
  const Pem ca = certs_.make("ca");
  const Pem client = certs_.make("client");
  EXPECT_EQ(create_error({ca.cert, "", "", true}), "");
  EXPECT_EQ(create_error({ca.cert, client.cert, client.key, false}), "");
}

TEST_F(TlsContextTest, MissingCaNamesTheFile) {
  const std::string missing = certs_.path("missing.pem");
  EXPECT_EQ(create_error({missing, "", "", true}),
            "clusters.a.tls.ca " + missing + ": No such file or directory");
}

TEST_F(TlsContextTest, GarbageCaNamesTheFileAndOpenSslsReason) {
  const std::string garbage = certs_.write_file("garbage.pem", "not a certificate\n");
  const std::string error = create_error({garbage, "", "", true});
  const std::string prefix = "clusters.a.tls.ca " + garbage + ": ";
  ASSERT_EQ(error.substr(0, prefix.size()), prefix) << error;
  EXPECT_GT(error.size(), prefix.size()) << "no reason given";
}

TEST_F(TlsContextTest, GarbageCertificateNamesTheFile) {
  const Pem client = certs_.make("client");
  const std::string garbage = certs_.write_file("garbage.pem", "-----BEGIN CERTIFICATE-----\nxx\n");
  const std::string error = create_error({"", garbage, client.key, true});
  EXPECT_EQ(error.rfind("clusters.a.tls.cert " + garbage + ": ", 0), 0u) << error;
}

TEST_F(TlsContextTest, KeyOfAnotherCertificateIsRefused) {
  const Pem client = certs_.make("client");
  const Pem other = certs_.make("other");
  const std::string error = create_error({"", client.cert, other.key, true});
  EXPECT_EQ(error.rfind("clusters.a.tls.key " + other.key + ": ", 0), 0u) << error;
  EXPECT_NE(error.find("mismatch"), std::string::npos) << error;
}

TEST_F(TlsContextTest, MissingKeyNamesTheFile) {
  const Pem client = certs_.make("client");
  const std::string missing = certs_.path("missing.key");
  EXPECT_EQ(create_error({"", client.cert, missing, true}),
            "clusters.a.tls.key " + missing + ": No such file or directory");
}

}  // namespace
}  // namespace ks::upstream
