#pragma once
// Internal to log.cc and log_recovery.cc: one segment as the Log tracks it.
#include <cstdint>
#include <memory>
#include <string>

#include "buffer/env.h"
#include "buffer/log.h"

namespace ks::buffer {

struct Log::Segment {
  uint64_t base = 0;
  std::string path;
  std::shared_ptr<File> file;
  uint64_t size = 0;     // bytes of frames; guarded by Log::mu_, only the writer grows it
  uint64_t records = 0;  // guarded by Log::mu_
};

}  // namespace ks::buffer
