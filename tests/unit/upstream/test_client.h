#pragma once
// The options of an upstream::Client in tests: short timeouts and backoffs,
// so that a broker down or a refused connect is seen within a test.
#include <chrono>
#include <string>
#include <vector>

#include "proxy/upstream/client.h"

namespace ks::upstream::test {

inline ClientOptions test_client_options(std::vector<std::string> bootstrap) {
  using namespace std::chrono_literals;
  ClientOptions options;
  options.cluster = "test";
  options.bootstrap = std::move(bootstrap);
  options.client_id = "upstream-test";
  options.request_timeout = 5s;
  options.retry_backoff = 10ms;
  options.retry_backoff_max = 100ms;
  return options;
}

}  // namespace ks::upstream::test
