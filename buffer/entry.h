#pragma once
// What the log stores: one client record batch with where it goes. The
// batch bytes are the client's Kafka record batch, kept verbatim.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ks::buffer {

// Owns its bytes: what is handed to the appender and returned by reads.
struct Entry {
  int64_t append_time_ms = 0;
  std::string topic;
  int32_t partition = 0;
  int32_t record_count = 0;
  std::vector<std::byte> batch;  // Kafka record batch bytes, verbatim

  friend bool operator==(const Entry&, const Entry&) = default;
};

// Points into a reader's buffer; valid until the reader moves on.
struct EntryView {
  int64_t append_time_ms = 0;
  std::string_view topic;
  int32_t partition = 0;
  int32_t record_count = 0;
  std::span<const std::byte> batch;

  Entry to_entry() const {
    return Entry{append_time_ms, std::string(topic), partition, record_count,
                 std::vector<std::byte>(batch.begin(), batch.end())};
  }
};

}  // namespace ks::buffer
