#pragma once
// A "host:port" address, as in bootstrap lists and listener.advertised.
// IPv6 literals are written in brackets, "[::1]:9092"; `host` holds them
// without the brackets.
#include <cstdint>
#include <string>
#include <string_view>

#include "config/parsed.h"

namespace ks::config {

struct HostPort {
  std::string host;
  uint16_t port = 0;

  bool operator==(const HostPort&) const = default;
};

// Port 1..65535; the host is not resolved, only checked to be non-empty and
// free of spaces.
Parsed<HostPort> parse_host_port(std::string_view text);

// Back to "host:port", with brackets for IPv6.
std::string to_string(const HostPort& hp);

// A TCP port, 1..65535, or 0 too when `allow_zero` (0 = "disabled").
Parsed<uint16_t> parse_port(std::string_view text, bool allow_zero);

}  // namespace ks::config
