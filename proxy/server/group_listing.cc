#include "proxy/server/group_listing.h"

#include <algorithm>

namespace ks::server {

using protocol::ErrorCode;

void GroupListing::add(const protocol::ListGroupsResponse& response) {
  merged_.throttle_time_ms = std::max(merged_.throttle_time_ms, response.throttle_time_ms);
  note(static_cast<ErrorCode>(response.error_code));
  for (const auto& group : response.groups) {
    if (listed_.insert(group.group_id).second) merged_.groups.push_back(group);
  }
}

void GroupListing::fail(ErrorCode error) {
  note(error);
}

void GroupListing::note(ErrorCode error) {
  if (merged_.error_code == protocol::to_int(ErrorCode::none))
    merged_.error_code = protocol::to_int(error);
}

}  // namespace ks::server
