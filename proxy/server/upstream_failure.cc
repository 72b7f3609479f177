#include "proxy/server/upstream_failure.h"

#include <mutex>
#include <set>

#include "common/log.h"
#include "proxy/upstream/errc.h"

namespace ks::server {

using protocol::ErrorCode;

ErrorCode upstream_failure(protocol::ApiKey api, const Error& error, ErrorCode retriable) {
  if (error.code != upstream::errc::unsupported_version) return retriable;
  // Admin tools poll; one line per API says it all.
  static std::mutex mutex;
  static std::set<protocol::ApiKey> logged;
  const std::lock_guard lock(mutex);
  if (logged.insert(api).second) {
    log::warn("upstream.api_unsupported", "api={} answer=UNSUPPORTED_VERSION error={}",
              protocol::name(api), log::quote(error.message));
  }
  return ErrorCode::unsupported_version;
}

}  // namespace ks::server
