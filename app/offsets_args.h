#pragma once
// The command line of `kafka-sidecar offsets ...`, parsed without touching
// the network or the config file, so every usage error is caught (and
// tested) before anything is sent.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "common/result.h"

namespace ks::app {

// Where `offsets reset` moves a group's committed offsets.
struct ResetTarget {
  enum class Kind { earliest, latest, offset, timestamp, shift };
  Kind kind = Kind::earliest;
  int64_t value = 0;  // the offset, the timestamp (ms) or the shift
};

struct ResetArgs {
  std::string config_file;
  std::string group;
  std::string topic;                 // the app's name for it
  std::optional<int32_t> partition;  // none: every partition of the topic
  ResetTarget target;
  bool dry_run = false;
};

struct DescribeArgs {
  std::string config_file;
  std::string group;
};

using OffsetsArgs = std::variant<ResetArgs, DescribeArgs>;

// `args` starts after "offsets". The error's message is one line for the
// user (the caller adds the usage text).
Result<OffsetsArgs> parse_offsets_args(std::span<const std::string_view> args);

}  // namespace ks::app
