#pragma once
// Drives the test's io_context until a coroutine completes. The upstream
// client runs on the caller's thread, so the test thread runs its loop; the
// librdkafka mock cluster runs its own threads.
#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>

#include "proxy/asio.h"

namespace ks::upstream::test {

// True once `done` holds; false if `bound` passed first.
inline bool run_until(asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::milliseconds bound) {
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
struct Slot {
  std::optional<T> value;
  std::exception_ptr error;
  bool done = false;
};

template <typename T>
awaitable<void> store(awaitable<T> task, std::shared_ptr<Slot<T>> slot) {
  slot->value.emplace(co_await std::move(task));
}

// The result of `task`; throws (failing the test) if it does not complete
// within `bound`, which is generous: it only turns a hang into a failure.
template <typename T>
T run(asio::io_context& io, awaitable<T> task,
      std::chrono::milliseconds bound = std::chrono::seconds(60)) {
  auto slot = std::make_shared<Slot<T>>();
  asio::co_spawn(io, store(std::move(task), slot), [slot](std::exception_ptr error) {
    slot->error = error;
    slot->done = true;
  });
  if (!run_until(
          io, [&] { return slot->done; }, bound))
    throw std::runtime_error("the operation did not complete in time");
  if (slot->error) std::rethrow_exception(slot->error);
  return std::move(*slot->value);
}

}  // namespace ks::upstream::test
