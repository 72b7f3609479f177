#pragma once
// The API versions one broker advertised in ApiVersions, and the version a
// request goes out at: the highest that both the broker and our codec
// (messages.def) support.
#include <cstdint>
#include <map>
#include <optional>

#include "proxy/protocol/api_key.h"
#include "proxy/protocol/messages.h"

namespace ks::upstream {

struct VersionRange {
  int16_t min = 0;
  int16_t max = 0;
  bool operator==(const VersionRange&) const = default;
};

class VersionTable {
 public:
  VersionTable() = default;
  explicit VersionTable(const protocol::ApiVersionsResponse& response);

  // The broker's range for `key`; nullopt if it did not list the API.
  std::optional<VersionRange> broker_range(protocol::ApiKey key) const;
  // The highest version in both `ours` and the broker's range; nullopt if they do not overlap.
  std::optional<int16_t> pick(protocol::ApiKey key, VersionRange ours) const;
  bool empty() const { return ranges_.empty(); }

 private:
  std::map<protocol::ApiKey, VersionRange> ranges_;
};

}  // namespace ks::upstream
