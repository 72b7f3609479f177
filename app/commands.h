#pragma once
// The sub-commands of the kafka-sidecar binary; each returns the exit code.
#include <string>

#include "app/offsets_args.h"

namespace ks::app {

int check_config(const std::string& file);
int run(const std::string& config_file);
int offsets(const OffsetsArgs& args);

}  // namespace ks::app
