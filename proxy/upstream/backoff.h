#pragma once
// Exponential backoff with full jitter ("Exponential Backoff And Jitter",
// AWS Architecture Blog): the n-th delay is drawn uniformly from
// [0, min(max, initial * 2^n)]. The jitter spreads the retries of many
// sidecars, so a cluster coming back is not hit by all of them at once.
#include <chrono>
#include <cstdint>
#include <random>

namespace ks::upstream {

class Backoff {
 public:
  using duration = std::chrono::milliseconds;

  Backoff(duration initial, duration max, uint64_t seed = std::random_device{}());

  // The delay before the next attempt; every call doubles the ceiling until `max`.
  duration next();
  // After a success: the next delay is drawn from [0, initial] again.
  void reset() { attempts_ = 0; }
  // The bound the next call to next() draws from.
  duration ceiling() const;

 private:
  duration initial_;
  duration max_;
  uint32_t attempts_ = 0;
  std::mt19937_64 random_;
};

}  // namespace ks::upstream
