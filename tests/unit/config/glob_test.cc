#include "config/glob.h"

#include <gtest/gtest.h>

namespace ks::config {
namespace {

TEST(ConfigGlob, ExactName) {
  EXPECT_TRUE(glob_match("orders", "orders"));
  EXPECT_FALSE(glob_match("orders", "orders2"));
  EXPECT_FALSE(glob_match("orders", "order"));
}

TEST(ConfigGlob, Star) {
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("*", "anything"));
  EXPECT_TRUE(glob_match("payments.*", "payments."));
  EXPECT_TRUE(glob_match("payments.*", "payments.eu.refunds"));
  EXPECT_FALSE(glob_match("payments.*", "payments"));
  EXPECT_TRUE(glob_match("*.dlq", "orders.dlq"));
  EXPECT_TRUE(glob_match("a*b*c", "a--b--b--c"));
  EXPECT_FALSE(glob_match("a*b*c", "a--b--b--"));
}

TEST(ConfigGlob, QuestionMark) {
  EXPECT_TRUE(glob_match("v?", "v1"));
  EXPECT_FALSE(glob_match("v?", "v"));
  EXPECT_FALSE(glob_match("v?", "v12"));
}

TEST(ConfigGlob, BacktracksLinearly) {
  const std::string text(10'000, 'a');
  EXPECT_FALSE(glob_match("*a*a*a*b", text));
}

TEST(ConfigGlob, Classification) {
  EXPECT_TRUE(is_glob("a*"));
  EXPECT_TRUE(is_glob("a?"));
  EXPECT_FALSE(is_glob("a.b"));
  EXPECT_TRUE(is_catch_all("*"));
  EXPECT_TRUE(is_catch_all("**"));
  EXPECT_FALSE(is_catch_all("*?"));
  EXPECT_FALSE(is_catch_all(""));
}

}  // namespace
}  // namespace ks::config
