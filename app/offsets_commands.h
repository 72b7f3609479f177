#pragma once
// The two `kafka-sidecar offsets` sub-commands, as coroutines on the
// offsets command's io_context. Each prints its table and returns the exit
// code: 0 done, 1 failed or refused.
#include <string_view>

#include "app/offsets_args.h"
#include "app/offsets_group_admin.h"
#include "config/config.h"
#include "proxy/asio.h"

namespace ks::app {

// The groups' cluster (the config's first) and the config's topic names.
struct OffsetsContext {
  const config::Config& config;
  GroupAdmin& admin;
};

awaitable<int> reset_offsets(OffsetsContext context, ResetArgs args);
awaitable<int> describe_offsets(OffsetsContext context, DescribeArgs args);

// Prints "kafka-sidecar offsets: <message>" on stderr; returns exit code 1.
int offsets_failed(std::string_view message);

}  // namespace ks::app
