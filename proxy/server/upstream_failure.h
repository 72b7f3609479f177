#pragma once
// What a client is told in place of an upstream answer that never came.
#include "common/result.h"
#include "proxy/protocol/api_key.h"
#include "proxy/protocol/error_code.h"

namespace ks::server {

// The error code a client's answer carries for a request the upstream did
// not answer. A broker that lacks the API (errc::unsupported_version; the
// librdkafka mocks have no DescribeGroups, ListGroups or DeleteGroups) will
// never answer it, so the client gets UNSUPPORTED_VERSION, which clients
// do not retry; that is logged once per API, not once per request. Any
// other failure may pass: the client gets `retriable`.
protocol::ErrorCode upstream_failure(protocol::ApiKey api, const Error& error,
                                     protocol::ErrorCode retriable);

}  // namespace ks::server
