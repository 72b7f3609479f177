#pragma once
// The fixture of the BrokerConnection tests: an io_context run by the test
// thread and connections that are closed at the end.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "proxy/upstream/broker_connection.h"
#include "tests/unit/upstream/run.h"

namespace ks::upstream::test {

using namespace std::chrono_literals;

inline ConnectionOptions test_options(std::chrono::milliseconds timeout = 5s) {
  ConnectionOptions options;
  options.client_id = "upstream-test";
  options.request_timeout = timeout;
  options.reconnect_backoff = 10ms;
  options.reconnect_backoff_max = 100ms;
  return options;
}

class ConnectionTest : public ::testing::Test {
 protected:
  ~ConnectionTest() override {
    for (const auto& connection : connections_)
      connection->close();
    run_until(
        io_, [] { return false; }, 100ms);  // let the closed sessions wind down
  }

  std::shared_ptr<BrokerConnection> connect_to(const std::string& address,
                                               ConnectionOptions options = test_options()) {
    auto parsed = parse_address(address);
    EXPECT_TRUE(parsed) << address;
    connections_.push_back(
        std::make_shared<BrokerConnection>(io_.get_executor(), *parsed, std::move(options)));
    return connections_.back();
  }

  // Starts `task` without waiting for it.
  template <typename T>
  std::shared_ptr<Spawned<T>> spawn(awaitable<T> task) {
    return io_test::spawn(io_, std::move(task));
  }

  asio::io_context io_;
  std::vector<std::shared_ptr<BrokerConnection>> connections_;
};

}  // namespace ks::upstream::test
