// HttpServer over real loopback sockets, with a Beast client on the same
// io_context.
#include "proxy/admin/http_server.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "tests/unit/io_runner.h"

namespace ks::admin {
namespace {

namespace beast = boost::beast;

struct Reply {
  unsigned status = 0;
  std::string body;
  std::string allow;
  bool keep_alive = false;
};

awaitable<Reply> exchange(beast::tcp_stream& stream, http::verb method, std::string target,
                          std::string body = "") {
  http::request<http::string_body> request{method, target, 11};
  request.set(http::field::host, "localhost");
  request.body() = std::move(body);
  request.prepare_payload();
  co_await http::async_write(stream, request, asio::use_awaitable);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  co_await http::async_read(stream, buffer, response, asio::use_awaitable);
  Reply reply;
  reply.status = response.result_int();
  reply.body = response.body();
  reply.allow = std::string(response[http::field::allow]);
  reply.keep_alive = response.keep_alive();
  co_return reply;
}

awaitable<Reply> request_once(uint16_t port, http::verb method, std::string target,
                              std::string body = "") {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  co_await stream.async_connect(tcp::endpoint(asio::ip::address_v4::loopback(), port),
                                asio::use_awaitable);
  co_return co_await exchange(stream, method, std::move(target), std::move(body));
}

class AdminHttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.route(http::verb::get, "/hello", [](HttpRequest request) -> awaitable<HttpResponse> {
      co_return text_response(http::status::ok, "hello " + request.query["name"]);
    });
    server_.route(http::verb::post, "/v1/groups/{group}/offsets/reset",
                  [](HttpRequest request) -> awaitable<HttpResponse> {
                    co_return json_response(http::status::ok,
                                            "{\"group\":\"" + request.path_args["group"] +
                                                "\",\"body\":\"" + request.body + "\"}");
                  });
    server_.route(http::verb::get, "/boom", [](HttpRequest) -> awaitable<HttpResponse> {
      throw std::runtime_error("handler bug");
      co_return HttpResponse{};
    });
    ASSERT_FALSE(server_.open(tcp::endpoint(asio::ip::address_v4::loopback(), 0)));
    server_.start();
  }

  Reply get(http::verb method, std::string target, std::string body = "") {
    return io_test::run(io_,
                        request_once(server_.port(), method, std::move(target), std::move(body)));
  }

  asio::io_context io_;
  HttpServer server_{io_.get_executor(),
                     HttpLimits{.max_connections = 4,
                                .max_body_bytes = 16,
                                .read_timeout = std::chrono::milliseconds(300)}};
};

TEST_F(AdminHttpServerTest, RoutesByPathAndDecodesTheQuery) {
  const Reply reply = get(http::verb::get, "/hello?name=a%20b+c&x");
  EXPECT_EQ(reply.status, 200u);
  EXPECT_EQ(reply.body, "hello a b c\n");
}

TEST_F(AdminHttpServerTest, GivesPathArgumentsAndTheBodyToTheHandler) {
  const Reply reply = get(http::verb::post, "/v1/groups/audit/offsets/reset", "x=1");
  EXPECT_EQ(reply.status, 200u);
  EXPECT_EQ(reply.body, "{\"group\":\"audit\",\"body\":\"x=1\"}\n");
}

TEST_F(AdminHttpServerTest, UnknownPathIs404AndWrongMethodIs405WithAllow) {
  EXPECT_EQ(get(http::verb::get, "/nope").status, 404u);
  const Reply reply = get(http::verb::get, "/v1/groups/audit/offsets/reset");
  EXPECT_EQ(reply.status, 405u);
  EXPECT_EQ(reply.allow, "POST");
}

TEST_F(AdminHttpServerTest, ABodyOverTheLimitIs413) {
  EXPECT_EQ(get(http::verb::post, "/v1/groups/g/offsets/reset", std::string(100, 'x')).status,
            413u);
}

TEST_F(AdminHttpServerTest, AThrowingHandlerAnswers500AndTheServerCarriesOn) {
  EXPECT_EQ(get(http::verb::get, "/boom").status, 500u);
  EXPECT_EQ(get(http::verb::get, "/hello").status, 200u);
}

TEST_F(AdminHttpServerTest, KeepsAConnectionAliveAcrossRequests) {
  auto task = [](uint16_t port) -> awaitable<int> {
    beast::tcp_stream stream(co_await asio::this_coro::executor);
    co_await stream.async_connect(tcp::endpoint(asio::ip::address_v4::loopback(), port),
                                  asio::use_awaitable);
    int ok = 0;
    for (int i = 0; i < 3; ++i) {
      const Reply reply = co_await exchange(stream, http::verb::get, "/hello");
      if (reply.status == 200 && reply.keep_alive) ++ok;
    }
    co_return ok;
  };
  EXPECT_EQ(io_test::run(io_, task(server_.port())), 3);
}

TEST_F(AdminHttpServerTest, ClosesAnIdleConnectionAfterTheReadTimeout) {
  auto task = [](uint16_t port) -> awaitable<bool> {
    tcp::socket socket(co_await asio::this_coro::executor);
    co_await socket.async_connect(tcp::endpoint(asio::ip::address_v4::loopback(), port),
                                  asio::use_awaitable);
    std::array<char, 16> data;
    boost::system::error_code ec;
    co_await socket.async_read_some(asio::buffer(data), nothrow(ec));
    co_return ec == asio::error::eof || ec == asio::error::connection_reset;
  };
  EXPECT_TRUE(io_test::run(io_, task(server_.port())));
}

TEST(AdminParseTargetTest, SplitsPathAndQuery) {
  std::string path;
  std::map<std::string, std::string> query;
  parse_target("/v1/buffer?cluster=main&pretty", &path, &query);
  EXPECT_EQ(path, "/v1/buffer");
  EXPECT_EQ(query.at("cluster"), "main");
  EXPECT_EQ(query.at("pretty"), "");
  parse_target("/a%2x?bad=%zz", &path, &query);
  EXPECT_EQ(path, "/a%2x");
  EXPECT_EQ(query.at("bad"), "%zz");
}

}  // namespace
}  // namespace ks::admin
