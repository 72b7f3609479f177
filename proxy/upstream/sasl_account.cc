#include "proxy/upstream/sasl_account.h"

#include <openssl/evp.h>

#include "common/log.h"
#include "common/password_file.h"
#include "proxy/upstream/errc.h"

namespace ks::upstream {
namespace {

// What identifies a login without keeping its password around: a digest of
// mechanism, username and password.
std::string digest_of(const SaslLogin& login) {
  std::string text(name(login.mechanism));
  text += '\0';
  text += login.username;
  text += '\0';
  text += login.password;
  std::string out(EVP_MAX_MD_SIZE, '\0');
  unsigned int size = 0;
  if (!EVP_Digest(text.data(), text.size(), reinterpret_cast<unsigned char*>(out.data()), &size,
                  EVP_sha256(), nullptr))
    size = 0;
  out.resize(size);
  return out;
}

}  // namespace

std::string_view name(SaslMechanism mechanism) {
  switch (mechanism) {
    case SaslMechanism::plain:
      return "PLAIN";
    case SaslMechanism::scram_sha_256:
      return "SCRAM-SHA-256";
    case SaslMechanism::scram_sha_512:
      return "SCRAM-SHA-512";
  }
  return "unknown";
}

SaslAccount::SaslAccount(std::string cluster, std::optional<SaslCredentials> credentials)
    : cluster_(std::move(cluster)), credentials_(std::move(credentials)) {}

void SaslAccount::set(std::optional<SaslCredentials> credentials) {
  credentials_ = std::move(credentials);
  refused_.clear();
}

Result<std::optional<SaslLogin>> SaslAccount::next_login() const {
  if (!credentials_) return std::optional<SaslLogin>{};
  SaslLogin login{credentials_->mechanism, credentials_->username, credentials_->password};
  if (!credentials_->password_file.empty()) {
    auto password = read_password_file(credentials_->password_file);
    if (!password || password->empty()) {
      return Error{make_error_code(errc::authentication_failed),
                   fmt::format("SASL {} login as {}: cannot read a password from {}",
                               name(login.mechanism), login.username, credentials_->password_file)};
    }
    login.password = std::move(*password);
  }
  if (!refused_.empty() && digest_of(login) == refused_) return refusal_;
  return std::optional<SaslLogin>{std::move(login)};
}

void SaslAccount::refused(const SaslLogin& login, std::string_view broker, const Error& error) {
  ++failures_;
  std::string digest = digest_of(login);
  if (digest.empty() || digest == refused_) return;
  refused_ = std::move(digest);
  refusal_ = error;
  log::error("upstream.authentication_failed",
             "cluster={} broker={} mechanism={} username={} error={}", cluster_, broker,
             name(login.mechanism), log::quote(login.username), log::quote(error.message));
}

}  // namespace ks::upstream
