#include "proxy/server/connection.h"

#include <algorithm>
#include <atomic>

#include "common/log.h"

namespace ks::server {
namespace {

uint64_t next_session() {
  static std::atomic<uint64_t> last{0};
  return ++last;
}

}  // namespace

Connection::Connection(ClientStream stream, const Dispatcher& dispatcher, ConnectionLimits limits,
                       ListenerAuth* auth)
    : stream_(std::move(stream)),
      dispatcher_(dispatcher),
      session_(next_session()),
      limits_(limits),
      peer_(stream_.peer()),
      sasl_(auth ? std::optional<SaslSession>(std::in_place, *auth, peer_) : std::nullopt),
      slot_done_(stream_.get_executor(), asio::steady_timer::time_point::max()),
      slot_freed_(stream_.get_executor(), asio::steady_timer::time_point::max()),
      watchdog_timer_(stream_.get_executor()),
      last_activity_(Clock::now()) {}

void Connection::start() {
  asio::co_spawn(stream_.get_executor(), reader(), keep_alive());
  asio::co_spawn(stream_.get_executor(), writer(), keep_alive());
  asio::co_spawn(stream_.get_executor(), watchdog(), keep_alive());
}

awaitable<void> Connection::watchdog() {
  const auto tick = std::max(std::chrono::milliseconds(10),
                             std::min(limits_.idle_timeout, limits_.request_timeout) / 4);
  while (!closed_) {
    watchdog_timer_.expires_after(tick);
    boost::system::error_code ignored;
    co_await watchdog_timer_.async_wait(nothrow(ignored));
    if (closed_) break;
    const auto now = Clock::now();
    if (receiving_since_ && now - *receiving_since_ > limits_.request_timeout) {
      log::warn("connection.request_timeout", "peer={} timeout_ms={}", peer_,
                limits_.request_timeout.count());
      close("request not received in time");
    } else if (writing_since_ && now - *writing_since_ > limits_.idle_timeout) {
      log::warn("connection.unread_answers", "peer={} timeout_ms={}", peer_,
                limits_.idle_timeout.count());
      close("peer stopped reading answers");
    } else if (!receiving_since_ && slots_.empty() && now - last_activity_ > limits_.idle_timeout) {
      close("idle");
    }
  }
}

// A completion handler owning the connection: a member coroutine holds only
// `this`, so whoever spawns one must keep the object alive until it ends.
std::function<void(std::exception_ptr)> Connection::keep_alive() {
  return [self = shared_from_this()](std::exception_ptr error) {
    if (!error) return;
    // One client's connection failing must not take the sidecar down.
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      log::error("connection.failed", "peer={} error={}", self->peer_, log::quote(e.what()));
    }
    self->close("internal error");
  };
}

void Connection::stop() {
  reading_ = false;
  stream_.shutdown_receive();
  slot_done_.cancel();
  slot_freed_.cancel();
}

void Connection::close(std::string_view reason) {
  if (closed_) return;
  closed_ = true;
  reading_ = false;
  log::debug("connection.closed", "peer={} reason={}", peer_, log::quote(reason));
  stream_.close();
  slot_done_.cancel();
  slot_freed_.cancel();
  watchdog_timer_.cancel();
  dispatcher_.session_ended(session_);
}

