#include "common/utc_time.h"

#include <gtest/gtest.h>

namespace ks {
namespace {

TEST(UtcTime, FormatsWithMilliseconds) {
  EXPECT_EQ(format_utc_ms(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_utc_ms(1'700'000'000'123), "2023-11-14T22:13:20.123Z");
}

TEST(UtcTime, BeforeTheEpochCountsBackwards) {
  EXPECT_EQ(format_utc_ms(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format_utc_ms(-1000), "1969-12-31T23:59:59.000Z");
}

}  // namespace
}  // namespace ks
