#include "proxy/server/dispatcher.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <tuple>
#include <vector>

#include "proxy/protocol/error_code.h"
#include "proxy/protocol/messages.h"
#include "tests/unit/server/test_support.h"

namespace ks::server {
namespace {

using protocol::ApiKey;
using protocol::ApiVersionsRequest;
using protocol::ApiVersionsResponse;
using protocol::ErrorCode;
using Advertised = std::tuple<int16_t, int16_t, int16_t>;  // key, min, max

awaitable<Deferred> no_answer(std::shared_ptr<const Request>) {
  co_return ready(std::nullopt);
}

// An ApiVersions request body encoded at `version`, whatever the header says.
struct AtVersion {
  ApiVersionsRequest message;
  int16_t version = 0;
  void encode(protocol::Writer& w, int16_t) const { message.encode(w, version); }
};

std::vector<Advertised> advertised(const ApiVersionsResponse& response) {
  std::vector<Advertised> out;
  for (const auto& api : response.api_keys)
    out.emplace_back(api.api_key, api.min_version, api.max_version);
  return out;
}

class DispatcherTest : public ::testing::Test {
 protected:
  DispatcherTest() {
    dispatcher_.add(ApiKey::produce, 0, 100, no_answer);      // clipped to the codec's 3..10
    dispatcher_.add(ApiKey::metadata, 1, 5, no_answer);       // within the codec's 0..12
    dispatcher_.add(ApiKey::create_topics, 0, 4, no_answer);  // no codec: taken as given
  }

  bool dispatched(ApiKey key, int16_t version) {
    return dispatcher_.dispatch(test::make_request(key, version, 1)).has_value();
  }

  // The response frame to an ApiVersions request at `version`. A client newer
  // than us sends a body we cannot parse: it gets our newest body format.
  std::vector<std::byte> api_versions(int16_t version, int32_t correlation_id) {
    AtVersion body;
    body.message.client_software_name = "server-test";
    body.message.client_software_version = "1.0";
    body.version = std::min(version, ApiVersionsRequest::kMaxVersion);
    return answer(test::make_request(ApiKey::api_versions, version, correlation_id, body));
  }

  std::vector<std::byte> answer(std::shared_ptr<const Request> request) {
    auto handled = dispatcher_.dispatch(std::move(request));
    if (!handled) throw std::runtime_error("request refused");
    Deferred deferred = test::run(io_, std::move(*handled));
    Response response = test::run(io_, std::move(deferred));
    if (!response) throw std::runtime_error("no response");
    return std::move(*response);
  }

  asio::io_context io_;
  Dispatcher dispatcher_;
};

TEST_F(DispatcherTest, ApiVersionsListsExactlyTheRegisteredApisWithClippedVersions) {
  const std::vector<Advertised> expected = {{0, 3, 10}, {3, 1, 5}, {18, 0, 3}, {19, 0, 4}};
  for (int16_t version = 0; version <= 3; ++version) {
    const auto decoded =
        test::decode_response<ApiVersionsResponse>(api_versions(version, 40 + version), version);
    EXPECT_EQ(decoded.correlation_id, 40 + version);
    EXPECT_EQ(decoded.body.error_code, 0) << version;
    EXPECT_EQ(advertised(decoded.body), expected) << version;
  }
}

TEST_F(DispatcherTest, ApiVersionsAtAnUnsupportedVersionAnswersUnsupportedVersionInV0) {
  // decode_response checks the frame is exactly v0 (v1+ adds throttle_time_ms).
  const auto decoded = test::decode_response<ApiVersionsResponse>(api_versions(9, 77), 0);
  EXPECT_EQ(decoded.correlation_id, 77);
  EXPECT_EQ(decoded.body.error_code, protocol::to_int(ErrorCode::unsupported_version));
  const auto apis = advertised(decoded.body);
  EXPECT_NE(std::find(apis.begin(), apis.end(), Advertised{18, 0, 3}), apis.end());
}

TEST_F(DispatcherTest, GarbledApiVersionsBodyIsInvalidRequest) {
  // v3 carries compact strings; an empty body is too short for them.
  const auto decoded = test::decode_response<ApiVersionsResponse>(
      answer(test::make_request(ApiKey::api_versions, 3, 5)), 3);
  EXPECT_EQ(decoded.body.error_code, protocol::to_int(ErrorCode::invalid_request));
}

TEST_F(DispatcherTest, RegisteredApiIsDispatchedAtBothEndsOfItsRange) {
  EXPECT_TRUE(dispatched(ApiKey::produce, 3));
  EXPECT_TRUE(dispatched(ApiKey::produce, 10));
  EXPECT_TRUE(dispatched(ApiKey::metadata, 1));
  EXPECT_TRUE(dispatched(ApiKey::metadata, 5));
}

TEST_F(DispatcherTest, UnregisteredApiKeyIsRefused) {
  EXPECT_FALSE(dispatched(ApiKey::fetch, 4));
  EXPECT_FALSE(dispatched(static_cast<ApiKey>(999), 0));
}

TEST_F(DispatcherTest, VersionOutsideTheRegisteredRangeIsRefused) {
  EXPECT_FALSE(dispatched(ApiKey::produce, 2));
  EXPECT_FALSE(dispatched(ApiKey::produce, 11));  // registered up to 100, the codec stops at 10
  EXPECT_FALSE(dispatched(ApiKey::metadata, 0));
  EXPECT_FALSE(dispatched(ApiKey::metadata, 6));
}

}  // namespace
}  // namespace ks::server
