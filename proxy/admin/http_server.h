#pragma once
// A small HTTP/1.1 server on Boost.Beast for the admin endpoints (metrics,
// health, buffer status, operations). It is not on the Kafka hot path:
// one coroutine per connection, keep-alive, bounded request size, a read
// deadline so an idle or slow peer cannot hold a connection forever, and a
// cap on open connections.
//
// Threading: runs on the executor given; handlers run there too, so they
// may read the state of everything else living on that executor.
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "proxy/asio.h"

namespace ks::admin {

namespace http = boost::beast::http;

struct HttpRequest {
  http::verb method = http::verb::get;
  std::string path;                              // without the query
  std::map<std::string, std::string> query;      // decoded; a key without '=' maps to ""
  std::map<std::string, std::string> path_args;  // from "{name}" segments of the route
  std::string body;
};

struct HttpResponse {
  http::status status = http::status::ok;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  // Extra headers (e.g. Allow for a 405).
  std::vector<std::pair<std::string, std::string>> headers;
};

HttpResponse text_response(http::status status, std::string body);
HttpResponse json_response(http::status status, std::string body);

using HttpHandler = std::function<awaitable<HttpResponse>(HttpRequest)>;

struct HttpLimits {
  size_t max_connections = 64;
  size_t max_body_bytes = 64 * 1024;
  // For a whole request to arrive, and for an idle keep-alive connection.
  std::chrono::milliseconds read_timeout{10'000};
};

class HttpServer {
 public:
  HttpServer(asio::any_io_executor executor, HttpLimits limits = {});
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // `pattern` is a path whose segments may be "{name}": it matches any one
  // non-empty segment, given to the handler in path_args. A path that
  // matches a route of another method gets 405, no route at all 404.
  void route(http::verb method, std::string pattern, HttpHandler handler);

  std::error_code open(const tcp::endpoint& endpoint);
  void start();
  void stop();  // stops accepting and closes open connections
  uint16_t port() const;

 private:
  struct Route {
    http::verb method;
    std::vector<std::string> segments;
    HttpHandler handler;
  };

  awaitable<void> accept_loop();
  awaitable<void> serve(std::shared_ptr<boost::beast::tcp_stream> stream);
  awaitable<HttpResponse> answer(HttpRequest request) const;

  tcp::acceptor acceptor_;
  HttpLimits limits_;
  std::vector<Route> routes_;
  std::list<std::weak_ptr<boost::beast::tcp_stream>> connections_;
};

// Splits "/a/b?x=1&y" into path and decoded query; nullopt-free: a malformed
// escape is kept literally.
void parse_target(std::string_view target, std::string* path,
                  std::map<std::string, std::string>* query);

}  // namespace ks::admin
