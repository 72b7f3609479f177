#include "app/offsets_args.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <map>
#include <system_error>

namespace ks::app {
namespace {

Error usage_error(std::string message) {
  return Error{std::make_error_code(std::errc::invalid_argument), std::move(message)};
}

struct Option {
  std::string_view name;
  bool takes_value;
};

constexpr std::array<Option, 10> kResetOptions{{{"--config", true},
                                                {"--group", true},
                                                {"--topic", true},
                                                {"--partition", true},
                                                {"--to-earliest", false},
                                                {"--to-latest", false},
                                                {"--to-offset", true},
                                                {"--to-timestamp", true},
                                                {"--shift-by", true},
                                                {"--dry-run", false}}};
constexpr std::array<Option, 2> kDescribeOptions{{{"--config", true}, {"--group", true}}};

constexpr std::array<std::pair<std::string_view, ResetTarget::Kind>, 5> kTargets{{
    {"--to-earliest", ResetTarget::Kind::earliest},
    {"--to-latest", ResetTarget::Kind::latest},
    {"--to-offset", ResetTarget::Kind::offset},
    {"--to-timestamp", ResetTarget::Kind::timestamp},
    {"--shift-by", ResetTarget::Kind::shift},
}};
constexpr std::string_view kTargetList =
    "--to-earliest, --to-latest, --to-offset, --to-timestamp, --shift-by";

std::optional<int64_t> parse_integer(std::string_view text) {
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Option name -> value ("" for flags), each option at most once.
using Given = std::map<std::string_view, std::string_view>;

template <size_t N>
Result<Given> collect(std::span<const std::string_view> args, std::string_view command,
                      const std::array<Option, N>& options) {
  Given given;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    const auto option = std::find_if(options.begin(), options.end(),
                                     [&](const Option& o) { return o.name == arg; });
    if (option == options.end()) {
      if (!arg.starts_with("-")) return usage_error(fmt::format("unexpected argument '{}'", arg));
      const bool known = std::any_of(kResetOptions.begin(), kResetOptions.end(),
                                     [&](const Option& o) { return o.name == arg; });
      return usage_error(known ? fmt::format("{} does not take {}", command, arg)
                               : fmt::format("unknown option '{}'", arg));
    }
    if (given.contains(arg)) return usage_error(fmt::format("{} given twice", arg));
    std::string_view value;
    if (option->takes_value) {
      // A value may start with '-' (a negative shift), but not with "--".
      if (i + 1 == args.size() || args[i + 1].starts_with("--")) {
        return usage_error(fmt::format("{} needs a value", arg));
      }
      value = args[++i];
      if (value.empty()) return usage_error(fmt::format("{} must not be empty", arg));
    }
    given[arg] = value;
  }
  return given;
}

Result<std::string> required(const Given& given, std::string_view option) {
  const auto it = given.find(option);
  if (it == given.end()) return usage_error(fmt::format("{} is required", option));
  return std::string(it->second);
}

Result<ResetTarget> reset_target(const Given& given) {
  std::optional<std::pair<std::string_view, ResetTarget::Kind>> chosen;
  for (const auto& [option, kind] : kTargets) {
    if (!given.contains(option)) continue;
    if (chosen) {
      return usage_error(fmt::format("offsets reset takes only one of {} (got {} and {})",
                                     kTargetList, chosen->first, option));
    }
    chosen.emplace(option, kind);
  }
  if (!chosen) return usage_error(fmt::format("offsets reset needs one of {}", kTargetList));
  ResetTarget target;
  target.kind = chosen->second;
  const std::string_view text = given.at(chosen->first);
  switch (target.kind) {
    case ResetTarget::Kind::earliest:
    case ResetTarget::Kind::latest:
      return target;
    case ResetTarget::Kind::offset:
    case ResetTarget::Kind::shift: {
      const auto value = parse_integer(text);
      if (!value) {
        return usage_error(fmt::format("{} needs an integer, not '{}'", chosen->first, text));
      }
      target.value = *value;
      return target;
    }
    case ResetTarget::Kind::timestamp: {
      // Negative timestamps are ListOffsets' special values (-1 latest, -2 earliest).
      const auto value = parse_integer(text);
      if (!value || *value < 0) {
        return usage_error(fmt::format(
            "--to-timestamp needs milliseconds since the epoch (0 or more), not '{}'", text));
      }
      target.value = *value;
      return target;
    }
  }
  return target;
}

Result<OffsetsArgs> parse_reset(std::span<const std::string_view> args) {
  auto given = collect(args, "offsets reset", kResetOptions);
  if (!given) return given.error();
  ResetArgs out;
  for (auto [option, into] : {std::pair{"--config", &out.config_file},
                              std::pair{"--group", &out.group}, std::pair{"--topic", &out.topic}}) {
    auto value = required(*given, option);
    if (!value) return value.error();
    *into = std::move(*value);
  }
  if (const auto it = given->find("--partition"); it != given->end()) {
    const auto partition = parse_integer(it->second);
    if (!partition || *partition < 0 || *partition > INT32_MAX) {
      return usage_error(
          fmt::format("--partition needs a partition number (0 or more), not '{}'", it->second));
    }
    out.partition = static_cast<int32_t>(*partition);
  }
  auto target = reset_target(*given);
  if (!target) return target.error();
  out.target = *target;
  out.dry_run = given->contains("--dry-run");
  return OffsetsArgs(std::move(out));
}

Result<OffsetsArgs> parse_describe(std::span<const std::string_view> args) {
  auto given = collect(args, "offsets describe", kDescribeOptions);
  if (!given) return given.error();
  DescribeArgs out;
  for (auto [option, into] :
       {std::pair{"--config", &out.config_file}, std::pair{"--group", &out.group}}) {
    auto value = required(*given, option);
    if (!value) return value.error();
    *into = std::move(*value);
  }
  return OffsetsArgs(std::move(out));
}

}  // namespace

Result<OffsetsArgs> parse_offsets_args(std::span<const std::string_view> args) {
  if (args.empty()) return usage_error("offsets needs a sub-command: reset or describe");
  if (args[0] == "reset") return parse_reset(args.subspan(1));
  if (args[0] == "describe") return parse_describe(args.subspan(1));
  return usage_error(fmt::format("unknown offsets sub-command '{}' (reset or describe)", args[0]));
}

}  // namespace ks::app
