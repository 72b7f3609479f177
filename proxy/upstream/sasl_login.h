#pragma once
// Logging in to a broker with SASL, right after ApiVersions on a new
// connection (Kafka's SaslClientAuthenticator):
//
//   SaslHandshake v1 (mechanism)
//   PLAIN:  SaslAuthenticate  "\0<username>\0<password>"
//   SCRAM:  SaslAuthenticate  client-first -> server-first
//           SaslAuthenticate  client-final -> server-final (verified)
//
// SaslAuthenticate goes at the highest version both sides speak (v0-v2).
// Handshake v0, which sends the tokens without Kafka framing, is not used:
// every broker since Kafka 1.0 takes v1.
//
// A broker's "no" (an unsupported mechanism, wrong credentials, a SCRAM
// answer that does not check out) is errc::authentication_failed, with the
// broker, mechanism, username and the broker's error code and message;
// losing the connection on the way is the connection's ordinary error.
#include <cstdint>
#include <string_view>

#include "common/result.h"
#include "proxy/asio.h"
#include "proxy/protocol/messages.h"
#include "proxy/upstream/response.h"
#include "proxy/upstream/sasl_account.h"
#include "proxy/upstream/version_table.h"

namespace ks::upstream {

// What the login sends its requests through: the connection being made.
class SaslChannel {
 public:
  virtual awaitable<Result<Response<protocol::SaslHandshakeResponse>>> send(
      protocol::SaslHandshakeRequest request, int16_t version) = 0;
  virtual awaitable<Result<Response<protocol::SaslAuthenticateResponse>>> send(
      protocol::SaslAuthenticateRequest request, int16_t version) = 0;

 protected:
  ~SaslChannel() = default;
};

// `versions`: the broker's, from ApiVersions; `broker`: its name, for messages.
awaitable<Result<void>> sasl_log_in(SaslChannel& channel, const VersionTable& versions,
                                    const SaslLogin& login, std::string_view broker);

}  // namespace ks::upstream
