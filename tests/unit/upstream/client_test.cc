#include "proxy/upstream/client.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "proxy/protocol/record_batch.h"
#include "tests/unit/upstream/mock_cluster.h"
#include "tests/unit/upstream/requests.h"
#include "tests/unit/upstream/run.h"
#include "tests/unit/upstream/test_batch.h"
#include "tests/unit/upstream/test_client.h"

namespace ks::upstream {
namespace {

using namespace std::chrono_literals;
using protocol::ErrorCode;
using test::run;

class ClientTest : public ::testing::Test {
 protected:
  ~ClientTest() override {
    client_.reset();
    test::run_for(io_, 100ms);  // let the closed connections wind down
  }

  Client& make_client(std::vector<std::string> bootstrap = {}) {
    client_ = std::make_unique<Client>(io_.get_executor(), options(std::move(bootstrap)));
    return *client_;
  }

  ClientOptions options(std::vector<std::string> bootstrap = {}) {
    return test::test_client_options(bootstrap.empty() ? mock_.bootstrap() : std::move(bootstrap));
  }

  // The id of the broker at `address` ("host:port"), from the cached metadata.
  int32_t broker_at(const std::string& address) const {
    for (const auto& [id, broker] : client_->topology().brokers())
      if (broker.address.to_string() == address) return id;
    return -1;
  }

  static const protocol::ProduceResponse::ProduceTopicResponse::ProducePartitionResponse& only(
      const Response<protocol::ProduceResponse>& response) {
    return response.body.topics.at(0).partitions.at(0);
  }

  // Lines of `log` (captured stderr) with `event`; `with` narrows them.
  static std::vector<std::string> lines(const std::string& log, std::string_view event,
                                        std::string_view with = "") {
    std::vector<std::string> out;
    size_t start = 0;
    while (start < log.size()) {
      const size_t end = std::min(log.find('\n', start), log.size());
      const std::string line = log.substr(start, end - start);
      if (line.find(" " + std::string(event) + " ") != std::string::npos &&
          line.find(with) != std::string::npos) {
        out.push_back(line);
      }
      start = end + 1;
    }
    return out;
  }

