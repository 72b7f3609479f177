#include "app/offsets_args.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <vector>

namespace ks::app {
namespace {

Result<OffsetsArgs> parse(std::initializer_list<std::string_view> args) {
  const std::vector<std::string_view> list(args);
  return parse_offsets_args(list);
}

std::string error_of(std::initializer_list<std::string_view> args) {
  const auto parsed = parse(args);
  EXPECT_FALSE(parsed.ok());
  return parsed.ok() ? "" : parsed.error().message;
}

ResetArgs reset_of(std::initializer_list<std::string_view> args) {
  auto parsed = parse(args);
  EXPECT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_TRUE(std::holds_alternative<ResetArgs>(*parsed));
  return std::get<ResetArgs>(*parsed);
}

TEST(OffsetsArgs, ResetWithEveryOption) {
  const ResetArgs a = reset_of({"reset", "--config", "c.yaml", "--group", "g", "--topic", "orders",
                                "--partition", "2", "--to-offset", "17", "--dry-run"});
  EXPECT_EQ(a.config_file, "c.yaml");
  EXPECT_EQ(a.group, "g");
  EXPECT_EQ(a.topic, "orders");
  EXPECT_EQ(a.partition, 2);
  EXPECT_EQ(a.target.kind, ResetTarget::Kind::offset);
  EXPECT_EQ(a.target.value, 17);
  EXPECT_TRUE(a.dry_run);
}

TEST(OffsetsArgs, ResetDefaultsToEveryPartitionAndCommits) {
  const ResetArgs a =
      reset_of({"reset", "--to-earliest", "--topic", "t", "--group", "g", "--config", "c"});
  EXPECT_FALSE(a.partition.has_value());
  EXPECT_EQ(a.target.kind, ResetTarget::Kind::earliest);
  EXPECT_FALSE(a.dry_run);
}

TEST(OffsetsArgs, EachTarget) {
  const auto target = [](std::string_view option, std::string_view value) {
    std::vector<std::string_view> args{"reset", "--config", "c", "--group",
                                       "g",     "--topic",  "t", option};
    if (!value.empty()) args.push_back(value);
    auto parsed = parse_offsets_args(args);
    EXPECT_TRUE(parsed.ok()) << parsed.error().message;
    return std::get<ResetArgs>(*parsed).target;
  };
  EXPECT_EQ(target("--to-latest", "").kind, ResetTarget::Kind::latest);
  EXPECT_EQ(target("--to-timestamp", "1700000000000").kind, ResetTarget::Kind::timestamp);
  EXPECT_EQ(target("--to-timestamp", "1700000000000").value, 1700000000000);
  EXPECT_EQ(target("--shift-by", "-5").kind, ResetTarget::Kind::shift);
  EXPECT_EQ(target("--shift-by", "-5").value, -5);   // a negative value is not an option
  EXPECT_EQ(target("--to-offset", "-3").value, -3);  // clamped later, as Kafka does
}

TEST(OffsetsArgs, Describe) {
  auto parsed = parse({"describe", "--group", "g", "--config", "c.yaml"});
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  const auto& a = std::get<DescribeArgs>(*parsed);
  EXPECT_EQ(a.config_file, "c.yaml");
  EXPECT_EQ(a.group, "g");
}

TEST(OffsetsArgs, NoSubCommand) {
  EXPECT_EQ(error_of({}), "offsets needs a sub-command: reset or describe");
}

TEST(OffsetsArgs, UnknownSubCommand) {
  EXPECT_EQ(error_of({"rewind"}), "unknown offsets sub-command 'rewind' (reset or describe)");
}

TEST(OffsetsArgs, UnknownOption) {
  EXPECT_EQ(error_of({"reset", "--to-beginning"}), "unknown option '--to-beginning'");
}

TEST(OffsetsArgs, UnexpectedArgument) {
  EXPECT_EQ(error_of({"describe", "--group", "g", "extra"}), "unexpected argument 'extra'");
}

TEST(OffsetsArgs, ResetOptionGivenToDescribe) {
  EXPECT_EQ(error_of({"describe", "--group", "g", "--topic", "t"}),
            "offsets describe does not take --topic");
}

TEST(OffsetsArgs, MissingValueAtTheEnd) {
  EXPECT_EQ(error_of({"reset", "--config", "c", "--group"}), "--group needs a value");
}

TEST(OffsetsArgs, OptionInsteadOfValue) {
  EXPECT_EQ(error_of({"reset", "--group", "--topic", "t"}), "--group needs a value");
}

TEST(OffsetsArgs, EmptyValue) {
  EXPECT_EQ(error_of({"reset", "--group", ""}), "--group must not be empty");
}

TEST(OffsetsArgs, OptionTwice) {
  EXPECT_EQ(error_of({"reset", "--group", "a", "--group", "b"}), "--group given twice");
}

TEST(OffsetsArgs, MissingRequired) {
  EXPECT_EQ(error_of({"reset", "--group", "g", "--topic", "t", "--to-latest"}),
            "--config is required");
  EXPECT_EQ(error_of({"reset", "--config", "c", "--topic", "t", "--to-latest"}),
            "--group is required");
  EXPECT_EQ(error_of({"reset", "--config", "c", "--group", "g", "--to-latest"}),
            "--topic is required");
  EXPECT_EQ(error_of({"describe", "--config", "c"}), "--group is required");
}

TEST(OffsetsArgs, BadPartition) {
  const auto with_partition = [](std::string_view p) {
    return error_of({"reset", "--config", "c", "--group", "g", "--topic", "t", "--to-latest",
                     "--partition", p});
  };
  EXPECT_EQ(with_partition("x"), "--partition needs a partition number (0 or more), not 'x'");
  EXPECT_EQ(with_partition("-1"), "--partition needs a partition number (0 or more), not '-1'");
  EXPECT_EQ(with_partition("4294967296"),
            "--partition needs a partition number (0 or more), not '4294967296'");
}

TEST(OffsetsArgs, NoTarget) {
  EXPECT_EQ(error_of({"reset", "--config", "c", "--group", "g", "--topic", "t"}),
            "offsets reset needs one of --to-earliest, --to-latest, --to-offset, "
            "--to-timestamp, --shift-by");
}

TEST(OffsetsArgs, TwoTargets) {
  EXPECT_EQ(error_of({"reset", "--config", "c", "--group", "g", "--topic", "t", "--shift-by", "1",
                      "--to-earliest"}),
            "offsets reset takes only one of --to-earliest, --to-latest, --to-offset, "
            "--to-timestamp, --shift-by (got --to-earliest and --shift-by)");
}

TEST(OffsetsArgs, NonIntegerOffsetAndShift) {
  EXPECT_EQ(
      error_of({"reset", "--config", "c", "--group", "g", "--topic", "t", "--to-offset", "12x"}),
      "--to-offset needs an integer, not '12x'");
  EXPECT_EQ(
      error_of({"reset", "--config", "c", "--group", "g", "--topic", "t", "--shift-by", "+-1"}),
      "--shift-by needs an integer, not '+-1'");
}

TEST(OffsetsArgs, BadTimestamp) {
  const std::string expected =
      "--to-timestamp needs milliseconds since the epoch (0 or more), not '-1'";
  EXPECT_EQ(
      error_of({"reset", "--config", "c", "--group", "g", "--topic", "t", "--to-timestamp", "-1"}),
      expected);
  EXPECT_EQ(error_of({"reset", "--config", "c", "--group", "g", "--topic", "t", "--to-timestamp",
                      "2024-01-01"}),
            "--to-timestamp needs milliseconds since the epoch (0 or more), not '2024-01-01'");
}

}  // namespace
}  // namespace ks::app
