// Connection and Listener over real loopback sockets. The test thread runs
// both the sidecar side and the client's reads on one io_context.
#include "proxy/server/connection.h"

#include <gtest/gtest.h>

#include <array>
#include <initializer_list>
#include <limits>
#include <optional>
#include <vector>

#include "proxy/server/listener.h"
#include "tests/unit/server/test_support.h"

namespace ks::server {
namespace {

using protocol::ApiKey;
using Ids = std::vector<int32_t>;

// Test APIs: keys the codec has no schema for, so the dispatcher takes their
// versions as given and their headers are never flexible.
constexpr ApiKey kGated = ApiKey::create_topics;      // answered once the test opens the gate
constexpr ApiKey kImmediate = ApiKey::delete_topics;  // answered at once
constexpr ApiKey kSilent = ApiKey::delete_records;    // never answered, like Produce with acks=0
constexpr size_t kMaxFrame = 1024;

// Lets the deferred part of gated requests finish when the test says so.
class Gate {
 public:
  explicit Gate(asio::io_context& io) : opened_(io, asio::steady_timer::time_point::max()) {}

  void open() {
    open_ = true;
    opened_.cancel();
  }
  awaitable<void> wait() {
    while (!open_) {
      boost::system::error_code cancelled;
      co_await opened_.async_wait(nothrow(cancelled));
    }
  }

 private:
  asio::steady_timer opened_;
  bool open_ = false;
};

std::vector<std::byte> request(ApiKey key, int32_t correlation_id) {
  return test::request_frame(key, 0, correlation_id);
}

std::vector<std::byte> concat(std::initializer_list<std::vector<std::byte>> frames) {
  std::vector<std::byte> out;
  for (const auto& frame : frames)
    out.insert(out.end(), frame.begin(), frame.end());
  return out;
}

// A size prefix that need not match what follows.
std::vector<std::byte> raw_frame(int32_t declared_size, size_t payload_size) {
  std::vector<std::byte> out;
  protocol::Writer w(out);
  w.int32(declared_size);
  w.raw(std::vector<std::byte>(payload_size));
  return out;
}

// The correlation id of the next answer; nullopt once the sidecar closed.
awaitable<std::optional<int32_t>> read_answer(tcp::socket& socket) {
  std::array<std::byte, 4> size_bytes{};
  boost::system::error_code ec;
  co_await asio::async_read(socket, asio::buffer(size_bytes), nothrow(ec));
  if (ec) co_return std::nullopt;
  protocol::Reader size_reader(size_bytes);
  std::vector<std::byte> frame(static_cast<size_t>(size_reader.int32()));
  co_await asio::async_read(socket, asio::buffer(frame), nothrow(ec));
  if (ec) co_return std::nullopt;
  protocol::Reader r(frame);
  co_return r.int32();
}

// The correlation ids of the next `count` answers (fewer if the sidecar
// closes first), or of every answer until it closes.
awaitable<Ids> answers(tcp::socket& socket, size_t count = std::numeric_limits<size_t>::max()) {
  Ids ids;
  while (ids.size() < count) {
    const std::optional<int32_t> id = co_await read_answer(socket);
    if (!id) break;
    ids.push_back(*id);
  }
  co_return ids;
}

awaitable<Ids> answers_until_closed(tcp::socket& socket) {
  return answers(socket);
}

class ServerConnectionTest : public ::testing::Test {
 protected:
  ServerConnectionTest() {
    dispatcher_.add(kGated, 0, 4, [this](auto r) { return gated(std::move(r)); });
    dispatcher_.add(kImmediate, 0, 4, [this](auto r) { return immediate(std::move(r)); });
    dispatcher_.add(kSilent, 0, 4, [this](auto r) { return silent(std::move(r)); });
    dispatcher_.on_session_end([this](uint64_t session) { ended_.push_back(session); });
  }
  ~ServerConnectionTest() override {
    gate_.open();
    if (!listener_) return;
    listener_->stop();
    EXPECT_TRUE(test::run_until(io_, [&] { return listener_->open_connections() == 0; }));
  }

