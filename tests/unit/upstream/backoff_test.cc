#include "proxy/upstream/backoff.h"

#include <gtest/gtest.h>

namespace ks::upstream {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, CeilingDoublesUpToTheMax) {
  Backoff backoff(milliseconds(100), milliseconds(1000), 1);
  const std::vector<int64_t> expected = {100, 200, 400, 800, 1000, 1000, 1000};
  for (int64_t ceiling : expected) {
    EXPECT_EQ(backoff.ceiling().count(), ceiling);
    backoff.next();
  }
}

TEST(Backoff, DelaysAreFullyJitteredBelowTheCeiling) {
  Backoff backoff(milliseconds(50), milliseconds(400), 7);
  bool some_below_half = false;
  for (int i = 0; i < 1000; ++i) {
    const auto ceiling = backoff.ceiling();
    const auto delay = backoff.next();
    EXPECT_GE(delay.count(), 0);
    EXPECT_LE(delay, ceiling);
    if (delay * 2 < ceiling) some_below_half = true;
  }
  EXPECT_TRUE(some_below_half);  // full jitter, not "half plus jitter"
}

TEST(Backoff, ResetStartsAgainFromTheInitialDelay) {
  Backoff backoff(milliseconds(10), milliseconds(10'000), 3);
  for (int i = 0; i < 20; ++i)
    backoff.next();
  EXPECT_EQ(backoff.ceiling().count(), 10'000);
  backoff.reset();
  EXPECT_EQ(backoff.ceiling().count(), 10);
}

TEST(Backoff, HugeAttemptCountsDoNotOverflow) {
  Backoff backoff(milliseconds(1), milliseconds(INT64_MAX / 3), 5);
  for (int i = 0; i < 200; ++i)
    EXPECT_GE(backoff.next().count(), 0);
  EXPECT_EQ(backoff.ceiling().count(), INT64_MAX / 3);
}

TEST(Backoff, ZeroInitialMeansNoDelay) {
  Backoff backoff(milliseconds(0), milliseconds(100), 9);
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(backoff.next().count(), 0);
}

TEST(Backoff, SameSeedSameDelays) {
  Backoff a(milliseconds(100), milliseconds(5000), 42);
  Backoff b(milliseconds(100), milliseconds(5000), 42);
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(a.next(), b.next());
}

}  // namespace
}  // namespace ks::upstream
