#pragma once
// The command line of `kafka-sidecar buffer inspect`, parsed before any
// file is read so every usage error is caught (and tested) first.
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"

namespace ks::app {

struct BufferInspectArgs {
  // Exactly one of them: every cluster of the config, or one cluster's
  // buffer directory.
  std::string config_file;
  std::string dir;
  bool dump = false;  // a line per entry besides the summary
};

// `args` starts after "buffer". The error's message is one line for the
// user (the caller adds the usage text).
Result<BufferInspectArgs> parse_buffer_args(std::span<const std::string_view> args);

}  // namespace ks::app
