#include "proxy/upstream/version_table.h"

#include <algorithm>

namespace ks::upstream {

VersionTable::VersionTable(const protocol::ApiVersionsResponse& response) {
  for (const auto& api : response.api_keys)
    ranges_[static_cast<protocol::ApiKey>(api.api_key)] = {api.min_version, api.max_version};
}

std::optional<VersionRange> VersionTable::broker_range(protocol::ApiKey key) const {
  const auto it = ranges_.find(key);
  if (it == ranges_.end()) return std::nullopt;
  return it->second;
}

std::optional<int16_t> VersionTable::pick(protocol::ApiKey key, VersionRange ours) const {
  const auto theirs = broker_range(key);
  if (!theirs) return std::nullopt;
  const int16_t version = std::min(ours.max, theirs->max);
  if (version < std::max(ours.min, theirs->min)) return std::nullopt;
  return version;
}

}  // namespace ks::upstream
