#include "config/units.h"

#include <gtest/gtest.h>

#include <string>

namespace ks::config {
namespace {

using std::chrono::milliseconds;

uint64_t size_of(std::string_view text) {
  const Parsed<uint64_t> p = parse_size(text);
  EXPECT_TRUE(p.value) << text << ": " << p.error;
  return p.value.value_or(0);
}

std::string size_error(std::string_view text) {
  const Parsed<uint64_t> p = parse_size(text);
  EXPECT_FALSE(p.value) << text << " parsed as " << p.value.value_or(0);
  return p.error;
}

int64_t millis_of(std::string_view text) {
  const Parsed<milliseconds> p = parse_duration(text);
  EXPECT_TRUE(p.value) << text << ": " << p.error;
  return p.value.value_or(milliseconds(-1)).count();
}

std::string duration_error(std::string_view text) {
  const Parsed<milliseconds> p = parse_duration(text);
  EXPECT_FALSE(p.value) << text << " parsed as " << p.value.value_or(milliseconds(0)).count();
  return p.error;
}

TEST(ConfigSize, PlainIntegerIsBytes) {
  EXPECT_EQ(size_of("0"), 0u);
  EXPECT_EQ(size_of("4096"), 4096u);
}

TEST(ConfigSize, DecimalUnits) {
  EXPECT_EQ(size_of("7B"), 7u);
  EXPECT_EQ(size_of("2KB"), 2'000u);
  EXPECT_EQ(size_of("3MB"), 3'000'000u);
  EXPECT_EQ(size_of("4GB"), 4'000'000'000u);
}

TEST(ConfigSize, BinaryUnits) {
  EXPECT_EQ(size_of("2KiB"), 2048u);
  EXPECT_EQ(size_of("64MiB"), 64u << 20);
  EXPECT_EQ(size_of("10GiB"), 10ull << 30);
  EXPECT_EQ(size_of("2TiB"), 2ull << 40);
}

TEST(ConfigSize, SpaceBeforeUnit) {
  EXPECT_EQ(size_of("64 MiB"), 64u << 20);
}

TEST(ConfigSize, ExactFraction) {
  EXPECT_EQ(size_of("1.5KiB"), 1536u);
  EXPECT_EQ(size_of("0.5GB"), 500'000'000u);
  EXPECT_EQ(size_of("1.25TiB"), (5ull << 40) / 4);
}

TEST(ConfigSize, FractionOfAByteIsRejected) {
  EXPECT_NE(size_error("1.5B").find("whole number of bytes"), std::string::npos);
  EXPECT_NE(size_error("1.0001KiB").find("whole number of bytes"), std::string::npos);
}

TEST(ConfigSize, NegativeIsRejected) {
  EXPECT_NE(size_error("-1GiB").find("must not be negative"), std::string::npos);
}

TEST(ConfigSize, UnknownUnitIsNamed) {
  const std::string e = size_error("10XB");
  EXPECT_NE(e.find("unknown size unit \"XB\""), std::string::npos) << e;
  EXPECT_NE(e.find("GiB"), std::string::npos) << e;
}

TEST(ConfigSize, UnitsAreCaseSensitive) {
  EXPECT_NE(size_error("10gib").find("unknown size unit"), std::string::npos);
  EXPECT_NE(size_error("10Mib").find("unknown size unit"), std::string::npos);
}

TEST(ConfigSize, NotANumber) {
  EXPECT_NE(size_error("lots").find("not a number"), std::string::npos);
  EXPECT_NE(size_error("").find("not a number"), std::string::npos);
  EXPECT_NE(size_error("GiB").find("not a number"), std::string::npos);
  EXPECT_NE(size_error("1.GiB").find("no digits after the decimal point"), std::string::npos);
}

TEST(ConfigSize, OverflowIsRejected) {
  EXPECT_EQ(size_of("18446744073709551615"), UINT64_MAX);
  EXPECT_NE(size_error("18446744073709551616").find("too large"), std::string::npos);
  EXPECT_NE(size_error("16777216TiB").find("too large"), std::string::npos);  // 2^64
  EXPECT_EQ(size_of("16777215TiB"), 16777215ull << 40);
}

TEST(ConfigDuration, EachUnit) {
  EXPECT_EQ(millis_of("50ms"), 50);
  EXPECT_EQ(millis_of("30s"), 30'000);
  EXPECT_EQ(millis_of("2m"), 120'000);
  EXPECT_EQ(millis_of("1h"), 3'600'000);
  EXPECT_EQ(millis_of("0ms"), 0);
}

TEST(ConfigDuration, Fraction) {
  EXPECT_EQ(millis_of("1.5s"), 1500);
  EXPECT_EQ(millis_of("0.25h"), 900'000);
  EXPECT_NE(duration_error("1.5ms").find("whole number of milliseconds"), std::string::npos);
}

TEST(ConfigDuration, PlainIntegerNeedsAUnit) {
  const std::string e = duration_error("30");
  EXPECT_NE(e.find("has no unit"), std::string::npos) << e;
  EXPECT_NE(e.find("\"30ms\""), std::string::npos) << e;
}

TEST(ConfigDuration, UnknownUnit) {
  EXPECT_NE(duration_error("5sec").find("unknown duration unit \"sec\""), std::string::npos);
  EXPECT_NE(duration_error("1d").find("unknown duration unit \"d\""), std::string::npos);
}

TEST(ConfigDuration, NegativeIsRejected) {
  EXPECT_NE(duration_error("-5s").find("must not be negative"), std::string::npos);
}

TEST(ConfigDuration, OverflowIsRejected) {
  EXPECT_NE(duration_error("9223372036854775808ms").find("too long"), std::string::npos);
  EXPECT_NE(duration_error("99999999999999999h").find("too long"), std::string::npos);
}

TEST(ConfigFormat, SizeUsesLargestExactUnit) {
  EXPECT_EQ(format_size(0), "0B");
  EXPECT_EQ(format_size(10ull << 30), "10GiB");
  EXPECT_EQ(format_size(1536), "1536B");
  EXPECT_EQ(format_size(3000), "3KB");
  EXPECT_EQ(format_size(1001), "1001B");
}

TEST(ConfigFormat, DurationUsesLargestExactUnit) {
  EXPECT_EQ(format_duration(milliseconds(0)), "0ms");
  EXPECT_EQ(format_duration(milliseconds(1500)), "1500ms");
  EXPECT_EQ(format_duration(milliseconds(120'000)), "2m");
  EXPECT_EQ(format_duration(milliseconds(7'200'000)), "2h");
}

TEST(ConfigFormat, RoundTrips) {
  for (uint64_t n : {0ull, 1ull, 999ull, 1000ull, 4096ull, 1ull << 40, 5'000'000'000ull}) {
    EXPECT_EQ(parse_size(format_size(n)).value, n) << n;
  }
  for (int64_t ms : {0, 1, 999, 1000, 61'000, 3'600'000}) {
    EXPECT_EQ(parse_duration(format_duration(milliseconds(ms))).value, milliseconds(ms)) << ms;
  }
}

}  // namespace
}  // namespace ks::config
