#include "proxy/upstream/broker_connection.h"

#include <array>
#include <climits>
#include <exception>
#include <iterator>

#include "common/log.h"
#include "proxy/protocol/error_code.h"
#include "proxy/upstream/sasl_login.h"

namespace ks::upstream {
namespace {

using namespace std::chrono_literals;
using protocol::ApiKey;

// Sent in ApiVersions v3+ (KIP-511); brokers show it in their client metrics.
constexpr std::string_view kSoftwareName = "kafka-sidecar";
constexpr std::string_view kSoftwareVersion = KS_VERSION;

// The correlation id's place in a request frame: after the size, api key and api version.
constexpr size_t kCorrelationIdOffset = 4 + 2 + 2;

// KIP-511: a broker that does not know our ApiVersions version answers at v0
// and lists its own ApiVersions range; retry at the top of that range. An
// answer we cannot read that way gets v0, which every broker speaks.
int16_t fallback_version(protocol::Bytes body, int16_t tried) {
  protocol::ApiVersionsResponse response;
  protocol::Reader reader(body);
  response.decode(reader, 0);
  if (reader.ok() && reader.remaining() == 0) {
    const auto range = VersionTable(response).broker_range(ApiKey::api_versions);
    if (range && range->max >= 0 && range->max < tried) return range->max;
  }
  return 0;
}

Error describe(std::exception_ptr exception) {
  try {
    std::rethrow_exception(exception);
  } catch (const std::exception& e) {
    return Error{make_error_code(errc::connection_failed), e.what()};
  } catch (...) {
    return Error{make_error_code(errc::connection_failed), "unknown exception"};
  }
}

}  // namespace

struct BrokerConnection::Pending {
  Pending(asio::any_io_executor executor, ApiKey k, int16_t v, int32_t id)
      : deadline(executor), key(k), version(v), correlation_id(id) {}

  asio::steady_timer deadline;  // cancelled when the request completes either way
  ApiKey key;
  int16_t version;
  int32_t correlation_id;
  bool done = false;
  std::optional<Error> error;
  RawResponse response;
};

// One TCP connection's worth of state. A new connect makes a new session, so
// the coroutines of an old one can never touch the new one.
struct BrokerConnection::Session {
  Session(asio::any_io_executor executor, std::shared_ptr<TlsContext> tls)
      : transport(executor, std::move(tls)),
        wake_writer(executor, asio::steady_timer::time_point::max()) {}

  Transport transport;
  asio::steady_timer wake_writer;  // cancel() wakes the writer
  std::deque<std::vector<std::byte>> outbox;
  std::deque<std::shared_ptr<Pending>> in_flight;  // in correlation id order
  bool open = true;
  bool tcp_connecting = true;  // while true the connect watchdog may abort
  bool connect_timed_out = false;
};

// The login's requests go out on the session being connected: send() would
// wait for the connect to finish.
struct BrokerConnection::LoginChannel final : SaslChannel {
  explicit LoginChannel(BrokerConnection& c) : connection(c) {}

  awaitable<Result<Response<protocol::SaslHandshakeResponse>>> send(
      protocol::SaslHandshakeRequest request, int16_t version) override {
    co_return co_await connection.send_at(std::move(request), version);
  }
  awaitable<Result<Response<protocol::SaslAuthenticateResponse>>> send(
      protocol::SaslAuthenticateRequest request, int16_t version) override {
    co_return co_await connection.send_at(std::move(request), version);
  }

