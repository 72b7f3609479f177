#include "config/config.h"
#include "config/glob.h"

namespace ks::config {

bool Route::matches(std::string_view topic) const {
  return glob_match(topics, topic);
}

std::string Route::upstream_name(std::string_view topic) const {
  if (rename.empty()) return std::string(topic);
  constexpr std::string_view kPlaceholder = "{topic}";
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
