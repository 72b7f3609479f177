#include "proxy/upstream/address.h"

#include <gtest/gtest.h>

namespace ks::upstream {
namespace {

TEST(Address, ParsesHostAndPort) {
  EXPECT_EQ(parse_address("kafka-0:9092"), (Address{"kafka-0", 9092}));
  EXPECT_EQ(parse_address("127.0.0.1:1"), (Address{"127.0.0.1", 1}));
}

TEST(Address, Ipv6NeedsBrackets) {
  EXPECT_EQ(parse_address("[::1]:9093"), (Address{"::1", 9093}));
  EXPECT_EQ(parse_address("::1:9093"), std::nullopt);
  EXPECT_EQ((Address{"::1", 9093}).to_string(), "[::1]:9093");
}

TEST(Address, RejectsMissingOrBadParts) {
  for (const char* bad : {"", "kafka", "kafka:", ":9092", "kafka:0", "kafka:65536", "kafka:90x",
                          "kafka:-1", "[::1:9092", "[]:9092"})
    EXPECT_EQ(parse_address(bad), std::nullopt) << bad;
}

TEST(Address, RoundTrips) {
  const Address address{"broker.example", 19092};
  EXPECT_EQ(parse_address(address.to_string()), address);
}

}  // namespace
}  // namespace ks::upstream
