#include "config/config.h"

namespace ks::config {

const ClusterConfig* Config::cluster(std::string_view name) const {
  for (const ClusterConfig& c : clusters) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

}  // namespace ks::config
