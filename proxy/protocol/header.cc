#include "proxy/protocol/header.h"

#include "proxy/protocol/messages.h"

namespace ks::protocol {
namespace {

bool uses_flexible_response_header(ApiKey key, int16_t version) {
  return key != ApiKey::api_versions && is_flexible(key, version);
}

}  // namespace

bool is_flexible(ApiKey key, int16_t version) {
  const ApiRange* range = find_api(key);
  return range && version >= range->first_flexible;
}

RequestHeader decode_request_header(Reader& r) {
  RequestHeader h;
  h.api_key = static_cast<ApiKey>(r.int16());
  h.api_version = r.int16();
  h.correlation_id = r.int32();
  h.client_id = r.nullable_string(false);  // never compact, even in header v2
  if (is_flexible(h.api_key, h.api_version)) r.skip_tagged_fields();
  return h;
}

void encode_request_header(Writer& w, const RequestHeader& h) {
  w.int16(static_cast<int16_t>(h.api_key));
  w.int16(h.api_version);
  w.int32(h.correlation_id);
  w.nullable_string(h.client_id, false);
  if (is_flexible(h.api_key, h.api_version)) w.empty_tagged_fields();
}

size_t begin_frame(Writer& w) {
  const size_t at = w.size();
  w.int32(0);
  return at;
}

void finish_frame(Writer& w, size_t at) {
  w.patch_int32(at, static_cast<int32_t>(w.size() - at - sizeof(int32_t)));
}

void encode_response_header(Writer& w, ApiKey key, int16_t version, int32_t correlation_id) {
  w.int32(correlation_id);
  if (uses_flexible_response_header(key, version)) w.empty_tagged_fields();
}

int32_t decode_response_header(Reader& r, ApiKey key, int16_t version) {
  const int32_t correlation_id = r.int32();
  if (uses_flexible_response_header(key, version)) r.skip_tagged_fields();
  return correlation_id;
}

}  // namespace ks::protocol
