#include "proxy/server/append_errors.h"

#include <string>

namespace ks::server {
namespace {

class Category : public std::error_category {
 public:
  const char* name() const noexcept override { return "append"; }
  std::string message(int value) const override {
    switch (static_cast<AppendError>(value)) {
      case AppendError::buffer_full:
        return "buffer full";
      case AppendError::timed_out:
        return "timed out waiting for buffer space";
      case AppendError::storage_failed:
        return "buffer storage failed";
      case AppendError::shutting_down:
        return "sidecar shutting down";
      case AppendError::no_space:
        return "no space left on the buffer's disk";
      case AppendError::too_large:
        return "batch larger than half of buffer.max_bytes";
    }
    return "unknown append error";
  }
};

}  // namespace

const std::error_category& append_category() {
  static const Category category;
  return category;
}

protocol::ErrorCode to_kafka_error(std::error_code result) {
  using protocol::ErrorCode;
  if (!result) return ErrorCode::none;
  if (result == AppendError::buffer_full) return ErrorCode::not_enough_replicas;
  if (result == AppendError::timed_out) return ErrorCode::request_timed_out;
  if (result == AppendError::shutting_down) return ErrorCode::not_leader_or_follower;
  // What a broker answers for a disk problem; clients retry it (librdkafka
  // and the Java client after a metadata refresh, which we answer).
  if (result == AppendError::no_space) return ErrorCode::kafka_storage_error;
  // A broker's answer to a batch over its segment size: final, so the
  // client fails those records instead of retrying them until they expire.
  if (result == AppendError::too_large) return ErrorCode::record_list_too_large;
  return ErrorCode::kafka_storage_error;
}

}  // namespace ks::server