  asio::io_context io_;
  test::MockCluster mock_{3};
  std::unique_ptr<Client> client_;
};

TEST_F(ClientTest, RefreshLearnsBrokersPartitionsAndLeaders) {
  mock_.create_topic("orders", 4);
  const std::vector<int32_t> leaders = {1, 2, 3, 1};
  for (int32_t p = 0; p < 4; ++p)
    mock_.set_leader("orders", p, leaders[p]);
  Client& client = make_client();

  const auto refreshed = run(io_, client.refresh_metadata({"orders"}));
  ASSERT_TRUE(refreshed) << refreshed.error().message;
  EXPECT_TRUE(client.is_reachable());

  std::set<std::string> addresses;
  for (const auto& [id, broker] : client.topology().brokers())
    addresses.insert(broker.address.to_string());
  const auto bootstrap = mock_.bootstrap();
  EXPECT_EQ(addresses, std::set<std::string>(bootstrap.begin(), bootstrap.end()));

  const TopicInfo* orders = client.topology().topic("orders");
  ASSERT_NE(orders, nullptr);
  EXPECT_EQ(orders->error, ErrorCode::none);
  EXPECT_EQ(orders->partitions.size(), 4u);
  for (int32_t p = 0; p < 4; ++p) {
    ASSERT_TRUE(client.leader_for("orders", p)) << p;
    EXPECT_EQ(client.leader_for("orders", p)->broker_id, leaders[p]) << p;
  }
  EXPECT_EQ(client.leader_for("orders", 4), std::nullopt);
}

TEST_F(ClientTest, OldMockCreatesUnknownTopicsWhateverWeAsk) {
  if (mock_.modern()) GTEST_SKIP() << "the 2.15 mock honours AutoCreate::no";
  // Metadata v2 has no allow_auto_topic_creation flag: the broker decides,
  // and the 2.0.2 mock always creates.
  Client& client = make_client();
  ASSERT_TRUE(run(io_, client.refresh_metadata({"fresh"}, AutoCreate::no)));
  const TopicInfo* fresh = client.topology().topic("fresh");
  ASSERT_NE(fresh, nullptr);
  EXPECT_EQ(fresh->error, ErrorCode::none);
  EXPECT_EQ(fresh->partitions.size(), 4u);  // the mock's default
}

TEST_F(ClientTest, UnknownTopicStaysUnknownWithoutAutoCreate) {
  if (!mock_.modern()) GTEST_SKIP() << "the 2.0.2 mock creates topics whatever we ask";
  Client& client = make_client();
  ASSERT_TRUE(run(io_, client.refresh_metadata({"absent"}, AutoCreate::no)));
  const TopicInfo* absent = client.topology().topic("absent");
  ASSERT_NE(absent, nullptr);
  EXPECT_EQ(absent->error, ErrorCode::unknown_topic_or_partition);
  EXPECT_TRUE(absent->partitions.empty());
  EXPECT_EQ(client.leader_for("absent", 0), std::nullopt);
}

TEST_F(ClientTest, AutoCreateMakesTheTopic) {
  Client& client = make_client();
  ASSERT_TRUE(run(io_, client.refresh_metadata({"created"}, AutoCreate::yes)));
  const TopicInfo* created = client.topology().topic("created");
  ASSERT_NE(created, nullptr);
  EXPECT_EQ(created->error, ErrorCode::none);
  EXPECT_FALSE(created->partitions.empty());
  EXPECT_TRUE(client.leader_for("created", 0));
}

TEST_F(ClientTest, RefreshWithoutTopicsListsThemAll) {
  mock_.create_topic("a", 1);
  mock_.create_topic("b", 2);
  Client& client = make_client();
  ASSERT_TRUE(run(io_, client.refresh_metadata({})));
  ASSERT_NE(client.topology().topic("a"), nullptr);
  ASSERT_NE(client.topology().topic("b"), nullptr);
  EXPECT_EQ(client.topology().topic("b")->partitions.size(), 2u);
}

TEST_F(ClientTest, ProducesToTheLeaderAndFetchesTheSameBatchesBack) {
  mock_.create_topic("events", 1);
  mock_.set_leader("events", 0, 2);
  Client& client = make_client();
  ASSERT_TRUE(run(io_, client.refresh_metadata({"events"})));
  const auto leader = client.leader_for("events", 0);
  ASSERT_TRUE(leader);
  ASSERT_EQ(leader->broker_id, 2);

  const auto batch = test::plain_batch();
  for (int64_t expected_offset : {0, 3}) {
    auto produced = run(io_, client.send_to(2, test::produce_request("events", 0, batch)));
    ASSERT_TRUE(produced) << produced.error().message;
    EXPECT_EQ(produced->version, mock_.negotiated().produce);
    EXPECT_EQ(only(*produced).error_code, 0);
    EXPECT_EQ(only(*produced).base_offset, expected_offset);
  }

  // The 2.0.2 mock answers a Fetch with the one batch at the fetch offset.
  for (int64_t offset : {0, 3}) {
    auto fetched = run(io_, client.send_to(2, test::fetch_request("events", 0, offset)));
    ASSERT_TRUE(fetched) << fetched.error().message;
    EXPECT_EQ(fetched->version, mock_.negotiated().fetch);
    const auto& partition = fetched->body.topics.at(0).partitions.at(0);
    EXPECT_EQ(partition.error_code, 0);
    EXPECT_EQ(partition.high_watermark, 6);
    ASSERT_TRUE(partition.records);
    const auto batches = protocol::split_batches(*partition.records);
    ASSERT_FALSE(batches.empty());
    protocol::BatchHeader header;
    ASSERT_TRUE(protocol::read_batch_header(batches[0], header));
    EXPECT_EQ(header.base_offset, offset);
    ASSERT_EQ(batches[0].size(), batch.size());
    // Byte for byte what we sent, except the base offset and the partition
    // leader epoch, which the broker stamps (the CRC covers neither).
    const auto from = [](auto& bytes, size_t at) { return bytes.begin() + static_cast<long>(at); };
    EXPECT_TRUE(std::equal(from(batches[0], protocol::batch_offset::length),
                           from(batches[0], protocol::batch_offset::partition_leader_epoch),
                           from(batch, protocol::batch_offset::length)));
    EXPECT_TRUE(std::equal(from(batches[0], protocol::batch_offset::magic), batches[0].end(),
                           from(batch, protocol::batch_offset::magic)))
        << offset;
  }
}

TEST_F(ClientTest, InitProducerIdAndAnIdempotentBatchKeepsItsProducerFields) {
  mock_.create_topic("idempotent", 1);
  mock_.set_leader("idempotent", 0, 3);
  Client& client = make_client();
  auto init = run(io_, client.send_any(protocol::InitProducerIdRequest{}));
  ASSERT_TRUE(init) << init.error().message;
  EXPECT_EQ(init->version, 4);
  EXPECT_EQ(init->body.error_code, 0);
  EXPECT_GE(init->body.producer_id, 0);
  EXPECT_GE(init->body.producer_epoch, 0);

  ASSERT_TRUE(run(io_, client.refresh_metadata({"idempotent"})));
  auto batch = test::python_batch();
  protocol::rewrite_producer(batch, init->body.producer_id, init->body.producer_epoch, 0);
  auto produced = run(io_, client.send_to(3, test::produce_request("idempotent", 0, batch)));
  ASSERT_TRUE(produced) << produced.error().message;
  EXPECT_EQ(only(*produced).error_code, 0);

  auto fetched = run(io_, client.send_to(3, test::fetch_request("idempotent", 0, 0)));
  ASSERT_TRUE(fetched) << fetched.error().message;
  const auto& records = fetched->body.topics.at(0).partitions.at(0).records;
  ASSERT_TRUE(records);
  protocol::BatchHeader header;
  ASSERT_EQ(protocol::validate_produce_batch(protocol::split_batches(*records).at(0), header),
            ErrorCode::none);
  EXPECT_EQ(header.producer_id, init->body.producer_id);
  EXPECT_EQ(header.producer_epoch, init->body.producer_epoch);
  EXPECT_EQ(header.base_sequence, 0);
}

TEST_F(ClientTest, LeaderMoveAnswersNotLeaderUntilMetadataIsRefreshed) {
  mock_.create_topic("moving", 1);
  mock_.set_leader("moving", 0, 1);
  Client& client = make_client();
  ASSERT_TRUE(run(io_, client.refresh_metadata({"moving"})));
  ASSERT_EQ(client.leader_for("moving", 0)->broker_id, 1);
  const auto batch = test::plain_batch();
  auto before = run(io_, client.send_to(1, test::produce_request("moving", 0, batch)));
  ASSERT_TRUE(before);
  EXPECT_EQ(only(*before).error_code, 0);

  const int32_t epoch_before = client.leader_for("moving", 0)->leader_epoch;
  mock_.set_leader("moving", 0, 3);
  auto stale = run(io_, client.send_to(1, test::produce_request("moving", 0, batch)));
  ASSERT_TRUE(stale) << stale.error().message;  // a Kafka error, not a transport one
  EXPECT_EQ(only(*stale).error_code, protocol::to_int(ErrorCode::not_leader_or_follower));
  EXPECT_TRUE(protocol::is_retriable(static_cast<ErrorCode>(only(*stale).error_code)));
  EXPECT_EQ(client.leader_for("moving", 0)->broker_id,
            1);  // the cache is only as new as its refresh

  ASSERT_TRUE(run(io_, client.refresh_metadata({"moving"})));
  ASSERT_EQ(client.leader_for("moving", 0)->broker_id, 3);
  if (mock_.modern()) {
    EXPECT_GT(client.leader_for("moving", 0)->leader_epoch, epoch_before);  // Metadata v7+
  } else {
    EXPECT_EQ(client.leader_for("moving", 0)->leader_epoch, -1);  // v2 has no epochs
  }
  auto after = run(io_, client.send_to(3, test::produce_request("moving", 0, batch)));
  ASSERT_TRUE(after);
  EXPECT_EQ(only(*after).error_code, 0);
  EXPECT_EQ(only(*after).base_offset, 3);
}

TEST_F(ClientTest, OneBrokerDownLeavesTheClusterReachable) {
  Client& client = make_client();
  ASSERT_TRUE(run(io_, client.refresh_metadata({})));
  // Metadata went to the first bootstrap broker; lead the topic elsewhere.
  const int32_t metadata_broker = broker_at(mock_.bootstrap()[0]);
  const int32_t leader = metadata_broker == 1 ? 2 : 1;
  mock_.create_topic("split", 1);
  mock_.set_leader("split", 0, leader);
  ASSERT_TRUE(run(io_, client.refresh_metadata({"split"})));
  const auto batch = test::plain_batch();
  ASSERT_TRUE(run(io_, client.send_to(leader, test::produce_request("split", 0, batch))));

  mock_.set_down(leader);
  auto failed = run(io_, client.send_to(leader, test::produce_request("split", 0, batch)));
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, errc::connection_failed);
  EXPECT_TRUE(client.is_reachable());  // the metadata broker still answers
  EXPECT_TRUE(run(io_, client.refresh_metadata({"split"})));
}

TEST_F(ClientTest, WholeClusterDownFailsFastFlipsReachabilityAndRecovers) {
  mock_.create_topic("outage", 1);
  mock_.set_leader("outage", 0, 2);
  Client& client = make_client();
  ASSERT_TRUE(run(io_, client.refresh_metadata({"outage"})));
  EXPECT_TRUE(client.is_reachable());

  for (int32_t broker = 1; broker <= 3; ++broker)
    mock_.set_down(broker);
  const auto start = std::chrono::steady_clock::now();
  const auto refreshed = run(io_, client.refresh_metadata({"outage"}));
  ASSERT_FALSE(refreshed);
  EXPECT_EQ(refreshed.error().code, errc::no_broker_available);
  EXPECT_TRUE(is_retriable(refreshed.error().code));
  const auto batch = test::plain_batch();
  auto produced = run(io_, client.send_to(2, test::produce_request("outage", 0, batch)));
  ASSERT_FALSE(produced);
  EXPECT_EQ(produced.error().code, errc::connection_failed);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);  // refused, not hung
  EXPECT_FALSE(client.is_reachable());

