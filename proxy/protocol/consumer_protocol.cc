#include "proxy/protocol/consumer_protocol.h"

namespace ks::protocol::consumer {
namespace {

constexpr bool kClassic = false;  // never compact: these messages have no flexible versions

// A non-nullable array's length; null (-1) fails the reader.
int32_t length_of(Reader& in) {
  const int32_t n = in.array_length(kClassic);
  if (n < 0) in.fail();
  return n;
}

std::vector<TopicPartitions> read_topic_partitions(Reader& in) {
  std::vector<TopicPartitions> out;
  const int32_t topics = length_of(in);
  for (int32_t i = 0; i < topics && in.ok(); ++i) {
    TopicPartitions& tp = out.emplace_back();
    tp.topic = in.string(kClassic);
    const int32_t partitions = length_of(in);
    for (int32_t p = 0; p < partitions && in.ok(); ++p)
      tp.partitions.push_back(in.int32());
  }
  return out;
}

void write_topic_partitions(Writer& out, const std::vector<TopicPartitions>& list) {
  out.array_length(static_cast<int32_t>(list.size()), kClassic);
  for (const TopicPartitions& tp : list) {
    out.string(tp.topic, kClassic);
    out.array_length(static_cast<int32_t>(tp.partitions.size()), kClassic);
    for (const int32_t p : tp.partitions)
      out.int32(p);
  }
}

// Whatever decoded must be all there is: trailing bytes would be lost on
// re-encoding.
template <typename T>
std::optional<T> whole(const Reader& in, T value) {
  if (!in.ok() || in.remaining() != 0) return std::nullopt;
  return value;
}

void rename_all(std::vector<TopicPartitions>& list, const Rename& rename) {
  for (TopicPartitions& tp : list)
    tp.topic = rename(tp.topic);
}

}  // namespace

std::optional<Subscription> decode_subscription(Bytes bytes) {
  Reader in(bytes);
  Subscription s;
  s.version = in.int16();
  if (!in.ok() || s.version < 0 || s.version > kMaxSubscriptionVersion) return std::nullopt;
  const int32_t topics = length_of(in);
  for (int32_t i = 0; i < topics && in.ok(); ++i)
    s.topics.push_back(in.string(kClassic));
  s.user_data = in.nullable_bytes(kClassic);
  if (s.version >= 1) s.owned_partitions = read_topic_partitions(in);
  if (s.version >= 2) s.generation_id = in.int32();
  if (s.version >= 3) s.rack_id = in.nullable_string(kClassic);
  return whole(in, std::move(s));
}

std::optional<Assignment> decode_assignment(Bytes bytes) {
  Reader in(bytes);
  Assignment a;
  a.version = in.int16();
  if (!in.ok() || a.version < 0 || a.version > kMaxAssignmentVersion) return std::nullopt;
  a.assigned_partitions = read_topic_partitions(in);
  a.user_data = in.nullable_bytes(kClassic);
  return whole(in, std::move(a));
}

std::vector<std::byte> encode(const Subscription& s) {
  std::vector<std::byte> bytes;
  Writer out(bytes);
  out.int16(s.version);
  out.array_length(static_cast<int32_t>(s.topics.size()), kClassic);
  for (const std::string& topic : s.topics)
    out.string(topic, kClassic);
  out.nullable_bytes(s.user_data, kClassic);
  if (s.version >= 1) write_topic_partitions(out, s.owned_partitions);
  if (s.version >= 2) out.int32(s.generation_id);
  if (s.version >= 3) out.nullable_string(s.rack_id, kClassic);
  return bytes;
}

std::vector<std::byte> encode(const Assignment& a) {
  std::vector<std::byte> bytes;
  Writer out(bytes);
  out.int16(a.version);
  write_topic_partitions(out, a.assigned_partitions);
  out.nullable_bytes(a.user_data, kClassic);
  return bytes;
}

std::optional<std::vector<std::byte>> rename_subscription(Bytes bytes, const Rename& rename) {
  std::optional<Subscription> s = decode_subscription(bytes);
  if (!s) return std::nullopt;
  for (std::string& topic : s->topics)
    topic = rename(topic);
  rename_all(s->owned_partitions, rename);
  return encode(*s);
}

std::optional<std::vector<std::byte>> rename_assignment(Bytes bytes, const Rename& rename) {
  std::optional<Assignment> a = decode_assignment(bytes);
  if (!a) return std::nullopt;
  rename_all(a->assigned_partitions, rename);
  return encode(*a);
}

}  // namespace ks::protocol::consumer