  void listen(size_t max_in_flight = 64) {
    ConnectionLimits limits;
    limits.max_frame_bytes = kMaxFrame;
    limits.max_in_flight = max_in_flight;
    listen(limits);
  }
  void listen(ConnectionLimits limits, size_t max_connections = 1000) {
    listener_.emplace(io_.get_executor(), dispatcher_, limits, max_connections);
    ASSERT_FALSE(listener_->open(endpoint(0)));
    listener_->start();
  }
  static ConnectionLimits short_timeouts() {
    ConnectionLimits limits;
    limits.max_frame_bytes = kMaxFrame;
    limits.idle_timeout = std::chrono::milliseconds(200);
    limits.request_timeout = std::chrono::milliseconds(200);
    return limits;
  }
  static tcp::endpoint endpoint(uint16_t port) {
    return tcp::endpoint(asio::ip::address_v4::loopback(), port);
  }
  tcp::socket connect() {
    tcp::socket socket(io_);
    socket.connect(endpoint(listener_->port()));
    return socket;
  }
  static void send(tcp::socket& socket, const std::vector<std::byte>& bytes) {
    asio::write(socket, asio::buffer(bytes));
  }

  awaitable<Deferred> gated(std::shared_ptr<const Request> r) {
    ++gated_read_;
    co_return gated_answer(std::move(r));
  }
  Deferred gated_answer(std::shared_ptr<const Request> r) {
    co_await gate_.wait();
    co_return encode_response(r->header, test::NoBody{});
  }
  awaitable<Deferred> immediate(std::shared_ptr<const Request> r) {
    ++immediate_read_;
    sessions_.push_back(r->session);
    co_return immediate_answer(std::move(r));
  }
  Deferred immediate_answer(std::shared_ptr<const Request> r) {
    ++immediate_answered_;
    co_return encode_response(r->header, test::NoBody{});
  }
  awaitable<Deferred> silent(std::shared_ptr<const Request>) { co_return ready(std::nullopt); }

  asio::io_context io_;
  Gate gate_{io_};
  int gated_read_ = 0;
  int immediate_read_ = 0;
  int immediate_answered_ = 0;
  std::vector<uint64_t> sessions_;  // of the immediate requests, in order
  std::vector<uint64_t> ended_;
  Dispatcher dispatcher_;
  std::optional<Listener> listener_;
};

using ServerListenerTest = ServerConnectionTest;

TEST_F(ServerConnectionTest, AnswersGoOutInRequestOrderWhenALaterOneCompletesFirst) {
  listen();
  auto client = connect();
  send(client, concat({request(kGated, 1), request(kImmediate, 2)}));
  ASSERT_TRUE(test::run_until(io_, [&] { return immediate_answered_ == 1; }));
  io_.poll();  // gives a wrongly early answer to 2 the chance to reach the socket first
  gate_.open();
  EXPECT_EQ(test::run(io_, answers(client, 2)), (Ids{1, 2}));
}

TEST_F(ServerConnectionTest, UnansweredRequestSendsNothingAndDoesNotHoldBackTheNext) {
  listen();
  auto client = connect();
  send(client, concat({request(kSilent, 1), request(kImmediate, 2), request(kSilent, 3),
                       request(kImmediate, 4)}));
  EXPECT_EQ(test::run(io_, answers(client, 2)), (Ids{2, 4}));
}

TEST_F(ServerConnectionTest, AnIdleConnectionIsClosedAfterTheIdleTimeout) {
  listen(short_timeouts());
  auto client = connect();
  send(client, request(kImmediate, 1));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(test::run(io_, answers_until_closed(client)), Ids{1});
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(200));
}

TEST_F(ServerConnectionTest, ARequestInFlightIsNotIdleness) {
  listen(short_timeouts());
  auto client = connect();
  send(client, request(kGated, 1));
  test::run_for(io_, std::chrono::milliseconds(600));  // three idle timeouts, answer held
  gate_.open();
  EXPECT_EQ(test::run(io_, answers(client, 1)), Ids{1});
}

TEST_F(ServerConnectionTest, ARequestThatTricklesInIsCutOffAfterTheRequestTimeout) {
  listen(short_timeouts());
  auto client = connect();
  const auto frame = request(kImmediate, 1);
  // The size and part of the body, then nothing: a slow-loris peer.
  send(client, std::vector<std::byte>(frame.begin(), frame.begin() + 6));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(test::run(io_, answers_until_closed(client)), Ids{});
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(200));
  EXPECT_EQ(immediate_read_, 0);
}

