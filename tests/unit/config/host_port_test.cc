#include "config/host_port.h"

#include <gtest/gtest.h>

namespace ks::config {
namespace {

HostPort ok(std::string_view text) {
  const Parsed<HostPort> p = parse_host_port(text);
  EXPECT_TRUE(p.value) << text << ": " << p.error;
  return p.value.value_or(HostPort{});
}

std::string error_of(std::string_view text) {
  const Parsed<HostPort> p = parse_host_port(text);
  EXPECT_FALSE(p.value) << text;
  return p.error;
}

TEST(ConfigHostPort, NameAndPort) {
  EXPECT_EQ(ok("kafka-0:9092"), (HostPort{"kafka-0", 9092}));
}

TEST(ConfigHostPort, Ipv4) {
  EXPECT_EQ(ok("10.0.0.1:1"), (HostPort{"10.0.0.1", 1}));
}

TEST(ConfigHostPort, Ipv6InBrackets) {
  EXPECT_EQ(ok("[::1]:9092"), (HostPort{"::1", 9092}));
  EXPECT_EQ(ok("[fe80::1%eth0]:65535"), (HostPort{"fe80::1%eth0", 65535}));
}

TEST(ConfigHostPort, Ipv6WithoutBrackets) {
  EXPECT_NE(error_of("::1:9092").find("IPv6 addresses in brackets"), std::string::npos);
}

TEST(ConfigHostPort, MissingPort) {
  EXPECT_NE(error_of("kafka-0").find("not host:port"), std::string::npos);
  EXPECT_NE(error_of("kafka-0:").find("port \"\""), std::string::npos);
  EXPECT_NE(error_of("[::1]").find("needs a port"), std::string::npos);
}

TEST(ConfigHostPort, BadPort) {
  EXPECT_NE(error_of("k:0").find("out of range 1..65535"), std::string::npos);
  EXPECT_NE(error_of("k:65536").find("out of range"), std::string::npos);
  EXPECT_NE(error_of("k:99999999").find("not a number"), std::string::npos);
  EXPECT_NE(error_of("k:90x").find("not a number"), std::string::npos);
  EXPECT_NE(error_of("k:-1").find("not a number"), std::string::npos);
}

TEST(ConfigHostPort, BadHost) {
  EXPECT_NE(error_of(":9092").find("empty host"), std::string::npos);
  EXPECT_NE(error_of("a b:9092").find("space"), std::string::npos);
  EXPECT_NE(error_of("[::1:9092").find("without ']'"), std::string::npos);
}

TEST(ConfigHostPort, ToStringBracketsIpv6) {
  EXPECT_EQ(to_string(HostPort{"::1", 9092}), "[::1]:9092");
  EXPECT_EQ(to_string(HostPort{"kafka-0", 9092}), "kafka-0:9092");
}

TEST(ConfigPort, ZeroOnlyWhenAllowed) {
  EXPECT_EQ(parse_port("0", true).value, 0);
  EXPECT_FALSE(parse_port("0", false).value);
  EXPECT_EQ(parse_port("65535", false).value, 65535);
}

}  // namespace
}  // namespace ks::config
