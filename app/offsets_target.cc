#include "app/offsets_target.h"

#include <algorithm>
#include <limits>
#include <system_error>

namespace ks::app {
namespace {

int64_t clamp_into_log(int64_t offset, const PartitionOffsets& partition) {
  return std::clamp(offset, partition.log_start, std::max(partition.log_start, partition.log_end));
}

// committed + shift without overflow: a huge shift still lands on a log edge.
int64_t saturating_add(int64_t a, int64_t b) {
  int64_t sum = 0;
  if (!__builtin_add_overflow(a, b, &sum)) return sum;
  return b > 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
}

}  // namespace

Result<int64_t> new_offset(const ResetTarget& target, const PartitionOffsets& partition) {
  switch (target.kind) {
    case ResetTarget::Kind::earliest:
      return partition.log_start;
    case ResetTarget::Kind::latest:
      return partition.log_end;
    case ResetTarget::Kind::offset:
      return clamp_into_log(target.value, partition);
    case ResetTarget::Kind::timestamp:
      return partition.at_timestamp.value_or(partition.log_end);
    case ResetTarget::Kind::shift:
      if (!partition.committed) {
        return Error{std::make_error_code(std::errc::invalid_argument),
                     "no committed offset to shift from"};
      }
      return clamp_into_log(saturating_add(*partition.committed, target.value), partition);
  }
  return partition.log_end;
}

}  // namespace ks::app
