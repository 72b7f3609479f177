#pragma once
// Topic names inside the consumer protocol's bytes (JoinGroup metadata,
// SyncGroup and DescribeGroups assignments), put under the other side's
// names. What is not the consumer protocol, or not a version of it we know,
// passes as it is: it is the client's business.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/protocol/consumer_protocol.h"

namespace ks::server {

// The protocol_type of groups of Kafka consumers.
inline constexpr std::string_view kConsumerProtocol = "consumer";

// One request's rewritten bytes. The returned views point into this object
// (or are the input): keep it until the message holding them is encoded.
class ConsumerRenames {
 public:
  // `group` is for the log.
  protocol::Bytes subscription(std::string_view group, protocol::Bytes in,
                               const protocol::consumer::Rename& rename);
  protocol::Bytes assignment(std::string_view group, protocol::Bytes in,
                             const protocol::consumer::Rename& rename);

 private:
  protocol::Bytes keep(std::vector<std::byte> bytes);

  std::vector<std::vector<std::byte>> kept_;
};

}  // namespace ks::server
