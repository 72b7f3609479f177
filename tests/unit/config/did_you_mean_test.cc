#include "config/did_you_mean.h"

#include <gtest/gtest.h>

#include <vector>

namespace ks::config {
namespace {

const std::vector<std::string> kKeys{
    "dir", "max_bytes", "segment_bytes", "fsync", "fsync_interval", "when_full", "block_timeout"};

TEST(ConfigDidYouMean, OneTypo) {
  EXPECT_EQ(closest_match("max_byte", kKeys), "max_bytes");
}

TEST(ConfigDidYouMean, Transposition) {
  EXPECT_EQ(closest_match("fysnc", kKeys), "fsync");
}

TEST(ConfigDidYouMean, IgnoresCase) {
  EXPECT_EQ(closest_match("When_Full", kKeys), "when_full");
}

TEST(ConfigDidYouMean, NothingClose) {
  EXPECT_EQ(closest_match("compression", kKeys), std::nullopt);
  EXPECT_EQ(did_you_mean("compression", kKeys), "");
}

TEST(ConfigDidYouMean, PicksTheClosest) {
  EXPECT_EQ(closest_match("fsync_intervl", kKeys), "fsync_interval");
}

TEST(ConfigDidYouMean, Sentence) {
  EXPECT_EQ(did_you_mean("dri", kKeys), " (did you mean \"dir\"?)");
}

}  // namespace
}  // namespace ks::config
