#pragma once
// Appends frames to one segment file. It only writes: when to sync and when
// to start a new segment are the caller's decisions (LevelDB's log::Writer).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <system_error>
#include <vector>

#include "buffer/entry.h"
#include "buffer/env.h"

namespace ks::buffer {

class SegmentWriter {
 public:
  // `file` is open for appending and already holds `size` bytes of frames.
  SegmentWriter(std::shared_ptr<File> file, uint64_t size);

  // Writes one frame per entry with one gathered write; the batch bytes go
  // out straight from the entries. On success (*offsets)[i] is where
  // entries[i]'s frame starts. Entries must pass validate(). After an error
  // a prefix of the frames may be in the file and size() is unchanged: stop
  // writing (recovery truncates it), or truncate the file back to size()
  // and go on.
  std::error_code append(std::span<const Entry> entries, std::vector<uint64_t>* offsets);

  uint64_t size() const { return size_; }

 private:
  std::shared_ptr<File> file_;
  uint64_t size_;
  // Reused between calls to save allocations on the hot path.
  std::vector<std::byte> prefixes_;
  std::vector<size_t> prefix_ends_;
  std::vector<std::span<const std::byte>> pieces_;
};

}  // namespace ks::buffer
