#include "proxy/protocol/api_key.h"

namespace ks::protocol {

std::string_view name(ApiKey key) {
  switch (key) {
    case ApiKey::produce:
      return "produce";
    case ApiKey::fetch:
      return "fetch";
    case ApiKey::list_offsets:
      return "list_offsets";
    case ApiKey::metadata:
      return "metadata";
    case ApiKey::offset_commit:
      return "offset_commit";
    case ApiKey::offset_fetch:
      return "offset_fetch";
    case ApiKey::find_coordinator:
      return "find_coordinator";
    case ApiKey::join_group:
      return "join_group";
    case ApiKey::heartbeat:
      return "heartbeat";
    case ApiKey::leave_group:
      return "leave_group";
    case ApiKey::sync_group:
      return "sync_group";
    case ApiKey::describe_groups:
      return "describe_groups";
    case ApiKey::list_groups:
      return "list_groups";
    case ApiKey::sasl_handshake:
      return "sasl_handshake";
    case ApiKey::api_versions:
      return "api_versions";
    case ApiKey::create_topics:
      return "create_topics";
    case ApiKey::delete_topics:
      return "delete_topics";
    case ApiKey::delete_records:
      return "delete_records";
    case ApiKey::init_producer_id:
      return "init_producer_id";
    case ApiKey::offset_for_leader_epoch:
      return "offset_for_leader_epoch";
    case ApiKey::add_partitions_to_txn:
      return "add_partitions_to_txn";
    case ApiKey::add_offsets_to_txn:
      return "add_offsets_to_txn";
    case ApiKey::end_txn:
      return "end_txn";
    case ApiKey::txn_offset_commit:
      return "txn_offset_commit";
    case ApiKey::describe_configs:
      return "describe_configs";
    case ApiKey::sasl_authenticate:
      return "sasl_authenticate";
    case ApiKey::delete_groups:
      return "delete_groups";
    case ApiKey::describe_producers:
      return "describe_producers";
  }
  return "unknown";
}

}  // namespace ks::protocol
