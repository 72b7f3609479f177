#pragma once
// SASL PLAIN (RFC 4616) on the client listener: the client's one message,
// and checking it against the configured users.
//
//   message = [authzid] NUL authcid NUL passwd
//
// As Kafka's PlainSaslServer: exactly three parts, a non-empty username
// (authcid) and password, and an authzid that is empty or the username.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/protocol/wire.h"

namespace ks::server {

struct PlainToken {
  std::string_view authzid;
  std::string_view username;
  std::string_view password;  // never logged
};

// The token's parts, or why it is malformed (said to the client and logged;
// it never quotes the token).
struct PlainParse {
  std::optional<PlainToken> token;
  std::string error;
};
PlainParse parse_plain_token(protocol::Bytes message);

// Compares in time that depends only on the lengths, so the time an answer
// takes tells nothing about how much of a guess was right.
bool equal_constant_time(std::string_view a, std::string_view b);

// A user the listener accepts: its password, or the file holding it (read
// at each check, so a rotated password applies to new connections; see
// common/password_file.h).
struct PlainUser {
  std::string username;
  std::string password;
  std::string password_file;
};

struct PlainCheck {
  bool ok = false;
  std::string username;  // as the client gave it, when the token parsed
  // For the client (Kafka's wording) and for the log: the same text, which
  // never says whether it was the username or the password that was wrong.
  std::string error;
  // Set when the failure is the sidecar's (an unreadable password file).
  std::string local_problem;
};

class PlainAuthenticator {
 public:
  explicit PlainAuthenticator(std::vector<PlainUser> users);
  PlainCheck check(protocol::Bytes message) const;

 private:
  std::vector<PlainUser> users_;
};

}  // namespace ks::server
