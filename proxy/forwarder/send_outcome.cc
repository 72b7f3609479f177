#include "proxy/forwarder/send_outcome.h"

namespace ks::forwarder {

using protocol::ErrorCode;

Next next_after(ErrorCode error) {
  switch (error) {
    case ErrorCode::none:
    // The broker already has this exact batch (its duplicate window).
    case ErrorCode::duplicate_sequence_number:
      return Next::acknowledged;
    case ErrorCode::not_leader_or_follower:
    case ErrorCode::leader_not_available:
    case ErrorCode::unknown_topic_or_partition:
    case ErrorCode::fenced_leader_epoch:
    case ErrorCode::unknown_leader_epoch:
    case ErrorCode::kafka_storage_error:
      return Next::refresh_and_retry;
    // A timeout on the broker side may still have stored it.
    case ErrorCode::request_timed_out:
    case ErrorCode::network_exception:
    case ErrorCode::out_of_order_sequence_number:
      return Next::reconcile;
    case ErrorCode::unknown_producer_id:
    case ErrorCode::invalid_producer_epoch:
    case ErrorCode::invalid_producer_id_mapping:
    case ErrorCode::producer_fenced:
      return Next::new_producer;
    case ErrorCode::message_too_large:
    case ErrorCode::record_list_too_large:
    case ErrorCode::invalid_record:
    case ErrorCode::corrupt_message:
    case ErrorCode::invalid_timestamp:
    case ErrorCode::topic_authorization_failed:
    case ErrorCode::cluster_authorization_failed:
    case ErrorCode::invalid_topic_exception:
    case ErrorCode::unsupported_for_message_format:
    case ErrorCode::invalid_required_acks:
      return Next::dead_letter;
    default:
      return protocol::is_retriable(error) ? Next::retry : Next::dead_letter;
  }
}

}  // namespace ks::forwarder
