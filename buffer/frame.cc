#include "buffer/frame.h"

#include <limits>

#include "buffer/coding.h"
#include "buffer/errc.h"
#include "common/crc32c.h"

namespace ks::buffer {
namespace {

// Entry or EntryView.
template <typename E>
uint64_t payload_size(const E& entry) {
  return format::kBatchFixedSize + entry.topic.size() + entry.batch.size();
}

}  // namespace

uint64_t frame_size(const Entry& entry) {
  return format::kHeaderSize + payload_size(entry);
}

uint64_t frame_size(const EntryView& entry) {
  return format::kHeaderSize + payload_size(entry);
}

std::error_code validate(const Entry& entry) {
  if (entry.topic.size() > std::numeric_limits<uint16_t>::max()) {
    return std::make_error_code(std::errc::invalid_argument);
  }
  if (payload_size(entry) > format::kMaxPayload) return errc::too_large;
  return {};
}

void encode_frame_prefix(const Entry& entry, std::vector<std::byte>* out) {
  const size_t start = out->size();
  put_fixed(out, format::kMagic);
  put_fixed(out, static_cast<uint32_t>(payload_size(entry)));
  put_fixed(out, uint32_t{0});  // crc, filled in below
  const size_t typed = out->size();
  put_fixed(out, static_cast<uint8_t>(format::FrameType::batch));
  put_fixed(out, entry.append_time_ms);
  put_fixed(out, static_cast<uint16_t>(entry.topic.size()));
  const auto topic = std::as_bytes(std::span(entry.topic));
  out->insert(out->end(), topic.begin(), topic.end());
  put_fixed(out, entry.partition);
  put_fixed(out, entry.record_count);

  const uint32_t crc = crc32c_extend(crc32c(std::span(*out).subspan(typed)), entry.batch);
  const uint32_t masked = format::mask_crc(crc);
  std::memcpy(out->data() + start + 8, &masked, sizeof masked);
}

FrameHeader decode_header(std::span<const std::byte, format::kHeaderSize> bytes) {
  return FrameHeader{get_fixed<uint32_t>(bytes.data()), get_fixed<uint32_t>(bytes.data() + 4),
                     get_fixed<uint32_t>(bytes.data() + 8), get_fixed<uint8_t>(bytes.data() + 12)};
}

std::string_view describe(FrameCheck check) {
  switch (check) {
    case FrameCheck::ok:
      return "ok";
    case FrameCheck::bad_magic:
      return "bad magic";
    case FrameCheck::bad_length:
      return "bad length";
    case FrameCheck::truncated:
      return "truncated frame";
    case FrameCheck::bad_checksum:
      return "checksum mismatch";
    case FrameCheck::unknown_type:
      return "unknown frame type";
    case FrameCheck::bad_payload:
      return "unparsable payload";
  }
  return "?";
}

FrameCheck check_header(const FrameHeader& header) {
  if (header.magic != format::kMagic) return FrameCheck::bad_magic;
  if (header.length > format::kMaxPayload) return FrameCheck::bad_length;
  return FrameCheck::ok;
}

FrameCheck check_payload(const FrameHeader& header, std::span<const std::byte> payload,
                         EntryView* view) {
  const std::byte type{header.type};
  const uint32_t crc = crc32c_extend(crc32c(std::span(&type, 1)), payload);
  if (crc != format::unmask_crc(header.masked_crc)) return FrameCheck::bad_checksum;
  if (header.type != static_cast<uint8_t>(format::FrameType::batch)) {
    return FrameCheck::unknown_type;
  }
  Decoder in(payload);
  uint16_t topic_length = 0;
  std::span<const std::byte> topic;
  if (!in.read(&view->append_time_ms) || !in.read(&topic_length) ||
      !in.read_bytes(topic_length, &topic) || !in.read(&view->partition) ||
      !in.read(&view->record_count)) {
    return FrameCheck::bad_payload;
  }
  view->topic = std::string_view(reinterpret_cast<const char*>(topic.data()), topic.size());
  view->batch = in.rest();
  return FrameCheck::ok;
}

}  // namespace ks::buffer
