#pragma once
// A cluster's SASL credentials and what its brokers said of them, shared by
// every connection of the cluster's clients.
//
// Each connect logs in with the credentials as they are then: a password
// file is read again, so a rotated password applies on reconnect, and
// credentials set by a config reload apply to the next connects while
// connections already logged in stay up.
//
// A refusal is final for the credentials refused: a broker that said no
// says no again, and asking it in a loop looks like password guessing. So
// once refused, the same credentials are not sent again: later connects
// fail at once with the same error (errc::authentication_failed) until the
// credentials change (new password file content, or set()). Connects are
// paced by the connection's backoff, which bounds how often the file is
// read. The refusal is logged once, at error:
//
//   upstream.authentication_failed  cluster broker mechanism username error
//
// The password is never logged and never in an error message.
//
// Threading: one executor, like the clients (see client.h).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace ks::upstream {

enum class SaslMechanism { plain, scram_sha_256, scram_sha_512 };

// As Kafka names it: "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512".
std::string_view name(SaslMechanism mechanism);

struct SaslCredentials {
  SaslMechanism mechanism = SaslMechanism::plain;
  std::string username;
  std::string password;       // never logged
  std::string password_file;  // when set, the password is read from it at each login
};

// What one login uses: the credentials with the password read.
struct SaslLogin {
  SaslMechanism mechanism = SaslMechanism::plain;
  std::string username;
  std::string password;
};

class SaslAccount {
 public:
  // `cluster`: for the log; no credentials: connections do not log in.
  explicit SaslAccount(std::string cluster, std::optional<SaslCredentials> credentials = {});

  // Credentials for the connects from now on; forgets any refusal.
  void set(std::optional<SaslCredentials> credentials);

  // The login for the next connect: nullopt without credentials. An error
  // (errc::authentication_failed) when the password file cannot be read,
  // or when these very credentials were refused before: then the refusal.
  Result<std::optional<SaslLogin>> next_login() const;
  // A broker refused `login` (the error says how).
  void refused(const SaslLogin& login, std::string_view broker, const Error& error);

  // Refusals so far, each broker's answer counted (for the metric).
  uint64_t failures() const { return failures_; }

 private:
  std::string cluster_;
  std::optional<SaslCredentials> credentials_;
  std::string refused_;  // digest of the refused login; empty: none
  Error refusal_;
  uint64_t failures_ = 0;
};

}  // namespace ks::upstream
