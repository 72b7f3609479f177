// BrokerConnection against a scripted fake broker: version fallback,
// pipelining, and the broken answers a real cluster will not give on cue.
#include "proxy/upstream/broker_connection.h"

#include <gtest/gtest.h>

#include "proxy/protocol/error_code.h"
#include "tests/unit/upstream/connection_fixture.h"
#include "tests/unit/upstream/fake_broker.h"
#include "tests/unit/upstream/requests.h"
#include "tests/unit/upstream/run.h"

namespace ks::upstream {
namespace {

using namespace std::chrono_literals;
using protocol::ApiKey;
using test::ConnectionTest;
using test::run;
using test::run_until;
using test::test_options;

using ApiVersion = protocol::ApiVersionsResponse::ApiVersion;

std::vector<std::byte> api_versions_answer(const protocol::RequestHeader& header,
                                           std::vector<ApiVersion> apis, int16_t error = 0) {
  protocol::ApiVersionsResponse response;
  response.error_code = error;
  response.api_keys = std::move(apis);
  // KIP-511: an error answer is always v0.
  return test::response_frame(header.correlation_id, error ? 0 : header.api_version, response);
}

const std::vector<ApiVersion> kModernBroker = {{18, 0, 3}, {3, 0, 12}, {0, 3, 10}};

std::vector<std::byte> metadata_answer(const protocol::RequestHeader& header) {
  protocol::MetadataResponse response;
  protocol::MetadataResponse::MetadataResponseBroker broker;
  broker.node_id = 1;
  broker.host = "127.0.0.1";
  broker.port = 9092;
  response.brokers.push_back(broker);
  return test::response_frame(header.correlation_id, header.api_version, response);
}

using Answer = std::optional<std::vector<std::byte>>;

TEST_F(ConnectionTest, RetriesApiVersionsAtTheVersionAnOlderBrokerNames) {
  test::FakeBroker broker(io_, [](const protocol::RequestHeader& h, protocol::Bytes) -> Answer {
    if (h.api_key == ApiKey::api_versions && h.api_version > 2)
      return api_versions_answer(h, {{18, 0, 2}},
                                 protocol::to_int(protocol::ErrorCode::unsupported_version));
    if (h.api_key == ApiKey::api_versions) return api_versions_answer(h, {{18, 0, 2}, {3, 0, 1}});
    return metadata_answer(h);
  });
  auto connection = connect_to(broker.address());
  auto response = run(io_, connection->send(test::metadata_request()));
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->version, 1);
  ASSERT_EQ(broker.requests().size(), 3u);
  EXPECT_EQ(broker.requests()[0].api_version, 3);
  EXPECT_EQ(broker.requests()[1].api_version, 2);
  EXPECT_EQ(broker.requests()[2].api_key, ApiKey::metadata);
}

TEST_F(ConnectionTest, RetriesApiVersionsAtV0WhenTheErrorAnswerIsUnreadable) {
  // What the librdkafka 2.0.2 mock does: error 35 in a body that is neither v0 nor v3.
  test::FakeBroker broker(io_, [](const protocol::RequestHeader& h, protocol::Bytes) -> Answer {
    if (h.api_key == ApiKey::api_versions && h.api_version > 0) {
      std::vector<std::byte> body = {std::byte{0},  std::byte{35}, std::byte{1}, std::byte{0},
                                     std::byte{18}, std::byte{0},  std::byte{0}, std::byte{0},
                                     std::byte{2},  std::byte{0},  std::byte{0}, std::byte{0},
                                     std::byte{0}};
      std::vector<std::byte> payload;
      protocol::Writer writer(payload);
      writer.int32(h.correlation_id);
      writer.raw(body);
      return test::raw_frame(static_cast<int32_t>(payload.size()), payload);
    }
    if (h.api_key == ApiKey::api_versions) return api_versions_answer(h, {{18, 0, 2}, {3, 0, 1}});
    return metadata_answer(h);
  });
  auto connection = connect_to(broker.address());
  auto response = run(io_, connection->send(test::metadata_request()));
  ASSERT_TRUE(response) << response.error().message;
  ASSERT_EQ(broker.requests().size(), 3u);
  EXPECT_EQ(broker.requests()[1].api_version, 0);
}

TEST_F(ConnectionTest, ModernBrokerIsAskedAtV3Once) {
  test::FakeBroker broker(io_, [](const protocol::RequestHeader& h, protocol::Bytes) -> Answer {
    if (h.api_key == ApiKey::api_versions) return api_versions_answer(h, kModernBroker);
    return metadata_answer(h);
  });
  auto connection = connect_to(broker.address());
  auto response = run(io_, connection->send(test::metadata_request()));
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->version, 12);
  ASSERT_EQ(broker.requests().size(), 2u);
  EXPECT_EQ(broker.requests()[0].api_version, 3);
  EXPECT_EQ(broker.requests()[0].client_id, "upstream-test");
}