  BrokerConnection& connection;
};

BrokerConnection::BrokerConnection(asio::any_io_executor executor, Address address,
                                   ConnectionOptions options)
    : executor_(executor),
      address_(std::move(address)),
      name_(address_.to_string()),
      options_(std::move(options)),
      backoff_(options_.reconnect_backoff, options_.reconnect_backoff_max),
      connect_done_(executor, asio::steady_timer::time_point::max()) {}

size_t BrokerConnection::in_flight() const {
  return session_ ? session_->in_flight.size() : 0;
}

void BrokerConnection::close() {
  // A copy: fail() drops session_, which may be the last reference.
  if (const auto session = session_)
    fail(*session, Error{make_error_code(errc::connection_failed), name_ + ": closed"});
}

awaitable<Result<int16_t>> BrokerConnection::prepare(ApiKey key, VersionRange ours) {
  auto self = shared_from_this();
  const auto ready = co_await ensure_ready();
  if (!ready) co_return ready.error();
  if (const auto version = versions_.pick(key, ours)) co_return *version;
  const auto theirs = versions_.broker_range(key);
  co_return Error{
      make_error_code(errc::unsupported_version),
      theirs ? fmt::format("{}: broker {} speaks v{}-{}, we speak v{}-{}", protocol::name(key),
                           name_, theirs->min, theirs->max, ours.min, ours.max)
             : fmt::format("{}: broker {} does not support it", protocol::name(key), name_)};
}

awaitable<Result<void>> BrokerConnection::ensure_ready() {
  const auto deadline = std::chrono::steady_clock::now() + options_.request_timeout;
  while (true) {
    switch (state_) {
      case State::ready:
        co_return Result<void>{};
      case State::connecting: {
        // Someone else's connect is under way: share its outcome.
        boost::system::error_code ignored;
        co_await connect_done_.async_wait(nothrow(ignored));
        if (state_ == State::ready) co_return Result<void>{};
        co_return last_error_;
      }
      case State::idle:
        break;
    }
    if (!backing_off()) co_return co_await connect();
    if (next_attempt_ > deadline) {
      const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
          next_attempt_ - std::chrono::steady_clock::now());
      co_return Error{last_error_.code,
                      fmt::format("{} (next attempt in {} ms)", last_error_.message, wait.count())};
    }
    // A backoff that ends within the timeout delays the send rather than fail it.
    asio::steady_timer pause(executor_, next_attempt_);
    boost::system::error_code ignored;
    co_await pause.async_wait(nothrow(ignored));
  }
}

bool BrokerConnection::backing_off() const {
  return state_ == State::idle && next_attempt_ > std::chrono::steady_clock::now();
}

awaitable<Result<void>> BrokerConnection::connect() {
  state_ = State::connecting;
  auto session = std::make_shared<Session>(executor_, options_.tls);
  session_ = session;

  // Read now, so that a rotated password applies; credentials refused
  // before fail here, without bothering the broker.
  Result<std::optional<SaslLogin>> login =
      options_.sasl ? options_.sasl->next_login() : Result<std::optional<SaslLogin>>(std::nullopt);
  if (!login) {
    finish_connect(session, login.error());
    co_return login.error();
  }

  // Transport::connect has no deadline of its own: closing aborts it.
  asio::steady_timer watchdog(executor_);
  watchdog.expires_after(options_.request_timeout);
  watchdog.async_wait([session](const boost::system::error_code& ec) {
    if (ec || !session->tcp_connecting) return;
    session->connect_timed_out = true;
    session->transport.close();
  });
  const auto connected = co_await session->transport.connect(address_);
  session->tcp_connecting = false;
  watchdog.cancel();

  Result<void> outcome;
  if (session->connect_timed_out) {
    outcome =
        Error{make_error_code(errc::timeout), fmt::format("connect {}: no connection within {} ms",
                                                          name_, options_.request_timeout.count())};
  } else if (!connected) {
    outcome = connected.error();
  } else {
    start_session_coroutines(session);
    auto versions = co_await negotiate_versions();
    if (versions) {
      versions_ = std::move(*versions);
      if (*login) outcome = co_await log_in(**login);
    } else {
      outcome = versions.error();
    }
  }
  finish_connect(session, outcome);
  co_return outcome;
}

awaitable<Result<void>> BrokerConnection::log_in(const SaslLogin& login) {
  LoginChannel channel(*this);
  auto outcome = co_await sasl_log_in(channel, versions_, login, name_);
  if (outcome) {
    log::debug("upstream.authenticated", "broker={} mechanism={} username={}", name_,
               name(login.mechanism), log::quote(login.username));
  } else if (outcome.error().code == errc::authentication_failed) {
    options_.sasl->refused(login, name_, outcome.error());
  }
  co_return outcome;
}

void BrokerConnection::start_session_coroutines(const std::shared_ptr<Session>& session) {
  // Errors are ordinary values inside the coroutines; an exception (out of
  // memory) ends the session like an I/O error instead of vanishing.
  auto on_exit = [self = shared_from_this(), session](std::exception_ptr exception) {
    if (exception) self->fail(*session, describe(exception));
  };
  asio::co_spawn(executor_, reader(session), on_exit);
  asio::co_spawn(executor_, writer(session), on_exit);
}