  for (int32_t broker = 1; broker <= 3; ++broker)
    mock_.set_up(broker);
  bool recovered = false;
  for (int attempt = 0; attempt < 100 && !recovered; ++attempt) {
    recovered = run(io_, client.refresh_metadata({"outage"})).ok();
    if (!recovered) test::run_for(io_, 50ms);  // past the reconnect backoff
  }
  ASSERT_TRUE(recovered);
  EXPECT_TRUE(client.is_reachable());
  auto after = run(io_, client.send_to(2, test::produce_request("outage", 0, batch)));
  ASSERT_TRUE(after) << after.error().message;
  EXPECT_EQ(only(*after).error_code, 0);
}

TEST_F(ClientTest, ReusesOneConnectionPerBroker) {
  mock_.create_topic("reuse", 1);
  mock_.set_leader("reuse", 0, 3);
  Client& client = make_client({mock_.bootstrap()[0]});
  ASSERT_TRUE(run(io_, client.refresh_metadata({"reuse"})));
  EXPECT_EQ(client.connection_count(), 1u);
  const auto batch = test::plain_batch();
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(run(io_, client.send_to(3, test::produce_request("reuse", 0, batch))));
  ASSERT_TRUE(run(io_, client.refresh_metadata({"reuse"})));
  EXPECT_EQ(client.connection_count(), broker_at(mock_.bootstrap()[0]) == 3 ? 1u : 2u);
}

