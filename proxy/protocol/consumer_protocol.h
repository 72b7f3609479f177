#pragma once
// The "consumer" protocol that Kafka consumers carry inside the group APIs:
// a member's subscription (JoinGroup's protocol metadata) and its
// assignment (SyncGroup's). The broker never reads them; the sidecar does,
// only to put topics under their upstream names and back, as these bytes
// name topics. Encoding is classic (never flexible), version first:
// ConsumerProtocolSubscription.json and ConsumerProtocolAssignment.json in
// apache/kafka's clients/src/main/resources/common/message.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "proxy/protocol/wire.h"

namespace ks::protocol::consumer {

// The newest version we can re-encode without losing a field; a newer one
// is left as it is.
inline constexpr int16_t kMaxSubscriptionVersion = 3;
inline constexpr int16_t kMaxAssignmentVersion = 3;

struct TopicPartitions {
  std::string topic;
  std::vector<int32_t> partitions;
  bool operator==(const TopicPartitions&) const = default;
};

// Views (user_data) point into the decoded bytes.
struct Subscription {
  int16_t version = 0;
  std::vector<std::string> topics;
  std::optional<Bytes> user_data;
  std::vector<TopicPartitions> owned_partitions;  // v1+
  int32_t generation_id = -1;                     // v2+
  std::optional<std::string> rack_id;             // v3+
};

struct Assignment {
  int16_t version = 0;
  std::vector<TopicPartitions> assigned_partitions;
  std::optional<Bytes> user_data;
};

// nullopt for a version above the newest we know, or bytes that are not
// exactly one such message.
std::optional<Subscription> decode_subscription(Bytes bytes);
std::optional<Assignment> decode_assignment(Bytes bytes);
std::vector<std::byte> encode(const Subscription& subscription);
std::vector<std::byte> encode(const Assignment& assignment);

using Rename = std::function<std::string(const std::string& topic)>;

// The message with every topic name passed through `rename`, or nullopt
// when the bytes do not decode (they are then the client's business, to
// pass on unchanged).
std::optional<std::vector<std::byte>> rename_subscription(Bytes bytes, const Rename& rename);
std::optional<std::vector<std::byte>> rename_assignment(Bytes bytes, const Rename& rename);

}  // namespace ks::protocol::consumer
