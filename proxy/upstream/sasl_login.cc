#include "proxy/upstream/sasl_login.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cctype>
#include <string>

#include "proxy/protocol/error_code.h"
#include "proxy/upstream/scram.h"

namespace ks::upstream {
namespace {

using protocol::ApiKey;
using protocol::ErrorCode;

// What every step knows for its messages, the password aside.
struct Attempt {
  SaslChannel& channel;
  const SaslLogin& login;
  std::string_view broker;
  int16_t authenticate_version;

  Error refused(std::string_view why) const {
    return Error{make_error_code(errc::authentication_failed),
                 fmt::format("SASL {} login as {} to {} refused: {}", name(login.mechanism),
                             login.username, broker, why)};
  }
};

// Kafka's name for an error code, as its clients print it: SASL_AUTHENTICATION_FAILED.
std::string upper_name(int16_t code) {
  std::string out(protocol::name(static_cast<ErrorCode>(code)));
  for (char& c : out)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string_view text_of(protocol::Bytes bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

protocol::Bytes bytes_of(const std::string& text) {
  return protocol::Bytes(reinterpret_cast<const std::byte*>(text.data()), text.size());
}

awaitable<Result<void>> handshake(const Attempt& attempt, int16_t version) {
  protocol::SaslHandshakeRequest request;
  request.mechanism = std::string(name(attempt.login.mechanism));
  const auto response = co_await attempt.channel.send(std::move(request), version);
  if (!response) co_return response.error();
  const int16_t error = response->body.error_code;
  if (error == protocol::to_int(ErrorCode::none)) co_return Result<void>{};
  const auto& offered = response->body.mechanisms;
  co_return attempt.refused(
      fmt::format("{}: the broker offers {}", upper_name(error),
                  offered.empty() ? "none" : fmt::format("{}", fmt::join(offered, ", "))));
}

// One SaslAuthenticate round: the broker's token, or its refusal. `token`
// outlives the exchange (the request views it).
awaitable<Result<std::string>> authenticate(const Attempt& attempt, const std::string& token) {
  protocol::SaslAuthenticateRequest request;
  request.auth_bytes = bytes_of(token);
  const auto response = co_await attempt.channel.send(request, attempt.authenticate_version);
  if (!response) co_return response.error();
  const auto& body = response->body;
  if (body.error_code != protocol::to_int(ErrorCode::none)) {
    const std::string message = body.error_message.value_or("");
    co_return attempt.refused(message.empty()
                                  ? upper_name(body.error_code)
                                  : fmt::format("{}: {}", upper_name(body.error_code), message));
  }
  co_return std::string(text_of(body.auth_bytes));
}

awaitable<Result<void>> plain(const Attempt& attempt) {
  std::string token;
  token += '\0';
  token += attempt.login.username;
  token += '\0';
  token += attempt.login.password;
  const auto answer = co_await authenticate(attempt, token);
  if (!answer) co_return answer.error();
  co_return Result<void>{};
}

awaitable<Result<void>> scram(const Attempt& attempt, ScramHash hash) {
  const auto nonce = scram_nonce();
  if (!nonce) co_return attempt.refused("no random bytes for the SCRAM nonce");
  ScramClient client(hash, attempt.login.username, attempt.login.password, *nonce);
  const std::string first = client.client_first();
  const auto server_first = co_await authenticate(attempt, first);
  if (!server_first) co_return server_first.error();
  const auto final_message = client.client_final(*server_first);
  if (!final_message) co_return attempt.refused(final_message.error().message);
  const auto server_final = co_await authenticate(attempt, *final_message);
  if (!server_final) co_return server_final.error();
  const auto verified = client.verify_server_final(*server_final);
  if (!verified) co_return attempt.refused(verified.error().message);
  co_return Result<void>{};
}

}  // namespace

awaitable<Result<void>> sasl_log_in(SaslChannel& channel, const VersionTable& versions,
                                    const SaslLogin& login, std::string_view broker) {
  const auto handshake_version = versions.pick(ApiKey::sasl_handshake, {1, 1});
  const auto authenticate_version =
      versions.pick(ApiKey::sasl_authenticate, {protocol::SaslAuthenticateRequest::kMinVersion,
                                                protocol::SaslAuthenticateRequest::kMaxVersion});
  const Attempt attempt{channel, login, broker, authenticate_version.value_or(0)};
  if (!handshake_version || !authenticate_version)
    co_return attempt.refused("the broker has no SaslHandshake v1 and SaslAuthenticate");

  const auto shaken = co_await handshake(attempt, *handshake_version);
  if (!shaken) co_return shaken.error();
  switch (login.mechanism) {
    case SaslMechanism::plain:
      co_return co_await plain(attempt);
    case SaslMechanism::scram_sha_256:
      co_return co_await scram(attempt, ScramHash::sha256);
    case SaslMechanism::scram_sha_512:
      co_return co_await scram(attempt, ScramHash::sha512);
  }
  co_return attempt.refused("unknown mechanism");
}

}  // namespace ks::upstream
