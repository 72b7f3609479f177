// The SASL login on connect, against a scripted broker that checks the
// credentials: each mechanism, each way a broker says no, and that refused
// credentials are not sent again until they change.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include "proxy/protocol/error_code.h"
#include "proxy/upstream/broker_connection.h"
#include "proxy/upstream/sasl_account.h"
#include "tests/unit/upstream/connection_fixture.h"
#include "tests/unit/upstream/fake_broker.h"
#include "tests/unit/upstream/requests.h"
#include "tests/unit/upstream/scram_server.h"

namespace ks::upstream {
namespace {

using namespace std::chrono_literals;
using protocol::ApiKey;
using protocol::ErrorCode;
using test::ConnectionTest;
using test::run;
using test::run_for;

using Answer = std::optional<std::vector<std::byte>>;
using ApiVersion = protocol::ApiVersionsResponse::ApiVersion;

// A broker with one user, PLAIN and SCRAM-SHA-256/512 as Kafka answers them.
class SaslBroker {
 public:
  SaslBroker(asio::io_context& io, std::string password)
      : password_(std::move(password)),
        broker_(io, [this](const protocol::RequestHeader& h, protocol::Bytes body) {
          return answer(h, body);
        }) {}

  std::string address() const { return broker_.address(); }
  size_t count(ApiKey key) const {
    size_t n = 0;
    for (const auto& header : broker_.requests())
      n += header.api_key == key ? 1 : 0;
    return n;
  }
  const std::string& last_token() const { return last_token_; }
  void set_password(std::string password) { password_ = std::move(password); }
  std::vector<std::string> mechanisms{"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"};
  bool sasl_apis = true;
  bool tamper_server_signature = false;

 private:
  Answer answer(const protocol::RequestHeader& h, protocol::Bytes body) {
    protocol::Reader reader(body);
    switch (h.api_key) {
      case ApiKey::api_versions: {
        protocol::ApiVersionsResponse response;
        response.api_keys = {{18, 0, 3}, {3, 0, 12}};
        if (sasl_apis) {
          response.api_keys.push_back(ApiVersion{17, 0, 1});
          response.api_keys.push_back(ApiVersion{36, 0, 2});
        }
        return test::response_frame(h.correlation_id, h.api_version, response);
      }
      case ApiKey::sasl_handshake: {
        protocol::SaslHandshakeRequest request;
        request.decode(reader, h.api_version);
        protocol::SaslHandshakeResponse response;
        response.mechanisms = mechanisms;
        mechanism_ = request.mechanism;
        if (std::find(mechanisms.begin(), mechanisms.end(), mechanism_) == mechanisms.end())
          response.error_code = protocol::to_int(ErrorCode::unsupported_sasl_mechanism);
        scram_.reset();
        return test::response_frame(h.correlation_id, h.api_version, response);
      }
      case ApiKey::sasl_authenticate: {
        protocol::SaslAuthenticateRequest request;
        request.decode(reader, h.api_version);
        last_token_.assign(reinterpret_cast<const char*>(request.auth_bytes.data()),
                           request.auth_bytes.size());
        const std::string token = authenticate(last_token_);
        protocol::SaslAuthenticateResponse response;
        if (token == kRefused) {
          response.error_code = protocol::to_int(ErrorCode::sasl_authentication_failed);
          response.error_message = "Authentication failed: Invalid username or password";
        } else {
          response.auth_bytes =
              protocol::Bytes(reinterpret_cast<const std::byte*>(token.data()), token.size());
        }
        return test::response_frame(h.correlation_id, h.api_version, response);
      }
      default:
        return test::response_frame(h.correlation_id, h.api_version, protocol::MetadataResponse{});
    }
  }

  std::string authenticate(const std::string& token) {
    if (mechanism_ == "PLAIN")
      return token == std::string("\0alice\0", 7) + password_ ? "" : kRefused;
    if (!scram_) {
      const auto hash = mechanism_ == "SCRAM-SHA-256" ? ScramHash::sha256 : ScramHash::sha512;
      scram_.emplace(hash, password_, "salty", 4096, "server-nonce");
      return scram_->first(token);
    }
    std::string final_message = scram_->final(token);
    if (final_message.starts_with("e=")) return kRefused;
    if (tamper_server_signature) final_message[2] = final_message[2] == 'A' ? 'B' : 'A';
    return final_message;
  }

