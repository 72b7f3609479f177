#include "app/config_reload.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <set>

#include "common/log.h"

namespace ks::app {
namespace {

Error refused(std::string why) {
  return Error{std::make_error_code(std::errc::invalid_argument), std::move(why)};
}

// Where a topic's records go: its cluster and its name there; empty when no
// route matches.
std::pair<std::string, std::string> target(const config::Config& config, const std::string& topic) {
  const config::Route* route = config.route_for(topic);
  if (!route) return {};
  return {route->cluster, route->upstream_name(topic)};
}

std::string describe(const std::pair<std::string, std::string>& target) {
  return target.first.empty() ? std::string("nowhere (no route matches)")
                              : fmt::format("to cluster {} as \"{}\"", target.first, target.second);
}

std::vector<std::string> cluster_names(const config::Config& config) {
  std::vector<std::string> names;
  for (const auto& cluster : config.clusters)
    names.push_back(cluster.name);
  return names;
}

// The sections that differ and are only read at start.
std::vector<std::string> needing_restart(const config::Config& live, const config::Config& next) {
  std::vector<std::string> keys;
  if (!(live.listener == next.listener)) keys.push_back("listener");
  if (!(live.admin == next.admin)) keys.push_back("admin");
  if (live.log.format != next.log.format) keys.push_back("log.format");
  if (!(live.buffer == next.buffer)) keys.push_back("buffer");
  if (!(live.topics == next.topics)) keys.push_back("topics");
  if (!(live.forward == next.forward)) keys.push_back("forward");
  for (size_t i = 0; i < live.clusters.size(); ++i) {
    config::ClusterConfig credentials_aside = next.clusters[i];
    credentials_aside.sasl = live.clusters[i].sasl;
    if (!(live.clusters[i] == credentials_aside)) {
      keys.push_back(fmt::format("clusters.{}", live.clusters[i].name));
    }
  }
  return keys;
}

// Records buffered and not yet forwarded keep the route they were
// acknowledged under: moving or renaming their topic now would reorder
// them or split a partition across two upstream topics.
std::optional<Error> moves_buffered_records(
    const config::Config& live, const config::Config& next,
    const std::vector<std::unique_ptr<ClusterPipeline>>& clusters) {
  for (const auto& cluster : clusters) {
    std::set<std::string> checked;
    for (const auto& status : cluster->forwarder().partitions()) {
      if (status.backlog.records == 0 || !checked.insert(status.topic).second) continue;
      const auto before = target(live, status.topic);
      const auto after = target(next, status.topic);
      if (before == after) continue;
      return refused(fmt::format(
          "topic {} has records buffered for cluster {} as \"{}\"; the new routes send it {}. "
          "Reload again once they are forwarded (GET /v1/buffer shows the backlog)",
          status.topic, cluster->name(), before.second, describe(after)));
    }
  }
  return std::nullopt;
}

}  // namespace

Result<std::string> reload_config(const std::string& file, config::Config& live,
                                  std::vector<std::unique_ptr<ClusterPipeline>>& clusters,
                                  server::TopicCatalog& catalog) {
  const auto loaded = config::load_file(file);
  if (!loaded.ok()) {
    std::vector<std::string> problems;
    for (const auto& d : loaded.diagnostics)
      problems.push_back(config::to_string(d));
    return refused(fmt::format("{} problem{} in the file: {}", problems.size(),
                               problems.size() == 1 ? "" : "s", fmt::join(problems, "; ")));
  }
  const config::Config& next = *loaded.config;
  if (cluster_names(live) != cluster_names(next)) {
    return refused(fmt::format("the clusters changed from [{}] to [{}]; that needs a restart",
                               fmt::join(cluster_names(live), ", "),
                               fmt::join(cluster_names(next), ", ")));
  }
  if (auto error = moves_buffered_records(live, next, clusters)) return *error;

  std::vector<std::string> applied;
  if (!(live.routes == next.routes)) {
    for (const auto& [topic, partitions] : catalog.known()) {
      if (target(live, topic) != target(next, topic)) catalog.forget(topic);
    }
    live.routes = next.routes;
    applied.push_back("routes");
  }
  for (size_t i = 0; i < clusters.size(); ++i) {
    if (live.clusters[i].sasl == next.clusters[i].sasl) continue;
    live.clusters[i].sasl = next.clusters[i].sasl;
    clusters[i]->update_credentials(live.clusters[i]);
    applied.push_back(fmt::format("clusters.{}.sasl", live.clusters[i].name));
  }
  if (live.log.level != next.log.level) {
    live.log.level = next.log.level;
    log::set_level(live.log.level);
    applied.push_back("log.level");
  }
  const auto later = needing_restart(live, next);
  return fmt::format("applied=[{}] needs_restart=[{}]", fmt::join(applied, ","),
                     fmt::join(later, ","));
}

}  // namespace ks::app
