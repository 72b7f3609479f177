#include "config/environment.h"

#include <cstdlib>

namespace ks::config {

std::optional<std::string> process_env(const std::string& name) {
  // Read once at startup, before any thread could call setenv().
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

}  // namespace ks::config
