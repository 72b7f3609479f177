#include "proxy/server/consumer_renames.h"

#include "common/log.h"

namespace ks::server {

protocol::Bytes ConsumerRenames::subscription(std::string_view group, protocol::Bytes in,
                                              const protocol::consumer::Rename& rename) {
  if (in.empty()) return in;  // nothing to name
  auto renamed = protocol::consumer::rename_subscription(in, rename);
  if (!renamed) {
    log::debug("group.metadata_kept", "group={} reason=\"not a consumer subscription we know\"",
               log::quote(group));
    return in;
  }
  return keep(std::move(*renamed));
}

protocol::Bytes ConsumerRenames::assignment(std::string_view group, protocol::Bytes in,
                                            const protocol::consumer::Rename& rename) {
  if (in.empty()) return in;  // a member without partitions, or a follower's SyncGroup
  auto renamed = protocol::consumer::rename_assignment(in, rename);
  if (!renamed) {
    log::debug("group.assignment_kept", "group={} reason=\"not a consumer assignment we know\"",
               log::quote(group));
    return in;
  }
  return keep(std::move(*renamed));
}

protocol::Bytes ConsumerRenames::keep(std::vector<std::byte> bytes) {
  // The vector's heap buffer stays put when kept_ grows: views stay valid.
  kept_.push_back(std::move(bytes));
  return kept_.back();
}

}  // namespace ks::server
