#pragma once
// Where ${VAR} in the configuration file is looked up. The loader takes it as
// a parameter so tests (and check-config for another host) need not touch
// the process environment.
#include <functional>
#include <optional>
#include <string>

namespace ks::config {

// The value of an environment variable, or nullopt when it is not set.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// Reads the environment of this process (getenv).
std::optional<std::string> process_env(const std::string& name);

}  // namespace ks::config
