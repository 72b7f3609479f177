#include "proxy/upstream/errc.h"

#include <string>

namespace ks::upstream {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "upstream"; }

  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::connection_failed:
        return "connection failed";
      case errc::timeout:
        return "request timed out";
      case errc::unsupported_version:
        return "unsupported version";
      case errc::no_broker_available:
        return "no broker available";
      case errc::unknown_broker:
        return "unknown broker";
      case errc::malformed_response:
        return "malformed response";
      case errc::response_too_large:
        return "response too large";
      case errc::invalid_request:
        return "invalid request";
      case errc::authentication_failed:
        return "authentication failed";
    }
    return "unknown upstream error " + std::to_string(value);
  }
};

}  // namespace

const std::error_category& error_category() {
  static const Category category;
  return category;
}

bool is_retriable(std::error_code code) {
  return code != errc::unsupported_version && code != errc::invalid_request &&
         code != errc::authentication_failed;
}

}  // namespace ks::upstream
