#pragma once
// Drives a test's io_context from the test thread until a coroutine
// completes: the code under test runs on the caller's executor. Bounds only
// turn a hang into a failure; no test relies on them for timing.
#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>

#include "proxy/asio.h"

namespace ks::io_test {

inline constexpr std::chrono::milliseconds kHangBound = std::chrono::seconds(60);

// True once `done` holds; false if `bound` passed first.
inline bool run_until(asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::milliseconds bound = kHangBound) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  io.restart();
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    io.run_one_for(std::chrono::milliseconds(20));
    if (io.stopped()) io.restart();
  }
  return true;
}

// Runs the loop for `duration` (a pause that keeps connections serviced).
inline void run_for(asio::io_context& io, std::chrono::milliseconds duration) {
  run_until(
      io, [] { return false; }, duration);
}

template <typename T>
struct Spawned {
  std::optional<T> value;
  std::exception_ptr error;
  bool done = false;
};

template <typename T>
awaitable<void> store(awaitable<T> task, std::shared_ptr<Spawned<T>> into) {
  into->value.emplace(co_await std::move(task));
}

// Starts `task` on `io` without running the loop.
template <typename T>
std::shared_ptr<Spawned<T>> spawn(asio::io_context& io, awaitable<T> task) {
  auto spawned = std::make_shared<Spawned<T>>();
  asio::co_spawn(io, store(std::move(task), spawned), [spawned](std::exception_ptr error) {
    spawned->error = error;
    spawned->done = true;
  });
  return spawned;
}

// The result of a spawned task once it is done; throws (failing the test)
// if it does not finish within `bound`.
template <typename T>
T result(asio::io_context& io, const std::shared_ptr<Spawned<T>>& spawned,
         std::chrono::milliseconds bound = kHangBound) {
  if (!run_until(
          io, [&] { return spawned->done; }, bound))
    throw std::runtime_error("the operation did not complete in time");
  if (spawned->error) std::rethrow_exception(spawned->error);
  return std::move(*spawned->value);
}

template <typename T>
T run(asio::io_context& io, awaitable<T> task, std::chrono::milliseconds bound = kHangBound) {
  return result(io, spawn(io, std::move(task)), bound);
}

}  // namespace ks::io_test
