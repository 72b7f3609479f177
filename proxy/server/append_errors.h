#pragma once
// Why an append was not made durable, and the Kafka error a client gets for
// it. All are retriable for the client: nothing it sent was acknowledged.
#include <system_error>

#include "proxy/protocol/error_code.h"

namespace ks::server {

enum class AppendError {
  buffer_full = 1,  // when_full: reject
  timed_out,        // when_full: block, and no space freed in time
  storage_failed,   // write or fsync failed: no acknowledgement after that
  no_space,         // the buffer's file system is full; nothing of it was stored
  shutting_down,
};

const std::error_category& append_category();
inline std::error_code make_error_code(AppendError e) {
  return {static_cast<int>(e), append_category()};
}

// none for success; a retriable Kafka error otherwise.
protocol::ErrorCode to_kafka_error(std::error_code result);

}  // namespace ks::server

template <>
struct std::is_error_code_enum<ks::server::AppendError> : std::true_type {};
