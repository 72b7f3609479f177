#include "config/diagnostic.h"

#include <fmt/format.h>

namespace ks::config {

std::string to_string(const Diagnostic& d) {
  std::string out = d.file;
  if (d.line > 0) out += fmt::format(":{}:{}", d.line, d.column);
  out += ": ";
  if (!d.key_path.empty()) out += d.key_path + ": ";
  out += d.message;
  return out;
}

}  // namespace ks::config
