#pragma once
// Partition counts of the topics clients produce to. The sidecar answers
// Metadata itself, so it must know them even on a cold start with the
// upstream unreachable: counts learned from upstream metadata are cached on
// disk, and the config may declare counts ahead of time.
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "proxy/asio.h"
#include "proxy/protocol/error_code.h"

namespace ks::server {

struct TopicInfo {
  protocol::ErrorCode error = protocol::ErrorCode::none;
  int32_t partitions = 0;
};

class TopicCatalog {
 public:
  // Partition counts of the asked topics that exist upstream (a topic absent
  // from the map does not exist), or nullopt if the upstream is unreachable.
  using UpstreamLookup = std::function<awaitable<std::optional<std::map<std::string, int32_t>>>(
      std::vector<std::string>)>;

  TopicCatalog(std::filesystem::path cache_file, std::map<std::string, int32_t> declared);

  // Reads the on-disk cache; a missing file is an empty cache.
  std::error_code load();
  void set_upstream_lookup(UpstreamLookup lookup) { lookup_ = std::move(lookup); }

  // Known topics answer at once; others are asked upstream. An unreachable
  // upstream gives LEADER_NOT_AVAILABLE (retriable: the client asks again).
  awaitable<TopicInfo> find(const std::string& topic);
  std::map<std::string, int32_t> known() const { return topics_; }

  // Records counts seen in upstream metadata; persists when anything changed.
  void update(const std::map<std::string, int32_t>& counts);
  // Drops a learned count (a reload routed the topic to another cluster or
  // name), so that the next find asks where it goes now. Declared counts stay.
  void forget(const std::string& topic);

 private:
  std::error_code save() const;

  std::filesystem::path cache_file_;
  std::map<std::string, int32_t> declared_;
  std::map<std::string, int32_t> topics_;
  UpstreamLookup lookup_;
};

}  // namespace ks::server
