#pragma once
// Authentication on the client listener (listener.sasl), as a Kafka broker's
// SaslServerAuthenticator does it, for the PLAIN mechanism:
//
//   ApiVersions*  SaslHandshake(v1)  SaslAuthenticate  -> authenticated
//   ApiVersions*  SaslHandshake(v0)  <bare token frame> -> authenticated
//
// Before the handshake only ApiVersions and SaslHandshake are served; after
// it only the token. Any other request closes the connection unanswered
// (Kafka: IllegalSaslStateException). A wrong mechanism is answered
// UNSUPPORTED_SASL_MECHANISM, wrong credentials SASL_AUTHENTICATION_FAILED
// with a message (nothing after a v0 handshake, which has no way to say it),
// and the connection closes after the answer. Once authenticated every
// request goes to the Dispatcher, where SaslHandshake and SaslAuthenticate
// get ILLEGAL_SASL_STATE (see add_sasl_apis): there is no re-authentication.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "proxy/protocol/header.h"
#include "proxy/server/dispatcher.h"
#include "proxy/server/request.h"
#include "proxy/server/sasl_plain.h"

namespace ks::server {

// Before authentication a frame may be at most this large (Kafka's
// sasl.server.max.receive.size): a stranger cannot make us hold 100 MiB.
inline constexpr size_t kMaxUnauthenticatedFrame = 512 * 1024;

// What every connection of the listener shares: who may log in, and the
// failures so far by reason (read by the metrics scrape, same thread).
class ListenerAuth {
 public:
  explicit ListenerAuth(PlainAuthenticator plain) : plain_(std::move(plain)) {}

  const PlainAuthenticator& plain() const { return plain_; }
  // reason: "credentials" (wrong username or password, or a malformed
  // token), "mechanism" (not PLAIN), "unauthenticated" (a request before
  // logging in, e.g. a client without SASL).
  void count_failure(std::string_view reason) { ++failures_[std::string(reason)]; }
  const std::map<std::string, uint64_t>& failures() const { return failures_; }

 private:
  PlainAuthenticator plain_;
  std::map<std::string, uint64_t> failures_;
};

// The mechanisms the handshake offers.
inline constexpr std::string_view kPlainMechanism = "PLAIN";

// One connection's progress through the exchange above.
class SaslSession {
 public:
  SaslSession(ListenerAuth& auth, std::string peer);

  bool authenticated() const { return state_ == State::authenticated; }
  // After a v0 handshake the next frame is the bare token, without a header.
  bool expects_bare_token() const { return state_ == State::bare_token; }

  enum class Admit {
    dispatch,  // ApiVersions: the Dispatcher answers it
    answer,    // a SASL request: handle() answers it
    refuse,    // anything else: refused() logs it, the connection closes
  };
  Admit admit(const protocol::RequestHeader& header) const;

  struct Step {
    Response response;   // nullopt: nothing to send
    bool close = false;  // the connection closes once this is sent
  };
  // A request admit() said to answer.
  Step handle(const Request& request);
  Step bare_token(protocol::Bytes token);
  void refused(const protocol::RequestHeader& header);

 private:
  enum class State { handshake, token, bare_token, authenticated, failed };
  Step handshake(const Request& request);
  Step authenticate(const Request& request);
  // Checks the token; on success moves to authenticated.
  bool check(protocol::Bytes token, std::string& error);
  void fail(std::string_view reason, std::string_view user, std::string_view why);

  ListenerAuth& auth_;
  std::string peer_;
  State state_ = State::handshake;
};

// Registers SaslHandshake and SaslAuthenticate for authenticated
// connections: both answer ILLEGAL_SASL_STATE, as a broker does. ApiVersions
// thereby advertises the versions SaslSession serves.
void add_sasl_apis(Dispatcher& dispatcher);

}  // namespace ks::server
