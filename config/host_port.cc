#include "config/host_port.h"

#include <fmt/format.h>

namespace ks::config {

Parsed<uint16_t> parse_port(std::string_view text, bool allow_zero) {
  using Result = Parsed<uint16_t>;
  const std::string_view range = allow_zero ? "0..65535" : "1..65535";
  uint32_t port = 0;
  // Six digits already exceed 65535; stopping there keeps `port` small.
  const bool digits_only = !text.empty() && text.size() <= 6 &&
                           text.find_first_not_of("0123456789") == std::string_view::npos;
  if (!digits_only) {
    return Result::fail(fmt::format("port \"{}\" is not a number in {}", text, range));
  }
  for (char c : text)
    port = port * 10 + static_cast<uint32_t>(c - '0');
  if (port > 65535 || (port == 0 && !allow_zero)) {
    return Result::fail(fmt::format("port {} is out of range {}", port, range));
  }
  return Result::ok(static_cast<uint16_t>(port));
}

Parsed<HostPort> parse_host_port(std::string_view text) {
  using Result = Parsed<HostPort>;
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) {
      return Result::fail(fmt::format("\"{}\" has '[' without ']'", text));
    }
    host = text.substr(1, close - 1);
    const std::string_view rest = text.substr(close + 1);
    if (rest.empty() || rest.front() != ':') {
      return Result::fail(
          fmt::format("\"{}\" needs a port after the brackets, e.g. \"[::1]:9092\"", text));
    }
    port = rest.substr(1);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return Result::fail(fmt::format("\"{}\" is not host:port, e.g. \"kafka-0:9092\"", text));
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      return Result::fail(
          fmt::format("\"{}\": write IPv6 addresses in brackets, e.g. \"[::1]:9092\"", text));
    }
  }
  if (host.empty()) return Result::fail(fmt::format("\"{}\" has an empty host", text));
  if (host.find_first_of(" \t") != std::string_view::npos) {
    return Result::fail(fmt::format("\"{}\": the host contains a space", text));
  }
  const Parsed<uint16_t> p = parse_port(port, /*allow_zero=*/false);
  if (!p.value) return Result::fail(fmt::format("\"{}\": {}", text, p.error));
  return Result::ok(HostPort{std::string(host), *p.value});
}

std::string to_string(const HostPort& hp) {
  if (hp.host.find(':') != std::string::npos) return fmt::format("[{}]:{}", hp.host, hp.port);
  return fmt::format("{}:{}", hp.host, hp.port);
}

}  // namespace ks::config