TEST_F(ClientTest, EachLaneHasItsOwnConnectionUntilClosed) {
  mock_.create_topic("lanes", 1);
  mock_.set_leader("lanes", 0, 3);
  Client& client = make_client({mock_.bootstrap()[0]});
  ASSERT_TRUE(run(io_, client.refresh_metadata({"lanes"})));
  const size_t shared = client.connection_count();
  ASSERT_TRUE(run(io_, client.send_to(3, test::metadata_request())));
  const size_t with_broker = client.connection_count();
  ASSERT_TRUE(run(io_, client.send_to(3, test::metadata_request(), 7)));
  ASSERT_TRUE(run(io_, client.send_to(3, test::metadata_request(), 8)));
  ASSERT_TRUE(run(io_, client.send_to(3, test::metadata_request(), 8)));  // reused
  EXPECT_EQ(client.connection_count(), with_broker + 2);
  EXPECT_GE(with_broker, shared);

  client.close_lane(7);
  EXPECT_EQ(client.connection_count(), with_broker + 1);
  client.close_lane(kSharedLane);  // the sidecar's own: never closed this way
  EXPECT_EQ(client.connection_count(), with_broker + 1);
  EXPECT_TRUE(client.is_reachable());  // a closed lane is not an outage
  ASSERT_TRUE(run(io_, client.send_to(3, test::metadata_request(), 7)));  // opens again
  EXPECT_EQ(client.connection_count(), with_broker + 2);
}

