#pragma once
// The buffer's own error conditions. I/O failures are reported as the
// system's error codes (std::system_category), these cover the rest.
#include <system_error>

namespace ks::buffer {

enum class errc {
  corruption = 1,       // a frame or the checkpoint failed its checks
  not_found,            // no checkpoint file (a fresh start), or no log to read
  unsupported_version,  // checkpoint written by a newer format version
  position_released,    // below the log's begin: released or dropped
  position_beyond_end,  // at or past the log's end
  too_large,            // the entry can never fit (kMaxPayload or max_bytes / 2)
  buffer_full,          // WhenFull::reject and no space
  timeout,              // WhenFull::block and the deadline passed first
  closed,               // the appender is closed
  nothing_to_drop,      // only the segment being written is left
  read_only,            // the log was opened read_only
  no_space,             // the file system is full (ENOSPC, EDQUOT); the append was undone
};

const std::error_category& error_category();

// ENOSPC or EDQUOT: the file system (or the quota) is full.
bool is_no_space(std::error_code ec);

inline std::error_code make_error_code(errc e) {
  return {static_cast<int>(e), error_category()};
}

}  // namespace ks::buffer

template <>
struct std::is_error_code_enum<ks::buffer::errc> : std::true_type {};
