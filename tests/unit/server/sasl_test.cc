// Logging in on the client listener: the PLAIN token, and what a connection
// serves before and after authentication (over real loopback sockets).
#include <gtest/gtest.h>

#include <fstream>

#include "proxy/protocol/error_code.h"
#include "proxy/protocol/messages.h"
#include "proxy/server/listener.h"
#include "proxy/server/sasl_plain.h"
#include "proxy/server/sasl_session.h"
#include "tests/unit/server/test_support.h"

namespace ks::server {
namespace {

using protocol::ApiKey;
using protocol::ErrorCode;

std::vector<std::byte> bytes_of(std::string_view text) {
  const auto* p = reinterpret_cast<const std::byte*>(text.data());
  return {p, p + text.size()};
}

// ------------------------------------------------------------ the PLAIN token

TEST(ServerSaslPlainTest, ParsesUsernameAndPassword) {
  const auto message = bytes_of(std::string_view("\0alice\0s3cret", 13));
  const PlainParse parsed = parse_plain_token(message);
  ASSERT_TRUE(parsed.token) << parsed.error;
  EXPECT_EQ(parsed.token->authzid, "");
  EXPECT_EQ(parsed.token->username, "alice");
  EXPECT_EQ(parsed.token->password, "s3cret");
}

TEST(ServerSaslPlainTest, AcceptsAnAuthzidEqualToTheUsername) {
  // kafka-python sends the username twice.
  const auto message = bytes_of(std::string_view("alice\0alice\0s3cret", 18));
  const PlainParse parsed = parse_plain_token(message);
  ASSERT_TRUE(parsed.token) << parsed.error;
  EXPECT_EQ(parsed.token->authzid, "alice");
}

TEST(ServerSaslPlainTest, RefusesAnotherAuthzid) {
  const auto parsed = parse_plain_token(bytes_of(std::string_view("admin\0alice\0s3cret", 18)));
  EXPECT_FALSE(parsed.token);
  EXPECT_NE(parsed.error.find("authorization id"), std::string::npos) << parsed.error;
}

TEST(ServerSaslPlainTest, RefusesTooFewParts) {
  const auto parsed = parse_plain_token(bytes_of(std::string_view("alice\0s3cret", 12)));
  EXPECT_FALSE(parsed.token);
  EXPECT_EQ(parsed.error, "Invalid SASL/PLAIN response: expected 3 tokens, got 2");
}

TEST(ServerSaslPlainTest, RefusesTooManyParts) {
  const auto parsed = parse_plain_token(bytes_of(std::string_view("\0alice\0s3\0cret", 14)));
  EXPECT_FALSE(parsed.token);
  EXPECT_EQ(parsed.error, "Invalid SASL/PLAIN response: expected 3 tokens, got 4");
}

TEST(ServerSaslPlainTest, RefusesAnEmptyToken) {
  EXPECT_FALSE(parse_plain_token({}).token);
}

TEST(ServerSaslPlainTest, RefusesAnEmptyUsername) {
  const auto parsed = parse_plain_token(bytes_of(std::string_view("\0\0s3cret", 8)));
  EXPECT_FALSE(parsed.token);
  EXPECT_EQ(parsed.error, "Authentication failed: username not specified");
}

TEST(ServerSaslPlainTest, RefusesAnEmptyPassword) {
  const auto parsed = parse_plain_token(bytes_of(std::string_view("\0alice\0", 7)));
  EXPECT_FALSE(parsed.token);
  EXPECT_EQ(parsed.error, "Authentication failed: password not specified");
}

TEST(ServerSaslPlainTest, ConstantTimeComparison) {
  EXPECT_TRUE(equal_constant_time("s3cret", "s3cret"));
  EXPECT_TRUE(equal_constant_time("", ""));
  EXPECT_FALSE(equal_constant_time("s3cret", "s3creT"));
  EXPECT_FALSE(equal_constant_time("s3cret", "s3cret2"));
  EXPECT_FALSE(equal_constant_time("s3cret", ""));
  EXPECT_FALSE(equal_constant_time("", "x"));
}

TEST(ServerSaslPlainTest, WrongPasswordAndUnknownUserGetTheSameAnswer) {
  PlainAuthenticator plain({{"alice", "s3cret", ""}});
  EXPECT_TRUE(plain.check(bytes_of(std::string_view("\0alice\0s3cret", 13))).ok);
  const PlainCheck wrong = plain.check(bytes_of(std::string_view("\0alice\0guess", 12)));
  const PlainCheck unknown = plain.check(bytes_of(std::string_view("\0mallory\0s3cret", 15)));
  EXPECT_FALSE(wrong.ok);
  EXPECT_FALSE(unknown.ok);
  EXPECT_EQ(wrong.error, "Authentication failed: Invalid username or password");
  EXPECT_EQ(unknown.error, wrong.error);
  EXPECT_EQ(wrong.username, "alice");
  EXPECT_EQ(wrong.error.find("guess"), std::string::npos);
}

TEST(ServerSaslPlainTest, PasswordFileIsReadAtEachCheck) {
  test::TempDir dir;
  const std::string path = (dir.path() / "pw").string();
  std::ofstream(path) << "first\n";
  PlainAuthenticator plain({{"svc", "", path}});
  EXPECT_TRUE(plain.check(bytes_of(std::string_view("\0svc\0first", 10))).ok);
  std::ofstream(path) << "second";  // rotated
  EXPECT_FALSE(plain.check(bytes_of(std::string_view("\0svc\0first", 10))).ok);
  EXPECT_TRUE(plain.check(bytes_of(std::string_view("\0svc\0second", 11))).ok);
}

TEST(ServerSaslPlainTest, UnreadablePasswordFileFailsAndSaysSo) {
  PlainAuthenticator plain({{"svc", "", "/nonexistent/pw"}});
  const PlainCheck checked = plain.check(bytes_of(std::string_view("\0svc\0x", 6)));
  EXPECT_FALSE(checked.ok);
  EXPECT_NE(checked.local_problem.find("/nonexistent/pw"), std::string::npos);
}

// ------------------------------------------------------------------ the gate

std::vector<std::byte> concat_frames(std::vector<std::byte> a, const std::vector<std::byte>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

constexpr ApiKey kProduceLike = ApiKey::delete_topics;  // any API but the SASL ones
constexpr std::string_view kGoodToken{"\0alice\0s3cret", 13};
constexpr std::string_view kBadToken{"\0alice\0guess", 12};

struct Mechanism {
  std::string mechanism;
  void encode(protocol::Writer& w, int16_t version) const {
    protocol::SaslHandshakeRequest r;
    r.mechanism = mechanism;
    r.encode(w, version);
  }
};

struct Token {
  std::vector<std::byte> bytes;
  void encode(protocol::Writer& w, int16_t version) const {
    protocol::SaslAuthenticateRequest r;
    r.auth_bytes = bytes;
    r.encode(w, version);
  }
};

std::vector<std::byte> bare_frame(std::string_view token) {
  std::vector<std::byte> out;
  protocol::Writer w(out);
  w.int32(static_cast<int32_t>(token.size()));
  w.raw(bytes_of(token));
  return out;
}

// The next whole frame (size prefix included); nullopt once closed.
awaitable<std::optional<std::vector<std::byte>>> read_frame(tcp::socket& socket) {
  std::vector<std::byte> frame(4);
  boost::system::error_code ec;
  co_await asio::async_read(socket, asio::buffer(frame), nothrow(ec));
  if (ec) co_return std::nullopt;
  protocol::Reader size_reader(frame);
  frame.resize(4 + static_cast<size_t>(size_reader.int32()));
  co_await asio::async_read(socket, asio::buffer(frame.data() + 4, frame.size() - 4), nothrow(ec));
  if (ec) co_return std::nullopt;
  co_return frame;
}

class ServerSaslGateTest : public ::testing::Test {
 protected:
  ServerSaslGateTest() : auth_(PlainAuthenticator({{"alice", "s3cret", ""}})) {
    dispatcher_.add(kProduceLike, 0, 4,
                    [this](std::shared_ptr<const Request> r) { return served(std::move(r)); });
    add_sasl_apis(dispatcher_);
    ConnectionLimits limits;
    limits.max_frame_bytes = 1024 * 1024;
    listener_.emplace(io_.get_executor(), dispatcher_, limits, 100, &auth_);
    EXPECT_FALSE(listener_->open(tcp::endpoint(asio::ip::address_v4::loopback(), 0)));
    listener_->start();
  }
  ~ServerSaslGateTest() override {
    listener_->stop();
    EXPECT_TRUE(test::run_until(io_, [&] { return listener_->open_connections() == 0; }));
  }

  awaitable<Deferred> served(std::shared_ptr<const Request> r) {
    ++served_;
    co_return ready(encode_response(r->header, test::NoBody{}));
  }

  tcp::socket connect() {
    tcp::socket socket(io_);
    socket.connect(tcp::endpoint(asio::ip::address_v4::loopback(), listener_->port()));
    return socket;
  }
  static void send(tcp::socket& socket, const std::vector<std::byte>& bytes) {
    asio::write(socket, asio::buffer(bytes));
  }
  std::optional<std::vector<std::byte>> next(tcp::socket& socket) {
    return test::run(io_, read_frame(socket));
  }
  protocol::SaslHandshakeResponse handshake(tcp::socket& socket, std::string mechanism,
                                            int16_t version = 1) {
    send(socket, test::request_frame(ApiKey::sasl_handshake, version, 1, Mechanism{mechanism}));
    const auto frame = next(socket);
    EXPECT_TRUE(frame);
    if (!frame) return {};
    return test::decode_response<protocol::SaslHandshakeResponse>(*frame, version).body;
  }
  protocol::SaslAuthenticateResponse authenticate(tcp::socket& socket, std::string_view token,
                                                  int16_t version = 2) {
    send(socket,
         test::request_frame(ApiKey::sasl_authenticate, version, 2, Token{bytes_of(token)}));
    const auto frame = next(socket);
    EXPECT_TRUE(frame);
    if (!frame) return {};
    return test::decode_response<protocol::SaslAuthenticateResponse>(*frame, version).body;
  }
  // True when the request is answered; false when the connection closed.
  bool served_on(tcp::socket& socket) {
    send(socket, test::request_frame(kProduceLike, 0, 9));
    return next(socket).has_value();
  }
  uint64_t failures(const std::string& reason) const {
    const auto it = auth_.failures().find(reason);
    return it == auth_.failures().end() ? 0 : it->second;
  }

  asio::io_context io_;
  ListenerAuth auth_;
  Dispatcher dispatcher_;
  std::optional<Listener> listener_;
  int served_ = 0;
};

TEST_F(ServerSaslGateTest, RequestBeforeAuthenticationClosesUnanswered) {
  auto client = connect();
  EXPECT_FALSE(served_on(client));
  EXPECT_EQ(served_, 0);
  EXPECT_EQ(failures("unauthenticated"), 1u);
}

TEST_F(ServerSaslGateTest, ApiVersionsIsServedBeforeAuthenticationAndAdvertisesSasl) {
  auto client = connect();
  send(client, test::request_frame(ApiKey::api_versions, 3, 1, protocol::ApiVersionsRequest{}));
  const auto frame = next(client);
  ASSERT_TRUE(frame);
  const auto versions = test::decode_response<protocol::ApiVersionsResponse>(*frame, 3).body;
  std::map<int16_t, std::pair<int16_t, int16_t>> ranges;
  for (const auto& api : versions.api_keys)
    ranges[api.api_key] = {api.min_version, api.max_version};
  EXPECT_EQ(ranges[17], std::make_pair(int16_t{0}, int16_t{1}));
  EXPECT_EQ(ranges[36], std::make_pair(int16_t{0}, int16_t{2}));
}

TEST_F(ServerSaslGateTest, HandshakeThenAuthenticateThenServed) {
  auto client = connect();
  const auto offered = handshake(client, "PLAIN");
  EXPECT_EQ(offered.error_code, 0);
  EXPECT_EQ(offered.mechanisms, std::vector<std::string>{"PLAIN"});
  const auto answer = authenticate(client, kGoodToken);
  EXPECT_EQ(answer.error_code, 0);
  EXPECT_FALSE(answer.error_message);
  EXPECT_TRUE(served_on(client));
  EXPECT_EQ(served_, 1);
}

TEST_F(ServerSaslGateTest, EveryAuthenticateVersionWorks) {
  for (int16_t version = 0; version <= 2; ++version) {
    auto client = connect();
    handshake(client, "PLAIN");
    EXPECT_EQ(authenticate(client, kGoodToken, version).error_code, 0) << version;
    EXPECT_TRUE(served_on(client)) << version;
  }
}

TEST_F(ServerSaslGateTest, UnsupportedMechanismIsAnsweredThenClosed) {
  auto client = connect();
  const auto offered = handshake(client, "SCRAM-SHA-256");
  EXPECT_EQ(offered.error_code, protocol::to_int(ErrorCode::unsupported_sasl_mechanism));
  EXPECT_EQ(offered.mechanisms, std::vector<std::string>{"PLAIN"});
  EXPECT_FALSE(next(client));
  EXPECT_EQ(failures("mechanism"), 1u);
}

TEST_F(ServerSaslGateTest, WrongPasswordIsAnsweredWithAMessageThenClosed) {
  auto client = connect();
  handshake(client, "PLAIN");
  // A request pipelined behind the failed login is never served.
  send(client, concat_frames(
                   test::request_frame(ApiKey::sasl_authenticate, 2, 2, Token{bytes_of(kBadToken)}),
                   test::request_frame(kProduceLike, 0, 3)));
  const auto frame = next(client);
  ASSERT_TRUE(frame);
  const auto answer = test::decode_response<protocol::SaslAuthenticateResponse>(*frame, 2).body;
  EXPECT_EQ(answer.error_code, protocol::to_int(ErrorCode::sasl_authentication_failed));
  EXPECT_EQ(answer.error_message, "Authentication failed: Invalid username or password");
  EXPECT_FALSE(next(client));
  EXPECT_EQ(served_, 0);
  EXPECT_EQ(failures("credentials"), 1u);
}

TEST_F(ServerSaslGateTest, AuthenticateBeforeHandshakeClosesUnanswered) {
  auto client = connect();
  send(client, test::request_frame(ApiKey::sasl_authenticate, 2, 1, Token{bytes_of(kGoodToken)}));
  EXPECT_FALSE(next(client));
  EXPECT_EQ(failures("unauthenticated"), 1u);
}

TEST_F(ServerSaslGateTest, OtherRequestBetweenHandshakeAndTokenClosesUnanswered) {
  auto client = connect();
  handshake(client, "PLAIN");
  EXPECT_FALSE(served_on(client));
  EXPECT_EQ(served_, 0);
}

TEST_F(ServerSaslGateTest, HandshakeV0ThenBareTokenThenServed) {
  auto client = connect();
  EXPECT_EQ(handshake(client, "PLAIN", 0).error_code, 0);
  send(client, bare_frame(kGoodToken));
  const auto frame = next(client);
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->size(), 4u);  // an empty token back: success
  EXPECT_TRUE(served_on(client));
}

TEST_F(ServerSaslGateTest, HandshakeV0WrongBareTokenClosesUnanswered) {
  auto client = connect();
  handshake(client, "PLAIN", 0);
  send(client, bare_frame(kBadToken));
  EXPECT_FALSE(next(client));
  EXPECT_EQ(failures("credentials"), 1u);
}

TEST_F(ServerSaslGateTest, SecondHandshakeAfterAuthenticationIsIllegalState) {
  auto client = connect();
  handshake(client, "PLAIN");
  authenticate(client, kGoodToken);
  EXPECT_EQ(handshake(client, "PLAIN").error_code, protocol::to_int(ErrorCode::illegal_sasl_state));
  EXPECT_EQ(authenticate(client, kGoodToken).error_code,
            protocol::to_int(ErrorCode::illegal_sasl_state));
  EXPECT_TRUE(served_on(client));
}

TEST_F(ServerSaslGateTest, LargeFrameBeforeAuthenticationCloses) {
  auto client = connect();
  std::vector<std::byte> size;
  protocol::Writer w(size);
  w.int32(static_cast<int32_t>(kMaxUnauthenticatedFrame + 1));
  send(client, size);
  EXPECT_FALSE(next(client));
}

}  // namespace
}  // namespace ks::server
