// BrokerConnection against librdkafka's mock cluster (built once per mock
// generation, see CMakeLists.txt).
#include <gtest/gtest.h>

#include "proxy/protocol/record_batch.h"
#include "proxy/upstream/broker_connection.h"
#include "tests/unit/upstream/connection_fixture.h"
#include "tests/unit/upstream/mock_cluster.h"
#include "tests/unit/upstream/requests.h"
#include "tests/unit/upstream/run.h"
#include "tests/unit/upstream/test_batch.h"

namespace ks::upstream {
namespace {

using namespace std::chrono_literals;
using protocol::ApiKey;
using test::ConnectionTest;
using test::run;
using test::run_until;
using test::test_options;

class MockConnectionTest : public ConnectionTest {
 protected:
  test::MockCluster mock_{3};
};

TEST_F(MockConnectionTest, NegotiatesTheHighestVersionsBothSidesSpeak) {
  auto connection = connect_to(mock_.bootstrap()[0]);
  auto response = run(io_, connection->send(test::metadata_request()));
  ASSERT_TRUE(response) << response.error().message;
  const auto expected = mock_.negotiated();
  EXPECT_EQ(response->version, expected.metadata);
  EXPECT_EQ(response->body.brokers.size(), 3u);
  EXPECT_TRUE(connection->ready());

  // Both generations answer ApiVersions v3 with UNSUPPORTED_VERSION: the
  // connection fell back and still learnt every range.
  const VersionTable& versions = connection->versions();
  EXPECT_EQ(versions.broker_range(ApiKey::api_versions), (VersionRange{0, 2}));
  EXPECT_EQ(versions.pick(ApiKey::produce, {3, 10}), expected.produce);
  EXPECT_EQ(versions.pick(ApiKey::fetch, {4, 12}), expected.fetch);
  EXPECT_EQ(versions.pick(ApiKey::list_offsets, {1, 7}), expected.list_offsets);
  EXPECT_EQ(versions.pick(ApiKey::init_producer_id, {0, 4}), 4);
}

TEST_F(MockConnectionTest, PipelinesRequestsAndMatchesAnswersInOrder) {
  mock_.create_topic("pipelined", 1);
  mock_.set_leader("pipelined", 0, 1);
  auto connection = connect_to(mock_.bootstrap()[0]);
  ASSERT_TRUE(run(io_, connection->send(test::metadata_request())));

  // Each answer waits 300 ms in the mock: requests overlap only if pipelined.
  mock_.set_rtt(1, 300);
  auto batch = test::python_batch();
  protocol::rewrite_producer(batch, -1, -1, -1);
  constexpr int kRequests = 20;
  using ProduceResult = Result<Response<protocol::ProduceResponse>>;
  std::vector<std::shared_ptr<test::Spawned<ProduceResult>>> slots;
  for (int i = 0; i < kRequests; ++i)
    slots.push_back(spawn(connection->send(test::produce_request("pipelined", 0, batch))));
  size_t most_in_flight = 0;
  const bool all_done = run_until(
      io_,
      [&] {
        most_in_flight = std::max(most_in_flight, connection->in_flight());
        return std::all_of(slots.begin(), slots.end(), [](const auto& s) { return s->done; });
      },
      30s);
  ASSERT_TRUE(all_done);
  EXPECT_EQ(most_in_flight, static_cast<size_t>(kRequests));
  for (int i = 0; i < kRequests; ++i) {
    ASSERT_TRUE(slots[i]->value && *slots[i]->value) << i;
    const auto& partition = (*slots[i]->value)->body.topics.at(0).partitions.at(0);
    EXPECT_EQ(partition.error_code, 0);
    EXPECT_EQ(partition.base_offset, 3 * i) << "answer " << i << " matched to the wrong request";
  }
}

TEST_F(MockConnectionTest, TimeoutFailsEveryRequestInFlightAndTheNextSendReconnects) {
  auto connection = connect_to(mock_.bootstrap()[1], test_options(300ms));
  ASSERT_TRUE(run(io_, connection->send(test::metadata_request())));

  mock_.set_rtt(2, 5000);
  const auto start = std::chrono::steady_clock::now();
  auto first = spawn(connection->send(test::metadata_request()));
  auto second = spawn(connection->send(test::metadata_request()));
  ASSERT_TRUE(run_until(
      io_, [&] { return first->done && second->done; }, 30s));
  // Bounded by the request timeout, not by the broker's 5 s delay.
  EXPECT_LT(std::chrono::steady_clock::now() - start, 4s);
  for (const auto& slot : {first, second}) {
    ASSERT_TRUE(slot->value);
    ASSERT_FALSE(*slot->value);
    EXPECT_EQ(slot->value->error().code, errc::timeout) << slot->value->error().message;
  }
  EXPECT_EQ(connection->state(), BrokerConnection::State::idle);

  mock_.set_rtt(2, 0);
  auto again = run(io_, connection->send(test::metadata_request()));
  EXPECT_TRUE(again) << again.error().message;
}

TEST_F(MockConnectionTest, BrokerDownFailsRequestsInFlightAtOnceAndRecoversWhenUp) {
  auto connection = connect_to(mock_.bootstrap()[2], test_options(20s));
  ASSERT_TRUE(run(io_, connection->send(test::metadata_request())));

  mock_.set_rtt(3, 3000);  // keeps the next request in flight
  auto in_flight = spawn(connection->send(test::metadata_request()));
  ASSERT_TRUE(run_until(
      io_, [&] { return connection->in_flight() == 1; }, 10s));
  const auto start = std::chrono::steady_clock::now();
  mock_.set_down(3);
  ASSERT_TRUE(run_until(
      io_, [&] { return in_flight->done; }, 30s));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);  // not the 20 s timeout
  ASSERT_TRUE(in_flight->value);
  ASSERT_FALSE(*in_flight->value);
  EXPECT_EQ(in_flight->value->error().code, errc::connection_failed);

  // Down: connects are refused.
  auto refused = run(io_, connection->send(test::metadata_request()));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, errc::connection_failed);

  mock_.set_rtt(3, 0);
  mock_.set_up(3);
  bool recovered = false;
  for (int attempt = 0; attempt < 100 && !recovered; ++attempt) {
    recovered = run(io_, connection->send(test::metadata_request())).ok();
    if (!recovered) test::run_for(io_, 50ms);  // past the reconnect backoff
  }
  EXPECT_TRUE(recovered);
}

TEST_F(MockConnectionTest, AnApiTheBrokerDoesNotListIsUnsupportedAndHarmless) {
  mock_.drop_api(static_cast<int16_t>(ApiKey::init_producer_id));
  auto connection = connect_to(mock_.bootstrap()[0]);
  auto response = run(io_, connection->send(protocol::InitProducerIdRequest{}));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, errc::unsupported_version);
  EXPECT_FALSE(is_retriable(response.error().code));
  EXPECT_TRUE(connection->ready());
  EXPECT_TRUE(run(io_, connection->send(test::metadata_request())));
}

TEST_F(MockConnectionTest, ProduceWithoutAcksIsRefusedBeforeAnythingIsSent) {
  auto connection = connect_to(mock_.bootstrap()[0]);
  const auto batch = test::python_batch();
  auto response = run(io_, connection->send(test::produce_request("t", 0, batch, 0)));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, errc::invalid_request);
  EXPECT_EQ(connection->state(), BrokerConnection::State::idle);
}

}  // namespace
}  // namespace ks::upstream