// A broker that answers ApiVersions properly and Metadata with `bad`.
test::FakeBroker::Script answering_metadata_with(
    std::function<Answer(const protocol::RequestHeader&)> bad) {
  return [bad](const protocol::RequestHeader& h, protocol::Bytes) -> Answer {
    if (h.api_key == ApiKey::api_versions) return api_versions_answer(h, kModernBroker);
    return bad(h);
  };
}

TEST_F(ConnectionTest, OversizedFrameResetsTheConnection) {
  test::FakeBroker broker(io_,
                          answering_metadata_with([](const protocol::RequestHeader&) -> Answer {
                            return test::raw_frame(200 * 1024 * 1024, {});
                          }));
  auto options = test_options();
  options.max_response_bytes = 1024 * 1024;
  auto connection = connect_to(broker.address(), options);
  auto response = run(io_, connection->send(test::metadata_request()));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, errc::response_too_large);
  EXPECT_EQ(connection->state(), BrokerConnection::State::idle);
}

TEST_F(ConnectionTest, NegativeFrameSizeIsMalformed) {
  test::FakeBroker broker(
      io_, answering_metadata_with(
               [](const protocol::RequestHeader&) -> Answer { return test::raw_frame(-5, {}); }));
  auto connection = connect_to(broker.address());
  auto response = run(io_, connection->send(test::metadata_request()));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, errc::malformed_response);
}

TEST_F(ConnectionTest, WrongCorrelationIdResetsTheConnection) {
  test::FakeBroker broker(io_,
                          answering_metadata_with([](const protocol::RequestHeader& h) -> Answer {
                            auto shifted = h;
                            shifted.correlation_id += 1;
                            return metadata_answer(shifted);
                          }));
  auto connection = connect_to(broker.address());
  auto response = run(io_, connection->send(test::metadata_request()));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, errc::malformed_response);
  EXPECT_EQ(connection->state(), BrokerConnection::State::idle);
}

TEST_F(ConnectionTest, UnparsableBodyFailsOnlyThatRequest) {
  int metadata_requests = 0;
  test::FakeBroker broker(
      io_, answering_metadata_with([&](const protocol::RequestHeader& h) -> Answer {
        if (++metadata_requests > 1) return metadata_answer(h);
        std::vector<std::byte> payload;
        protocol::Writer writer(payload);
        writer.int32(h.correlation_id);
        writer.empty_tagged_fields();  // Metadata v12 has a flexible response header
        writer.int32(0);               // throttle time, then the body stops short
        return test::raw_frame(static_cast<int32_t>(payload.size()), payload);
      }));
  auto connection = connect_to(broker.address());
  auto bad = run(io_, connection->send(test::metadata_request()));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, errc::malformed_response);
  EXPECT_TRUE(connection->ready());  // the stream itself is still in step
  auto good = run(io_, connection->send(test::metadata_request()));
  EXPECT_TRUE(good) << good.error().message;
  EXPECT_EQ(broker.requests().size(), 3u);  // one ApiVersions: the same connection
}

TEST_F(ConnectionTest, PeerClosingWithoutAnAnswerFailsTheRequest) {
  test::FakeBroker broker(
      io_, answering_metadata_with(
               [](const protocol::RequestHeader&) -> Answer { return std::nullopt; }));
  auto connection = connect_to(broker.address());
  auto response = run(io_, connection->send(test::metadata_request()));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, errc::connection_failed);
}

