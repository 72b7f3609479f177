#pragma once
// One problem found in a configuration file, and the one-line form that
// `kafka-sidecar check-config` prints and the sidecar logs before refusing
// to start:
//
//   sidecar.yaml:12:16: buffer.max_bytes: unknown size unit "GB2" in "10GB2" (...)
//
// Messages never contain secret values.
#include <string>

namespace ks::config {

struct Diagnostic {
  std::string file;
  int line = 0;          // 1-based; 0 when the problem is not at a place in the file
  int column = 0;        // 1-based; 0 together with line
  std::string key_path;  // "buffer.max_bytes", "clusters.main.bootstrap[1]"; "" for the whole file
  std::string message;
};

// "FILE:LINE:COL: KEY: MESSAGE"; the position and the key are left out when
// they are unknown ("FILE: MESSAGE").
std::string to_string(const Diagnostic& d);

}  // namespace ks::config
