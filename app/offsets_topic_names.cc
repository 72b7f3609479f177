#include "app/offsets_topic_names.h"

namespace ks::app {

std::string app_topic_name(const config::Config& config, std::string_view cluster,
                           std::string_view upstream_topic) {
  // Offsets are kept under config.upstream_topic() whichever cluster the
  // group is on, so any route may have made the name; those of the group's
  // cluster come first, as two clusters may hold the same name.
  for (const bool on_cluster : {true, false}) {
    for (const config::Route& route : config.routes) {
      if ((route.cluster == cluster) != on_cluster) continue;
      const auto candidate = route.topic_named(upstream_topic);
      if (candidate && config.route_for(*candidate) == &route) return *candidate;
    }
  }
  return std::string(upstream_topic);
}

}  // namespace ks::app