TEST_F(ClientTest, ClosingALaneFailsWhatIsInFlightOnItOnly) {
  mock_.create_topic("inflight", 1);
  mock_.set_leader("inflight", 0, 2);
  Client& client = make_client();
  ASSERT_TRUE(run(io_, client.refresh_metadata({"inflight"})));
  mock_.set_rtt(2, 1000);  // both requests still unanswered when the lane closes
  auto on_lane = test::spawn(io_, client.send_to(2, test::metadata_request(), 5));
  auto on_shared = test::spawn(io_, client.send_to(2, test::metadata_request()));
  test::run_for(io_, 100ms);
  client.close_lane(5);
  const auto lane_result = test::result(io_, on_lane);
  ASSERT_FALSE(lane_result);
  EXPECT_EQ(lane_result.error().code, errc::connection_failed);
  EXPECT_FALSE(on_shared->done);
  EXPECT_TRUE(test::result(io_, on_shared));
}

TEST_F(ClientTest, UnknownBrokerIsAnError) {
  Client& client = make_client();
  auto response = run(io_, client.send_to(42, test::metadata_request()));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, errc::unknown_broker);
}

TEST_F(ClientTest, NoUsableBootstrapAddressMeansNoBroker) {
  Client& client = make_client({"not-an-address"});
  auto refreshed = run(io_, client.refresh_metadata({}));
  ASSERT_FALSE(refreshed);
  EXPECT_EQ(refreshed.error().code, errc::no_broker_available);
  EXPECT_FALSE(client.is_reachable());
}

TEST_F(ClientTest, AcksZeroIsRefusedOnceNotTriedOnEveryBroker) {
  Client& client = make_client();
  const auto batch = test::plain_batch();
  auto response = run(io_, client.send_any(test::produce_request("t", 0, batch, 0)));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, errc::invalid_request);
}

TEST_F(ClientTest, AnOutageIsLoggedOnceNotOncePerRetry) {
  mock_.create_topic("outage", 3);
  Client& client = make_client();
  ASSERT_TRUE(run(io_, client.refresh_metadata({"outage"})));
  for (int32_t broker = 1; broker <= 3; ++broker)
    ASSERT_TRUE(run(io_, client.send_to(broker, test::metadata_request())));

  testing::internal::CaptureStderr();
  for (int32_t broker = 1; broker <= 3; ++broker)
    mock_.set_down(broker);
  // What the forwarder does while the cluster is away: try every broker,
  // refresh metadata, back off (here 10..100 ms), again.
  int failures = 0;
  const auto until = std::chrono::steady_clock::now() + 1500ms;
  while (std::chrono::steady_clock::now() < until) {
    for (int32_t broker = 1; broker <= 3; ++broker)
      failures += !run(io_, client.send_to(broker, test::metadata_request())).ok();
    failures += !run(io_, client.refresh_metadata({"outage"})).ok();
    test::run_for(io_, 20ms);
  }
  EXPECT_FALSE(client.is_reachable());
  for (int32_t broker = 1; broker <= 3; ++broker)
    mock_.set_up(broker);
  for (int attempt = 0; attempt < 100 && !run(io_, client.refresh_metadata({"outage"})).ok();
       ++attempt) {
    test::run_for(io_, 50ms);
  }
  for (int32_t broker = 1; broker <= 3; ++broker) {
    for (int attempt = 0;
         attempt < 100 && !run(io_, client.send_to(broker, test::metadata_request())).ok();
         ++attempt) {
      test::run_for(io_, 50ms);
    }
  }
  EXPECT_TRUE(client.is_reachable());
  const std::string log = testing::internal::GetCapturedStderr();

  EXPECT_GT(failures, 20);
  EXPECT_EQ(lines(log, "upstream.down").size(), 1u) << log;
  const auto up = lines(log, "upstream.up");
  ASSERT_EQ(up.size(), 1u) << log;
  EXPECT_NE(up[0].find(" down_ms="), std::string::npos) << up[0];
  for (const auto& address : mock_.bootstrap()) {
    EXPECT_EQ(lines(log, "upstream.broker_down", "broker=" + address + " ").size(), 1u) << log;
    const auto broker_up = lines(log, "upstream.broker_up", "broker=" + address + " ");
    ASSERT_EQ(broker_up.size(), 1u) << log;
    EXPECT_NE(broker_up[0].find(" down_ms="), std::string::npos) << broker_up[0];
  }
}

