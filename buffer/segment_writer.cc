#include "buffer/segment_writer.h"

#include <utility>

#include "buffer/frame.h"

namespace ks::buffer {

SegmentWriter::SegmentWriter(std::shared_ptr<File> file, uint64_t size)
    : file_(std::move(file)), size_(size) {}

std::error_code SegmentWriter::append(std::span<const Entry> entries,
                                      std::vector<uint64_t>* offsets) {
  prefixes_.clear();
  prefix_ends_.clear();
  for (const Entry& entry : entries) {
    encode_frame_prefix(entry, &prefixes_);
    prefix_ends_.push_back(prefixes_.size());
  }
  // Spans are taken only now: prefixes_ may have moved while growing.
  pieces_.clear();
  size_t prefix_start = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    pieces_.push_back(std::span(prefixes_).subspan(prefix_start, prefix_ends_[i] - prefix_start));
    pieces_.push_back(entries[i].batch);
    prefix_start = prefix_ends_[i];
  }
  if (const auto ec = file_->append(pieces_)) return ec;

  offsets->clear();
  for (const Entry& entry : entries) {
    offsets->push_back(size_);
    size_ += frame_size(entry);
  }
  return {};
}

}  // namespace ks::buffer
