#include "config/env_expand.h"

#include <gtest/gtest.h>

#include "tests/unit/config/config_test_support.h"

namespace ks::config {
namespace {

const EnvLookup kEnv =
    testing::env_of({{"HOST", "kafka-0"}, {"EMPTY", ""}, {"DOLLAR", "a$b${HOST}"}});

std::string expanded(std::string_view text) {
  const Parsed<std::string> p = expand_env(text, kEnv);
  EXPECT_TRUE(p.value) << text << ": " << p.error;
  return p.value.value_or("<error>");
}

std::string error_of(std::string_view text) {
  const Parsed<std::string> p = expand_env(text, kEnv);
  EXPECT_FALSE(p.value) << text << " expanded to " << p.value.value_or("");
  return p.error;
}

TEST(ConfigEnvExpand, PlainTextUnchanged) {
  EXPECT_EQ(expanded("no variables here"), "no variables here");
}

TEST(ConfigEnvExpand, Variable) {
  EXPECT_EQ(expanded("${HOST}:9092"), "kafka-0:9092");
}

TEST(ConfigEnvExpand, SeveralVariables) {
  EXPECT_EQ(expanded("${HOST}/${HOST}"), "kafka-0/kafka-0");
}

TEST(ConfigEnvExpand, DefaultWhenUnset) {
  EXPECT_EQ(expanded("${PORT:-9092}"), "9092");
}

TEST(ConfigEnvExpand, DefaultWhenEmpty) {
  EXPECT_EQ(expanded("${EMPTY:-x}"), "x");
}

TEST(ConfigEnvExpand, DefaultIgnoredWhenSet) {
  EXPECT_EQ(expanded("${HOST:-other}"), "kafka-0");
}

TEST(ConfigEnvExpand, EmptyDefault) {
  EXPECT_EQ(expanded("a${NOPE:-}b"), "ab");
}

TEST(ConfigEnvExpand, SetButEmptyWithoutDefault) {
  EXPECT_EQ(expanded("[${EMPTY}]"), "[]");
}

TEST(ConfigEnvExpand, DoubleDollarEscapes) {
  EXPECT_EQ(expanded("$${HOST}"), "${HOST}");
  EXPECT_EQ(expanded("cost: $$5"), "cost: $5");
}

TEST(ConfigEnvExpand, LoneDollarIsLiteral) {
  EXPECT_EQ(expanded("pa$word$"), "pa$word$");
}

TEST(ConfigEnvExpand, ValuesAreNotExpandedAgain) {
  EXPECT_EQ(expanded("${DOLLAR}"), "a$b${HOST}");
}

TEST(ConfigEnvExpand, UnsetVariableIsNamed) {
  const std::string e = error_of("${PAY_PASSWORD}");
  EXPECT_NE(e.find("PAY_PASSWORD is not set"), std::string::npos) << e;
  EXPECT_NE(e.find("${PAY_PASSWORD:-default}"), std::string::npos) << e;
}

TEST(ConfigEnvExpand, AllUnsetVariablesAreNamed) {
  const std::string e = error_of("${A}${HOST}${B}");
  EXPECT_NE(e.find("A, B are not set"), std::string::npos) << e;
}

TEST(ConfigEnvExpand, Unterminated) {
  EXPECT_NE(error_of("x${HOST").find("unterminated"), std::string::npos);
}

TEST(ConfigEnvExpand, InvalidNameDoesNotQuoteTheText) {
  const std::string e = error_of("s3cr3t${not valid}");
  EXPECT_NE(e.find("invalid variable name"), std::string::npos) << e;
  EXPECT_EQ(e.find("s3cr3t"), std::string::npos) << e;
  EXPECT_EQ(e.find("not valid"), std::string::npos) << e;
  EXPECT_NE(error_of("${}").find("invalid variable name"), std::string::npos);
  EXPECT_NE(error_of("${1X}").find("invalid variable name"), std::string::npos);
}

}  // namespace
}  // namespace ks::config
