#pragma once
// The offsets commands and the consumer protocol speak the app's topic
// names; a group's cluster knows the upstream names (routes may rename,
// e.g. "acme.{topic}").
#include <string>
#include <string_view>

#include "config/config.h"

namespace ks::app {

// The name under which the app knows `upstream_topic` as a group on
// `cluster` has it: the topic T whose route (one to `cluster` preferred)
// gives it the upstream name `upstream_topic`. A topic no route maps to
// keeps its upstream name.
std::string app_topic_name(const config::Config& config, std::string_view cluster,
                           std::string_view upstream_topic);

}  // namespace ks::app
