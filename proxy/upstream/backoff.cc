#include "proxy/upstream/backoff.h"

#include <algorithm>

namespace ks::upstream {

Backoff::Backoff(duration initial, duration max, uint64_t seed)
    : initial_(std::max(initial, duration::zero())),
      max_(std::max(max, duration::zero())),
      random_(seed) {}

Backoff::duration Backoff::ceiling() const {
  const int64_t cap = max_.count();
  int64_t bound = std::min(initial_.count(), cap);
  // Doubling stops at the cap, so the loop is short and cannot overflow.
  for (uint32_t i = 0; i < attempts_ && bound < cap && bound > 0; ++i)
    bound = bound > cap / 2 ? cap : bound * 2;
  return duration{bound};
}

Backoff::duration Backoff::next() {
  const duration bound = ceiling();
  if (bound < max_) ++attempts_;  // at the cap the count has done its job
  std::uniform_int_distribution<int64_t> pick(0, bound.count());
  return duration{pick(random_)};
}

}  // namespace ks::upstream
