#include "buffer/log_scanner.h"

#include <utility>

namespace ks::buffer {

void LogScanner::FromFilter::corruption(Range dropped, std::string_view reason) {
  if (next_ != nullptr && dropped.end > from_) next_->corruption(dropped, reason);
}

LogScanner::LogScanner(std::vector<SegmentSnapshot> segments, Position from, Reporter* reporter)
    : segments_(std::move(segments)),
      from_(from),
      filter_(std::make_unique<FromFilter>(from, reporter)) {}

bool LogScanner::next() {
  for (;;) {
    if (reader_ == nullptr && !open_next_segment()) return false;
    while (reader_->next(&position_, &entry_)) {
      if (position_ >= from_) return true;
    }
    status_ = reader_->status();
    if (status_) return false;
    // Snapshots end at a frame boundary (the last one at the log's end), so
    // invalid bytes at the end of a segment here are lost data.
    const SegmentSnapshot& done = segments_[next_segment_ - 1];
    if (reader_->valid_end() < done.size) {
      filter_->corruption(
          Range{Position{done.base + reader_->valid_end()}, Position{done.base + done.size}},
          kInvalidSegmentEnd);
    }
    reader_.reset();
  }
}

bool LogScanner::open_next_segment() {
  if (next_segment_ == segments_.size()) return false;
  const SegmentSnapshot& segment = segments_[next_segment_];
  if (next_segment_ > 0) {
    const SegmentSnapshot& prev = segments_[next_segment_ - 1];
    if (prev.base + prev.size < segment.base) {
      filter_->corruption(Range{Position{prev.base + prev.size}, Position{segment.base}},
                          kMissingSegment);
    }
  }
  reader_ =
      std::make_unique<SegmentReader>(segment.file, segment.base, segment.size, filter_.get());
  ++next_segment_;
  return true;
}

}  // namespace ks::buffer
