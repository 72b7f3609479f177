#include <cstdio>

#include "app/commands.h"
#include "config/config.h"

namespace ks::app {

int check_config(const std::string& file) {
  const auto result = config::load_file(file);
  const std::string report = config::check_config_report(result, file);
  std::fputs(report.c_str(), result.ok() ? stdout : stderr);
  return result.ok() ? 0 : 1;
}

}  // namespace ks::app
