#include <cstdio>

#include "app/commands.h"
#include "config/config.h"

namespace ks::app {

int run(const std::string& config_file) {
  const auto loaded = config::load_file(config_file);
  if (!loaded.ok()) {
    std::fputs(config::check_config_report(loaded, config_file).c_str(), stderr);
    return 1;
  }
  std::fprintf(stderr, "kafka-sidecar: run is not wired yet\n");
  return 1;
}

}  // namespace ks::app
