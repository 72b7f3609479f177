#pragma once
// Why an append was not made durable, and the Kafka error a client gets for
// it. All but too_large are retriable for the client: nothing it sent was
// acknowledged.
#include <system_error>

#include "proxy/protocol/error_code.h"

namespace ks::server {

enum class AppendError {
  buffer_full = 1,  // when_full: reject
  timed_out,        // when_full: block, and no space freed in time
  storage_failed,   // write or fsync failed: no acknowledgement after that
  no_space,         // the buffer's file system is full; nothing of it was stored
  shutting_down,
  too_large,  // larger than half of buffer.max_bytes: it could never be stored
};

const std::error_category& append_category();
inline std::error_code make_error_code(AppendError e) {
  return {static_cast<int>(e), append_category()};
}

// none for success; otherwise the Kafka error, retriable but for too_large.
protocol::ErrorCode to_kafka_error(std::error_code result);

}  // namespace ks::server

template <>
struct std::is_error_code_enum<ks::server::AppendError> : std::true_type {};
