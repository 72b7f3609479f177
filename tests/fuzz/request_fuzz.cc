// Request frames as a client connection carries them: a stream of
// size-prefixed frames, each read as Connection::reader() reads it (the
// size, the request header), then its body decoded by the generated
// message of its API at the header's version, as the handlers do
// (proxy/server/*_handler.cc). What a frame may not do, whatever its bytes:
//   * crash, or run into undefined behaviour;
//   * make the decoder allocate more than kMaxBytesPerByte per byte of body
//     (array counts are checked against the bytes left, so a lying count
//     fails before it allocates);
//   * decode into a message that does not encode back to bytes decoding to
//     the same message, at its own version and at every version it can be
//     encoded at (what passing a request upstream at the upstream's version
//     relies on).
// Produce bodies' batches are validated as the produce handler does, and
// the consumer protocol in JoinGroup and SyncGroup decoded as the group
// handler does.
#include <sanitizer/allocator_interface.h>

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "proxy/protocol/consumer_protocol.h"
#include "proxy/protocol/header.h"
#include "proxy/protocol/messages.h"
#include "proxy/protocol/record_batch.h"
#include "proxy/protocol/wire.h"
#include "tests/fuzz/fuzz_check.h"

namespace ks::protocol {
namespace {

// The smallest frame the connection accepts (Connection::reader): a header
// has at least api key, version and correlation id.
constexpr int32_t kMinFrame = 8;

// Decoding allocates per element (a string takes 32 bytes for the 2 bytes
// of an empty classic string; vectors grow by doubling), never per claimed
// count: at most this many bytes per byte of body, plus a constant for the
// first allocations of each vector.
constexpr size_t kMaxBytesPerByte = 128;
constexpr size_t kAllocationSlack = 64 * 1024;

// Bytes allocated while an AllocationCount lives (malloc hooks of the
// sanitizer allocator; operator new goes through them too).
size_t g_allocated = 0;
bool g_counting = false;

void on_malloc(const volatile void*, size_t size) {
  if (g_counting) g_allocated += size;
}
void on_free(const volatile void*) {}

class AllocationCount {
 public:
  AllocationCount() {
    g_allocated = 0;
    g_counting = true;
  }
  ~AllocationCount() { g_counting = false; }
  size_t bytes() const { return g_allocated; }
};

template <typename M>
std::vector<std::byte> encode(const M& m, int16_t version) {
  std::vector<std::byte> out;
  Writer w(out);
  m.encode(w, version);
  return out;
}

// Encoding `m` at `version` gives bytes that decode whole, into a message
// that encodes to the same bytes.
template <typename M>
void check_round_trip(const M& m, int16_t version) {
  const std::vector<std::byte> first = encode(m, version);
  Reader r(first);
  M back;
  back.decode(r, version);
  KS_FUZZ_CHECK(r.ok());
  KS_FUZZ_CHECK(r.remaining() == 0);
  KS_FUZZ_CHECK(encode(back, version) == first);
}

// What the produce handler checks of each partition's records.
void check_batches(const ProduceRequest& req) {
  for (const auto& topic : req.topics) {
    for (const auto& part : topic.partitions) {
      if (!part.records) continue;
      BatchHeader h;
      if (validate_produce_batch(*part.records, h) != ErrorCode::none) continue;
      KS_FUZZ_CHECK(h.total_size() == part.records->size());
      KS_FUZZ_CHECK(h.record_count > 0);
      KS_FUZZ_CHECK(h.last_sequence() >= -1);
    }
  }
}

// The consumer protocol inside the group requests (renamed when routes
// rename): what decodes encodes back to the same bytes, so a rename that
// changes nothing changes no byte.
void check_consumer_protocol(Bytes bytes, bool subscription) {
  if (subscription) {
    if (const auto s = consumer::decode_subscription(bytes)) {
      KS_FUZZ_CHECK(consumer::encode(*s) == std::vector<std::byte>(bytes.begin(), bytes.end()));
    }
  } else if (const auto a = consumer::decode_assignment(bytes)) {
    KS_FUZZ_CHECK(consumer::encode(*a) == std::vector<std::byte>(bytes.begin(), bytes.end()));
  }
}

void check_group_protocols(const JoinGroupRequest& req) {
  for (const auto& p : req.protocols)
    check_consumer_protocol(p.metadata, true);
}

void check_group_protocols(const SyncGroupRequest& req) {
  for (const auto& a : req.assignments)
    check_consumer_protocol(a.assignment, false);
}

// Decodes `body` as M at `version`; false where the connection would close
// (a version the codec lacks, or a body that does not parse).
template <typename M>
bool decode_body(int16_t version, Bytes body) {
  if (version < M::kMinVersion || version > M::kMaxVersion) return false;
  Reader r(body);
  M m;
  {
    const AllocationCount count;
    m.decode(r, version);
    KS_FUZZ_CHECK(count.bytes() <= kMaxBytesPerByte * body.size() + kAllocationSlack);
  }
  if (!r.ok()) return false;
  check_round_trip(m, version);
  for (int16_t other = M::kMinVersion; other <= M::kMaxVersion; ++other) {
    if (other != version && m.can_encode(other)) check_round_trip(m, other);
  }
  if constexpr (std::is_same_v<M, ProduceRequest>) check_batches(m);
  if constexpr (std::is_same_v<M, JoinGroupRequest> || std::is_same_v<M, SyncGroupRequest>)
    check_group_protocols(m);
  return true;
}

bool decode_request(const RequestHeader& h, Bytes body) {
  const int16_t v = h.api_version;
  switch (h.api_key) {
    case ApiKey::produce:
      return decode_body<ProduceRequest>(v, body);
    case ApiKey::fetch:
      return decode_body<FetchRequest>(v, body);
    case ApiKey::list_offsets:
      return decode_body<ListOffsetsRequest>(v, body);
    case ApiKey::metadata:
      return decode_body<MetadataRequest>(v, body);
    case ApiKey::offset_commit:
      return decode_body<OffsetCommitRequest>(v, body);
    case ApiKey::offset_fetch:
      return decode_body<OffsetFetchRequest>(v, body);
    case ApiKey::find_coordinator:
      return decode_body<FindCoordinatorRequest>(v, body);
    case ApiKey::join_group:
      return decode_body<JoinGroupRequest>(v, body);
    case ApiKey::heartbeat:
      return decode_body<HeartbeatRequest>(v, body);
    case ApiKey::leave_group:
      return decode_body<LeaveGroupRequest>(v, body);
    case ApiKey::sync_group:
      return decode_body<SyncGroupRequest>(v, body);
    case ApiKey::describe_groups:
      return decode_body<DescribeGroupsRequest>(v, body);
    case ApiKey::list_groups:
      return decode_body<ListGroupsRequest>(v, body);
    case ApiKey::api_versions:
      // Newer than ours: answered at v0 without reading the body (KIP-511).
      if (v > ApiVersionsRequest::kMaxVersion) return true;
      return decode_body<ApiVersionsRequest>(v, body);
    case ApiKey::init_producer_id:
      return decode_body<InitProducerIdRequest>(v, body);
    case ApiKey::offset_for_leader_epoch:
      return decode_body<OffsetForLeaderEpochRequest>(v, body);
    case ApiKey::delete_groups:
      return decode_body<DeleteGroupsRequest>(v, body);
    default:
      return false;  // no schema: the dispatcher closes the connection
  }
}

}  // namespace
}  // namespace ks::protocol

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ks::fuzz::init();
  __sanitizer_install_malloc_and_free_hooks(ks::protocol::on_malloc, ks::protocol::on_free);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ks::protocol;
  Bytes stream = ks::fuzz::as_bytes(data, size);
  // Frames follow each other until one makes the connection close.
  while (stream.size() >= 4) {
    Reader size_reader(stream.first(4));
    const int32_t frame_size = size_reader.int32();
    if (frame_size < kMinFrame || static_cast<size_t>(frame_size) > stream.size() - 4) break;
    const Bytes frame = stream.subspan(4, static_cast<size_t>(frame_size));
    stream = stream.subspan(4 + static_cast<size_t>(frame_size));
    Reader r(frame);
    const RequestHeader header = decode_request_header(r);
    if (!r.ok()) break;
    KS_FUZZ_CHECK(r.position() <= frame.size());
    if (!decode_request(header, frame.subspan(r.position()))) break;
  }
  return 0;
}
