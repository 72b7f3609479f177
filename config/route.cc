#include "config/config.h"
#include "config/glob.h"

namespace ks::config {

bool Route::matches(std::string_view topic) const {
  return glob_match(topics, topic);
}

namespace {
constexpr std::string_view kPlaceholder = "{topic}";
}  // namespace

std::string Route::upstream_name(std::string_view topic) const {
  if (rename.empty()) return std::string(topic);
  std::string out;
  size_t from = 0;
  for (size_t at = rename.find(kPlaceholder); at != std::string::npos;
       at = rename.find(kPlaceholder, from)) {
    out.append(rename, from, at - from);
    out.append(topic);
    from = at + kPlaceholder.size();
  }
  out.append(rename, from);
  return out;
}

std::optional<std::string> Route::topic_named(std::string_view upstream) const {
  if (rename.empty()) return std::string(upstream);
  size_t placeholders = 0;
  for (size_t at = rename.find(kPlaceholder); at != std::string::npos;
       at = rename.find(kPlaceholder, at + kPlaceholder.size())) {
    ++placeholders;
  }
  const size_t fixed = rename.size() - placeholders * kPlaceholder.size();
  if (placeholders == 0 || upstream.size() < fixed || (upstream.size() - fixed) % placeholders) {
    return std::nullopt;
  }
  const size_t length = (upstream.size() - fixed) / placeholders;
  std::string topic(upstream.substr(rename.find(kPlaceholder), length));
  if (upstream_name(topic) != upstream) return std::nullopt;
  return topic;
}

const Route* Config::route_for(std::string_view topic) const {
  for (const Route& route : routes) {
    if (route.matches(topic)) return &route;
  }
  return nullptr;
}

std::string Config::upstream_topic(std::string_view topic) const {
  const Route* route = route_for(topic);
  return route ? route->upstream_name(topic) : std::string(topic);
}

}  // namespace ks::config
