#pragma once
// "host:port" as bootstrap lists and logs write broker addresses; IPv6
// hosts in brackets ("[::1]:9092").
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ks::upstream {

struct Address {
  std::string host;
  uint16_t port = 0;

  // The "host:port" form, brackets around an IPv6 host.
  std::string to_string() const;
  bool operator==(const Address&) const = default;
};

// Nullopt for a missing host, a missing or out-of-range port, or unbalanced brackets.
std::optional<Address> parse_address(std::string_view text);

}  // namespace ks::upstream
