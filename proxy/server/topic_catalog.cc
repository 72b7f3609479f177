#include "proxy/server/topic_catalog.h"

#include <fstream>
#include <sstream>

#include "common/atomic_file.h"
#include "common/log.h"

namespace ks::server {

using protocol::ErrorCode;

TopicCatalog::TopicCatalog(std::filesystem::path cache_file,
                           std::map<std::string, int32_t> declared)
    : cache_file_(std::move(cache_file)), declared_(std::move(declared)), topics_(declared_) {}

std::error_code TopicCatalog::load() {
  std::ifstream in(cache_file_);
  if (!in) return {};  // no cache yet
  // One "topic partitions" pair per line. Declared counts win over the cache.
  std::string name;
  int32_t partitions = 0;
  while (in >> name >> partitions) {
    if (partitions > 0) topics_.try_emplace(name, partitions);
  }
  return {};
}

awaitable<TopicInfo> TopicCatalog::find(const std::string& topic) {
  if (const auto it = topics_.find(topic); it != topics_.end())
    co_return TopicInfo{ErrorCode::none, it->second};
  if (!lookup_) co_return TopicInfo{ErrorCode::leader_not_available, 0};
  std::vector<std::string> asked{topic};  // named: GCC 12 rejects a braced list in co_await
  const auto counts = co_await lookup_(std::move(asked));
  if (!counts) co_return TopicInfo{ErrorCode::leader_not_available, 0};
  update(*counts);
  if (const auto it = topics_.find(topic); it != topics_.end())
    co_return TopicInfo{ErrorCode::none, it->second};
  co_return TopicInfo{ErrorCode::unknown_topic_or_partition, 0};
}

void TopicCatalog::update(const std::map<std::string, int32_t>& counts) {
  bool changed = false;
  for (const auto& [name, partitions] : counts) {
    auto [it, inserted] = topics_.try_emplace(name, partitions);
    if (inserted) {
      changed = true;
    } else if (it->second != partitions) {
      // Kafka only ever adds partitions; records already buffered keep their
      // partition, new ones may use the new partitions.
      log::info("topic.partitions_changed", "topic={} from={} to={}", name, it->second, partitions);
      it->second = partitions;
      changed = true;
    }
  }
  if (!changed) return;
  if (const auto ec = save()) {
    log::warn("topic.cache_write_failed", "file={} error={}", log::quote(cache_file_.string()),
              log::quote(ec.message()));
  }
}

void TopicCatalog::forget(const std::string& topic) {
  if (declared_.contains(topic) || topics_.erase(topic) == 0) return;
  if (const auto ec = save()) {
    log::warn("topic.cache_write_failed", "file={} error={}", log::quote(cache_file_.string()),
              log::quote(ec.message()));
  }
}

std::error_code TopicCatalog::save() const {
  std::ostringstream out;
  for (const auto& [name, partitions] : topics_)
    out << name << ' ' << partitions << '\n';
  const std::string text = out.str();
  return write_file_atomically(cache_file_, std::as_bytes(std::span(text)));
}

}  // namespace ks::server
