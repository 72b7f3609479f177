#include "proxy/server/dispatcher.h"

#include <algorithm>

#include "proxy/protocol/error_code.h"
#include "proxy/protocol/messages.h"

namespace ks::server {

using protocol::ApiKey;

Dispatcher::Dispatcher() {
  add(ApiKey::api_versions, protocol::ApiVersionsRequest::kMinVersion,
      protocol::ApiVersionsRequest::kMaxVersion,
      [this](std::shared_ptr<const Request> r) { return api_versions(std::move(r)); });
}

void Dispatcher::add(ApiKey key, int16_t min_version, int16_t max_version, Handler handler) {
  const protocol::ApiRange* codec = protocol::find_api(key);
  if (codec) {
    min_version = std::max(min_version, codec->min_version);
    max_version = std::min(max_version, codec->max_version);
  }
  handlers_[key] = {min_version, max_version, std::move(handler)};
}

std::optional<awaitable<Deferred>> Dispatcher::dispatch(
    std::shared_ptr<const Request> request) const {
  const auto& h = request->header;
  const auto it = handlers_.find(h.api_key);
  if (it == handlers_.end()) return std::nullopt;
  const Entry& entry = it->second;
  const bool in_range = h.api_version >= entry.min_version && h.api_version <= entry.max_version;
  // ApiVersions answers out-of-range versions itself (KIP-511).
  if (!in_range && h.api_key != ApiKey::api_versions) return std::nullopt;
  return entry.handler(std::move(request));
}

void Dispatcher::on_session_end(std::function<void(uint64_t)> observer) {
  session_observers_.push_back(std::move(observer));
}

void Dispatcher::session_ended(uint64_t session) const {
  for (const auto& observer : session_observers_)
    observer(session);
}

void Dispatcher::on_request_done(RequestObserver observer) {
  request_observers_.push_back(std::move(observer));
}

void Dispatcher::request_done(protocol::ApiKey api,
                              std::optional<std::chrono::steady_clock::duration> took) const {
  for (const auto& observer : request_observers_)
    observer(api, took);
}

awaitable<Deferred> Dispatcher::api_versions(std::shared_ptr<const Request> request) const {
  protocol::ApiVersionsResponse response;
  for (const auto& [key, entry] : handlers_) {
    response.api_keys.push_back({static_cast<int16_t>(key), entry.min_version, entry.max_version});
  }
  int16_t version = request->header.api_version;
  if (version > protocol::ApiVersionsRequest::kMaxVersion) {
    // A client newer than us: answer at v0 with our range so it can retry
    // at a version we speak (KIP-511).
    response.error_code = protocol::to_int(protocol::ErrorCode::unsupported_version);
    version = 0;
  } else {
    // Validate the body; a garbled ApiVersions gets INVALID_REQUEST.
    protocol::Reader body = request->body();
    protocol::ApiVersionsRequest parsed;
    parsed.decode(body, version);
    if (!body.ok()) response.error_code = protocol::to_int(protocol::ErrorCode::invalid_request);
  }
  co_return ready(encode_response(request->header, response, version));
}

}  // namespace ks::server
