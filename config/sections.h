#pragma once
// Internal to config/: one reader per section of the file. Each starts from
// the defaults in config.h, overwrites what the file gives, and reports
// problems to the Reader; an absent optional section is read as an empty
// mapping, so the defaults and the cross-checks still apply.
#include <optional>
#include <vector>

#include "config/config.h"
#include "config/yaml_reader.h"

namespace ks::config {

ListenerConfig read_listener(Reader& r, const Item& item);
AdminConfig read_admin(Reader& r, const Item& item);
LogConfig read_log(Reader& r, const Item& item);
BufferConfig read_buffer(Reader& r, const Item& item);
ForwardConfig read_forward(Reader& r, const Item& item);
std::vector<TopicConfig> read_topics(Reader& r, const Item& item);
std::vector<ClusterConfig> read_clusters(Reader& r, const Item& item);
// `routes` is absent when the file has no routes section; `clusters` are the
// clusters read already, to check that routes name existing ones.
std::vector<Route> read_routes(Reader& r, const std::optional<Item>& routes,
                               const Item& clusters_item,
                               const std::vector<ClusterConfig>& clusters);
// `groups` is absent when the file has no groups section.
std::vector<GroupRule> read_groups(Reader& r, const std::optional<Item>& groups,
                                   const std::vector<ClusterConfig>& clusters);

// `password` or `password_file` of the mapping `m` read from `item`: exactly
// one must be given. The password never appears in a diagnostic.
void read_password(Reader& r, Mapping& m, const Item& item, Secret& password,
                   std::string& password_file);

// The whole file.
Config read_config(Reader& r, const Item& root);

}  // namespace ks::config
