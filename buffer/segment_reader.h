#pragma once
// Reads the frames of one segment in order (LevelDB's log::Reader).
//
// Invalid bytes followed by a valid frame are corruption: their exact range
// goes to the Reporter and reading resumes at that frame, found by
// searching forward for the magic. Invalid bytes with no valid frame after
// them are the tail: the end of the data, reported to nobody; valid_end()
// says where it starts and the caller decides (truncate or report).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <system_error>
#include <vector>

#include "buffer/entry.h"
#include "buffer/env.h"
#include "buffer/frame.h"
#include "buffer/position.h"
#include "buffer/reporter.h"

namespace ks::buffer {

class SegmentReader {
 public:
  // Reads bytes [0, limit) of `file`, whose byte 0 is at position `base`.
  // `reporter` may be null.
  SegmentReader(std::shared_ptr<const File> file, uint64_t base, uint64_t limit,
                Reporter* reporter);

  // The next valid entry, or false at the end of the data or on an I/O
  // error (see status()). *entry points into the reader's buffer and stays
  // valid until the next call.
  bool next(Position* position, EntryView* entry);

  // Offset just past the last complete frame: where the tail begins.
  uint64_t valid_end() const { return valid_end_; }

  std::error_code status() const { return status_; }

 private:
  // Makes bytes [offset, offset + n) of the file available in buf_; false
  // if they run past the limit or the file, or on an I/O error.
  bool load(uint64_t offset, size_t n);
  const std::byte* data(uint64_t offset) const;
  // Checks the frame at `offset`; *frame_end is set once its length is known.
  FrameCheck check_at(uint64_t offset, EntryView* view, uint64_t* frame_end);
  // Finds the first frame at or after `from` whose CRC holds.
  bool resync(uint64_t from, uint64_t* found);
  void report(uint64_t begin, uint64_t end, FrameCheck why);

  std::shared_ptr<const File> file_;
  const uint64_t base_;
  const uint64_t limit_;
  Reporter* const reporter_;

  uint64_t offset_ = 0;     // next frame to check
  uint64_t valid_end_ = 0;  // past the last complete frame
  std::error_code status_;

  std::vector<std::byte> buf_;
  uint64_t buf_offset_ = 0;  // file offset of buf_[0]
  size_t buf_len_ = 0;       // bytes of buf_ holding file data
};

}  // namespace ks::buffer