TEST_F(ClientTest, ClientsSharingAClusterStateLogEachChangeOnce) {
  mock_.create_topic("shared", 1);
  mock_.set_leader("shared", 0, 1);
  auto state = std::make_shared<ClusterState>("main");
  Client first(io_.get_executor(), options(), state);
  Client second(io_.get_executor(), options(), state);
  testing::internal::CaptureStderr();
  ASSERT_TRUE(run(io_, first.refresh_metadata({"shared"})));
  ASSERT_TRUE(run(io_, second.refresh_metadata({"shared"})));
  mock_.set_leader("shared", 0, 2);
  ASSERT_TRUE(run(io_, first.refresh_metadata({"shared"})));
  ASSERT_TRUE(run(io_, second.refresh_metadata({"shared"})));

  // A request in flight on each client's connection when the cluster goes.
  for (int32_t broker = 1; broker <= 3; ++broker)
    mock_.set_rtt(broker, 500);
  auto on_first = test::spawn(io_, first.send_to(2, test::metadata_request()));
  auto on_second = test::spawn(io_, second.send_to(2, test::metadata_request()));
  test::run_for(io_, 100ms);
  for (int32_t broker = 1; broker <= 3; ++broker)
    mock_.set_down(broker);
  EXPECT_FALSE(test::result(io_, on_first));
  EXPECT_FALSE(test::result(io_, on_second));
  EXPECT_FALSE(run(io_, first.refresh_metadata({"shared"})));
  EXPECT_FALSE(run(io_, second.refresh_metadata({"shared"})));
  EXPECT_FALSE(first.is_reachable());
  EXPECT_FALSE(second.is_reachable());
  const std::string log = testing::internal::GetCapturedStderr();
  for (int32_t broker = 1; broker <= 3; ++broker) {
    mock_.set_rtt(broker, 0);
    mock_.set_up(broker);
  }

  EXPECT_EQ(lines(log, "upstream.up").size(), 1u) << log;
  EXPECT_EQ(lines(log, "upstream.down", "cluster=main ").size(), 1u) << log;
  const auto moved = lines(log, "upstream.leader_moved");
  ASSERT_EQ(moved.size(), 1u) << log;
  EXPECT_NE(moved[0].find("topic=shared partition=0 from=1 to=2 "), std::string::npos) << moved[0];
  EXPECT_LE(lines(log, "upstream.broker_down", "broker=" + mock_.bootstrap()[1] + " ").size(), 1u)
      << log;
}

TEST(ClusterState, LeaderMovesAreLoggedOnceAndStaleAnswersIgnored) {
  ClusterState state("main");
  testing::internal::CaptureStderr();
  state.on_leader("t", 0, 1, 5);    // first seen: nothing to compare with
  state.on_leader("t", 0, 1, 5);    // the same again
  state.on_leader("t", 0, -1, -1);  // an election: no leader right now
  state.on_leader("t", 0, 2, 6);    // moved
  state.on_leader("t", 0, 2, 6);    // another client sees the same move
  state.on_leader("t", 0, 1, 5);    // a broker that has not heard yet
  state.on_leader("t", 1, 3, -1);   // no epochs (Metadata < v7)
  state.on_leader("t", 1, 1, -1);
  const std::string log = testing::internal::GetCapturedStderr();
  size_t moves = 0;
  for (size_t at = log.find(" upstream.leader_moved "); at != std::string::npos;
       at = log.find(" upstream.leader_moved ", at + 1)) {
    ++moves;
  }
  EXPECT_EQ(moves, 2u) << log;
  EXPECT_NE(log.find("topic=t partition=0 from=1 to=2 epoch=6\n"), std::string::npos) << log;
  EXPECT_NE(log.find("topic=t partition=1 from=3 to=1 epoch=-1\n"), std::string::npos) << log;
  EXPECT_EQ(log.find("from=2 to=1"), std::string::npos) << log;
}

}  // namespace
}  // namespace ks::upstream