awaitable<void> Connection::reader() {
  if (stream_.tls()) {
    // Bounded like a request's arrival: the watchdog closes a peer that
    // stalls the handshake.
    receiving_since_ = Clock::now();
    const boost::system::error_code ec = co_await stream_.handshake();
    receiving_since_.reset();
    if (closed_) co_return;
    if (ec) {
      if (reading_) {
        log::warn("connection.tls_failed", "peer={} error={}", peer_, log::quote(ec.message()));
      }
      close("tls handshake failed");
      co_return;
    }
  }
  while (reading_) {
    while (slots_.size() >= limits_.max_in_flight && reading_) {
      boost::system::error_code ignored;
      co_await slot_freed_.async_wait(nothrow(ignored));
    }
    // stop() may come during any wait: a shut-down receive side still
    // returns what the peer sent, so look again after each.
    if (!reading_) break;
    std::array<std::byte, 4> size_bytes;
    boost::system::error_code ec = co_await stream_.read(asio::buffer(size_bytes));
    if (ec || !reading_) break;  // peer closed or stop(): ordinary end
    protocol::Reader size_reader(size_bytes);
    const int32_t size = size_reader.int32();
    const bool logged_in = !sasl_ || sasl_->authenticated();
    const bool bare_token = sasl_ && sasl_->expects_bare_token();
    const size_t limit = logged_in ? limits_.max_frame_bytes
                                   : std::min(limits_.max_frame_bytes, kMaxUnauthenticatedFrame);
    // A request has at least its header; a bare SASL token may be short.
    const int32_t min_size = bare_token ? 0 : 8;
    if (size < min_size || static_cast<size_t>(size) > limit) {
      log::warn("connection.bad_frame", "peer={} size={} limit={}", peer_, size, limit);
      close("bad frame size");
      co_return;
    }
    receiving_since_ = Clock::now();
    auto request = std::make_shared<Request>();
    request->session = session_;
    request->frame.resize(static_cast<size_t>(size));
    ec = co_await stream_.read(asio::buffer(request->frame));
    receiving_since_.reset();
    if (ec || !reading_) break;
    const auto read_at = Clock::now();
    last_activity_ = read_at;
    if (bare_token) {
      SaslSession::Step step = sasl_->bare_token(request->frame);
      answer_now(protocol::ApiKey::sasl_authenticate, read_at, std::move(step.response));
      if (step.close) break;
      continue;
    }
    protocol::Reader header_reader(request->frame);
    request->header = protocol::decode_request_header(header_reader);
    if (!header_reader.ok()) {
      log::warn("connection.bad_header", "peer={} size={}", peer_, size);
      close("malformed request header");
      co_return;
    }
    request->body_offset = header_reader.position();
    const auto api = request->header.api_key;
    const auto version = request->header.api_version;
    if (!logged_in) {
      const SaslSession::Admit admit = sasl_->admit(request->header);
      if (admit == SaslSession::Admit::refuse) {
        sasl_->refused(request->header);
        close("request before authentication");
        co_return;
      }
      if (admit == SaslSession::Admit::answer) {
        SaslSession::Step step = sasl_->handle(*request);
        answer_now(api, read_at, std::move(step.response));
        // The answer is written, then the writer closes: nothing more is read.
        if (step.close) break;
        continue;
      }
    }
    auto handled = dispatcher_.dispatch(std::move(request));
    if (!handled) {
      dispatcher_.request_done(api, std::nullopt);
      log::warn("connection.unsupported_request", "peer={} api_key={} api={} version={}", peer_,
                static_cast<int>(api), protocol::name(api), version);
      close("unsupported api or version");
      co_return;
    }
    auto slot = std::make_shared<Slot>();
    slot->api = api;
    slot->read_at = read_at;
    slots_.push_back(slot);
    Deferred deferred = co_await std::move(*handled);
    if (closed_) co_return;
    asio::co_spawn(stream_.get_executor(), complete(slot, std::move(deferred)), keep_alive());
  }
  // No more requests: the writer closes once every read request is answered.
  reading_ = false;
  slot_done_.cancel();
}

awaitable<void> Connection::complete(std::shared_ptr<Slot> slot, Deferred deferred) {
  slot->response = co_await std::move(deferred);
  slot->done = true;
  dispatcher_.request_done(slot->api, std::chrono::steady_clock::now() - slot->read_at);
  slot_done_.cancel();
}

void Connection::answer_now(protocol::ApiKey api, Clock::time_point read_at, Response response) {
  auto slot = std::make_shared<Slot>();
  slot->api = api;
  slot->read_at = read_at;
  slot->response = std::move(response);
  slot->done = true;
  slots_.push_back(std::move(slot));
  dispatcher_.request_done(api, Clock::now() - read_at);
  slot_done_.cancel();
}

awaitable<void> Connection::writer() {
  while (!closed_) {
    if (slots_.empty() || !slots_.front()->done) {
      if (slots_.empty() && !reading_) break;
      boost::system::error_code ignored;
      co_await slot_done_.async_wait(nothrow(ignored));
      continue;
    }
    auto slot = std::move(slots_.front());
    slots_.pop_front();
    slot_freed_.cancel();
    if (!slot->response) continue;  // acks=0: no answer
    if (slot->response->empty()) {
      log::warn("connection.bad_request",
                "peer={} api_key={} api={} reason=\"body cannot be parsed\"", peer_,
                static_cast<int>(slot->api), protocol::name(slot->api));
      close("unparseable request");
      co_return;
    }
    writing_since_ = Clock::now();
    const boost::system::error_code ec = co_await stream_.write(asio::buffer(*slot->response));
    writing_since_.reset();
    last_activity_ = Clock::now();
    if (ec) {
      close("write failed");
      co_return;
    }
  }
  close("done");
}

}  // namespace ks::server
