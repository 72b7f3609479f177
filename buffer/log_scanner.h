#pragma once
// Sequential reading of the log from a position to the end it had when the
// scan began; used to rebuild the forwarder's index at start.
#include <cstdint>
#include <memory>
#include <system_error>
#include <vector>

#include "buffer/entry.h"
#include "buffer/env.h"
#include "buffer/position.h"
#include "buffer/reporter.h"
#include "buffer/segment_reader.h"

namespace ks::buffer {

// One segment as the scan sees it; holding the file keeps it readable after
// the log deletes it.
struct SegmentSnapshot {
  uint64_t base = 0;
  std::shared_ptr<const File> file;
  uint64_t size = 0;
};

class LogScanner {
 public:
  // Made by Log::scan(). Segments in order; `reporter` may be null.
  LogScanner(std::vector<SegmentSnapshot> segments, Position from, Reporter* reporter);

  // Moves to the next entry at or after `from`; false at the end or on an
  // I/O error (see status()).
  bool next();

  Position position() const { return position_; }
  // Valid until the next call to next().
  const EntryView& entry() const { return entry_; }
  std::error_code status() const { return status_; }

 private:
  // Passes on only what lies at or after `from`: the scan starts at the
  // beginning of from's segment but the caller asked about later data.
  class FromFilter final : public Reporter {
   public:
    FromFilter(Position from, Reporter* next) : from_(from), next_(next) {}
    void corruption(Range dropped, std::string_view reason) override;

   private:
    Position from_;
    Reporter* next_;
  };

  bool open_next_segment();

  std::vector<SegmentSnapshot> segments_;
  size_t next_segment_ = 0;
  Position from_;
  std::unique_ptr<FromFilter> filter_;  // on the heap: readers keep its address
  std::unique_ptr<SegmentReader> reader_;
  Position position_;
  EntryView entry_;
  std::error_code status_;
};

}  // namespace ks::buffer
