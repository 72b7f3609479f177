#pragma once
// The two `kafka-sidecar offsets` sub-commands, as coroutines on the
// offsets command's io_context. Each prints its table and returns the exit
// code: 0 done, 1 failed or refused. The admin API resets through
// reset_group_offsets, which reports instead of printing.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/offsets_args.h"
#include "app/offsets_group_admin.h"
#include "config/config.h"
#include "proxy/asio.h"

namespace ks::app {

// The group's cluster (config `groups`) and the config's topic names.
struct OffsetsContext {
  const config::Config& config;
  GroupAdmin& admin;
};

// What `offsets reset` did (or, with dry_run, would do), partition by partition.
struct ResetOutcome {
  struct Row {
    std::string topic;  // the app's name
    int32_t partition = 0;
    std::optional<int64_t> old_offset;  // none: nothing committed yet
    int64_t new_offset = 0;
  };
  std::vector<Row> rows;
  bool committed = false;  // false for a dry run
  // The cluster has no DescribeGroups: whether the group has members shows
  // only when committing (so a dry run cannot tell).
  bool members_unknown = false;
};

// Moves the group's offsets per `args` (args.config_file is not read).
// Errors: std::errc::operation_not_permitted while the group has active
// members, std::errc::invalid_argument for a topic or partition that does
// not exist or a shift out of range, others for the cluster failing.
awaitable<Result<ResetOutcome>> reset_group_offsets(OffsetsContext context, ResetArgs args);

awaitable<int> reset_offsets(OffsetsContext context, ResetArgs args);
awaitable<int> describe_offsets(OffsetsContext context, DescribeArgs args);

// Prints "kafka-sidecar offsets: <message>" on stderr; returns exit code 1.
int offsets_failed(std::string_view message);

}  // namespace ks::app
