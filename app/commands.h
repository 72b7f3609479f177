#pragma once
// The sub-commands of the kafka-sidecar binary; each returns the exit code.
#include <string>

#include "app/buffer_inspect_args.h"
#include "app/offsets_args.h"

namespace ks::app {

int check_config(const std::string& file);
int run(const std::string& config_file);
int offsets(const OffsetsArgs& args);
int buffer_inspect(const BufferInspectArgs& args);

}  // namespace ks::app