void BrokerConnection::finish_connect(const std::shared_ptr<Session>& session,
                                      const Result<void>& outcome) {
  if (outcome && session->open) {
    state_ = State::ready;
    backoff_.reset();
    log::debug("upstream.connected", "broker={}", name_);
  } else {
    last_error_ = outcome ? Error{make_error_code(errc::connection_failed),
                                  name_ + ": closed while connecting"}
                          : outcome.error();
    fail(*session, last_error_);
    session_.reset();
    state_ = State::idle;
    const auto delay = backoff_.next();
    next_attempt_ = std::chrono::steady_clock::now() + delay;
    log::debug("upstream.connect_failed", "broker={} retry_in_ms={} error={}", name_, delay.count(),
               log::quote(last_error_.message));
  }
  connect_done_.cancel();
  notify(state_ == State::ready ? Result<void>{} : Result<void>{last_error_});
}

awaitable<Result<VersionTable>> BrokerConnection::negotiate_versions() {
  using protocol::ApiVersionsRequest;
  using protocol::ApiVersionsResponse;
  int16_t version = ApiVersionsRequest::kMaxVersion;
  while (true) {
    ApiVersionsRequest request;
    request.client_software_name = kSoftwareName;
    request.client_software_version = kSoftwareVersion;
    std::vector<std::byte> frame = start_frame(ApiKey::api_versions, version);
    protocol::Writer writer(frame);
    request.encode(writer, version);
    auto raw = co_await exchange(std::move(frame), ApiKey::api_versions, version, 0ms);
    if (!raw) co_return raw.error();

    const protocol::Bytes body = protocol::Bytes(raw->frame).subspan(raw->body_offset);
    protocol::Reader peek(body);
    const auto error = static_cast<protocol::ErrorCode>(peek.int16());
    if (error == protocol::ErrorCode::unsupported_version && version > 0) {
      version = fallback_version(body, version);
      continue;
    }
    auto response =
        decode_response<ApiVersionsResponse>(std::move(raw->frame), raw->body_offset, version);
    if (!response) co_return response.error();
    if (response->body.error_code != 0) {
      const auto code = static_cast<protocol::ErrorCode>(response->body.error_code);
      co_return Error{
          make_error_code(errc::connection_failed),
          fmt::format("ApiVersions v{} to {}: {}", version, name_, protocol::name(code))};
    }
    co_return VersionTable(response->body);
  }
}

std::vector<std::byte> BrokerConnection::start_frame(ApiKey key, int16_t version) const {
  std::vector<std::byte> frame;
  protocol::Writer writer(frame);
  protocol::begin_frame(writer);
  protocol::encode_request_header(writer, {key, version, 0, options_.client_id});
  return frame;
}

awaitable<Result<BrokerConnection::RawResponse>> BrokerConnection::exchange(
    std::vector<std::byte> frame, ApiKey key, int16_t version, std::chrono::milliseconds hold) {
  auto self = shared_from_this();
  const std::shared_ptr<Session> session = session_;
  if (!session || !session->open)
    co_return Error{make_error_code(errc::connection_failed), name_ + ": connection lost"};

  const int32_t correlation_id = next_correlation_id_;
  next_correlation_id_ = correlation_id == INT32_MAX ? 0 : correlation_id + 1;
  protocol::Writer writer(frame);
  protocol::finish_frame(writer, 0);
  writer.patch_int32(kCorrelationIdOffset, correlation_id);

  auto pending = std::make_shared<Pending>(executor_, key, version, correlation_id);
  const auto timeout = options_.request_timeout + hold;
  pending->deadline.expires_after(timeout);
  session->in_flight.push_back(pending);
  session->outbox.push_back(std::move(frame));
  session->wake_writer.cancel();

  boost::system::error_code ignored;
  co_await pending->deadline.async_wait(nothrow(ignored));
  if (!pending->done) {
    // The answer may still come, but later answers would then be matched
    // against the wrong requests: the connection has to go.
    fail(*session, Error{make_error_code(errc::timeout),
                         fmt::format("{} v{} to {}: no response within {} ms", protocol::name(key),
                                     version, name_, timeout.count())});
  }
  if (pending->error) co_return std::move(*pending->error);
  co_return std::move(pending->response);
}

