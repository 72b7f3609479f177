#include "app/buffer_inspect_args.h"

#include <fmt/format.h>

#include <system_error>

namespace ks::app {
namespace {

Error usage_error(std::string message) {
  return Error{std::make_error_code(std::errc::invalid_argument), std::move(message)};
}

}  // namespace

Result<BufferInspectArgs> parse_buffer_args(std::span<const std::string_view> args) {
  if (args.empty()) return usage_error("buffer needs a sub-command: inspect");
  if (args[0] != "inspect") {
    return usage_error(fmt::format("unknown buffer sub-command '{}' (inspect)", args[0]));
  }
  BufferInspectArgs out;
  bool dump_given = false;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (arg == "--dump") {
      if (dump_given) return usage_error("--dump given twice");
      dump_given = out.dump = true;
      continue;
    }
    std::string* value = arg == "--config" ? &out.config_file : arg == "--dir" ? &out.dir : nullptr;
    if (value == nullptr) {
      return usage_error(arg.starts_with("-") ? fmt::format("unknown option '{}'", arg)
                                              : fmt::format("unexpected argument '{}'", arg));
    }
    if (!value->empty()) return usage_error(fmt::format("{} given twice", arg));
    if (i + 1 == args.size() || args[i + 1].starts_with("--")) {
      return usage_error(fmt::format("{} needs a value", arg));
    }
    *value = std::string(args[++i]);
    if (value->empty()) return usage_error(fmt::format("{} must not be empty", arg));
  }
  if (out.config_file.empty() == out.dir.empty()) {
    return usage_error("buffer inspect needs one of --config FILE or --dir DIR");
  }
  return out;
}

}  // namespace ks::app
