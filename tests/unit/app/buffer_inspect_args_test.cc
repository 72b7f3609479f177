#include "app/buffer_inspect_args.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <vector>

namespace ks::app {
namespace {

Result<BufferInspectArgs> parse(std::initializer_list<std::string_view> args) {
  const std::vector<std::string_view> list(args);
  return parse_buffer_args(list);
}

std::string error_of(std::initializer_list<std::string_view> args) {
  const auto parsed = parse(args);
  EXPECT_FALSE(parsed.ok());
  return parsed.ok() ? "" : parsed.error().message;
}

TEST(BufferInspectArgs, ConfigOrDir) {
  auto parsed = parse({"inspect", "--config", "c.yaml"});
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->config_file, "c.yaml");
  EXPECT_TRUE(parsed->dir.empty());
  EXPECT_FALSE(parsed->dump);

  parsed = parse({"inspect", "--dump", "--dir", "/var/lib/ks/main"});
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->dir, "/var/lib/ks/main");
  EXPECT_TRUE(parsed->config_file.empty());
  EXPECT_TRUE(parsed->dump);
}

TEST(BufferInspectArgs, NeedsExactlyOneOfConfigAndDir) {
  EXPECT_EQ(error_of({"inspect"}), "buffer inspect needs one of --config FILE or --dir DIR");
  EXPECT_EQ(error_of({"inspect", "--dump"}),
            "buffer inspect needs one of --config FILE or --dir DIR");
  EXPECT_EQ(error_of({"inspect", "--config", "c", "--dir", "d"}),
            "buffer inspect needs one of --config FILE or --dir DIR");
}

TEST(BufferInspectArgs, UnknownSubCommand) {
  EXPECT_EQ(error_of({}), "buffer needs a sub-command: inspect");
  EXPECT_EQ(error_of({"repair", "--dir", "d"}), "unknown buffer sub-command 'repair' (inspect)");
}

TEST(BufferInspectArgs, BadOptions) {
  EXPECT_EQ(error_of({"inspect", "--dir", "d", "--json"}), "unknown option '--json'");
  EXPECT_EQ(error_of({"inspect", "--dir", "d", "extra"}), "unexpected argument 'extra'");
  EXPECT_EQ(error_of({"inspect", "--dir"}), "--dir needs a value");
  EXPECT_EQ(error_of({"inspect", "--config", "--dump"}), "--config needs a value");
  EXPECT_EQ(error_of({"inspect", "--dir", ""}), "--dir must not be empty");
  EXPECT_EQ(error_of({"inspect", "--dir", "a", "--dir", "b"}), "--dir given twice");
  EXPECT_EQ(error_of({"inspect", "--dir", "a", "--dump", "--dump"}), "--dump given twice");
}

}  // namespace
}  // namespace ks::app
