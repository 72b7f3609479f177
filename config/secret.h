#pragma once
// A value that must never be printed: a password from the configuration.
// There is deliberately no operator<<, fmt formatter or implicit conversion;
// code that needs the value asks for it by name with reveal(), which is easy
// to grep for.
#include <string>
#include <utility>

namespace ks::config {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}

  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }
  bool operator==(const Secret&) const = default;

 private:
  std::string value_;
};

}  // namespace ks::config
