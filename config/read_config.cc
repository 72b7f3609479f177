// The top level of the file: which sections exist and in what order they are
// read (clusters before routes and groups, which refer to them).
#include "config/sections.h"

namespace ks::config {

Config read_config(Reader& r, const Item& root) {
  Config out;
  Mapping m(r, root);
  // An absent optional section reads as an empty one: all defaults.
  auto section = [&](std::string_view key) {
    return m.get(key).value_or(Item{YAML::Node(), std::string(key), root.mark});
  };
  out.listener = read_listener(r, section("listener"));
  out.admin = read_admin(r, section("admin"));
  out.log = read_log(r, section("log"));
  if (auto buffer = m.require("buffer")) out.buffer = read_buffer(r, *buffer);
  const std::optional<Item> clusters = m.require("clusters");
  if (clusters) out.clusters = read_clusters(r, *clusters);
  out.routes = read_routes(r, m.get("routes"), clusters.value_or(root), out.clusters);
  out.groups = read_groups(r, m.get("groups"), out.clusters);
  out.topics = read_topics(r, section("topics"));
  out.forward = read_forward(r, section("forward"));
  m.reject_unknown();
  return out;
}

}  // namespace ks::config