  static constexpr const char* kRefused = "refused";
  std::string password_;
  std::string mechanism_;
  std::optional<test::ScramServer> scram_;
  std::string last_token_;
  test::FakeBroker broker_;
};

class SaslLoginTest : public ConnectionTest {
 protected:
  std::shared_ptr<BrokerConnection> connect_as(const SaslBroker& broker,
                                               SaslCredentials credentials) {
    account_ = std::make_shared<SaslAccount>("test", std::move(credentials));
    auto options = test::test_options();
    options.sasl = account_;
    return connect_to(broker.address(), std::move(options));
  }

  Result<void> send_metadata(BrokerConnection& connection) {
    auto response = run(io_, connection.send(test::metadata_request()));
    if (!response) return response.error();
    return Result<void>{};
  }

  std::shared_ptr<SaslAccount> account_;
};

SaslCredentials alice(SaslMechanism mechanism, std::string password) {
  return SaslCredentials{mechanism, "alice", std::move(password), ""};
}

TEST_F(SaslLoginTest, PlainSendsOneTokenAfterTheHandshake) {
  SaslBroker broker(io_, "secret");
  auto connection = connect_as(broker, alice(SaslMechanism::plain, "secret"));
  const auto sent = send_metadata(*connection);
  ASSERT_TRUE(sent) << sent.error().message;
  EXPECT_EQ(broker.last_token(), std::string("\0alice\0secret", 13));
  EXPECT_EQ(broker.count(ApiKey::sasl_handshake), 1u);
  EXPECT_EQ(broker.count(ApiKey::sasl_authenticate), 1u);
  EXPECT_EQ(account_->failures(), 0u);
}

TEST_F(SaslLoginTest, ScramSha256LogsIn) {
  SaslBroker broker(io_, "secret");
  auto connection = connect_as(broker, alice(SaslMechanism::scram_sha_256, "secret"));
  const auto sent = send_metadata(*connection);
  ASSERT_TRUE(sent) << sent.error().message;
  EXPECT_EQ(broker.count(ApiKey::sasl_authenticate), 2u);
}

TEST_F(SaslLoginTest, ScramSha512LogsIn) {
  SaslBroker broker(io_, "secret");
  auto connection = connect_as(broker, alice(SaslMechanism::scram_sha_512, "secret"));
  const auto sent = send_metadata(*connection);
  ASSERT_TRUE(sent) << sent.error().message;
}

TEST_F(SaslLoginTest, AWrongPasswordIsRefusedWithTheBrokersMessage) {
  SaslBroker broker(io_, "secret");
  auto connection = connect_as(broker, alice(SaslMechanism::scram_sha_256, "wrong-password"));
  const auto sent = send_metadata(*connection);
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code, errc::authentication_failed);
  EXPECT_FALSE(is_retriable(sent.error().code));
  EXPECT_EQ(sent.error().message,
            "SASL SCRAM-SHA-256 login as alice to " + broker.address() +
                " refused: SASL_AUTHENTICATION_FAILED: Authentication failed: Invalid username or "
                "password");
  EXPECT_EQ(account_->failures(), 1u);
}

TEST_F(SaslLoginTest, RefusedCredentialsAreNotSentAgainUntilTheyChange) {
  SaslBroker broker(io_, "secret");
  auto connection = connect_as(broker, alice(SaslMechanism::plain, "wrong-password"));
  const auto first = send_metadata(*connection);
  ASSERT_FALSE(first);
  run_for(io_, 300ms);  // past the reconnect backoff
  const auto again = send_metadata(*connection);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, errc::authentication_failed);
  EXPECT_EQ(again.error().message, first.error().message);
  EXPECT_EQ(broker.count(ApiKey::api_versions), 1u) << "connected again";
  EXPECT_EQ(account_->failures(), 1u);

  account_->set(alice(SaslMechanism::plain, "secret"));
  run_for(io_, 300ms);
  const auto fixed = send_metadata(*connection);
  EXPECT_TRUE(fixed) << fixed.error().message;
}

