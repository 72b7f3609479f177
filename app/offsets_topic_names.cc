#include "app/offsets_topic_names.h"

#include <optional>

namespace ks::app {
namespace {

constexpr std::string_view kPlaceholder = "{topic}";

// The topic `rename` turns into `upstream`, if the text fits the pattern
// (the caller checks that the route really maps it there).
std::optional<std::string> unrename(std::string_view rename, std::string_view upstream) {
  if (rename.empty()) return std::string(upstream);
  size_t placeholders = 0;
  for (size_t at = rename.find(kPlaceholder); at != std::string_view::npos;
       at = rename.find(kPlaceholder, at + kPlaceholder.size())) {
    ++placeholders;
  }
  const size_t fixed = rename.size() - placeholders * kPlaceholder.size();
  if (placeholders == 0 || upstream.size() < fixed) return std::nullopt;
  const size_t length = (upstream.size() - fixed) / placeholders;
  return std::string(upstream.substr(rename.find(kPlaceholder), length));
}

}  // namespace

std::string app_topic_name(const config::Config& config, std::string_view cluster,
                           std::string_view upstream_topic) {
  // Offsets are kept under config.upstream_topic() whichever cluster the
  // group is on, so any route may have made the name; those of the group's
  // cluster come first, as two clusters may hold the same name.
  for (const bool on_cluster : {true, false}) {
    for (const config::Route& route : config.routes) {
      if ((route.cluster == cluster) != on_cluster) continue;
      const auto candidate = unrename(route.rename, upstream_topic);
      if (candidate && config.route_for(*candidate) == &route &&
          route.upstream_name(*candidate) == upstream_topic) {
        return *candidate;
      }
    }
  }
  return std::string(upstream_topic);
}

}  // namespace ks::app
