#pragma once
// One ListGroups answer from the answers of every broker of a cluster: a
// Kafka broker lists only the groups it coordinates, and the client, which
// sees only the sidecar, asks one broker.
#include <set>
#include <string>

#include "proxy/protocol/error_code.h"
#include "proxy/protocol/messages.h"

namespace ks::server {

class GroupListing {
 public:
  // One broker's answer. A group listed by two brokers (its coordinator
  // moving) is listed once, as the first broker added has it.
  void add(const protocol::ListGroupsResponse& response);

  // A broker that gave no answer: the listing is incomplete.
  void fail(protocol::ErrorCode error);

  // Every group listed; the error is the first error a broker answered or
  // failed with, so a client can tell an incomplete list from a whole one.
  const protocol::ListGroupsResponse& merged() const { return merged_; }

 private:
  void note(protocol::ErrorCode error);

  protocol::ListGroupsResponse merged_;
  std::set<std::string> listed_;
};

}  // namespace ks::server