TEST_F(SaslLoginTest, RefusedCredentialsMayBeTriedAgainAfterSet) {
  // A reload with the same credentials: the broker may have learnt them since.
  SaslBroker broker(io_, "secret");
  auto connection = connect_as(broker, alice(SaslMechanism::plain, "new-secret"));
  ASSERT_FALSE(send_metadata(*connection));
  broker.set_password("new-secret");
  account_->set(alice(SaslMechanism::plain, "new-secret"));
  run_for(io_, 300ms);
  const auto sent = send_metadata(*connection);
  EXPECT_TRUE(sent) << sent.error().message;
}

TEST_F(SaslLoginTest, APasswordFileIsReadAtEachConnect) {
  const auto path =
      std::filesystem::temp_directory_path() / ("ks-sasl-login-test-" + std::to_string(::getpid()));
  std::ofstream(path) << "wrong-password\n";
  SaslBroker broker(io_, "secret");
  auto connection =
      connect_as(broker, SaslCredentials{SaslMechanism::scram_sha_512, "alice", "", path.string()});
  ASSERT_FALSE(send_metadata(*connection));
  std::ofstream(path) << "secret\n";
  run_for(io_, 300ms);
  const auto sent = send_metadata(*connection);
  EXPECT_TRUE(sent) << sent.error().message;
  std::filesystem::remove(path);
}

TEST_F(SaslLoginTest, AnUnreadablePasswordFileFailsWithoutConnecting) {
  SaslBroker broker(io_, "secret");
  auto connection = connect_as(
      broker, SaslCredentials{SaslMechanism::plain, "alice", "", "/nonexistent/ks-password"});
  const auto sent = send_metadata(*connection);
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code, errc::authentication_failed);
  EXPECT_NE(sent.error().message.find("/nonexistent/ks-password"), std::string::npos);
  EXPECT_EQ(broker.count(ApiKey::api_versions), 0u);
  EXPECT_EQ(account_->failures(), 0u);
}

TEST_F(SaslLoginTest, AnUnsupportedMechanismNamesTheBrokersMechanisms) {
  SaslBroker broker(io_, "secret");
  broker.mechanisms = {"PLAIN", "OAUTHBEARER"};
  auto connection = connect_as(broker, alice(SaslMechanism::scram_sha_512, "secret"));
  const auto sent = send_metadata(*connection);
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code, errc::authentication_failed);
  EXPECT_NE(
      sent.error().message.find("UNSUPPORTED_SASL_MECHANISM: the broker offers PLAIN, OAUTHBEARER"),
      std::string::npos)
      << sent.error().message;
  EXPECT_EQ(broker.count(ApiKey::sasl_authenticate), 0u);
}

TEST_F(SaslLoginTest, AWrongServerSignatureIsRefused) {
  SaslBroker broker(io_, "secret");
  broker.tamper_server_signature = true;
  auto connection = connect_as(broker, alice(SaslMechanism::scram_sha_256, "secret"));
  const auto sent = send_metadata(*connection);
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code, errc::authentication_failed);
  EXPECT_NE(sent.error().message.find("server signature"), std::string::npos);
  EXPECT_EQ(broker.count(ApiKey::metadata), 0u);
}

TEST_F(SaslLoginTest, ABrokerWithoutSaslIsRefused) {
  SaslBroker broker(io_, "secret");
  broker.sasl_apis = false;
  auto connection = connect_as(broker, alice(SaslMechanism::plain, "secret"));
  const auto sent = send_metadata(*connection);
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code, errc::authentication_failed);
}

TEST_F(SaslLoginTest, ThePasswordIsInNoErrorMessage) {
  SaslBroker broker(io_, "other");
  for (const auto mechanism :
       {SaslMechanism::plain, SaslMechanism::scram_sha_256, SaslMechanism::scram_sha_512}) {
    auto connection = connect_as(broker, alice(mechanism, "hunter2-password"));
    const auto sent = send_metadata(*connection);
    ASSERT_FALSE(sent);
    EXPECT_EQ(sent.error().message.find("hunter2"), std::string::npos) << sent.error().message;
  }
}

TEST_F(SaslLoginTest, NoCredentialsNoLogin) {
  SaslBroker broker(io_, "secret");
  auto connection = connect_as(broker, {});
  account_->set(std::nullopt);
  ASSERT_TRUE(send_metadata(*connection));
  EXPECT_EQ(broker.count(ApiKey::sasl_handshake), 0u);
}

}  // namespace
}  // namespace ks::upstream
