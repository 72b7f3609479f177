#pragma once
// Request and response headers, and the size-prefixed frame around them
// (https://kafka.apache.org/protocol#protocol_messages).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "proxy/protocol/api_key.h"
#include "proxy/protocol/wire.h"

namespace ks::protocol {

struct RequestHeader {
  ApiKey api_key{};
  int16_t api_version = 0;
  int32_t correlation_id = 0;
  std::optional<std::string> client_id;
};

// Whether `key` at `version` uses flexible (compact, tagged) encoding. False
// for APIs we have no schema for.
bool is_flexible(ApiKey key, int16_t version);

// Reads a request header (v1, or v2 when the API version is flexible). The
// reader is left at the start of the body.
RequestHeader decode_request_header(Reader& r);
void encode_request_header(Writer& w, const RequestHeader& h);

// Starts a size-prefixed frame in `w`; finish_frame writes the size.
size_t begin_frame(Writer& w);
void finish_frame(Writer& w, size_t at);

// Writes the response header: v0, or v1 (with tagged fields) when the API
// version is flexible. ApiVersions always answers with v0 (KIP-511).
void encode_response_header(Writer& w, ApiKey key, int16_t version, int32_t correlation_id);
// Reads the response header matching encode_response_header; returns the correlation id.
int32_t decode_response_header(Reader& r, ApiKey key, int16_t version);

}  // namespace ks::protocol