awaitable<void> BrokerConnection::reader(std::shared_ptr<Session> session) {
  auto self = shared_from_this();
  while (session->open) {
    std::array<std::byte, 4> size_bytes{};
    auto ec = co_await session->transport.read(asio::buffer(size_bytes));
    if (ec) {
      fail(*session, io_error("read from", ec));
      co_return;
    }
    protocol::Reader size_reader(size_bytes);
    const int32_t size = size_reader.int32();
    if (size < static_cast<int32_t>(sizeof(int32_t))) {
      fail(*session, Error{make_error_code(errc::malformed_response),
                           fmt::format("{}: response frame size {}", name_, size)});
      co_return;
    }
    if (static_cast<size_t>(size) > options_.max_response_bytes) {
      fail(*session, Error{make_error_code(errc::response_too_large),
                           fmt::format("{}: response frame of {} bytes, limit {}", name_, size,
                                       options_.max_response_bytes)});
      co_return;
    }
    std::vector<std::byte> frame(static_cast<size_t>(size));
    ec = co_await session->transport.read(asio::buffer(frame));
    if (ec) {
      fail(*session, io_error("read from", ec));
      co_return;
    }
    if (session->in_flight.empty()) {
      fail(*session, Error{make_error_code(errc::malformed_response),
                           name_ + ": a response with no request in flight"});
      co_return;
    }
    const std::shared_ptr<Pending> pending = session->in_flight.front();
    protocol::Reader header(frame);
    const int32_t correlation_id =
        protocol::decode_response_header(header, pending->key, pending->version);
    if (!header.ok() || correlation_id != pending->correlation_id) {
      fail(*session, Error{make_error_code(errc::malformed_response),
                           fmt::format("{}: correlation id {} where {} was expected", name_,
                                       correlation_id, pending->correlation_id)});
      co_return;
    }
    session->in_flight.pop_front();
    pending->response = RawResponse{std::move(frame), header.position()};
    pending->done = true;
    pending->deadline.cancel();
  }
}

awaitable<void> BrokerConnection::writer(std::shared_ptr<Session> session) {
  auto self = shared_from_this();
  std::vector<std::vector<std::byte>> batch;
  std::vector<asio::const_buffer> buffers;
  while (session->open) {
    if (session->outbox.empty()) {
      boost::system::error_code ignored;
      co_await session->wake_writer.async_wait(nothrow(ignored));
      continue;
    }
    // Everything queued goes out in one write: pipelined requests share syscalls.
    batch.assign(std::make_move_iterator(session->outbox.begin()),
                 std::make_move_iterator(session->outbox.end()));
    session->outbox.clear();
    buffers.clear();
    for (const auto& frame : batch)
      buffers.push_back(asio::buffer(frame));
    const auto ec = co_await session->transport.write(buffers);
    if (ec) {
      fail(*session, io_error("write to", ec));
      co_return;
    }
  }
}

void BrokerConnection::fail(Session& session, const Error& error) {
  if (!session.open) return;
  session.open = false;
  session.transport.close();
  session.wake_writer.cancel();
  session.outbox.clear();
  const auto in_flight = std::move(session.in_flight);
  session.in_flight.clear();
  for (const auto& pending : in_flight) {
    pending->error = error;
    pending->done = true;
    pending->deadline.cancel();
  }
  // A connect in progress reports its own outcome (finish_connect).
  if (state_ != State::ready || session_.get() != &session) return;
  session_.reset();
  state_ = State::idle;
  if (in_flight.empty()) {
    log::debug("upstream.connection_closed", "broker={} reason={}", name_,
               log::quote(error.message));
    return;
  }
  log::info("upstream.connection_reset", "broker={} requests={} error={}", name_, in_flight.size(),
            log::quote(error.message));
  notify(Result<void>{error});
}

Error BrokerConnection::io_error(std::string_view what, const boost::system::error_code& ec) const {
  return Error{make_error_code(errc::connection_failed),
               fmt::format("{} {}: {}", what, name_, ec.message())};
}

void BrokerConnection::notify(const Result<void>& outcome) const {
  if (observer_) observer_(*this, outcome);
}

}  // namespace ks::upstream
