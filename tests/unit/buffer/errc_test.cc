#include "buffer/errc.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace ks::buffer {
namespace {

TEST(buffer_Errc, EveryCodeHasItsOwnMessage) {
  std::set<std::string> messages;
  for (int value = static_cast<int>(errc::corruption); value <= static_cast<int>(errc::no_space);
       ++value) {
    const std::error_code ec = static_cast<errc>(value);
    EXPECT_EQ(std::string(ec.category().name()), "buffer");
    EXPECT_TRUE(messages.insert(ec.message()).second) << ec.message();
  }
  EXPECT_EQ(messages.size(), 12u);
}

TEST(buffer_Errc, ComparesWithErrorCodes) {
  const std::error_code ec = errc::buffer_full;
  EXPECT_TRUE(ec);
  EXPECT_EQ(ec, errc::buffer_full);
  EXPECT_NE(ec, errc::timeout);
  EXPECT_NE(ec, std::make_error_code(std::errc::no_space_on_device));
}

}  // namespace
}  // namespace ks::buffer
