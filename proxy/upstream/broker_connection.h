#pragma once
// One connection (TCP, or TLS over it) to one upstream broker, pipelined.
//
// Shape (Asio's chat_server): a reader coroutine matches responses to the
// requests in flight, a writer coroutine drains the outbox, and each send()
// waits on its own deadline timer that the reader cancels when the answer
// arrives. Kafka answers a connection's requests in order, so responses
// are matched to the oldest request in flight by correlation id; anything
// else means the stream is out of step and the connection is reset.
//
// Lifecycle: idle -> connecting (TCP, ApiVersions, then the SASL login if
// the options have credentials, see sasl_login.h) -> ready. A failure
// (I/O error, timeout, bad frame) completes every request in flight with an
// error and returns to idle; the next send() reconnects. After a failed
// connect, the next attempt waits for a jittered exponential backoff, so a
// dead broker is not hammered: a send waits for the backoff to end if it
// ends within the request timeout, and fails at once otherwise.
//
// Threading: everything runs on the one executor given to the constructor
// (the caller's io_context thread); there are no locks. Callers must call
// send() from that executor. Call close() before dropping the last
// reference: a live session keeps the connection alive.
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "proxy/asio.h"
#include "proxy/protocol/header.h"
#include "proxy/upstream/address.h"
#include "proxy/upstream/backoff.h"
#include "proxy/upstream/errc.h"
#include "proxy/upstream/request_traits.h"
#include "proxy/upstream/response.h"
#include "proxy/upstream/sasl_account.h"
#include "proxy/upstream/tls_context.h"
#include "proxy/upstream/transport.h"
#include "proxy/upstream/version_table.h"

namespace ks::upstream {

struct ConnectionOptions {
  std::string client_id = "kafka-sidecar";
  // Bounds the TCP connect and each request (plus the time the broker may
  // hold it, see broker_hold_time).
  std::chrono::milliseconds request_timeout{30'000};
  std::chrono::milliseconds reconnect_backoff{100};
  std::chrono::milliseconds reconnect_backoff_max{10'000};
  // A longer response frame resets the connection: a broken or hostile
  // peer cannot make us allocate more (Kafka's socket.request.max.bytes).
  size_t max_response_bytes = 100 * 1024 * 1024;
  // Whom to log in as after each connect (null, or no credentials: no
  // login); shared by the cluster's connections, see sasl_account.h.
  std::shared_ptr<SaslAccount> sasl;
  // The cluster's TLS (shared by its connections); null: plain TCP.
  std::shared_ptr<TlsContext> tls;
};

class BrokerConnection : public std::enable_shared_from_this<BrokerConnection> {
 public:
  enum class State { idle, connecting, ready };
  // Told of connects that succeed and of failures that cost work (a failed
  // connect, or a reset with requests in flight). A broker closing an idle
  // connection is not reported: nothing was lost and the next send reconnects.
  using Observer = std::function<void(const BrokerConnection&, const Result<void>&)>;

  BrokerConnection(asio::any_io_executor executor, Address address, ConnectionOptions options);

  // Sends `request` at the highest version both sides support, connecting
  // first if needed, and returns the decoded response. Bytes the request
  // views (records) must stay alive until the awaitable completes.
  template <typename Request>
  awaitable<Result<Response<response_for_t<Request>>>> send(Request request);
  // The version send() would use for Request, connecting first if needed.
  template <typename Request>
  awaitable<Result<int16_t>> version_for();

  // Resets the current connection, failing requests in flight; a later
  // send() connects again.
  void close();

  State state() const { return state_; }
  bool ready() const { return state_ == State::ready; }
  // Idle after a failed connect, and the backoff before the next one has not passed.
  bool backing_off() const;
  const Address& address() const { return address_; }
  // The broker's API versions, from the last successful connect.
  const VersionTable& versions() const { return versions_; }
  size_t in_flight() const;
  void set_observer(Observer observer) { observer_ = std::move(observer); }

 private:
  struct Pending;
  struct Session;
  struct LoginChannel;
  struct RawResponse {
    std::vector<std::byte> frame;  // from the correlation id on
    size_t body_offset = 0;        // after the response header
  };

  // Connects if needed and picks the version for `key`.
  awaitable<Result<int16_t>> prepare(protocol::ApiKey key, VersionRange ours);
  awaitable<Result<void>> ensure_ready();
  awaitable<Result<void>> connect();
  awaitable<Result<VersionTable>> negotiate_versions();
  awaitable<Result<void>> log_in(const SaslLogin& login);
  // Sends `request` at `version` on the current session, ready or not.
  template <typename Request>
  awaitable<Result<Response<response_for_t<Request>>>> send_at(Request request, int16_t version);
  // A frame with the request header written and placeholders for the size
  // and correlation id, which exchange() fills in.
  std::vector<std::byte> start_frame(protocol::ApiKey key, int16_t version) const;
  awaitable<Result<RawResponse>> exchange(std::vector<std::byte> frame, protocol::ApiKey key,
                                          int16_t version, std::chrono::milliseconds hold);
  awaitable<void> reader(std::shared_ptr<Session> session);
  awaitable<void> writer(std::shared_ptr<Session> session);
  void start_session_coroutines(const std::shared_ptr<Session>& session);
  void finish_connect(const std::shared_ptr<Session>& session, const Result<void>& outcome);
  // Ends `session`: closes it, completes its requests with `error`.
  void fail(Session& session, const Error& error);
  Error io_error(std::string_view what, const boost::system::error_code& ec) const;
  void notify(const Result<void>& outcome) const;

  asio::any_io_executor executor_;
  Address address_;
  std::string name_;  // address_ as text, for messages
  ConnectionOptions options_;
  State state_ = State::idle;
  std::shared_ptr<Session> session_;
  VersionTable versions_;
  int32_t next_correlation_id_ = 0;
  Backoff backoff_;
  std::chrono::steady_clock::time_point next_attempt_{};
  Error last_error_;
  asio::steady_timer connect_done_;  // waiters for a connect in progress; cancel() wakes them
  Observer observer_;
};

template <typename Request>
awaitable<Result<Response<response_for_t<Request>>>> BrokerConnection::send(Request request) {
  auto self = shared_from_this();
  if (!expects_response(request)) {
    co_return Error{make_error_code(errc::invalid_request),
                    "Produce with acks=0 gets no response; send it with acks=1 or -1"};
  }
  const auto version = co_await version_for<Request>();
  if (!version) co_return version.error();
  co_return co_await send_at(std::move(request), *version);
}

template <typename Request>
awaitable<Result<int16_t>> BrokerConnection::version_for() {
  co_return co_await prepare(Request::kApiKey,
                             {Request::kMinVersion, kMaxUpstreamVersion<Request>});
}

template <typename Request>
awaitable<Result<Response<response_for_t<Request>>>> BrokerConnection::send_at(Request request,
                                                                               int16_t version) {
  using Body = response_for_t<Request>;
  auto self = shared_from_this();
  std::vector<std::byte> frame = start_frame(Request::kApiKey, version);
  protocol::Writer writer(frame);
  request.encode(writer, version);
  auto raw =
      co_await exchange(std::move(frame), Request::kApiKey, version, broker_hold_time(request));
  if (!raw) co_return raw.error();
  co_return decode_response<Body>(std::move(raw->frame), raw->body_offset, version);
}

}  // namespace ks::upstream
