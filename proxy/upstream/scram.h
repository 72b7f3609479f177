#pragma once
// The client side of SCRAM (RFC 5802) with SHA-256 or SHA-512 (RFC 7677),
// as Kafka speaks it: no channel binding ("n,,"), no authorization id, the
// password used as given (Kafka does no SASLprep either).
//
//   client-first  n,,n=<user>,r=<client nonce>
//   server-first  r=<client nonce + server nonce>,s=<salt>,i=<iterations>
//   client-final  c=biws,r=<nonce>,p=<proof>
//   server-final  v=<server signature>  |  e=<error>
//
// The server proves it knows the password too: a server-final whose
// signature is not the one the password gives is refused, as is a nonce
// that does not extend ours or an iteration count outside Kafka's bounds.
// Messages from here never contain the password or values derived from it.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace ks::upstream {

enum class ScramHash { sha256, sha512 };

class ScramClient {
 public:
  // `nonce`: printable, without ',' (scram_nonce()).
  ScramClient(ScramHash hash, std::string username, std::string password, std::string nonce);

  std::string client_first() const;
  // The answer to the server's first message, or why that message is refused.
  Result<std::string> client_final(std::string_view server_first);
  // Whether the server's last message proves it knows the password.
  Result<void> verify_server_final(std::string_view server_final) const;

 private:
  ScramHash hash_;
  std::string username_;
  std::string password_;
  std::string nonce_;
  std::vector<unsigned char> server_signature_;  // expected; set by client_final
};

// A fresh random client nonce; nullopt if the system has no randomness.
std::optional<std::string> scram_nonce();

// RFC 5802's saslname: ',' and '=' escaped as "=2C" and "=3D".
std::string scram_escape(std::string_view name);

// Standard base64 with padding (RFC 4648); nullopt for text that is not.
std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace ks::upstream
