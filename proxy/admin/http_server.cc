#include "proxy/admin/http_server.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/log.h"
#include "proxy/listen.h"

namespace ks::admin {
namespace beast = boost::beast;

namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> segments;
  size_t start = 0;
  while (start < path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) segments.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  return segments;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// '+' means a space in a query (HTML forms), not in a path.
enum class Part { path, query };

std::string percent_decode(std::string_view text, Part part) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+' && part == Part::query) {
      out += ' ';
    } else if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
               hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

bool matches(const std::vector<std::string>& pattern, const std::vector<std::string>& segments,
             std::map<std::string, std::string>* args) {
  if (pattern.size() != segments.size()) return false;
  std::map<std::string, std::string> found;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const std::string& p = pattern[i];
    if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
      found[p.substr(1, p.size() - 2)] = segments[i];
    } else if (p != segments[i]) {
      return false;
    }
  }
  *args = std::move(found);
  return true;
}

}  // namespace

HttpResponse text_response(http::status status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  if (!response.body.empty() && response.body.back() != '\n') response.body += '\n';
  return response;
}

HttpResponse json_response(http::status status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.content_type = "application/json";
  response.body = std::move(body);
  response.body += '\n';
  return response;
}

void parse_target(std::string_view target, std::string* path,
                  std::map<std::string, std::string>* query) {
  const size_t mark = target.find('?');
  *path = percent_decode(target.substr(0, mark), Part::path);
  query->clear();
  if (mark == std::string_view::npos) return;
  std::string_view rest = target.substr(mark + 1);
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    (*query)[percent_decode(pair.substr(0, eq), Part::query)] =
        eq == std::string_view::npos ? std::string()
                                     : percent_decode(pair.substr(eq + 1), Part::query);
  }
}

HttpServer::HttpServer(asio::any_io_executor executor, HttpLimits limits)
    : acceptor_(executor), limits_(limits) {}

void HttpServer::route(http::verb method, std::string pattern, HttpHandler handler) {
  routes_.push_back({method, split_path(pattern), std::move(handler)});
}

std::error_code HttpServer::open(const tcp::endpoint& endpoint) {
  return listen_on(acceptor_, endpoint);
}

void HttpServer::start() {
  asio::co_spawn(acceptor_.get_executor(), accept_loop(), asio::detached);
}

void HttpServer::stop() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  for (auto& weak : connections_) {
    if (auto stream = weak.lock()) stream->socket().close(ignored);
  }
}

uint16_t HttpServer::port() const {
  boost::system::error_code ec;
  return acceptor_.local_endpoint(ec).port();
}

awaitable<void> HttpServer::accept_loop() {
  while (acceptor_.is_open()) {
    boost::system::error_code ec;
    tcp::socket socket = co_await acceptor_.async_accept(nothrow(ec));
    if (ec) {
      if (ec == asio::error::operation_aborted) co_return;
      co_await pause_after_accept_failure(acceptor_, "admin.accept_failed", ec);
      continue;
    }
    std::erase_if(connections_, [](const auto& weak) { return weak.expired(); });
    if (connections_.size() >= limits_.max_connections) {
      // Refused rather than queued: a scraper retries, and a flood of
      // admin connections must not take memory from the Kafka path.
      log::warn("admin.connection_refused", "reason=\"max_connections {} reached\"",
                limits_.max_connections);
      socket.close(ec);
      continue;
    }
    auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
    connections_.push_back(stream);
    asio::co_spawn(acceptor_.get_executor(), serve(stream), asio::detached);
  }
}

awaitable<void> HttpServer::serve(std::shared_ptr<beast::tcp_stream> stream) {
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(limits_.max_body_bytes);
    stream->expires_after(limits_.read_timeout);
    boost::system::error_code ec;
    co_await http::async_read(*stream, buffer, parser, nothrow(ec));
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset) {
      break;
    }
    HttpResponse answer;
    bool keep_alive = false;
    int version = 11;
    if (ec) {
      answer = text_response(ec == http::error::body_limit ? http::status::payload_too_large
                                                           : http::status::bad_request,
                             fmt::format("bad request: {}", ec.message()));
    } else {
      http::request<http::string_body> raw = parser.release();
      keep_alive = raw.keep_alive();
      version = static_cast<int>(raw.version());
      HttpRequest request;
      request.method = raw.method();
      parse_target(std::string_view(raw.target().data(), raw.target().size()), &request.path,
                   &request.query);
      request.body = std::move(raw.body());
      answer = co_await this->answer(std::move(request));
    }
    http::response<http::string_body> response{answer.status, static_cast<unsigned>(version)};
    response.set(http::field::server, "kafka-sidecar");
    response.set(http::field::content_type, answer.content_type);
    for (const auto& [name, value] : answer.headers)
      response.set(name, value);
    response.body() = std::move(answer.body);
    response.keep_alive(keep_alive);
    response.prepare_payload();
    stream->expires_after(limits_.read_timeout);
    co_await http::async_write(*stream, response, nothrow(ec));
    if (ec || !keep_alive) break;
  }
  boost::system::error_code ignored;
  stream->socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream->socket().close(ignored);
}

awaitable<HttpResponse> HttpServer::answer(HttpRequest request) const {
  const auto segments = split_path(request.path);
  std::string allowed;
  for (const Route& route : routes_) {
    std::map<std::string, std::string> args;
    if (!matches(route.segments, segments, &args)) continue;
    if (route.method != request.method) {
      if (!allowed.empty()) allowed += ", ";
      allowed += std::string(http::to_string(route.method));
      continue;
    }
    request.path_args = std::move(args);
    const std::string path = request.path;
    try {
      co_return co_await route.handler(std::move(request));
    } catch (const std::exception& e) {
      // The admin server is an edge: a failing handler answers 500 and the
      // process carries on.
      log::error("admin.handler_failed", "path={} error={}", log::quote(path),
                 log::quote(e.what()));
    }
    co_return text_response(http::status::internal_server_error, "internal error");
  }
  if (allowed.empty()) {
    co_return text_response(http::status::not_found,
                            fmt::format("no such endpoint: {}", request.path));
  }
  auto response = text_response(http::status::method_not_allowed,
                                fmt::format("{} takes {}", request.path, allowed));
  response.headers.emplace_back("Allow", allowed);
  co_return response;
}

}  // namespace ks::admin
