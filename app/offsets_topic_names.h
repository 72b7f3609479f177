#pragma once
// The offsets commands speak the app's topic names; the groups' cluster
// knows the upstream names (routes may rename, e.g. "acme.{topic}").
#include <string>
#include <string_view>

#include "config/config.h"

namespace ks::app {

// The name under which the app reaches `upstream_topic` on the groups'
// cluster (the config's first): the topic T whose route goes there and
// whose upstream name is `upstream_topic`. A topic no route maps to keeps
// its upstream name.
std::string app_topic_name(const config::Config& config, std::string_view upstream_topic);

}  // namespace ks::app
