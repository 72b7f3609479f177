#include "proxy/server/sasl_session.h"

#include "common/log.h"
#include "proxy/protocol/error_code.h"
#include "proxy/protocol/messages.h"

namespace ks::server {
namespace {

using protocol::ApiKey;
using protocol::ErrorCode;

template <typename Message>
bool version_served(const protocol::RequestHeader& header) {
  return header.api_version >= Message::kMinVersion && header.api_version <= Message::kMaxVersion;
}

}  // namespace

SaslSession::SaslSession(ListenerAuth& auth, std::string peer)
    : auth_(auth), peer_(std::move(peer)) {}

SaslSession::Admit SaslSession::admit(const protocol::RequestHeader& header) const {
  switch (state_) {
    case State::handshake:
      if (header.api_key == ApiKey::api_versions) return Admit::dispatch;
      if (header.api_key == ApiKey::sasl_handshake &&
          version_served<protocol::SaslHandshakeRequest>(header)) {
        return Admit::answer;
      }
      return Admit::refuse;
    case State::token:
      if (header.api_key == ApiKey::sasl_authenticate &&
          version_served<protocol::SaslAuthenticateRequest>(header)) {
        return Admit::answer;
      }
      return Admit::refuse;
    case State::authenticated:
      return Admit::dispatch;
    case State::bare_token:
    case State::failed:
      return Admit::refuse;
  }
  return Admit::refuse;
}

SaslSession::Step SaslSession::handle(const Request& request) {
  if (request.header.api_key == ApiKey::sasl_handshake) return handshake(request);
  return authenticate(request);
}

SaslSession::Step SaslSession::handshake(const Request& request) {
  protocol::Reader body = request.body();
  protocol::SaslHandshakeRequest parsed;
  parsed.decode(body, request.header.api_version);
  if (!body.ok()) {
    state_ = State::failed;
    return {unparseable(), true};
  }
  protocol::SaslHandshakeResponse response;
  response.mechanisms = {std::string(kPlainMechanism)};
  if (parsed.mechanism != kPlainMechanism) {
    response.error_code = protocol::to_int(ErrorCode::unsupported_sasl_mechanism);
    fail("mechanism", "", "unsupported mechanism " + parsed.mechanism);
    return {encode_response(request.header, response), true};
  }
  state_ = request.header.api_version == 0 ? State::bare_token : State::token;
  return {encode_response(request.header, response), false};
}

SaslSession::Step SaslSession::authenticate(const Request& request) {
  protocol::Reader body = request.body();
  protocol::SaslAuthenticateRequest parsed;
  parsed.decode(body, request.header.api_version);
  if (!body.ok()) {
    state_ = State::failed;
    return {unparseable(), true};
  }
  protocol::SaslAuthenticateResponse response;
  std::string error;
  if (check(parsed.auth_bytes, error)) return {encode_response(request.header, response), false};
  response.error_code = protocol::to_int(ErrorCode::sasl_authentication_failed);
  response.error_message = error;
  return {encode_response(request.header, response), true};
}

SaslSession::Step SaslSession::bare_token(protocol::Bytes token) {
  std::string error;
  // Success is an empty token back: a frame of size 0. A failure has no
  // frame of its own; Kafka closes the connection.
  if (check(token, error)) return {std::vector<std::byte>(4, std::byte{0}), false};
  return {std::nullopt, true};
}

bool SaslSession::check(protocol::Bytes token, std::string& error) {
  const PlainCheck checked = auth_.plain().check(token);
  if (checked.ok) {
    state_ = State::authenticated;
    log::debug("connection.authenticated", "peer={} user={}", peer_, log::quote(checked.username));
    return true;
  }
  error = checked.error;
  if (!checked.local_problem.empty()) {
    log::error("listener.password_file_failed", "user={} error={}", log::quote(checked.username),
               log::quote(checked.local_problem));
  }
  fail("credentials", checked.username, checked.error);
  return false;
}

void SaslSession::fail(std::string_view reason, std::string_view user, std::string_view why) {
  state_ = State::failed;
  auth_.count_failure(reason);
  log::warn("connection.authentication_failed", "peer={} user={} error={}", peer_, log::quote(user),
            log::quote(why));
}

void SaslSession::refused(const protocol::RequestHeader& header) {
  const bool before_handshake = state_ == State::handshake;
  state_ = State::failed;
  auth_.count_failure("unauthenticated");
  log::warn("connection.unauthenticated_request", "peer={} api_key={} api={} version={} during={}",
            peer_, static_cast<int>(header.api_key), protocol::name(header.api_key),
            header.api_version, before_handshake ? "handshake" : "authentication");
}

void add_sasl_apis(Dispatcher& dispatcher) {
  dispatcher.add(ApiKey::sasl_handshake, protocol::SaslHandshakeRequest::kMinVersion,
                 protocol::SaslHandshakeRequest::kMaxVersion,
                 [](std::shared_ptr<const Request> request) -> awaitable<Deferred> {
                   protocol::SaslHandshakeResponse response;
                   response.error_code = protocol::to_int(ErrorCode::illegal_sasl_state);
                   response.mechanisms = {std::string(kPlainMechanism)};
                   co_return ready(encode_response(request->header, response));
                 });
  dispatcher.add(ApiKey::sasl_authenticate, protocol::SaslAuthenticateRequest::kMinVersion,
                 protocol::SaslAuthenticateRequest::kMaxVersion,
                 [](std::shared_ptr<const Request> request) -> awaitable<Deferred> {
                   protocol::SaslAuthenticateResponse response;
                   response.error_code = protocol::to_int(ErrorCode::illegal_sasl_state);
                   response.error_message =
                       "SaslAuthenticate request received after successful authentication";
                   co_return ready(encode_response(request->header, response));
                 });
}

}  // namespace ks::server
