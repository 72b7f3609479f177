#pragma once
// Runs awaitables concurrently on the current executor and returns their
// results in order once all have finished. (Boost 1.74 has neither
// parallel_group nor the awaitable operators.)
#include <memory>
#include <optional>
#include <vector>

#include "proxy/asio.h"

namespace ks {

template <typename T>
awaitable<std::vector<T>> when_all(std::vector<awaitable<T>> tasks) {
  struct State {
    explicit State(asio::any_io_executor executor, size_t n)
        : results(n), remaining(n), done(executor, asio::steady_timer::time_point::max()) {}
    std::vector<std::optional<T>> results;
    size_t remaining;
    asio::steady_timer done;
  };
  auto executor = co_await asio::this_coro::executor;
  auto state = std::make_shared<State>(executor, tasks.size());
  for (size_t i = 0; i < tasks.size(); ++i) {
    asio::co_spawn(
        executor,
        [state, i, task = std::move(tasks[i])]() mutable -> awaitable<void> {
          state->results[i].emplace(co_await std::move(task));
          if (--state->remaining == 0) state->done.cancel();
        },
        asio::detached);
  }
  while (state->remaining > 0) {
    boost::system::error_code ignored;
    co_await state->done.async_wait(nothrow(ignored));
  }
  std::vector<T> out;
  out.reserve(tasks.size());
  for (auto& result : state->results)
    out.push_back(std::move(*result));
  co_return out;
}

}  // namespace ks
