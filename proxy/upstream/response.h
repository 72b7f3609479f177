#pragma once
// A decoded response together with the frame it was decoded from.
#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/result.h"
#include "proxy/protocol/api_key.h"
#include "proxy/protocol/wire.h"
#include "proxy/upstream/errc.h"

namespace ks::upstream {

// The `Bytes` fields of `body` (record batches) are views into `frame`, so
// the two travel together. Moving keeps the views valid (a vector's buffer
// moves with it); a copy would not, so the type is move-only.
template <typename Body>
struct Response {
  int16_t version = 0;  // the API version this exchange used
  Body body;
  std::vector<std::byte> frame;

  Response() = default;
  Response(Response&&) noexcept = default;
  Response& operator=(Response&&) noexcept = default;
  Response(const Response&) = delete;
  Response& operator=(const Response&) = delete;
};

// Decodes the body that starts at `body_offset` of `frame` (after the
// response header). Bytes left after the body are ignored, as Kafka's own
// clients ignore them: the librdkafka 2.15 mock, for one, ends Metadata
// v9+ answers with a second empty tagged-field section.
template <typename Body>
Result<Response<Body>> decode_response(std::vector<std::byte> frame, size_t body_offset,
                                       int16_t version) {
  Response<Body> out;
  out.version = version;
  out.frame = std::move(frame);
  protocol::Reader reader(protocol::Bytes(out.frame).subspan(body_offset));
  out.body.decode(reader, version);
  if (!reader.ok()) {
    return Error{make_error_code(errc::malformed_response),
                 fmt::format("{} v{} response of {} bytes does not parse",
                             protocol::name(Body::kApiKey), version, out.frame.size())};
  }
  return Result<Response<Body>>(std::move(out));
}

}  // namespace ks::upstream
