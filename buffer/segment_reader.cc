#include "buffer/segment_reader.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "buffer/coding.h"
#include "buffer/format.h"

namespace ks::buffer {
namespace {

// Read-ahead: one read covers many small frames.
constexpr size_t kBlockSize = 64 * 1024;

}  // namespace

SegmentReader::SegmentReader(std::shared_ptr<const File> file, uint64_t base, uint64_t limit,
                             Reporter* reporter)
    : file_(std::move(file)), base_(base), limit_(limit), reporter_(reporter) {}

bool SegmentReader::next(Position* position, EntryView* entry) {
  while (offset_ < limit_) {
    uint64_t frame_end = 0;
    const FrameCheck check = check_at(offset_, entry, &frame_end);
    if (status_) return false;
    if (check == FrameCheck::ok) {
      *position = Position{base_ + offset_};
      offset_ = valid_end_ = frame_end;
      return true;
    }
    if (check == FrameCheck::unknown_type || check == FrameCheck::bad_payload) {
      // The CRC held, so the length is right: skip exactly this frame.
      report(offset_, frame_end, check);
      offset_ = valid_end_ = frame_end;
      continue;
    }
    uint64_t found = 0;
    if (!resync(offset_ + 1, &found)) break;  // nothing valid follows: the tail
    report(offset_, found, check);
    offset_ = found;
  }
  offset_ = limit_;
  return false;
}

bool SegmentReader::load(uint64_t offset, size_t n) {
  if (offset >= buf_offset_ && offset + n <= buf_offset_ + buf_len_) return true;
  if (offset > limit_ || n > limit_ - offset) return false;
  // Keep what is already buffered from `offset` on, read the rest.
  size_t keep = 0;
  if (offset >= buf_offset_ && offset < buf_offset_ + buf_len_) {
    keep = static_cast<size_t>(buf_offset_ + buf_len_ - offset);
    std::memmove(buf_.data(), buf_.data() + (offset - buf_offset_), keep);
  }
  const size_t want =
      static_cast<size_t>(std::min<uint64_t>(std::max(n, kBlockSize), limit_ - offset));
  if (buf_.size() < want) buf_.resize(want);
  size_t got = 0;
  status_ = file_->read_at(offset + keep, std::span(buf_).subspan(keep, want - keep), &got);
  buf_offset_ = offset;
  buf_len_ = status_ ? 0 : keep + got;
  return buf_len_ >= n;
}

const std::byte* SegmentReader::data(uint64_t offset) const {
  return buf_.data() + (offset - buf_offset_);
}

FrameCheck SegmentReader::check_at(uint64_t offset, EntryView* view, uint64_t* frame_end) {
  if (!load(offset, format::kHeaderSize)) return FrameCheck::truncated;
  const FrameHeader header = decode_header(
      std::span<const std::byte, format::kHeaderSize>(data(offset), format::kHeaderSize));
  if (const FrameCheck check = check_header(header); check != FrameCheck::ok) return check;
  const size_t total = format::kHeaderSize + header.length;
  if (!load(offset, total)) return FrameCheck::truncated;
  *frame_end = offset + total;
  return check_payload(header, std::span(data(offset) + format::kHeaderSize, header.length), view);
}

bool SegmentReader::resync(uint64_t from, uint64_t* found) {
  std::byte magic[4];
  std::memcpy(magic, &format::kMagic, sizeof magic);
  uint64_t at = from;
  while (at < limit_ && limit_ - at >= format::kHeaderSize) {
    const size_t window = static_cast<size_t>(std::min<uint64_t>(kBlockSize, limit_ - at));
    if (!load(at, window)) return false;
    const std::byte* begin = data(at);
    const std::byte* hit = std::search(begin, begin + window, magic, magic + sizeof magic);
    if (hit == begin + window) {
      at += window - (sizeof magic - 1);  // a magic may straddle the window's end
      continue;
    }
    const uint64_t candidate = at + static_cast<uint64_t>(hit - begin);
    EntryView view;
    uint64_t frame_end = 0;
    const FrameCheck check = check_at(candidate, &view, &frame_end);
    if (status_) return false;
    if (check == FrameCheck::ok || check == FrameCheck::unknown_type ||
        check == FrameCheck::bad_payload) {
      *found = candidate;  // its CRC holds: a real frame boundary
      return true;
    }
    at = candidate + 1;
  }
  return false;
}

void SegmentReader::report(uint64_t begin, uint64_t end, FrameCheck why) {
  if (reporter_ != nullptr) {
    reporter_->corruption(Range{Position{base_ + begin}, Position{base_ + end}}, describe(why));
  }
}

}  // namespace ks::buffer