TEST_F(ServerConnectionTest, ConnectionsBeyondTheLimitAreClosedAtOnce) {
  listen(ConnectionLimits{}, 2);
  auto first = connect();
  auto second = connect();
  send(first, request(kImmediate, 1));
  send(second, request(kImmediate, 2));
  EXPECT_EQ(test::run(io_, answers(first, 1)), Ids{1});
  EXPECT_EQ(test::run(io_, answers(second, 1)), Ids{2});
  auto third = connect();
  send(third, request(kImmediate, 3));
  EXPECT_EQ(test::run(io_, answers_until_closed(third)), Ids{});
  first.close();
  ASSERT_TRUE(test::run_until(io_, [&] { return listener_->open_connections() == 1; }));
  auto fourth = connect();
  send(fourth, request(kImmediate, 4));
  EXPECT_EQ(test::run(io_, answers(fourth, 1)), Ids{4});
}

TEST_F(ServerConnectionTest, FrameShorterThanARequestHeaderClosesTheConnection) {
  listen();
  for (const int32_t size : {7, 0, -1}) {
    auto client = connect();
    send(client, raw_frame(size, 7));
    EXPECT_EQ(test::run(io_, answers_until_closed(client)), Ids{}) << size;
  }
}

TEST_F(ServerConnectionTest, FrameLargerThanTheLimitClosesTheConnection) {
  listen();
  auto client = connect();
  send(client, raw_frame(static_cast<int32_t>(kMaxFrame) + 1,
                         0));  // the body never comes: only the size can close it
  EXPECT_EQ(test::run(io_, answers_until_closed(client)), Ids{});
}

TEST_F(ServerConnectionTest, FrameAtTheLimitIsServed) {
  listen();
  auto client = connect();
  const size_t header_size = request(kImmediate, 1).size();
  const auto frame =
      test::request_frame(kImmediate, 0, 1, test::Padding{kMaxFrame + 4 - header_size});
  ASSERT_EQ(frame.size(), kMaxFrame + 4);
  send(client, frame);
  EXPECT_EQ(test::run(io_, answers(client, 1)), Ids{1});
}

TEST_F(ServerConnectionTest, UnknownApiKeyClosesTheConnection) {
  listen();
  auto client = connect();
  send(client, request(static_cast<ApiKey>(999), 1));
  EXPECT_EQ(test::run(io_, answers_until_closed(client)), Ids{});
}

TEST_F(ServerConnectionTest, UnsupportedVersionClosesTheConnection) {
  listen();
  auto client = connect();
  send(client, test::request_frame(kImmediate, 5, 1));
  EXPECT_EQ(test::run(io_, answers_until_closed(client)), Ids{});
  EXPECT_EQ(immediate_read_, 0);
}

TEST_F(ServerConnectionTest, TellsTheRequestObserverOfEachRequestAndHowLongItTook) {
  std::vector<std::pair<ApiKey, std::optional<std::chrono::steady_clock::duration>>> seen;
  dispatcher_.on_request_done([&seen](ApiKey api, auto took) { seen.emplace_back(api, took); });
  listen();
  auto client = connect();
  send(client, concat({request(kGated, 1), request(kImmediate, 2)}));
  ASSERT_TRUE(test::run_until(io_, [&] { return immediate_answered_ == 1; }));
  test::run_for(io_, std::chrono::milliseconds(20));
  gate_.open();
  EXPECT_EQ(test::run(io_, answers(client, 2)), (Ids{1, 2}));
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].first, kImmediate);  // in the order they completed
  EXPECT_EQ(seen[1].first, kGated);
  ASSERT_TRUE(seen[1].second);
  EXPECT_GE(*seen[1].second, std::chrono::milliseconds(20));
  send(client, test::request_frame(kImmediate, 5, 3));
  EXPECT_EQ(test::run(io_, answers_until_closed(client)), Ids{});
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[2].first, kImmediate);
  EXPECT_FALSE(seen[2].second);  // unsupported version: refused
}

