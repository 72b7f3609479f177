#pragma once
// Kafka API keys (https://kafka.apache.org/protocol#protocol_api_keys).
#include <cstdint>
#include <string_view>

namespace ks::protocol {

enum class ApiKey : int16_t {
  produce = 0,
  fetch = 1,
  list_offsets = 2,
  metadata = 3,
  offset_commit = 8,
  offset_fetch = 9,
  find_coordinator = 10,
  join_group = 11,
  heartbeat = 12,
  leave_group = 13,
  sync_group = 14,
  describe_groups = 15,
  list_groups = 16,
  sasl_handshake = 17,
  api_versions = 18,
  create_topics = 19,
  delete_topics = 20,
  delete_records = 21,
  init_producer_id = 22,
  offset_for_leader_epoch = 23,
  add_partitions_to_txn = 24,
  add_offsets_to_txn = 25,
  end_txn = 26,
  txn_offset_commit = 28,
  describe_configs = 32,
  sasl_authenticate = 36,
  delete_groups = 42,
  describe_producers = 61,
};

// A stable lowercase name for logs and metric labels; "unknown" otherwise.
std::string_view name(ApiKey key);

}  // namespace ks::protocol
