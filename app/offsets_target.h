#pragma once
// Where `offsets reset` moves one partition, decided the way Kafka's
// kafka-consumer-groups --reset-offsets decides (ConsumerGroupCommand):
//   earliest / latest   the log start / end offset;
//   offset N            N clamped into [log start, log end];
//   timestamp MS        the first offset whose record is at or after MS; the
//                       log end when there is none (MS past the last record);
//   shift N             committed + N, clamped; a partition without a
//                       committed offset is an error, and nothing is reset.
#include <cstdint>
#include <optional>

#include "app/offsets_args.h"
#include "common/result.h"

namespace ks::app {

// What the cluster says about one partition, as far as the target needs it.
struct PartitionOffsets {
  int64_t log_start = 0;
  int64_t log_end = 0;
  std::optional<int64_t> committed;     // the group's; none: never committed
  std::optional<int64_t> at_timestamp;  // ListOffsets by timestamp; none: no such record
};

// The partition's new committed offset. The error (shift without a
// committed offset) says why; the caller names the partition.
Result<int64_t> new_offset(const ResetTarget& target, const PartitionOffsets& partition);

}  // namespace ks::app
