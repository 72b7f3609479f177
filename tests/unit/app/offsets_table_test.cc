#include "app/offsets_table.h"

#include <gtest/gtest.h>

namespace ks::app {
namespace {

TEST(OffsetsTable, ColumnsAsWideAsTheirWidestCell) {
  EXPECT_EQ(format_table({"TOPIC", "PARTITION", "OLD", "NEW"},
                         {{"orders", "0", "-", "0"}, {"o", "10", "12345", "7"}}),
            "TOPIC   PARTITION  OLD    NEW\n"
            "orders  0          -      0\n"
            "o       10         12345  7\n");
}

TEST(OffsetsTable, HeaderOnly) {
  EXPECT_EQ(format_table({"A", "B"}, {}), "A  B\n");
}

}  // namespace
}  // namespace ks::app
