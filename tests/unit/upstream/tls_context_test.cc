// TlsContext::create: a bad CA, certificate or key file is refused with the
// file and the reason, before any connection is tried.
#include "proxy/upstream/tls_context.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace ks::upstream {
namespace {

// A self-signed certificate and its key (P-256), as PEM files.
struct Pem {
  std::string cert;
  std::string key;
};

class TlsContextTest : public ::testing::Test {
 protected:
  TlsContextTest() {
    std::string pattern = ::testing::TempDir() + "tls_context_test.XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
  }
  ~TlsContextTest() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  std::string write_file(const std::string& name, const std::string& text) const {
    std::ofstream(path(name)) << text;
    return path(name);
  }

  Pem make_self_signed(const std::string& name) const {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509* cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* subject = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(name.c_str()), -1, -1, 0);
    X509_set_issuer_name(cert, subject);
    X509_sign(cert, key, EVP_sha256());
    Pem out{path(name + ".pem"), path(name + ".key")};
    std::FILE* f = std::fopen(out.cert.c_str(), "w");
    PEM_write_X509(f, cert);
    std::fclose(f);
    f = std::fopen(out.key.c_str(), "w");
    PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(f);
    X509_free(cert);
    EVP_PKEY_free(key);
    return out;
  }

 private:
  std::filesystem::path dir_;
};

std::string create_error(const TlsOptions& options) {
  const auto made = TlsContext::create(options, "clusters.a.tls");
  return made ? "" : made.error().message;
}

TEST_F(TlsContextTest, SystemTrustStoreWithoutCa) {
  EXPECT_EQ(create_error({}), "");
}

TEST_F(TlsContextTest, CaAndClientCertificate) {
  const Pem ca = make_self_signed("ca");
  const Pem client = make_self_signed("client");
  EXPECT_EQ(create_error({ca.cert, "", "", true}), "");
  EXPECT_EQ(create_error({ca.cert, client.cert, client.key, false}), "");
}

TEST_F(TlsContextTest, MissingCaNamesTheFile) {
  const std::string missing = path("missing.pem");
  EXPECT_EQ(create_error({missing, "", "", true}),
            "clusters.a.tls.ca " + missing + ": No such file or directory");
}

TEST_F(TlsContextTest, GarbageCaNamesTheFileAndOpenSslsReason) {
  const std::string garbage = write_file("garbage.pem", "not a certificate\n");
  const std::string error = create_error({garbage, "", "", true});
  const std::string prefix = "clusters.a.tls.ca " + garbage + ": ";
  ASSERT_EQ(error.substr(0, prefix.size()), prefix) << error;
  EXPECT_GT(error.size(), prefix.size()) << "no reason given";
}

TEST_F(TlsContextTest, GarbageCertificateNamesTheFile) {
  const Pem client = make_self_signed("client");
  const std::string garbage = write_file("garbage.pem", "-----BEGIN CERTIFICATE-----\nxx\n");
  const std::string error = create_error({"", garbage, client.key, true});
  EXPECT_EQ(error.rfind("clusters.a.tls.cert " + garbage + ": ", 0), 0u) << error;
}

TEST_F(TlsContextTest, KeyOfAnotherCertificateIsRefused) {
  const Pem client = make_self_signed("client");
  const Pem other = make_self_signed("other");
  const std::string error = create_error({"", client.cert, other.key, true});
  EXPECT_EQ(error.rfind("clusters.a.tls.key " + other.key + ": ", 0), 0u) << error;
  EXPECT_NE(error.find("mismatch"), std::string::npos) << error;
}

TEST_F(TlsContextTest, MissingKeyNamesTheFile) {
  const Pem client = make_self_signed("client");
  const std::string missing = path("missing.key");
  EXPECT_EQ(create_error({"", client.cert, missing, true}),
            "clusters.a.tls.key " + missing + ": No such file or directory");
}

}  // namespace
}  // namespace ks::upstream