TEST_F(ServerConnectionTest, ReaderWaitsWhileTheInFlightLimitIsReached) {
  listen(1);
  auto client = connect();
  send(client, concat({request(kGated, 1), request(kImmediate, 2)}));
  ASSERT_TRUE(test::run_until(io_, [&] { return gated_read_ == 1; }));
  io_.poll();
  EXPECT_EQ(immediate_read_, 0);
  gate_.open();
  EXPECT_EQ(test::run(io_, answers(client, 2)), (Ids{1, 2}));
}

TEST_F(ServerConnectionTest, EachConnectionIsOneSessionEndedOnceWhenItCloses) {
  listen();
  auto first = connect();
  auto second = connect();
  send(first, concat({request(kImmediate, 1), request(kImmediate, 2)}));
  EXPECT_EQ(test::run(io_, answers(first, 2)), (Ids{1, 2}));
  send(second, request(kImmediate, 3));
  EXPECT_EQ(test::run(io_, answers(second, 1)), Ids{3});
  ASSERT_EQ(sessions_.size(), 3u);
  EXPECT_NE(sessions_[0], 0u);
  EXPECT_EQ(sessions_[0], sessions_[1]);
  EXPECT_NE(sessions_[0], sessions_[2]);

  first.close();
  ASSERT_TRUE(test::run_until(io_, [&] { return !ended_.empty(); }));
  test::run_for(io_, std::chrono::milliseconds(50));
  EXPECT_EQ(ended_, std::vector<uint64_t>{sessions_[0]});
}

TEST_F(ServerListenerTest, AfterStopAConnectionAnswersWhatItHadReadAndCloses) {
  listen();
  auto client = connect();
  send(client, request(kGated, 1));
  ASSERT_TRUE(test::run_until(io_, [&] { return gated_read_ == 1; }));
  EXPECT_EQ(listener_->open_connections(), 1u);
  listener_->stop();
  gate_.open();
  EXPECT_EQ(test::run(io_, answers_until_closed(client)), Ids{1});
  EXPECT_TRUE(test::run_until(io_, [&] { return listener_->open_connections() == 0; }));
}

// Linux keeps queueing data after shutdown(SHUT_RD): only the connection's
// own state can keep it from reading a request sent after stop().
TEST_F(ServerListenerTest, RequestSentAfterStopIsNotRead) {
  listen();
  auto client = connect();
  send(client, request(kGated, 1));
  ASSERT_TRUE(test::run_until(io_, [&] { return gated_read_ == 1; }));
  listener_->stop();
  send(client, request(kImmediate, 2));
  gate_.open();
  EXPECT_EQ(test::run(io_, answers_until_closed(client)), Ids{1});
  EXPECT_EQ(immediate_read_, 0);
}

// Request 2 is already in the socket buffer, but the reader has not taken it
// (it waits for in-flight room) when stop() comes: it must stay unread.
TEST_F(ServerListenerTest, StopAtTheInFlightLimitReadsNoFurtherRequest) {
  listen(1);
  auto client = connect();
  send(client, concat({request(kGated, 1), request(kImmediate, 2)}));
  ASSERT_TRUE(test::run_until(io_, [&] { return gated_read_ == 1; }));
  io_.poll();
  listener_->stop();
  gate_.open();
  EXPECT_EQ(test::run(io_, answers_until_closed(client)), Ids{1});
  EXPECT_EQ(immediate_read_, 0);
}

TEST_F(ServerListenerTest, IdleConnectionClosesOnStop) {
  listen();
  auto client = connect();
  ASSERT_TRUE(test::run_until(io_, [&] { return listener_->open_connections() == 1; }));
  listener_->stop();
  EXPECT_EQ(test::run(io_, answers_until_closed(client)), Ids{});
  EXPECT_TRUE(test::run_until(io_, [&] { return listener_->open_connections() == 0; }));
}

TEST_F(ServerListenerTest, NoNewConnectionIsAcceptedAfterStop) {
  listen();
  const uint16_t port = listener_->port();
  listener_->stop();
  tcp::socket late(io_);
  boost::system::error_code ec;
  late.connect(endpoint(port), ec);
  EXPECT_EQ(ec, asio::error::connection_refused);
}

TEST_F(ServerListenerTest, OpenReportsAnAddressInUse) {
  listen();
  Listener second(io_.get_executor(), dispatcher_, ConnectionLimits{});
  EXPECT_TRUE(second.open(endpoint(listener_->port())));
}

}  // namespace
}  // namespace ks::server
