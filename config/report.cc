// check_config_report(): the text of `kafka-sidecar check-config FILE`.
#include <fmt/format.h>

#include "config/config.h"

namespace ks::config {

std::string check_config_report(const LoadResult& result, std::string_view file) {
  if (result.ok()) {
    // A YAML comment, so the whole output can be saved as a config file.
    return fmt::format("# {}: valid. Effective configuration:\n{}", file, describe(*result.config));
  }
  std::string out;
  for (const Diagnostic& d : result.diagnostics)
    out += to_string(d) + "\n";
  const size_t n = result.diagnostics.size();
  out += fmt::format("{}: {} problem{} found; the sidecar would refuse to start\n", file, n,
                     n == 1 ? "" : "s");
  return out;
}

}  // namespace ks::config
