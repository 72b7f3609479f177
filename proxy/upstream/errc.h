#pragma once
// The upstream client's own error conditions. Kafka's per-topic and
// per-partition error codes stay in the decoded responses: these say why
// there is no response to look at.
#include <system_error>

namespace ks::upstream {

enum class errc {
  connection_failed = 1,  // connect refused or timed out, reset, closed by either side
  timeout,                // no response within the request timeout; the connection is reset
  unsupported_version,    // the broker speaks no version of this API that we speak
  no_broker_available,    // every known and bootstrap broker failed
  unknown_broker,         // a broker id that is not in the cached metadata
  malformed_response,     // a frame or body we cannot parse, or an unexpected correlation id
  response_too_large,     // a frame over the size limit; the connection is reset
  invalid_request,        // a request that cannot be sent as given (Produce with acks=0)
  authentication_failed,  // the broker refused the SASL login (see sasl_account.h)
};

const std::error_category& error_category();

inline std::error_code make_error_code(errc e) {
  return {static_cast<int>(e), error_category()};
}

// Whether the same request may succeed later, on a new connection or another
// broker: everything but a request that is wrong in itself, a broker that
// lacks the API, or refused credentials (which work only once changed).
bool is_retriable(std::error_code code);

}  // namespace ks::upstream

template <>
struct std::is_error_code_enum<ks::upstream::errc> : std::true_type {};