TEST_F(ConnectionTest, SilentBrokerTimesOutTheConnect) {
  test::FakeBroker broker(io_, [](const protocol::RequestHeader&, protocol::Bytes) -> Answer {
    return std::vector<std::byte>{};  // keep the connection, never answer
  });
  auto connection = connect_to(broker.address(), test_options(200ms));
  auto response = run(io_, connection->send(test::metadata_request()));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, errc::timeout);
  EXPECT_EQ(connection->state(), BrokerConnection::State::idle);
}

TEST_F(ConnectionTest, RefusedConnectBacksOffBeforeTheNextAttempt) {
  uint16_t port = 0;
  {
    tcp::acceptor probe(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = probe.local_endpoint().port();
  }
  auto options = test_options();
  options.reconnect_backoff = 1h;
  options.reconnect_backoff_max = 1h;
  auto connection = connect_to("127.0.0.1:" + std::to_string(port), options);
  auto refused = run(io_, connection->send(test::metadata_request()));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, errc::connection_failed);
  EXPECT_TRUE(is_retriable(refused.error().code));

  auto again = run(io_, connection->send(test::metadata_request()));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, errc::connection_failed);
  // The backoff is drawn from [0, 1 h]: this attempt did not dial at all.
  EXPECT_NE(again.error().message.find("next attempt"), std::string::npos) << again.error().message;
}

TEST_F(ConnectionTest, BrokerHoldingAnswersUntilAllRequestsArriveProvesPipelining) {
  // Without pipelining the client would wait for the first answer before
  // sending the second request, and this broker would never answer.
  constexpr int kRequests = 8;
  std::vector<protocol::RequestHeader> held;
  test::FakeBroker broker(io_, [&](const protocol::RequestHeader& h, protocol::Bytes) -> Answer {
    if (h.api_key == ApiKey::api_versions) return api_versions_answer(h, kModernBroker);
    held.push_back(h);
    if (held.size() < kRequests) return std::vector<std::byte>{};
    std::vector<std::byte> answers;
    for (const auto& request : held) {
      const auto answer = metadata_answer(request);
      answers.insert(answers.end(), answer.begin(), answer.end());
    }
    return answers;
  });
  auto connection = connect_to(broker.address(), test_options(10s));
  using MetadataResult = Result<Response<protocol::MetadataResponse>>;
  std::vector<std::shared_ptr<test::Spawned<MetadataResult>>> slots;
  for (int i = 0; i < kRequests; ++i)
    slots.push_back(spawn(connection->send(test::metadata_request())));
  ASSERT_TRUE(run_until(
      io_,
      [&] {
        return std::all_of(slots.begin(), slots.end(), [](const auto& s) { return s->done; });
      },
      30s));
  for (const auto& slot : slots) {
    ASSERT_TRUE(slot->value);
    EXPECT_TRUE(*slot->value) << slot->value->error().message;
  }
}

TEST_F(ConnectionTest, ConcurrentSendsShareOneConnect) {
  test::FakeBroker broker(io_, [](const protocol::RequestHeader& h, protocol::Bytes) -> Answer {
    if (h.api_key == ApiKey::api_versions) return api_versions_answer(h, kModernBroker);
    return metadata_answer(h);
  });
  auto connection = connect_to(broker.address());
  auto a = spawn(connection->send(test::metadata_request()));
  auto b = spawn(connection->send(test::metadata_request()));
  auto c = spawn(connection->send(test::metadata_request()));
  ASSERT_TRUE(run_until(
      io_, [&] { return a->done && b->done && c->done; }, 30s));
  for (const auto& slot : {a, b, c})
    EXPECT_TRUE(slot->value && *slot->value);
  ASSERT_EQ(broker.requests().size(), 4u);
  EXPECT_EQ(broker.requests()[0].api_key, ApiKey::api_versions);
  // Correlation ids count up across the whole connection.
  for (size_t i = 1; i < broker.requests().size(); ++i)
    EXPECT_EQ(broker.requests()[i].correlation_id, broker.requests()[i - 1].correlation_id + 1);
}

}  // namespace
}  // namespace ks::upstream
